using System;
using System.Threading;
using Haniwers.Transport;

namespace Haniwers.Protocol
{
    /// <summary>
    /// After a board reset (boot text on the line, docs/protocol.md): the rest of its banner is waited
    /// out before thresholds are written again or a window opens. One rule for scans and data taking.
    /// </summary>
    public static class ResetWait
    {
        /// <summary>The banner is over once no boot text came for this long.</summary>
        public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);
        /// <summary>The longest wait, however long the board keeps printing boot text.</summary>
        public static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

        /// <summary>
        /// Reads (and discards) lines until <see cref="Quiet"/> has passed since the last boot line, or
        /// <see cref="Limit"/> since the call; events that follow the banner do not extend it. Throws
        /// <see cref="LinkLostException"/> when the link goes.
        /// </summary>
        public static void WaitOutBanner(IDeviceLink link, CancellationToken cancellation)
        {
            var clock = link.Clock;
            var giveUp = clock.Elapsed + Limit;
            var quietUntil = clock.Elapsed + Quiet;
            while (clock.Elapsed < giveUp)
            {
                long before = link.Counters.BootLines;
                if (!link.TryReadLine(quietUntil < giveUp ? quietUntil : giveUp, cancellation, out _)) break;
                if (link.Counters.BootLines > before) quietUntil = clock.Elapsed + Quiet;
                else if (clock.Elapsed >= quietUntil) break;
            }
        }
    }
}
