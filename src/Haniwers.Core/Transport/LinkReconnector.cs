using System;
using System.Threading;

namespace Haniwers.Transport
{
    /// <summary>
    /// The reconnect rule of scans and data taking (docs/window-checks.md, "Reconnect"): a lost link is
    /// reopened with backoff (0.25 s doubling to 2 s) until the reconnect timeout since it was lost, the
    /// last try at the timeout itself.
    /// </summary>
    public sealed class LinkReconnector
    {
        private static readonly TimeSpan FirstReopenDelay = TimeSpan.FromMilliseconds(250), LastReopenDelay = TimeSpan.FromSeconds(2);
        private readonly IDeviceLink _link;
        private readonly TimeSpan _timeout;
        private TimeSpan? _lostAt;
        // a loss noticed by the link itself (IsLost) before anyone reported it: the records still say something
        private string _lostReason = "the link was found lost (the reader saw the stream end)";

        public LinkReconnector(IDeviceLink link, TimeSpan timeout)
        {
            _link = link;
            _timeout = timeout;
        }

        public TimeSpan Timeout => _timeout;

        /// <summary>How long the link has been down: since its loss, while it is not reopened; null when it is up.</summary>
        public TimeSpan? DownFor => _lostAt is TimeSpan at ? _link.Clock.Elapsed - at : (TimeSpan?)null;

        /// <summary>Whether the link is known lost and not yet reopened.</summary>
        public bool Pending => _link.IsLost || _lostAt is not null;

        /// <summary>Notes a loss (the first one counts: the dead time runs from there).</summary>
        public void Lost(string reason)
        {
            _lostAt ??= _link.Clock.Elapsed;
            _lostReason = reason;
        }

        /// <summary>
        /// Reopens the link if it is lost. Returns null when the link is up; else why it could not be
        /// reopened within the timeout. <paramref name="reopened"/> gets the dead time, the attempts and the
        /// loss's reason; <paramref name="notice"/> each attempt.
        /// </summary>
        public string? Reconnect(CancellationToken cancellation, Action<TimeSpan, int, string> reopened, Action<string> notice)
        {
            if (!Pending) return null;
            var clock = _link.Clock;
            var lostAt = _lostAt ??= clock.Elapsed;
            var deadline = lostAt + _timeout;
            var delay = FirstReopenDelay;
            for (int attempt = 1; ; attempt++)
            {
                notice($"Reopening {_link.PortName} (the link was lost {(clock.Elapsed - lostAt).TotalSeconds:0.#} s ago), attempt {attempt}.");
                try
                {
                    _link.Reopen(cancellation);
                    var dead = clock.Elapsed - lostAt;
                    _lostAt = null;
                    reopened(dead, attempt, _lostReason);
                    notice($"Reopened {_link.PortName} after {dead.TotalSeconds:0.###} s.");
                    return null;
                }
                catch (DeviceLinkException ex)
                {
                    if (clock.Elapsed >= deadline)
                        return $"the link could not be reopened within {_timeout.TotalSeconds:0.###} s of its loss: {ex.Message.TrimEnd('.')}";
                    // the last try comes at the deadline itself, not a backoff before it
                    var wait = clock.Elapsed + delay > deadline ? deadline - clock.Elapsed : delay;
                    clock.Wait(wait, cancellation);
                    delay = delay + delay < LastReopenDelay ? delay + delay : LastReopenDelay;
                }
            }
        }
    }
}
