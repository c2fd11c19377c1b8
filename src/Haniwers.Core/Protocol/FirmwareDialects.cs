using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Haniwers.Configuration;
using Haniwers.Transport;

namespace Haniwers.Protocol
{
    /// <summary>The outcome of one attempt to set one channel.</summary>
    public readonly struct AttemptOutcome
    {
        public AttemptOutcome(bool success, string reason, string? answer, TimeSpan? answerDelay = null)
        {
            Success = success;
            Reason = reason;
            Answer = answer;
            AnswerDelay = answerDelay;
        }

        /// <summary>The same outcome, with the least time the device can have taken to answer.</summary>
        public AttemptOutcome AnsweredAfter(TimeSpan delay) => new AttemptOutcome(Success, Reason, Answer, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);

        public bool Success { get; }
        /// <summary>"ok", or why the attempt failed: refused, wrong echo, no answer.</summary>
        public string Reason { get; }
        /// <summary>The device's answer line, or null when it said nothing.</summary>
        public string? Answer { get; }
        /// <summary>
        /// The least time the device can have taken to answer: from the command's sending to the earliest
        /// moment the answer can have been sent (<see cref="ReceivedLine.Earliest"/>), so a host that was
        /// slow to read does not make a prompt device look slow. Null without an answer.
        /// </summary>
        public TimeSpan? AnswerDelay { get; }
    }

    /// <summary>How a firmware generation sets thresholds (docs/protocol.md, "Host to device").</summary>
    public abstract class FirmwareProtocol
    {
        public static FirmwareProtocol For(FirmwareDialect dialect) =>
            dialect == FirmwareDialect.Binary ? (FirmwareProtocol)new BinaryFirmware() : new TextFirmware();

        /// <summary>Before a batch of writes: the text firmware pauses the event stream.</summary>
        public virtual void BeginWrites(IDeviceLink link) { }

        /// <summary>After a batch of writes, also after failures: the text firmware resumes the stream.</summary>
        public virtual void EndWrites(IDeviceLink link) { }

        /// <summary>Makes sure events flow (the start of a DAQ or an event check).</summary>
        public virtual void StartStream(IDeviceLink link) { }

        /// <summary>
        /// The board's MAC address, where the firmware tells it (the text firmware answers GET_MAC with
        /// XX:XX:XX:XX:XX:XX among its event lines); null when it does not answer within <paramref name="timeout"/>.
        /// Lines read meanwhile are dropped: call it before a run starts.
        /// </summary>
        public virtual string? QueryMac(IDeviceLink link, TimeSpan timeout, CancellationToken cancellation) => null;

        /// <summary>How long <see cref="Quiesce"/> waits for the stream to fall silent, and the silence that counts.</summary>
        protected static readonly TimeSpan QuiesceLimit = TimeSpan.FromSeconds(2), QuietGap = TimeSpan.FromMilliseconds(100);

        /// <summary>
        /// Before counting starts: drops every line sent before this moment. The binary firmware cannot
        /// pause its stream, so only what has been received is dropped.
        /// </summary>
        public virtual void Quiesce(IDeviceLink link, CancellationToken cancellation) => link.DiscardInput();

        /// <summary>One attempt: send the command and recognise the answer among event lines still arriving.</summary>
        public AttemptOutcome Attempt(IDeviceLink link, int channel, int threshold, TimeSpan timeout, CancellationToken cancellation)
        {
            link.DiscardInput(); // anything already here answers an earlier command
            Send(link, channel, threshold);
            var sent = link.Clock.Elapsed;
            var deadline = sent + timeout;
            while (link.TryReadLine(deadline, cancellation, out var line))
            {
                var kind = EventLineParser.Classify(line.Text, out _);
                var outcome = Recognize(kind, line.Text.Trim(), channel, threshold);
                if (outcome is { } result)
                {
                    AfterAnswer(link, deadline, cancellation);
                    return result.AnsweredAfter(line.Earliest - sent);
                }
            }
            return new AttemptOutcome(false, $"no answer within {timeout.TotalSeconds:0.###} s", null);
        }

