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
        public FolderRepair(string file, string runId, int? step, string action, string removedText, bool closesOff = false)
        {
            File = file;
            RunId = runId;
            Step = step;
            Action = action;
            RemovedText = removedText;
            ClosesOff = closesOff;
        }

        /// <summary>Nothing was removed: a file or a run that a killed process left open was closed off (a DAQ run's file-recovered and end records).</summary>
        public bool ClosesOff { get; }

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

        /// <summary>Repairs <paramref name="folder"/>; the caller holds its lock. Every repair is written ahead (<see cref="WriteAheadRepair"/>).</summary>
        public static IReadOnlyList<FolderRepair> Recover(string folder, DateTimeOffset now)
        {
            var repairs = new List<FolderRepair>();
            string journalPath = System.IO.Path.Combine(folder, RunJournal.FileName);
            RefuseLinks(ScanFiles.ResultFileNames.Append(ThresholdOperation.FileName).Append(RunJournal.FileName).Select(name => System.IO.Path.Combine(folder, name)));
            if (WriteAheadRepair.CloseOffJournal(journalPath, now) is { } journalCut) repairs.Add(journalCut);
            repairs.AddRange(WriteAheadRepair.FinishBegun(folder, journalPath, now, ScanFiles.ResultFileNames.Append(ThresholdOperation.FileName).ToHashSet()));
            var records = RunJournal.Read(journalPath);
            if (UncommittedIntent(records) is { } uncommitted)
            {
                var (intent, runId) = uncommitted;
                int step = intent.Step;
                foreach (var file in intent.Files)
                {
                    // only a channel file a step writes: a journal that names another file (damaged, or written by someone else) cuts nothing else
                    if (!ScanFiles.ResultFileNames.Contains(file.Key)) continue;
                    string path = System.IO.Path.Combine(folder, file.Key);
                    if (WriteAheadRepair.Cut(journalPath, path, file.Value, runId, step, removed =>
                        $"removed {RowsOf(removed)} of step {step} of run {runId}, which a crash had cut short (the step is now in no channel's file)", now) is { } repair)
                    {
                        repairs.Add(repair);
                    }
                }
                // the intent is settled once every file is back: by a rolled-back record after cuts (a repair killed before
                // it is finished by the next recovery: the cuts are idempotent, the lengths are the intent's), by a note when
                // no file had grown
                bool told = repairs.Any(r => r.Step == step && r.RunId == runId);
                bool cut = told || records.Any(r => r.Is(JournalEvents.Repairing) && SameStep(r, runId, step));
                if (cut)
                {
                    using (var journal = new RunJournal(journalPath, runId))
                    {
                        journal.Write(new RolledBackRecord(step), now);
                        journal.Close(); // a failure the system reports only at the close is the repair's failure
                    }
                    // cuts made by a repair that was killed before it could say so are told now
                    if (!told)
                        repairs.Add(new FolderRepair(journalPath, runId, step,
                            $"step {step} of run {runId} is rolled back: a repair killed before it finished had removed its rows (the removed text is in the journal)", ""));
                }
                else
                {
                    repairs.Add(WriteAheadRepair.Note(journalPath, new FolderRepair(journalPath, runId, step, $"step {step} of run {runId} had not been written to any file when the run died", ""), now));
                }
            }
            var lastRun = records.LastOrDefault(r => r.Is(JournalEvents.Start))?.RunId ?? "";
            // only the files a run writes: a folder shared with other tools' files (haniwers' raw data) keeps them as they are
            foreach (var csv in OwnFiles(folder))
            {
                if (CutToLastLine(journalPath, csv, lastRun, now) is { } cut) repairs.Add(cut);
            }
            return repairs;
        }

        /// <summary>A file that does not end on a line end is cut back to its last complete line, written ahead; a CSV whose header itself was cut is emptied, so the next writer writes it whole.</summary>
        internal static FolderRepair? CutToLastLine(string journalPath, string path, string runId, DateTimeOffset now)
        {
            if (!File.Exists(path)) return null;
            long? keep;
            using (var stream = Platform.NoFollow.Open(path, FileMode.Open, FileAccess.Read)) keep = WriteAheadRepair.LastLineStart(stream);
            return keep is long length
                ? WriteAheadRepair.Cut(journalPath, path, length, runId, null, cut => $"removed a row cut off by a crash (\"{Shorten(cut)}\"); it is kept in the journal", now)
                : null;
        }

        /// <summary>
        /// Refuses a run's file that is a symbolic link before anything reads or repairs it (docs/platforms.md, "Links in a
        /// run folder"): a repair would cut, and a check would quote, the file it points to.
        /// </summary>
        public static void RefuseLinks(IEnumerable<string> paths)
        {
            foreach (var path in paths)
            {
                if (Platform.NoFollow.IsLink(path))
                    throw new OutputException(OutputProblem.PathIsLink, path, Platform.NoFollow.Refusal(path));
            }
        }

        /// <summary>The CSV files a run writes into its folder.</summary>
        public static IEnumerable<string> OwnFiles(string folder) =>
            ScanFiles.ResultFileNames.Append(ThresholdOperation.FileName)
                .Select(name => System.IO.Path.Combine(folder, name)).Where(File.Exists);

        private static bool SameStep(JournalEntry record, string? runId, int step) => record.Int("step") == step && record.RunId == runId;

        /// <summary>The last intent and its run, when no commit (or repair) of the same run and step follows it.</summary>
        private static (IntentRecord Intent, string RunId)? UncommittedIntent(IReadOnlyList<JournalEntry> records)
        {
            for (int i = records.Count - 1; i >= 0; i--)
            {
                if (IntentRecord.From(records[i]) is not { } intent) continue;
                string runId = records[i].RunId;
                int step = intent.Step;
                // a repair written ahead settles the intent only with its rolled-back record; a journal from before
                // repairs were written ahead (no repairing record) settles it with any repaired record of the step
                bool writtenAhead = records.Skip(i + 1).Any(r => r.Is(JournalEvents.Repairing) && SameStep(r, runId, step));
                for (int j = i + 1; j < records.Count; j++)
                {
                    if (!SameStep(records[j], runId, step)) continue;
                    if (records[j].Is(JournalEvents.Commit) || records[j].Is(JournalEvents.RolledBack)) return null;
                    if (records[j].Is(JournalEvents.Repaired) && !writtenAhead) return null;
                }
                return (intent, runId);
            }
            return null;
        }

        /// <summary>What a cut removed, as rows: "2 row(s)", "2 row(s) and part of a row", "part of a row (22 bytes)".</summary>
        private static string RowsOf(string removed)
        {
            int rows = removed.Count(c => c == '\n');
            bool part = removed.Length > 0 && !removed.EndsWith("\n", StringComparison.Ordinal);
            return rows == 0 ? $"part of a row ({System.Text.Encoding.UTF8.GetByteCount(removed)} bytes)" : part ? $"{rows} row(s) and part of a row" : $"{rows} row(s)";
        }

        private static string Shorten(string text) => text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }
}
