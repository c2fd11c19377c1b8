using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Haniwers.Simulation;
using Haniwers.Transport;

using Haniwers.Protocol;
namespace Haniwers.DataTaking
{
    /// <summary>
    /// Recorded raw files served as a detector (<c>-PortName replay:FILE-OR-FOLDER[,speed=F][,loop]</c>,
    /// haniwers' mock --load-from; docs/daq.md, "Replay"): each event line is sent after the gap to the
    /// previous one in the recording, divided by the speed, on the link's clock; commands are answered as
    /// the simulated detector answers them (thresholds acknowledged, the stream paused and resumed,
    /// GET_MAC). After the last event reading ends (<see cref="RecordingEndedException"/>), or the recording starts over with <c>loop</c>.
    /// </summary>
    public sealed class ReplayLink : IDeviceLink
    {
        public const string Prefix = "replay:";
        private readonly Queue<ReceivedLine> _pending = new Queue<ReceivedLine>();
        private readonly SimulatedDetector _commands = new SimulatedDetector(new SimulatorOptions());
        private readonly IReadOnlyList<string> _files;
        private readonly double _speed;
        private readonly bool _loop;
        private int _fileIndex;
        private RawFileReader? _reader;
        private RawEvent _next;
        private bool _hasNext;
        private long _lastTicks;
        private TimeSpan _nextAt;

        public static bool IsReplay(string portName) => portName.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

        public ReplayLink(string portName, IClock? clock = null)
        {
            PortName = portName;
            Clock = clock ?? SystemClock.Instance;
            var (path, speed, loop) = Parse(portName);
            _speed = speed;
            _loop = loop;
            _files = Files(path);
            Advance();
            _nextAt = Clock.Elapsed;
        }

        public string PortName { get; }
        public IClock Clock { get; }
        public bool IsLost => false;
        public LinkCounters Counters { get; } = new LinkCounters(BootText.IsBootLine);
        /// <summary>Event lines served so far.</summary>
        public long Served { get; private set; }

        /// <summary>"replay:PATH[,speed=F][,loop]" → the path, the speed (0 = as fast as possible) and whether to loop.</summary>
        public static (string path, double speed, bool loop) Parse(string portName)
        {
            var parts = portName.Substring(Prefix.Length).Split(',').ToList();
            double speed = 1;
            bool loop = false;
            while (parts.Count > 1)
            {
                string last = parts[parts.Count - 1].Trim();
                if (last.Equals("loop", StringComparison.OrdinalIgnoreCase)) loop = true;
                else if (last.StartsWith("speed=", StringComparison.OrdinalIgnoreCase))
                {
                    string value = last.Substring(6);
                    if (value.Equals("max", StringComparison.OrdinalIgnoreCase)) speed = 0;
                    else if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out speed) || !(speed > 0) || double.IsInfinity(speed))
                        throw new ArgumentException($"Replay speed '{value}' is not a positive number (or max). Example: replay:./20261127,speed=10.");
                }
                else if (System.Text.RegularExpressions.Regex.IsMatch(last, @"^[A-Za-z-]+=") && !File.Exists(string.Join(",", parts)))
                    throw new ArgumentException($"Unknown replay option '{last}'. Known: speed=<factor or max>, loop. Example: replay:./20261127,speed=10.");
                else break;
                parts.RemoveAt(parts.Count - 1);
            }
            string path = string.Join(",", parts).Trim();
            if (path.Length == 0) throw new ArgumentException("Name the recorded raw file or folder: replay:./20261127 or replay:./data_unknown_2026-11-27_10h00m00s_0000000.csv.");
            return (path, speed, loop);
        }

        /// <summary>The raw files to serve, in the order of their first events.</summary>
        private static IReadOnlyList<string> Files(string path)
        {
            IEnumerable<string> candidates;
            if (Directory.Exists(path)) candidates = RawFileReader.FolderFiles(path);
            else if (File.Exists(path)) candidates = new[] { path };
            else throw new LinkOpenException(Prefix + path, $"There is no recorded file or folder '{path}' to replay.");
            var files = new List<(string, long)>();
            foreach (var file in candidates)
            {
                try
                {
                    if (RawFileReader.FirstRowTicks(file) is long first) files.Add((file, first));
                }
                catch (NotRawFileException) { } // the journal, scan files: not events
                catch (IOException) { } // a file another program holds
            }
            if (files.Count == 0) throw new LinkOpenException(Prefix + path, $"'{path}' holds no raw event rows to replay.");
            return RawFileReader.InTimeOrder(files);
        }

        /// <summary>Reads the next recorded event into <see cref="_next"/>.</summary>
        private void Advance()
        {
            while (true)
            {
                if (_reader is not null && _reader.Next(out _next))
                {
                    _hasNext = true;
                    return;
                }
                _reader?.Dispose();
                _reader = null;
                if (_fileIndex == _files.Count)
                {
                    if (!_loop || Served == 0)
                    {
                        _hasNext = false;
                        return;
                    }
                    _fileIndex = 0;
                    _lastTicks = 0; // the loop starts without a gap
                }
                _reader = new RawFileReader(_files[_fileIndex++]);
            }
        }

        private TimeSpan Gap()
        {
            if (_lastTicks == 0 || _speed == 0) return TimeSpan.Zero;
            long gap = Math.Max(0, _next.UtcTicks - _lastTicks);
            return TimeSpan.FromTicks((long)(gap / _speed));
        }

        public void Write(byte[] data)
        {
            bool wasStreaming = _commands.Streaming;
            if (System.Text.Encoding.ASCII.GetString(data).Trim() == Protocol.ProtocolText.GetMac)
            {
                // a recording has no board to ask: its files are named "unknown", as haniwers names them
                _pending.Enqueue(new ReceivedLine(Protocol.ProtocolText.ErrorAnswer(null, "unknown command"), Clock.Elapsed));
                return;
            }
            foreach (var line in _commands.Receive(data, data.Length)) _pending.Enqueue(new ReceivedLine(line, Clock.Elapsed));
            // a resumed stream goes on with the next recorded event after its gap
            if (!wasStreaming && _commands.Streaming && _hasNext) _nextAt = Clock.Elapsed + Gap();
        }

        public bool TryReadLine(TimeSpan deadline, CancellationToken cancellation, out ReceivedLine line)
        {
            if (_pending.Count > 0)
            {
                line = _pending.Dequeue();
                Counters.Observe(line.Text);
                return true;
            }
            if (_commands.Streaming && !_hasNext)
                throw new RecordingEndedException(PortName, $"The replayed recording ended after {Served} event(s): the run stops here.");
            if (!_commands.Streaming || _nextAt > deadline)
            {
                Clock.WaitUntil(deadline, cancellation);
                line = default;
                return false;
            }
            Clock.WaitUntil(_nextAt, cancellation);
            var f = _next.Fields;
            line = new ReceivedLine(string.Format(CultureInfo.InvariantCulture, "{0} {1} {2} {3} {4:F2} {5:F2} {6:F2}",
                f.Top, f.Mid, f.Btm, f.Adc, f.Temperature, f.Pressure, f.Humidity), _nextAt);
            Served++;
            _lastTicks = _next.UtcTicks;
            Advance();
            if (_hasNext) _nextAt += Gap();
            return true;
        }

        public void DiscardInput()
        {
            while (_pending.Count > 0) Counters.Observe(_pending.Dequeue().Text);
        }

        public void Reopen(CancellationToken cancellation) { }

        public void Dispose() => _reader?.Dispose();
    }
}
