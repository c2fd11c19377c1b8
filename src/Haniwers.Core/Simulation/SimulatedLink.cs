using System;
using System.Collections.Generic;
using System.Threading;
using Haniwers.Transport;

namespace Haniwers.Simulation
{
    /// <summary>
    /// The simulated detector in process, behind <c>-PortName sim</c>. Events are drawn on the link's
    /// clock: in real time for users, instantly on a <see cref="ManualClock"/> in tests.
    /// </summary>
    public sealed class SimulatedLink : IDeviceLink
    {
        private readonly Queue<ReceivedLine> _pending = new Queue<ReceivedLine>();
        private TimeSpan _nextEventAt;
        private TimeSpan? _dropAt;
        private TimeSpan? _droppedAt;
        private bool _lost;
        private TimeSpan _bootedAt;

        public SimulatedLink(SimulatedDetector detector, IClock? clock = null, string portName = "sim")
        {
            Detector = detector;
            Clock = clock ?? SystemClock.Instance;
            PortName = portName;
            var now = Clock.Elapsed;
            if (detector.Options.DropAfter is double drop) _dropAt = now + TimeSpan.FromSeconds(drop);
            if (detector.Options.BootText)
            {
                // a freshly reset board prints its banner over a second and hears nothing meanwhile
                _bootedAt = now + SimulatorOptions.BootDuration;
                int i = 0;
                foreach (var line in detector.BootLines()) _pending.Enqueue(new ReceivedLine(line, now + TimeSpan.FromSeconds(0.3 * ++i)));
            }
            _nextEventAt = (_bootedAt > now ? _bootedAt : now) + TimeSpan.FromSeconds(detector.NextInterval());
        }

        public SimulatedDetector Detector { get; }
        public string PortName { get; }
        public IClock Clock { get; }
        public bool IsLost => _lost;

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
            foreach (var line in Detector.Receive(data, data.Length)) _pending.Enqueue(new ReceivedLine(line, now));
            if (!wasStreaming && Detector.Streaming || _nextEventAt < now)
            {
                _nextEventAt = now + TimeSpan.FromSeconds(Detector.NextInterval());
            }
        }

        public bool TryReadLine(TimeSpan deadline, CancellationToken cancellation, out ReceivedLine line)
        {
            while (true)
            {
                CheckDrop();
                if (_pending.Count > 0 && _pending.Peek().Arrived <= deadline)
                {
                    Clock.WaitUntil(_pending.Peek().Arrived, cancellation);
                    line = _pending.Dequeue();
                    return true;
                }
                if (Detector.Streaming && _nextEventAt <= deadline && (_pending.Count == 0 || _nextEventAt < _pending.Peek().Arrived))
                {
                    if (_dropAt is TimeSpan drop && drop <= _nextEventAt)
                    {
                        Clock.WaitUntil(drop, cancellation);
                        continue; // CheckDrop throws
                    }
                    Clock.WaitUntil(_nextEventAt, cancellation);
                    var at = _nextEventAt;
                    _nextEventAt += TimeSpan.FromSeconds(Detector.NextInterval());
                    if (Detector.NextEventLine() is { } text)
                    {
                        line = new ReceivedLine(text, at);
                        return true;
                    }
                    continue;
                }
                if (_dropAt is TimeSpan dropTime && dropTime <= deadline)
                {
                    Clock.WaitUntil(dropTime, cancellation);
                    continue;
                }
                Clock.WaitUntil(deadline, cancellation);
                line = default;
                return false;
            }
        }

        public void DiscardInput()
        {
            CheckDrop();
            var now = Clock.Elapsed;
            while (_pending.Count > 0 && _pending.Peek().Arrived <= now) _pending.Dequeue();
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
