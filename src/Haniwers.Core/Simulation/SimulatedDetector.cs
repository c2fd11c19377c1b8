using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Haniwers.Protocol;

using Haniwers.Configuration;

namespace Haniwers.Simulation
{
    /// <summary>A threshold write the simulator received, and what it did with it.</summary>
    public readonly struct ReceivedWrite
    {
        public ReceivedWrite(int channel, int threshold, string outcome)
        {
            Channel = channel;
            Threshold = threshold;
            Outcome = outcome;
        }

        public int Channel { get; }
        public int Threshold { get; }
        /// <summary>ok, refused, silent or wrong-echo.</summary>
        public string Outcome { get; }
        public override string ToString() => $"SET {Channel} {Threshold} {Outcome}";
    }

    /// <summary>
    /// The simulated OSECHI detector, independent of time and transport: takes command bytes in
    /// either firmware dialect, answers as docs/protocol.md says, and draws events whose per-channel
    /// noise follows an S-curve of that channel's threshold, plus coincident muons. Thread-safe.
    /// </summary>
    public sealed class SimulatedDetector
    {
        private readonly object _sync = new object();
        private readonly Random _random;
        private readonly List<byte> _input = new List<byte>();
        private readonly List<ReceivedWrite> _writes = new List<ReceivedWrite>();
        private readonly int[] _thresholds = new int[ConfigValidator.ChannelCount];
        private int _writeCount;
        private long _eventCount;
        private long _eventsSent;
        private long _floodCount;
        private bool _streaming = true;

        public SimulatedDetector(SimulatorOptions options)
        {
            Options = options;
            _random = options.Seed is int seed ? new Random(seed) : new Random();
            for (int i = 0; i < _thresholds.Length; i++) _thresholds[i] = options.PowerOnThreshold(i + 1);
        }

        /// <summary>A reset (brown-out, watchdog, replug): power-on thresholds, the stream running; returns the boot text it prints.</summary>
        public IEnumerable<string> Reset()
        {
            lock (_sync)
            {
                for (int i = 0; i < _thresholds.Length; i++) _thresholds[i] = Options.PowerOnThreshold(i + 1);
                _streaming = true;
                _input.Clear();
            }
            return BootLines();
        }

        /// <summary>One line of a flood: malformed, and every tenth longer than the protocol allows.</summary>
        public string FloodLine()
        {
            lock (_sync)
            {
                _floodCount++;
                return _floodCount % 10 == 0 ? "12 0 0 455 24.50 100200.00 35.00" + new string(' ', ProtocolText.MaxLineLength) + "7"
                    : "~~" + new string('#', _random.Next(5, 60));
            }
        }

        public SimulatorOptions Options { get; }

        /// <summary>The simulated board's MAC address (locally administered), its answer to GET_MAC.</summary>
        public const string Mac = "02:48:41:4E:49:57";

        /// <summary>Event lines made so far, garbage not counted (with <see cref="SimulatorOptions.Numbered"/>, the last line's number).</summary>
        public long EventsSent { get { lock (_sync) return _eventsSent; } }

        public bool Streaming { get { lock (_sync) return _streaming; } }

        public int Threshold(int channel) { lock (_sync) return _thresholds[channel - 1]; }

        /// <summary>Every threshold write received so far.</summary>
        public IReadOnlyList<ReceivedWrite> Writes { get { lock (_sync) return _writes.ToArray(); } }

        /// <summary>Raised for each write received (the served simulator prints them).</summary>
        public event Action<ReceivedWrite>? WriteReceived;

        /// <summary>Raised when the stream is paused or resumed.</summary>
        public event Action<bool>? StreamChanged;

        public IEnumerable<string> BootLines() => new[]
        {
            "OSECHI detector (simulated) booting", "firmware kurikintons v1.6 (simulated)", "ready",
        };

        /// <summary>Feeds bytes from the host; returns the lines the device answers, in order.</summary>
        public IReadOnlyList<string> Receive(byte[] data, int count)
        {
            var answers = new List<string>();
            var notify = new List<Action>(); // raised in the order the commands came, outside the lock
            lock (_sync)
            {
                for (int i = 0; i < count; i++) _input.Add(data[i]);
                while (_input.Count > 0)
                {
                    byte first = _input[0];
                    if (ConfigValidator.IsChannel(first))
                    {
                        if (_input.Count < 4) break;
                        int channel = first;
                        byte high = _input[1], low = _input[2];
                        _input.RemoveRange(0, 4);
                        int threshold = BinaryFirmware.Decode(high, low);
                        var write = Apply(channel, threshold);
                        notify.Add(() => WriteReceived?.Invoke(write));
                        switch (write.Outcome)
                        {
                            case "ok": answers.Add(channel.ToString(CultureInfo.InvariantCulture)); break;
                            case "refused": answers.Add(ProtocolText.BinaryRefused); break;
                            case "wrong-echo": answers.Add((channel % 3 + 1).ToString(CultureInfo.InvariantCulture)); break;
                            default: continue; // silent: not even the echoes
                        }
                        answers.Add(high.ToString(CultureInfo.InvariantCulture));
                        answers.Add(low.ToString(CultureInfo.InvariantCulture));
                        continue;
                    }
                    int newline = _input.IndexOf((byte)'\n');
                    if (newline < 0) break;
                    string command = Encoding.ASCII.GetString(_input.GetRange(0, newline).ToArray()).Trim();
                    _input.RemoveRange(0, newline + 1);
                    HandleText(command, answers, notify);
                }
            }
            foreach (var raise in notify) raise();
            return answers;
        }

