using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Haniwers.Platform;

namespace Haniwers.Output
{
    /// <summary>One change recovery made to a run folder, recorded in the journal and told as a warning.</summary>
    public sealed class FolderRepair
    {
        public FolderRepair(string file, string runId, int? step, string action, string removedText)
        {
            File = file;
            RunId = runId;
            Step = step;
            Action = action;
            RemovedText = removedText;
        }

        public string File { get; }
        /// <summary>The run whose write was cut short ("" when the journal names none).</summary>
        public string RunId { get; }
        /// <summary>The step whose rows were removed, for a rolled-back step.</summary>
        public int? Step { get; }
        public string Action { get; }
        /// <summary>What was removed, kept in the journal so nothing is lost without a trace.</summary>
        public string RemovedText { get; }

        public override string ToString() => $"{System.IO.Path.GetFileName(File)}: {Action}";
    }

    /// <summary>
    /// Brings a run folder back to a state where every step is in all its channel files or in none,
    /// every file ends on a complete line and the journal parses line by line, whatever instant the
    /// last writer died (docs/crash-protocol.md). Run it with the folder's lock held.
    /// </summary>
    public static class RunFolderRecovery
    {
        /// <summary>
        /// For readers: repairs the folder when no run holds it. Returns null (and changes nothing)
        /// while a scan is writing into it: its last step may be in progress, not cut short.
        /// </summary>
        public static IReadOnlyList<FolderRepair>? TryRecover(string folder, DateTimeOffset now)
        {
            if (!Directory.Exists(folder)) return Array.Empty<FolderRepair>();
            NamedLock? folderLock;
            try
            {
                folderLock = RunFolder.TryLockForRepair(folder);
            }
            catch (LockUnavailableException)
            {
                return Array.Empty<FolderRepair>(); // a read-only folder cannot have been written to since it was repaired
            }
            if (folderLock is null) return null;
            using (folderLock) return Recover(folder, now);
        }

        /// <summary>Whether a run holds the folder now (a scan is writing into it).</summary>
        public static bool IsHeld(string folder) => RunFolder.IsHeld(folder);

        /// <summary>Repairs <paramref name="folder"/>; the caller holds its lock.</summary>
        public static IReadOnlyList<FolderRepair> Recover(string folder, DateTimeOffset now)
        {
            var repairs = new List<FolderRepair>();
            string journalPath = System.IO.Path.Combine(folder, RunJournal.FileName);
            if (CutToLastLine(journalPath) is { } journalCut)
            {
                repairs.Add(new FolderRepair(journalPath, "", null, "removed a journal record cut off by a crash", journalCut));
            }
            var records = RunJournal.Read(journalPath);
            if (UncommittedIntent(records) is { } intent)
            {
                string runId = intent.GetProperty("runId").GetString() ?? "";
                int step = intent.GetProperty("step").GetInt32();
                foreach (var file in intent.GetProperty("files").EnumerateObject())
                {
                    string path = System.IO.Path.Combine(folder, file.Name);
                    long length = file.Value.GetInt64();
                    if (TruncateTo(path, length) is { } removed)
                    {
                        int rows = removed.Count(c => c == '\n');
                        repairs.Add(new FolderRepair(path, runId, step,
                            $"removed {rows} row(s) of step {step} of run {runId}, which a crash had cut short (the step is now in no channel's file)", removed));
                    }
                }
                // recorded even when no file had grown, so this intent is settled
                if (!repairs.Any(r => r.Step == step)) repairs.Add(new FolderRepair(journalPath, runId, step, $"step {step} of run {runId} had not been written to any file when the run died", ""));
            }
            var lastRun = records.LastOrDefault(r => Event(r) == JournalEvents.Start) is { ValueKind: JsonValueKind.Object } start ? start.GetProperty("runId").GetString() ?? "" : "";
            // only the files a run writes: a folder shared with other tools' files (haniwers' raw data) keeps them as they are
            foreach (var csv in OwnFiles(folder))
            {
                if (CutToLastLine(csv) is { } cut)
                {
                    repairs.Add(new FolderRepair(csv, lastRun, null, $"removed a row cut off by a crash (\"{Shorten(cut)}\"); it is kept in the journal", cut));
                }
            }
            if (repairs.Count > 0) Record(folder, repairs, now);
            return repairs;
        }

