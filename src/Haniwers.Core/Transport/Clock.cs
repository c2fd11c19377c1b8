using System;
using System.Diagnostics;
using System.Threading;

namespace Haniwers.Transport
{
    /// <summary>
    /// Time as the host sees it: a monotonic clock for windows and timeouts, wall time for timestamps.
    /// The scan engine and the in-process simulator take it as a parameter so tests can run on a
    /// <see cref="ManualClock"/> that advances instantly.
    /// </summary>
    public interface IClock
    {
        /// <summary>Monotonic time since the clock started.</summary>
        TimeSpan Elapsed { get; }
        /// <summary>Wall-clock time with offset, for timestamps in files.</summary>
        DateTimeOffset Now { get; }
        /// <summary>Waits until <see cref="Elapsed"/> reaches <paramref name="until"/>; throws OperationCanceledException when cancelled.</summary>
        void WaitUntil(TimeSpan until, CancellationToken cancellation);
    }

    /// <summary>The real clock: Stopwatch for intervals, the system clock for timestamps.</summary>
    public sealed class SystemClock : IClock
    {
        public static readonly SystemClock Instance = new SystemClock();
        private readonly Stopwatch _stopwatch = Stopwatch.StartNew();

        public TimeSpan Elapsed => _stopwatch.Elapsed;
        public DateTimeOffset Now => DateTimeOffset.Now;

        public void WaitUntil(TimeSpan until, CancellationToken cancellation)
        {
            while (true)
            {
                cancellation.ThrowIfCancellationRequested();
                var remaining = until - _stopwatch.Elapsed;
                if (remaining <= TimeSpan.Zero) return;
                // WaitHandle.WaitOne returns early when cancelled; long waits are sliced to stay responsive.
                int ms = (int)Math.Min(Math.Ceiling(remaining.TotalMilliseconds), 200);
                cancellation.WaitHandle.WaitOne(ms);
            }
        }
    }

    /// <summary>A clock that only moves when waited on: tests run a scan in no time, deterministically.</summary>
    public sealed class ManualClock : IClock
    {
        private readonly DateTimeOffset _start;
        private TimeSpan _elapsed;

        public ManualClock(DateTimeOffset? start = null) => _start = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public TimeSpan Elapsed => _elapsed;
        public DateTimeOffset Now => _start + _elapsed;

        public void WaitUntil(TimeSpan until, CancellationToken cancellation)
        {
            cancellation.ThrowIfCancellationRequested();
            if (until > _elapsed) _elapsed = until;
        }

        public void Advance(TimeSpan by) => _elapsed += by;
    }

    public static class ClockExtensions
    {
        public static void Wait(this IClock clock, TimeSpan duration, CancellationToken cancellation) =>
            clock.WaitUntil(clock.Elapsed + duration, cancellation);
    }
}