        /// <summary>
        /// First attempts for several channels at once, where answers name their channel (text firmware):
        /// all commands are sent, then the answers are matched by channel. Null where not supported.
        /// </summary>
        public virtual IReadOnlyDictionary<int, AttemptOutcome>? AttemptAll(IDeviceLink link, IReadOnlyList<KeyValuePair<int, int>> thresholds,
            TimeSpan timeout, CancellationToken cancellation) => null;

        protected abstract void Send(IDeviceLink link, int channel, int threshold);

        /// <summary>The outcome when <paramref name="line"/> is the answer; null for lines to skip (events, DEBUG, boot text).</summary>
        protected abstract AttemptOutcome? Recognize(LineKind kind, string line, int channel, int threshold);

        protected virtual void AfterAnswer(IDeviceLink link, TimeSpan deadline, CancellationToken cancellation) { }

        /// <summary>The JSON answer check shared by both firmwares.</summary>
        protected static AttemptOutcome? RecognizeJson(string line, int channel, int threshold, bool thresholdRequired)
        {
            var answer = ThresholdAnswer.TryParse(line);
            if (answer is null || !answer.IsResponse) return null;
            if (!answer.IsOk)
                return new AttemptOutcome(false, $"refused by the device (status {answer.Status ?? "missing"}{(answer.Message is null ? "" : ": " + answer.Message)})", line);
            if (answer.Channel != channel)
                return new AttemptOutcome(false, $"wrong echo: the device answered for channel {answer.Channel?.ToString() ?? "(none)"}, not {channel}", line);
            if (answer.Threshold is null && thresholdRequired)
                return new AttemptOutcome(false, "the answer has no threshold to confirm the value", line);
            if (answer.Threshold is int echoed && echoed != threshold)
                return new AttemptOutcome(false, $"wrong echo: the device set {echoed}, not {threshold}", line);
            return new AttemptOutcome(true, "ok", line);
        }
    }

    /// <summary>Text firmware (kurikintons v1.6+): SET_STREAM 0, SET_THRESHOLD ch vth, a JSON answer, SET_STREAM 1.</summary>
    public sealed class TextFirmware : FirmwareProtocol
    {
        public override void BeginWrites(IDeviceLink link) => link.WriteLine(ProtocolText.PauseStream);
        public override void EndWrites(IDeviceLink link) => link.WriteLine(ProtocolText.ResumeStream);
        public override void StartStream(IDeviceLink link) => link.WriteLine(ProtocolText.ResumeStream);

        public override string? QueryMac(IDeviceLink link, TimeSpan timeout, CancellationToken cancellation)
        {
            link.WriteLine(ProtocolText.GetMac);
            var deadline = link.Clock.Elapsed + timeout;
            while (link.TryReadLine(deadline, cancellation, out var line))
            {
                string text = line.Text.Trim();
                if (System.Text.RegularExpressions.Regex.IsMatch(text, "^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$")) return text;
                if (text.StartsWith("{", StringComparison.Ordinal)) return null; // an answer, but not an address (unknown command)
            }
            return null;
        }

        /// <summary>Pauses the stream and reads until it is quiet, so what follows a resume is fresh.</summary>
        public override void Quiesce(IDeviceLink link, CancellationToken cancellation)
        {
            link.WriteLine(ProtocolText.PauseStream);
            var clock = link.Clock;
            var giveUp = clock.Elapsed + QuiesceLimit;
            // lines in flight still arrive after the pause; quiet for QuietGap means the stream has stopped
            while (clock.Elapsed < giveUp && link.TryReadLine(clock.Elapsed + QuietGap, cancellation, out _)) { }
            link.DiscardInput();
        }

        protected override void Send(IDeviceLink link, int channel, int threshold) =>
            link.WriteLine(ProtocolText.SetThresholdCommand(channel, threshold));