        private void HandleText(string command, List<string> answers, List<Action> notify)
        {
            var parts = command.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) return;
            if (parts[0] == ProtocolText.GetMac && parts.Length == 1)
            {
                answers.Add(Mac);
                return;
            }
            if (parts[0] == ProtocolText.SetStream && parts.Length == 2)
            {
                bool streaming = parts[1] != "0";
                _streaming = streaming;
                notify.Add(() => StreamChanged?.Invoke(streaming));
                return;
            }
            if (parts[0] == ProtocolText.SetThreshold && parts.Length == 3
                && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int channel)
                && int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int threshold))
            {
                if (channel < 1 || channel > 3 || threshold < 1 || threshold > 1023)
                {
                    answers.Add(ProtocolText.ErrorAnswer(channel, "out of range"));
                    return;
                }
                answers.Add($"DEBUG dac write ch={channel} vth={threshold}");
                var write = Apply(channel, threshold);
                notify.Add(() => WriteReceived?.Invoke(write));
                switch (write.Outcome)
                {
                    case "ok": answers.Add(ProtocolText.OkAnswer(channel, threshold)); break;
                    case "refused": answers.Add(ProtocolText.ErrorAnswer(channel, "dac busy")); break;
                    case "wrong-echo": answers.Add(ProtocolText.OkAnswer(channel, threshold + 1)); break;
                }
                return;
            }
            answers.Add(ProtocolText.ErrorAnswer(null, "unknown command"));
        }

        private ReceivedWrite Apply(int channel, int threshold)
        {
            _writeCount++;
            string outcome = "ok";
            var o = Options;
            if (o.RefuseChannel == channel || (o.RefuseEvery > 0 && _writeCount % o.RefuseEvery == 0)) outcome = "refused";
            else if (o.SilentEvery > 0 && _writeCount % o.SilentEvery == 0) outcome = "silent";
            else if (o.WrongEchoEvery > 0 && _writeCount % o.WrongEchoEvery == 0) outcome = "wrong-echo";
            if (outcome == "ok") _thresholds[channel - 1] = threshold;
            var write = new ReceivedWrite(channel, threshold, outcome);
            _writes.Add(write);
            return write;
        }

        /// <summary>Total trigger rate at the current thresholds, in Hz.</summary>
        public double TotalRate
        {
            get
            {
                lock (_sync)
                {
                    double rate = 0;
                    foreach (int ch in ConfigValidator.Channels) rate += NoiseOnly(ch);
                    return rate + Options.MuonRate;
                }
            }
        }

        private double NoiseOnly(int channel) => Options.ExpectedRate(channel, _thresholds[channel - 1]) - Options.MuonRate * Options.MuonEfficiency;

        /// <summary>Seconds to the next trigger (exponential at the current total rate).</summary>
        public double NextInterval()
        {
            double rate = TotalRate;
            lock (_sync) return -Math.Log(1 - _random.NextDouble()) / Math.Max(rate, 1e-9);
        }

        /// <summary>The next event line; null when a muon crossed without a hit in any layer.</summary>
        public string? NextEventLine()
        {
            lock (_sync)
            {
                _eventCount++;
                if (Options.GarbageEvery > 0 && _eventCount % Options.GarbageEvery == 0)
                {
                    return _random.Next(2) == 0 ? "#~!garbage line" : "12 0 0 455 24.5"; // noise or a cut line
                }
                double n1 = NoiseOnly(1), n2 = NoiseOnly(2), n3 = NoiseOnly(3);
                double pick = _random.NextDouble() * (n1 + n2 + n3 + Options.MuonRate);
                int top = 0, mid = 0, btm = 0;
                if (pick < n1) top = 1 + _random.Next(40);
                else if (pick < n1 + n2) mid = 1 + _random.Next(40);
                else if (pick < n1 + n2 + n3) btm = 1 + _random.Next(40);
                else
                {
                    if (_random.NextDouble() < Options.MuonEfficiency) top = 20 + _random.Next(200);
                    if (_random.NextDouble() < Options.MuonEfficiency) mid = 20 + _random.Next(200);
                    if (_random.NextDouble() < Options.MuonEfficiency) btm = 20 + _random.Next(200);
                    if (top + mid + btm == 0) return null;
                }
                _eventsSent++;
                int adc = Options.Numbered ? checked((int)_eventsSent) : 100 + _random.Next(800);
                double tmp = 24.5 + (_random.NextDouble() - 0.5) * 0.2;
                double atm = 100200 + (_random.NextDouble() - 0.5) * 40;
                double hmd = 35 + (_random.NextDouble() - 0.5);
                return string.Format(CultureInfo.InvariantCulture, "{0} {1} {2} {3} {4:F2} {5:F2} {6:F2}", top, mid, btm, adc, tmp, atm, hmd);
            }
        }
    }
}
