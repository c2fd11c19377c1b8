using System.Threading;
using Haniwers.Protocol;

namespace Haniwers.Transport
{
    /// <summary>
    /// Counters a link keeps as lines arrive (from its reader thread), so a measurement window can
    /// tell afterwards whether the board reset or the reader fell behind while it was open
    /// (docs/window-checks.md). Compare two <see cref="Snapshot"/>s.
    /// </summary>
    public sealed class LinkCounters
    {
        private long _bootLines;
        private long _droppedLines;
        private long _lateReads;

        /// <summary>Lines of boot text seen: each new one means the board (re)started.</summary>
        public long BootLines => Interlocked.Read(ref _bootLines);
        /// <summary>Lines dropped because the reader's bounded queue was full (nobody read them in time).</summary>
        public long DroppedLines => Interlocked.Read(ref _droppedLines);
        /// <summary>Reads that filled the whole buffer: more was waiting, so arrival stamps were late.</summary>
        public long LateReads => Interlocked.Read(ref _lateReads);

        /// <summary>Looks at a line that is not an event line; counts it when it is boot text.</summary>
        public void Observe(string line)
        {
            if (BootText.IsBootLine(line)) Interlocked.Increment(ref _bootLines);
        }

        public void LineDropped() => Interlocked.Increment(ref _droppedLines);
        public void LateRead() => Interlocked.Increment(ref _lateReads);

        public LinkSnapshot Snapshot() => new LinkSnapshot(BootLines, DroppedLines, LateReads);
    }

    /// <summary>The counters of a link at one moment.</summary>
    public readonly struct LinkSnapshot
    {
        public LinkSnapshot(long bootLines, long droppedLines, long lateReads)
        {
            BootLines = bootLines;
            DroppedLines = droppedLines;
            LateReads = lateReads;
        }

        public long BootLines { get; }
        public long DroppedLines { get; }
        public long LateReads { get; }
    }
}
