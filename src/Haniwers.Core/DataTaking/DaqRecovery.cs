using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
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
            repairs.AddRange(WriteAheadRepair.FinishBegun(folder, journalPath, now));
            var records = RunJournal.Read(journalPath);
            var ended = new HashSet<string>(records.Where(r => Event(r) == JournalEvents.End).Select(RunId));
            var closed = new HashSet<(string, string)>(records.Where(r => Event(r) is JournalEvents.FileClosed or JournalEvents.FileRecovered).Select(r => (RunId(r), File(r))));
            var written = new List<Dictionary<string, object?>>();
            var runEvents = new Dictionary<string, long>();
            foreach (var record in records)
            {
                string kind = Event(record), runId = RunId(record);
                if (kind == JournalEvents.FileClosed && record.TryGetProperty("events", out var e) && e.TryGetInt64(out long n))
                    runEvents[runId] = runEvents.TryGetValue(runId, out long sum) ? sum + n : n;
                // a name with a folder in it is not one this module wrote: nothing outside the folder is touched
                if (kind != JournalEvents.FileOpened || closed.Contains((runId, File(record))) || File(record).Length == 0 || Path.GetFileName(File(record)) != File(record)) continue;
                string path = Path.Combine(folder, File(record));
                long rows = 0;
                var entry = new Dictionary<string, object?> { ["event"] = JournalEvents.FileRecovered, ["runId"] = runId, ["file"] = File(record) };
                if (System.IO.File.Exists(path))
                {
                    if (RunFolderRecovery.CutToLastLine(journalPath, path, runId, now) is { } cut) repairs.Add(cut);
                    rows = CountLines(path);
                    // the file's span, for live time: from its opening to its last row, less the dead time journalled in it
                    if (JournalFields.Time(record, "timestamp") is DateTimeOffset opened
                        && LastRowTime(path) is long last)
                    {
                        double seconds = Math.Max(0, (last - opened.UtcTicks) / (double)TimeSpan.TicksPerSecond);
                        double dead = records.Where(r => RunId(r) == runId && File(r) == File(record) && Event(r) is JournalEvents.Reconnected or JournalEvents.DeviceReset)
                            .Sum(r => r.TryGetProperty("deadSeconds", out var d) ? d.GetDouble() : 0);
                        entry["opened"] = opened.ToString("o");
                        entry["seconds"] = seconds;
                        entry["liveSeconds"] = Math.Max(0, seconds - dead);
                    }
                }
                else
                {
                    entry["missing"] = true; // the file is gone: nothing to close off
                }
                entry["events"] = rows;
                runEvents[runId] = (runEvents.TryGetValue(runId, out long before) ? before : 0) + rows;
                written.Add(entry);
                repairs.Add(new FolderRepair(path, runId, null, System.IO.File.Exists(path)
                    ? $"closed off {File(record)}, which run {runId} left open when it was killed ({rows} event row(s) kept)"
                    : $"{File(record)}, which run {runId} had opened, is gone; recorded as recovered with no event", "", closesOff: true));
            }
            foreach (var start in records.Where(r => Event(r) == JournalEvents.Start && !ended.Contains(RunId(r))))
            {
                string runId = RunId(start);
                written.Add(new Dictionary<string, object?>
                {
                    ["event"] = JournalEvents.End, ["runId"] = runId, ["outcome"] = "Failed", ["events"] = runEvents.TryGetValue(runId, out long n) ? n : 0,
                    ["reason"] = "the process ended without closing the run (killed, a power cut); the next run closed its files off",
                });
                repairs.Add(new FolderRepair(journalPath, runId, null,
                    $"ended run {runId}, which stopped without a word (killed, or a power cut): Failed, {(runEvents.TryGetValue(runId, out long kept) ? kept : 0)} event(s) on the disk", "", closesOff: true));
            }
            if (written.Count == 0) return repairs;
            using var journal = new RunJournal(journalPath, "");
            foreach (var record in written)
            {
                string kind = (string)record["event"]!;
                record.Remove("event");
                journal.Write(kind, now, record);
            }
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

        private static string Event(JsonElement r) => JournalFields.Text(r, "event") ?? "";
        private static string RunId(JsonElement r) => JournalFields.Text(r, "runId") ?? "";
        private static string File(JsonElement r) => JournalFields.Text(r, "file") ?? "";
    }
}
