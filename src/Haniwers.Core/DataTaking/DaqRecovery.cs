using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Haniwers.Output;

namespace Haniwers.DataTaking
{
    /// <summary>
    /// Closes off what a killed DAQ run left in its folder (docs/daq.md, "After a crash"): each raw file
    /// the journal opened and never closed is cut back to its last whole row (the cut text is kept in
    /// the journal), its rows are counted into a file-recovered record, and the run gets its end record
    /// (Failed, killed). Files the journal does not name (another tool's) are not touched.
    /// </summary>
    public static class DaqRecovery
    {
        public static IReadOnlyList<FolderRepair> Recover(string folder, DateTimeOffset now)
        {
            var repairs = new List<FolderRepair>();
            string journalPath = Path.Combine(folder, DaqRun.JournalFileName);
            RunFolderRecovery.RefuseLinks(new[] { journalPath });
            if (WriteAheadRepair.CloseOffJournal(journalPath, now) is { } journalCut) repairs.Add(journalCut);
            // a repair cuts only a raw file the journal opened
            var rawFiles = RunJournal.Read(journalPath).Select(FileOpenedRecord.From).OfType<FileOpenedRecord>().Select(f => f.File).ToHashSet();
            repairs.AddRange(WriteAheadRepair.FinishBegun(folder, journalPath, now, rawFiles));
            var records = RunJournal.Read(journalPath);
            var ended = new HashSet<string>(records.Where(r => r.Is(JournalEvents.End)).Select(r => r.RunId));
            var closed = new HashSet<(string, string)>(records.Select(r => (r.RunId, FileClosedRecord.From(r)?.File)).Where(r => r.File is not null).Select(r => (r.RunId, r.File!)));
            var written = new List<(JournalRecord Record, string RunId)>();
            var runEvents = new Dictionary<string, long>();
            foreach (var record in records)
            {
                string runId = record.RunId;
                // closed by the run, or closed off by an earlier recovery that was itself killed before the run's end record
                if (FileClosedRecord.From(record) is { } fileClosed)
                    runEvents[runId] = runEvents.TryGetValue(runId, out long sum) ? sum + fileClosed.Events : fileClosed.Events;
                // a name with a folder in it is not one this module wrote: nothing outside the folder is touched
                if (FileOpenedRecord.From(record) is not { } opened || closed.Contains((runId, opened.File)) || opened.File.Length == 0 || Path.GetFileName(opened.File) != opened.File) continue;
                string name = opened.File, path = Path.Combine(folder, name);
                long rows = 0;
                FileClosedRecord recovered;
                if (System.IO.File.Exists(path))
                {
                    if (RunFolderRecovery.CutToLastLine(journalPath, path, runId, now) is { } cut) repairs.Add(cut);
                    rows = CountLines(path);
                    // the file's span, for live time: from its opening to its last row, less the dead time journalled in it
                    if (record.Timestamp is DateTimeOffset openedAt && LastRowTime(path) is long last)
                    {
                        double seconds = Math.Max(0, (last - openedAt.UtcTicks) / (double)TimeSpan.TicksPerSecond);
                        double dead = records.Where(r => r.RunId == runId).Sum(r =>
                            ReconnectedRecord.From(r) is { } back && back.File == name ? back.DeadSeconds
                            : DaqIncidentRecord.From(r) is { } reset && reset.File == name ? reset.DeadSeconds ?? 0 : 0);
                        recovered = new FileClosedRecord(name, recovered: true, rows) { Opened = openedAt, Seconds = seconds, LiveSeconds = Math.Max(0, seconds - dead) };
                    }
                    else
                    {
                        recovered = new FileClosedRecord(name, recovered: true, rows);
                    }
                }
                else
                {
                    recovered = new FileClosedRecord(name, recovered: true, 0) { Missing = true }; // the file is gone: nothing to close off
                }
                runEvents[runId] = (runEvents.TryGetValue(runId, out long before) ? before : 0) + rows;
                written.Add((recovered, runId));
                repairs.Add(new FolderRepair(path, runId, null, System.IO.File.Exists(path)
                    ? $"closed off {name}, which run {runId} left open when it was killed ({rows} event row(s) kept)"
                    : $"{name}, which run {runId} had opened, is gone; recorded as recovered with no event", "", closesOff: true));
            }
            foreach (var start in records.Where(r => r.Is(JournalEvents.Start) && !ended.Contains(r.RunId)))
            {
                string runId = start.RunId;
                long kept = runEvents.TryGetValue(runId, out long n) ? n : 0;
                written.Add((new DaqEndRecord(nameof(RunOutcome.Failed), kept, "the process ended without closing the run (killed, a power cut); the next run closed its files off"), runId));
                repairs.Add(new FolderRepair(journalPath, runId, null,
                    $"ended run {runId}, which stopped without a word (killed, or a power cut): Failed, {kept} event(s) on the disk", "", closesOff: true));
            }
            if (written.Count == 0) return repairs;
            using var journal = new RunJournal(journalPath, "");
            foreach (var (record, runId) in written) journal.Write(record, now, runId);
            journal.Close();
            return repairs;
        }

        /// <summary>The UTC time of a file's last row, or null when it has none that parses.</summary>
        private static long? LastRowTime(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            int length = (int)Math.Min(stream.Length, 4096);
            if (length == 0) return null;
            var tail = new byte[length];
            stream.Seek(-length, SeekOrigin.End);
            int n = 0;
            while (n < length) { int r = stream.Read(tail, n, length - n); if (r == 0) break; n += r; }
            while (n > 0 && (tail[n - 1] == (byte)'\n' || tail[n - 1] == (byte)'\r')) n--;
            int start = Array.LastIndexOf(tail, (byte)'\n', Math.Max(n - 1, 0)) + 1;
            if (n == 0) return null;
            return RawEventLine.TryParse(new ReadOnlySpan<byte>(tail, start, n - start), out var row) ? row.UtcTicks : (long?)null;
        }

        private static long CountLines(string path)
        {
            long lines = 0;
            var buffer = new byte[1 << 16];
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                for (int i = 0; i < n; i++) if (buffer[i] == (byte)'\n') lines++;
            }
            return lines;
        }
    }
}