        /// <summary>Sends every SET_THRESHOLD at once; each JSON answer is matched to its channel and value.</summary>
        public override IReadOnlyDictionary<int, AttemptOutcome>? AttemptAll(IDeviceLink link, IReadOnlyList<KeyValuePair<int, int>> thresholds,
            TimeSpan timeout, CancellationToken cancellation)
        {
            link.DiscardInput();
            var pending = thresholds.ToDictionary(p => p.Key, p => p.Value);
            link.Write(Encoding.ASCII.GetBytes(string.Concat(thresholds.Select(p => ProtocolText.SetThresholdCommand(p.Key, p.Value) + "\n"))));
            var outcomes = new Dictionary<int, AttemptOutcome>();
            var sent = link.Clock.Elapsed;
            var deadline = sent + timeout;
            while (pending.Count > 0 && link.TryReadLine(deadline, cancellation, out var line))
            {
                if (EventLineParser.Classify(line.Text, out _) != LineKind.Json) continue;
                string text = line.Text.Trim();
                var answer = ThresholdAnswer.TryParse(text);
                if (answer?.Channel is not int channel || !pending.TryGetValue(channel, out int threshold)) continue;
                if (RecognizeJson(text, channel, threshold, thresholdRequired: true) is { } outcome)
                {
                    outcomes[channel] = outcome.AnsweredAfter(line.Earliest - sent);
                    pending.Remove(channel);
                }
            }
            foreach (var channel in pending.Keys) outcomes[channel] = new AttemptOutcome(false, $"no answer within {timeout.TotalSeconds:0.###} s", null);
            return outcomes;
        }

        protected override AttemptOutcome? Recognize(LineKind kind, string line, int channel, int threshold) =>
            kind == LineKind.Json ? RecognizeJson(line, channel, threshold, thresholdRequired: true) : null;
    }

    /// <summary>Legacy OSECHI firmware: a 4-byte DAC command; the answer is the first of three lines.</summary>
    public sealed class BinaryFirmware : FirmwareProtocol
    {
        /// <summary>The four bytes for a channel and a 10-bit value: ch, 0x10 | (vth >> 6), (vth << 2) &amp; 0xFF, '\n'.</summary>
        public static byte[] Encode(int channel, int threshold) => new[]
        {
            (byte)channel,
            (byte)(0x10 | (threshold >> 6)),
            (byte)((threshold << 2) & 0xFF),
            (byte)'\n',
        };

        /// <summary>The threshold inside the two value bytes (what the simulator decodes).</summary>
        public static int Decode(byte high, byte low) => ((high & 0x0F) << 6) | (low >> 2);

        protected override void Send(IDeviceLink link, int channel, int threshold) => link.Write(Encode(channel, threshold));

        protected override AttemptOutcome? Recognize(LineKind kind, string line, int channel, int threshold)
        {
            if (kind == LineKind.Json) return RecognizeJson(line, channel, threshold, thresholdRequired: false);
            if (kind != LineKind.Token) return null;
            if (line == ProtocolText.BinaryRefused) return new AttemptOutcome(false, "refused by the device (dame)", line);
            if (line.Length == 1 && line[0] >= '1' && line[0] <= '3')
            {
                return line[0] - '0' == channel
                    ? new AttemptOutcome(true, "ok", line)
                    : new AttemptOutcome(false, $"wrong echo: the device answered for channel {line}, not {channel}", line);
            }
            return null; // boot text or a stray word
        }

        /// <summary>Consumes the two echo lines so a later write cannot mistake them for its answer.</summary>
        protected override void AfterAnswer(IDeviceLink link, TimeSpan deadline, CancellationToken cancellation)
        {
            int echoes = 0;
            var shortDeadline = link.Clock.Elapsed + TimeSpan.FromMilliseconds(200);
            var until = shortDeadline < deadline ? shortDeadline : deadline;
            while (echoes < 2 && link.TryReadLine(until, cancellation, out var line))
            {
                if (EventLineParser.Classify(line.Text, out _) != LineKind.Event) echoes++;
            }
        }
    }
}
