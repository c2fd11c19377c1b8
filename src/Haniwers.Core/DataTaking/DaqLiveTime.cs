using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Haniwers.Output;

namespace Haniwers.DataTaking
{
    /// <summary>
    /// The live time of raw files from their DAQ journals (docs/daq.md, "Journal"): each closed file's
    /// span, from its opening to its closing, less the dead time within it (spread evenly over the file).
    /// A killed run's files count from their file-recovered records (from the opening to the last row).
    /// Known only when every file read has such a record; otherwise rates use the bin's interval.
    /// </summary>
    public sealed class DaqLiveTime
    {
        private readonly List<(long start, long end, double liveShare)> _spans;

        private DaqLiveTime(List<(long, long, double)> spans) { _spans = spans; }

        /// <summary>The live time of <paramref name="files"/>, or null when some file has no closed record in its folder's journal.</summary>
        /// <param name="covered">How many of the files have a record (to tell "none" from "some").</param>
        public static DaqLiveTime? For(IReadOnlyCollection<string> files, out int covered)
        {
            covered = 0;
            bool all = true;
            var spans = new List<(long, long, double)>();
            foreach (var folder in files.GroupBy(f => Path.GetDirectoryName(Path.GetFullPath(f)) ?? ""))
            {
                var closed = new Dictionary<string, FileClosedRecord>();
                foreach (var record in RunJournal.Read(Path.Combine(folder.Key, DaqRun.JournalFileName)))
                {
                    if (FileClosedRecord.From(record) is { Opened: not null, Seconds: not null, LiveSeconds: not null } account) closed[account.File] = account;
                }
                foreach (var file in folder)
                {
                    if (!closed.TryGetValue(Path.GetFileName(file), out var record))
                    {
                        all = false;
                        continue;
                    }
                    covered++;
                    var opened = record.Opened!.Value;
                    double seconds = record.Seconds!.Value, live = record.LiveSeconds!.Value;
                    long start = opened.UtcTicks, end = start + (long)(seconds * TimeSpan.TicksPerSecond);
                    spans.Add((start, end, seconds > 0 ? live / seconds : 0));
                }
            }
            return all ? new DaqLiveTime(spans) : null;
        }

        /// <summary>Live seconds within [from, to).</summary>
        public double Within(DateTimeOffset from, DateTimeOffset to)
        {
            double live = 0;
            long a = from.UtcTicks, b = to.UtcTicks;
            foreach (var (start, end, share) in _spans)
            {
                long overlap = Math.Min(b, end) - Math.Max(a, start);
                if (overlap > 0) live += overlap / (double)TimeSpan.TicksPerSecond * share;
            }
            return live;
        }
    }
}