        /// <summary>The CSV files a run writes into its folder.</summary>
        public static IEnumerable<string> OwnFiles(string folder) =>
            ScanFiles.ResultFileNames.Append(ThresholdOperation.FileName)
                .Select(name => System.IO.Path.Combine(folder, name)).Where(File.Exists);

        private static string Event(JsonElement record) => JournalFields.Text(record, "event") ?? "";

        /// <summary>The last intent, when no commit (or repair) of the same run and step follows it.</summary>
        private static JsonElement? UncommittedIntent(IReadOnlyList<JsonElement> records)
        {
            for (int i = records.Count - 1; i >= 0; i--)
            {
                if (Event(records[i]) != JournalEvents.Intent) continue;
                var intent = records[i];
                string? runId = intent.GetProperty("runId").GetString();
                int step = intent.GetProperty("step").GetInt32();
                for (int j = i + 1; j < records.Count; j++)
                {
                    string kind = Event(records[j]);
                    if ((kind == JournalEvents.Commit || kind == JournalEvents.Repaired)
                        && records[j].TryGetProperty("step", out var s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == step
                        && records[j].GetProperty("runId").GetString() == runId)
                    {
                        return null;
                    }
                }
                return intent;
            }
            return null;
        }

        private static void Record(string folder, IReadOnlyList<FolderRepair> repairs, DateTimeOffset now)
        {
            foreach (var group in repairs.GroupBy(r => r.RunId))
            {
                using var journal = new RunJournal(System.IO.Path.Combine(folder, RunJournal.FileName), group.Key);
                foreach (var repair in group)
                {
                    journal.Write(JournalEvents.Repaired, now, new Dictionary<string, object?>
                    {
                        ["file"] = System.IO.Path.GetFileName(repair.File),
                        ["step"] = repair.Step,
                        ["action"] = repair.Action,
                        ["removedText"] = repair.RemovedText,
                    });
                }
            }
        }

        /// <summary>Cuts a file back to <paramref name="length"/> when it is longer; returns what was removed.</summary>
        private static string? TruncateTo(string path, long length)
        {
            if (!File.Exists(path)) return null;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            if (stream.Length <= length) return null;
            string removed = ReadFrom(stream, length);
            stream.SetLength(length);
            Platform.DiskSync.Flush(stream);
            return removed;
        }

        /// <summary>
        /// Cuts a file that does not end on a line end back to its last complete line; returns what was
        /// removed. A CSV file whose header itself was cut is emptied, so the next writer writes it whole.
        /// </summary>
        internal static string? CutToLastLine(string path)
        {
            if (!File.Exists(path)) return null;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            long length = stream.Length;
            if (length == 0) return null;
            stream.Seek(-1, SeekOrigin.End);
            if (stream.ReadByte() == '\n') return null;
            long keep = 0;
            var buffer = new byte[4096];
            for (long end = length; end > 0 && keep == 0;)
            {
                long start = Math.Max(0, end - buffer.Length);
                stream.Seek(start, SeekOrigin.Begin);
                int n = ReadFully(stream, buffer, (int)(end - start));
                for (int i = n - 1; i >= 0; i--)
                {
                    if (buffer[i] == '\n') { keep = start + i + 1; break; }
                }
                end = start;
            }
            string removed = ReadFrom(stream, keep);
            stream.SetLength(keep);
            Platform.DiskSync.Flush(stream);
            return removed;
        }

        private static string ReadFrom(FileStream stream, long offset)
        {
            stream.Seek(offset, SeekOrigin.Begin);
            var bytes = new byte[stream.Length - offset];
            int n = ReadFully(stream, bytes, bytes.Length);
            return Encoding.UTF8.GetString(bytes, 0, n);
        }

        private static int ReadFully(Stream stream, byte[] buffer, int count)
        {
            int read = 0;
            while (read < count)
            {
                int n = stream.Read(buffer, read, count - read);
                if (n == 0) break;
                read += n;
            }
            return read;
        }

        private static string Shorten(string text) => text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }
}
