using System;
using System.Collections.Generic;
using System.Threading;
using Haniwers.Transport;

using Haniwers.Protocol;
namespace Haniwers.Simulation
{
    /// <summary>
    /// The simulated detector in process, behind <c>-PortName sim</c>. Events are drawn on the link's
    /// clock: in real time for users, instantly on a <see cref="ManualClock"/> in tests. The timed
    /// faults of <see cref="SimulatorOptions"/> (drop, reset, stall, flood) happen on the same clock.
    /// </summary>
    public sealed class SimulatedLink : IDeviceLink
    {
        private readonly Queue<ReceivedLine> _pending = new Queue<ReceivedLine>();
        private readonly TimeSpan _openedAt;
        private TimeSpan _nextEventAt;
        private TimeSpan? _nextFloodAt;
        private TimeSpan? _dropAt;
        private TimeSpan? _droppedAt;
        private TimeSpan? _resetAt;
        private bool _lost;
        private TimeSpan _bootedAt;

        public SimulatedLink(SimulatedDetector detector, IClock? clock = null, string portName = "sim")
        {
            Detector = detector;
            Clock = clock ?? SystemClock.Instance;
            PortName = portName;
            var now = Clock.Elapsed;
            _openedAt = now;
            var o = detector.Options;
            if (o.DropAfter is double drop) _dropAt = now + TimeSpan.FromSeconds(drop);
            if (o.ResetAfter is double reset) _resetAt = now + TimeSpan.FromSeconds(reset);
            if (o.FloodAfter is double flood) _nextFloodAt = now + TimeSpan.FromSeconds(flood);
            if (o.BootText) Boot(now);
            _nextEventAt = (_bootedAt > now ? _bootedAt : now) + TimeSpan.FromSeconds(detector.NextInterval());
        }

        public SimulatedDetector Detector { get; }
        public string PortName { get; }
        public IClock Clock { get; }
        public bool IsLost => _lost;
        public LinkCounters Counters { get; } = new LinkCounters(BootText.IsBootLine);

        /// <summary>A freshly (re)started board prints its banner over a second and hears nothing meanwhile.</summary>
        private void Boot(TimeSpan at)
        {
            _bootedAt = at + SimulatorOptions.BootDuration;
            int i = 0;
            foreach (var line in Detector.Reset()) _pending.Enqueue(new ReceivedLine(line, at + TimeSpan.FromSeconds(0.3 * ++i)));
        }

        public void Write(byte[] data)
        {
            CheckDrop();
            bool wasStreaming = Detector.Streaming;
            var now = Clock.Elapsed;
            if (now < _bootedAt) return; // still booting: the command is lost
            if (wasStreaming && _nextEventAt <= now)
            {
                // an event line already on the wire when the command went out ("in flight")
                if (Detector.NextEventLine() is { } inFlight) _pending.Enqueue(new ReceivedLine(inFlight, _nextEventAt));
            }
            // a stalled board reads its input only when it comes back: its answers wait until then
            var answerAt = Detector.Options.Stalled(now - _openedAt, out var stallEnd) ? _openedAt + stallEnd : now;
            foreach (var line in Detector.Receive(data, data.Length)) _pending.Enqueue(new ReceivedLine(line, answerAt));
            if (!wasStreaming && Detector.Streaming || _nextEventAt < now)
            {
                _nextEventAt = now + TimeSpan.FromSeconds(Detector.NextInterval());
            }
        }

        public bool TryReadLine(TimeSpan deadline, CancellationToken cancellation, out ReceivedLine line)
        {
            var o = Detector.Options;
            while (true)
            {
                CheckDrop();
                // a stalled board sends nothing; Poisson arrivals have no memory, so the next one is drawn after the stall
                if (o.Stalled(_nextEventAt - _openedAt, out var stallEnd)) _nextEventAt = _openedAt + stallEnd + TimeSpan.FromSeconds(Detector.NextInterval());
                if (_nextFloodAt is TimeSpan f && !o.Flooding(f - _openedAt)) _nextFloodAt = o.NextFlood(f - _openedAt) is TimeSpan next ? _openedAt + next : null;

                // the earliest thing that happens: a queued line, an event, a flood line, the reset, the drop
                var at = deadline;
                int what = 0;
                if (_pending.Count > 0 && _pending.Peek().Arrived <= at) { at = _pending.Peek().Arrived; what = 1; }
                if (Detector.Streaming && _nextEventAt < at || Detector.Streaming && what == 0 && _nextEventAt <= at) { at = _nextEventAt; what = 2; }
                if (_nextFloodAt is TimeSpan flood && flood < at) { at = flood; what = 3; }
                if (_resetAt is TimeSpan reset && reset < at) { at = reset; what = 4; }
                if (_dropAt is TimeSpan drop && drop <= at) { at = drop; what = 5; }
                Clock.WaitUntil(at, cancellation);
                switch (what)
                {
                    case 1:
                        line = _pending.Dequeue();
                        Counters.Observe(line.Text);
                        return true;
                    case 2:
                        _nextEventAt += TimeSpan.FromSeconds(Detector.NextInterval());
                        if (Detector.NextEventLine() is { } text)
                        {
                            line = new ReceivedLine(text, at);
                            return true;
                        }
                        continue;
                    case 3:
                        _nextFloodAt = at + TimeSpan.FromSeconds(1 / o.FloodRate);
                        string flooded = Detector.FloodLine();
                        line = flooded.Length > Protocol.ProtocolText.MaxLineLength
                            ? new ReceivedLine(flooded.Substring(0, Protocol.ProtocolText.MaxLineLength), at, tooLong: true)
                            : new ReceivedLine(flooded, at);
                        return true;
                    case 4:
                        _resetAt = null; // resets once
                        Boot(at);
                        _nextEventAt = _bootedAt + TimeSpan.FromSeconds(Detector.NextInterval());
                        continue;
                    case 5:
                        continue; // CheckDrop throws
                    default:
                        line = default;
                        return false;
                }
            }
        }

        public void DiscardInput()
        {
            CheckDrop();
            var now = Clock.Elapsed;
            while (_pending.Count > 0 && _pending.Peek().Arrived <= now) Counters.Observe(_pending.Dequeue().Text);
            // Poisson arrivals have no memory: skipping ahead is the same as having read and dropped them.
            if (_nextEventAt < now) _nextEventAt = now + TimeSpan.FromSeconds(Detector.NextInterval());
        }

        public void Reopen(CancellationToken cancellation)
        {
            if (_lost && _droppedAt is TimeSpan dropped)
            {
                double restore = Detector.Options.RestoreAfter;
                if (restore < 0 || Clock.Elapsed < dropped + TimeSpan.FromSeconds(restore))
                {
                    throw new LinkOpenException(PortName, $"The simulated detector on {PortName} does not answer (it was unplugged).");
                }
            }
            _lost = false;
            _pending.Clear();
            _nextEventAt = Clock.Elapsed + TimeSpan.FromSeconds(Detector.NextInterval());
        }

        private void CheckDrop()
        {
            if (!_lost && _dropAt is TimeSpan drop && Clock.Elapsed >= drop)
            {
                _lost = true;
                _droppedAt = drop;
                _dropAt = null; // the link drops once
            }
            if (_lost) throw new LinkLostException(PortName, "the simulated device was unplugged");
        }

        public void Dispose() { }
    }
}
