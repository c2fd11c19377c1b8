using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Haniwers.Protocol;
using Haniwers.Transport;
using Xunit;

namespace Haniwers.Tests.Protocol
{
    /// <summary>A scripted device: answers each write with prepared lines. Only for dialect tests of the host side.</summary>
    internal sealed class ScriptedLink : IDeviceLink
    {
        public LinkCounters Counters { get; } = new LinkCounters(BootText.IsBootLine);
        private readonly Queue<string[]> _answers;
        private readonly Queue<ReceivedLine> _lines = new Queue<ReceivedLine>();
        public readonly List<byte[]> Written = new List<byte[]>();
        public ScriptedLink(params string[][] answers) => _answers = new Queue<string[]>(answers);
        public string PortName => "scripted";
        public IClock Clock { get; } = new ManualClock();
        public bool IsLost => false;
        public IEnumerable<string> WrittenText => Written.Select(b => Encoding.ASCII.GetString(b));

        public void Write(byte[] data)
        {
            Written.Add(data);
            // one answer set per command: a binary write, or each SET_THRESHOLD line of a (pipelined) write
            int commands = data[0] <= 3 ? 1 : Encoding.ASCII.GetString(data).Split('\n').Count(l => l.StartsWith("SET_THRESHOLD", StringComparison.Ordinal));
            for (int i = 0; i < commands && _answers.Count > 0; i++)
                foreach (var line in _answers.Dequeue()) _lines.Enqueue(new ReceivedLine(line, Clock.Elapsed));
        }

        public bool TryReadLine(TimeSpan deadline, CancellationToken cancellation, out ReceivedLine line)
        {
            if (_lines.Count > 0) { line = _lines.Dequeue(); return true; }
            Clock.WaitUntil(deadline, cancellation);
            line = default;
            return false;
        }

        public void DiscardInput() => _lines.Clear();
        public void Reopen(CancellationToken cancellation) { }
        public void Dispose() { }
    }

    public class FirmwareTests
    {
        private const string Event = "10 5 0 823 24.50 100204.50 34.50";
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

        [Theory]
        [InlineData(1, 0x10, 0x04)]      // vth 1: 0x10 | 0, (1 << 2)
        [InlineData(280, 0x14, 0x60)]    // vth 280 = 0b0100011000: 280 >> 6 = 4, (280 << 2) & 0xFF = 0x60
        [InlineData(1023, 0x1F, 0xFC)]   // vth 1023: 1023 >> 6 = 15, (1023 << 2) & 0xFF = 0xFC
        public void BinaryCommandWordMatchesTheProtocol(int vth, int high, int low)
        {
            var bytes = BinaryFirmware.Encode(2, vth);
            Assert.Equal(new byte[] { 0x02, (byte)high, (byte)low, (byte)'\n' }, bytes);
            Assert.Equal(vth, BinaryFirmware.Decode(bytes[1], bytes[2]));
        }

        [Fact]
        public void TextFirmwareSendsTheCommandAndFindsTheAnswerAmongEventAndDebugLines()
        {
            var link = new ScriptedLink(new[] { Event, "DEBUG set", Event, "{\"type\":\"response\",\"status\":\"ok\",\"channel\":1,\"threshold\":280}" });
            var outcome = new TextFirmware().Attempt(link, 1, 280, Timeout, CancellationToken.None);
            Assert.True(outcome.Success);
            Assert.Equal("SET_THRESHOLD 1 280\n", link.WrittenText.Single());
        }

        [Theory]
        [InlineData("{\"type\":\"response\",\"status\":\"error\",\"channel\":1,\"threshold\":280}", "refused")]
        [InlineData("{\"type\":\"response\",\"status\":\"ok\",\"channel\":1,\"threshold\":281}", "wrong echo")]
        [InlineData("{\"type\":\"response\",\"status\":\"ok\",\"channel\":2,\"threshold\":280}", "wrong echo")]
        [InlineData("{\"type\":\"response\",\"status\":\"ok\",\"channel\":1}", "no threshold")]
        public void TextFirmwareFailsOnRefusalWrongEchoOrMissingThreshold(string answer, string reason)
        {
            var outcome = new TextFirmware().Attempt(new ScriptedLink(new[] { answer }), 1, 280, Timeout, CancellationToken.None);
            Assert.False(outcome.Success);
            Assert.Contains(reason, outcome.Reason);
            Assert.Equal(answer, outcome.Answer);
        }

        [Fact]
        public void AStreamOfEventLinesIsNeverASuccess()
        {
            var outcome = new TextFirmware().Attempt(new ScriptedLink(Enumerable.Repeat(Event, 50).ToArray()), 1, 280, Timeout, CancellationToken.None);
            Assert.False(outcome.Success);
            Assert.Contains("no answer", outcome.Reason);
            Assert.Null(outcome.Answer);
        }

        [Fact]
        public void BinaryFirmwareFindsTheChannelAnswerAmongEventsAndConsumesTheEchoes()
        {
            var link = new ScriptedLink(new[] { Event, "1", Event, "20", "96" }, new[] { "2", "20", "96" });
            var firmware = new BinaryFirmware();
            Assert.True(firmware.Attempt(link, 1, 280, Timeout, CancellationToken.None).Success);
            // the echoes of the first write ("20", "96") must not be read as the second write's answer
            Assert.True(firmware.Attempt(link, 2, 280, Timeout, CancellationToken.None).Success);
            Assert.Equal(BinaryFirmware.Encode(1, 280), link.Written[0]);
        }

