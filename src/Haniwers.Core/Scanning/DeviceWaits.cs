using System;
using System.Threading;
using Haniwers.Protocol;
using Haniwers.Transport;

namespace Haniwers.Scanning
{
    /// <summary>
    /// The waits between a rejected window and its measuring again (docs/window-checks.md): for a quiet device to send,
    /// for a flood of malformed lines to end, for a reset board's banner to finish.
    /// </summary>
    internal sealed class DeviceWaits
    {
        private readonly IDeviceLink _link;
        private readonly LinkReconnector _reconnector;
        private readonly IScanObserver _observer;

        public DeviceWaits(IDeviceLink link, LinkReconnector reconnector, IScanObserver observer)
        {
            _link = link;
            _reconnector = reconnector;
            _observer = observer;
        }

        private IClock Clock => _link.Clock;

        /// <summary>
        /// After a window in which the device went quiet: waits until it sends an event line again, so
        /// the window is measured again on a device that is sending; gives up after the reconnect timeout.
        /// </summary>
        public string? AwaitDevice(CancellationToken cancellation)
        {
            var since = Clock.Elapsed;
            var giveUp = since + _reconnector.Timeout;
            _observer.Notice($"Waiting up to {_reconnector.Timeout.TotalSeconds:0.###} s for the device on {_link.PortName} to send again.");
            try
            {
                while (_link.TryReadLine(giveUp, cancellation, out var line))
                {
                    // certainly sent after the wait began: a line of the quiet window read late proves nothing
                    if (line.Earliest >= since && EventLineParser.Classify(line, out _) == LineKind.Event) return null;
                }
            }
            catch (LinkLostException ex)
            {
                _reconnector.Lost(ex.Message); // the next try reopens it
                return null;
            }
            return $"the device sent nothing for {(Clock.Elapsed - since).TotalSeconds:0.#} s after its window went quiet (the reconnect timeout): it stalled or stopped";
        }

        /// <summary>
        /// After a window spoiled by malformed lines (a flood, a bad contact): the window is measured again only once no
        /// malformed line has come for <see cref="MeasurementWindow.ShortestSilence"/>, so the second window does not open
        /// inside the same flood; gives up after the reconnect timeout (docs/window-checks.md).
        /// </summary>
        public string? AwaitCleanLine(CancellationToken cancellation)
        {
            var since = Clock.Elapsed;
            var giveUp = since + _reconnector.Timeout;
            var cleanUntil = since + MeasurementWindow.ShortestSilence;
            try
            {
                while (true)
                {
                    var deadline = cleanUntil < giveUp ? cleanUntil : giveUp;
                    // false: the reader read through the deadline and nothing came, malformed or not
                    if (!_link.TryReadLine(deadline, cancellation, out var line)) return deadline == cleanUntil ? null : Flooded(since);
                    if (EventLineParser.Classify(line, out _) == LineKind.Malformed) cleanUntil = line.Arrived + MeasurementWindow.ShortestSilence;
                    else if (line.Arrived >= cleanUntil) return null;
                    if (Clock.Elapsed >= giveUp) return Flooded(since);
                }
            }
            catch (LinkLostException ex)
            {
                _reconnector.Lost(ex.Message); // the next try reopens it
                return null;
            }
        }

        private string Flooded(TimeSpan since) =>
            $"malformed lines kept coming for {(Clock.Elapsed - since).TotalSeconds:0.#} s after the window (the reconnect timeout): a flood or a bad connection";

        /// <summary>After a reset: the rest of the board's banner is waited out (<see cref="ResetWait"/>), so it does not spoil the window measured again.</summary>
        public string AfterReset(string reason, CancellationToken cancellation)
        {
            try
            {
                ResetWait.WaitOutBanner(_link, cancellation);
            }
            catch (LinkLostException ex)
            {
                _reconnector.Lost(ex.Message); // the next try reopens it
            }
            return reason;
        }
    }
}
