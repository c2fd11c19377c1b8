using System;
using System.Threading;

namespace Haniwers.Transport
{
    /// <summary>
    /// Counters a link keeps as lines arrive (from its reader thread), so a measurement window can
    /// tell afterwards whether the board reset or lines were lost while it was open, and how far
    /// this computer fell behind (docs/window-checks.md). Compare two <see cref="Snapshot"/>s.
    /// </summary>
    public sealed class LinkCounters
    {
        private readonly Func<string, bool> _isBootLine;
        private long _bootLines;
        private long _droppedLines;
        private long _backlogs;
        private long _longestBacklogTicks;

        /// <param name="isBootLine">Which lines are the board's boot text (the protocol's rule, Protocol.BootText.IsBootLine).</param>
        public LinkCounters(Func<string, bool> isBootLine) { _isBootLine = isBootLine; }

        /// <summary>Lines of boot text seen: each new one means the board (re)started.</summary>
        public long BootLines => Interlocked.Read(ref _bootLines);
        /// <summary>Lines dropped because the reader's bounded queue was full (nobody read them in time).</summary>
        public long DroppedLines => Interlocked.Read(ref _droppedLines);
        /// <summary>Reads that brought lines which had waited while the host was not reading (<see cref="ReceivedLine.Backlogged"/>).</summary>
        public long Backlogs => Interlocked.Read(ref _backlogs);
        /// <summary>The longest time the host went without reading while lines waited.</summary>
        public TimeSpan LongestBacklog => TimeSpan.FromTicks(Interlocked.Read(ref _longestBacklogTicks));

        /// <summary>Looks at a line; counts it when it is boot text.</summary>
        public void Observe(string line)
        {
            if (_isBootLine(line)) Interlocked.Increment(ref _bootLines);
        }

        public void LineDropped() => Interlocked.Increment(ref _droppedLines);

        /// <summary>A read brought lines that had waited for <paramref name="span"/>.</summary>
        public void Backlog(TimeSpan span)
        {
            Interlocked.Increment(ref _backlogs);
            long ticks = span.Ticks, seen;
            while (ticks > (seen = Interlocked.Read(ref _longestBacklogTicks)) && Interlocked.CompareExchange(ref _longestBacklogTicks, ticks, seen) != seen) { }
        }

        public LinkSnapshot Snapshot() => new LinkSnapshot(BootLines, DroppedLines);
    }

    /// <summary>The counters of a link at one moment.</summary>
    public readonly struct LinkSnapshot
    {
        public LinkSnapshot(long bootLines, long droppedLines)
        {
            BootLines = bootLines;
            DroppedLines = droppedLines;
        }

        public long BootLines { get; }
        public long DroppedLines { get; }
    }
}