        [Theory]
        [InlineData("dame", "refused")]
        [InlineData("3", "wrong echo")]
        [InlineData("{\"type\":\"response\",\"status\":\"error\",\"channel\":1}", "refused")]
        public void BinaryFirmwareFailsOnDameOrAnotherChannel(string answer, string reason)
        {
            var outcome = new BinaryFirmware().Attempt(new ScriptedLink(new[] { Event, answer, "20", "96" }), 1, 280, Timeout, CancellationToken.None);
            Assert.False(outcome.Success);
            Assert.Contains(reason, outcome.Reason);
        }

        [Fact]
        public void BinaryFirmwareAcceptsAJsonAnswerWithoutThreshold()
        {
            var outcome = new BinaryFirmware().Attempt(new ScriptedLink(new[] { "{\"type\":\"response\",\"status\":\"ok\",\"channel\":1}" }), 1, 280, Timeout, CancellationToken.None);
            Assert.True(outcome.Success);
        }

        [Fact]
        public void BootTextIsNotAnAnswer()
        {
            var outcome = new BinaryFirmware().Attempt(new ScriptedLink(new[] { "ready", "OSECHI booting v2" }), 1, 280, Timeout, CancellationToken.None);
            Assert.False(outcome.Success);
            Assert.Contains("no answer", outcome.Reason);
        }

        [Fact]
        public void SilenceFailsAfterTheResponseTimeoutAndNoLater()
        {
            var link = new ScriptedLink();
            var outcome = new TextFirmware().Attempt(link, 1, 280, TimeSpan.FromSeconds(1.5), CancellationToken.None);
            Assert.False(outcome.Success);
            Assert.Equal(TimeSpan.FromSeconds(1.5), link.Clock.Elapsed);
        }

        [Fact]
        public void WriterPausesOnceForSeveralChannelsRetriesAndResumes()
        {
            var ok = new Func<int, string[]>(ch => new[] { $"{{\"type\":\"response\",\"status\":\"ok\",\"channel\":{ch},\"threshold\":300}}" });
            var link = new ScriptedLink(ok(1), new[] { "{\"type\":\"response\",\"status\":\"error\",\"channel\":2}" }, ok(3), ok(2));
            var attempts = new List<ThresholdAttempt>();
            var writer = new ThresholdWriter(new TextFirmware(), new RetryPolicy(3, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), seed: 1), Timeout);
            var pairs = new[] { 1, 2, 3 }.Select(ch => new KeyValuePair<int, int>(ch, 300)).ToList();
            var results = writer.Write(link, pairs, attempts.Add, CancellationToken.None);
            Assert.All(results, r => Assert.True(r.Success));
            Assert.Equal(2, results[1].Attempts);
            Assert.Equal(4, attempts.Count);
            Assert.False(attempts[1].Success);
            var text = link.WrittenText.ToList();
            Assert.Equal("SET_STREAM 0\n", text.First());
            Assert.Equal("SET_STREAM 1\n", text.Last());
            Assert.Equal(1, text.Count(t => t.StartsWith("SET_STREAM 0")));
            // the three first attempts go out in one write, the retry of channel 2 alone
            Assert.Equal("SET_THRESHOLD 1 300\nSET_THRESHOLD 2 300\nSET_THRESHOLD 3 300\n", text[1]);
            Assert.Equal("SET_THRESHOLD 2 300\n", text[2]);
        }

        [Fact]
        public void PipelinedAnswersAreMatchedByChannelWhateverTheirOrder()
        {
            var link = new ScriptedLink(
                new[] { Event, "{\"type\":\"response\",\"status\":\"ok\",\"channel\":3,\"threshold\":303}" },
                new[] { "{\"type\":\"response\",\"status\":\"ok\",\"channel\":1,\"threshold\":301}" },
                new[] { "{\"type\":\"response\",\"status\":\"ok\",\"channel\":2,\"threshold\":999}" });
            var outcomes = new TextFirmware().AttemptAll(link, new[] { 1, 2, 3 }.Select(ch => new KeyValuePair<int, int>(ch, 300 + ch)).ToList(), Timeout, CancellationToken.None)!;
            Assert.True(outcomes[1].Success);
            Assert.True(outcomes[3].Success);
            Assert.False(outcomes[2].Success);
            Assert.Contains("wrong echo", outcomes[2].Reason);
        }

        [Fact]
        public void WriterGivesUpAfterMaxAttemptsAndStillResumesTheStream()
        {
            var refuse = new[] { "{\"type\":\"response\",\"status\":\"error\",\"channel\":1}" };
            var link = new ScriptedLink(refuse, refuse, refuse);
            var writer = new ThresholdWriter(new TextFirmware(), new RetryPolicy(2, TimeSpan.Zero, TimeSpan.Zero), Timeout);
            var result = writer.Write(link, new[] { new KeyValuePair<int, int>(1, 300) }, null, CancellationToken.None).Single();
            Assert.False(result.Success);
            Assert.Equal(2, result.Attempts);
            Assert.Equal(refuse[0], result.LastAnswer);
            Assert.Equal("SET_STREAM 1\n", link.WrittenText.Last());
        }
    }
}
