using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Haniwers.Protocol;
using Haniwers.Output;
using Haniwers.Transport;

namespace Haniwers.Scanning
{
    /// <summary>
    /// One scan run and everything it owns: its id, its folder and the folder's lock, the repair of
    /// what an earlier run left, the per-channel CSVs, the operations log and the journal (its only
    /// writer). Each completed step goes to disk under the write-ahead protocol of
    /// docs/crash-protocol.md: intent (file lengths), rows in every file, commit.
    /// </summary>
    public sealed class ScanRun : IScanRecorder, IDisposable
    {
        private readonly RunFolder _folder;
        private readonly Dictionary<int, CsvAppender<ScanResult>> _results = new Dictionary<int, CsvAppender<ScanResult>>();
        private readonly CsvAppender<ThresholdOperation> _operations;
        private readonly RunJournal _journal;
        private readonly IClock _clock;

        /// <summary>
        /// Opens a run in <paramref name="folder"/> before any device is touched: proves the folder
        /// writable, takes its lock, repairs what a crashed run left, checks every header, opens the
        /// files and journals the start. Throws <see cref="OutputException"/>,
        /// <see cref="RunFolderInUseException"/> or <see cref="CsvHeaderMismatchException"/>, having written no row.
        /// </summary>
        /// <param name="runId">The run's id; a new one (<see cref="RunFolder.NewRunId"/>) when null, the recorded one when resuming.</param>
        /// <param name="startEvent">"start" for a new run, "resumed" for one that goes on (docs/crash-protocol.md, "Resuming").</param>
        public static ScanRun Open(string folder, IEnumerable<int> channels, IClock clock, IReadOnlyDictionary<string, object?> startDetails,
            string? runId = null, string startEvent = JournalEvents.Start) =>
            Open(folder, clock, () => new RunStart(channels.ToList(), startDetails, runId, startEvent));

        /// <summary>What a run starts with, decided once the folder is locked and repaired (a resume reads the journal then).</summary>
        public sealed class RunStart
        {
            public RunStart(IReadOnlyList<int> channels, IReadOnlyDictionary<string, object?> details, string? runId, string startEvent)
            {
                Channels = channels;
                Details = details;
                RunId = runId;
                StartEvent = startEvent;
            }

            public IReadOnlyList<int> Channels { get; }
            public IReadOnlyDictionary<string, object?> Details { get; }
            public string? RunId { get; }
            public string StartEvent { get; }
        }

        /// <param name="decide">Called with the folder locked and repaired: what the run starts with. Its exceptions release the lock and go on.</param>
        public static ScanRun Open(string folder, IClock clock, Func<RunStart> decide)
        {
            var runFolder = RunFolder.Open(folder, "a Haniwers scan", f => RunFolderRecovery.Recover(f, clock.Now));
            try
            {
                var start = decide();
                return new ScanRun(runFolder, start.RunId ?? RunFolder.NewRunId(clock.Now), start.Channels, clock, start.Details, start.StartEvent);
            }
            catch
            {
                runFolder.Dispose();
                throw;
            }
        }

        private ScanRun(RunFolder runFolder, string runId, IReadOnlyList<int> channels, IClock clock,
            IReadOnlyDictionary<string, object?> startDetails, string startEvent)
        {
            string folder = runFolder.Path;
            Folder = folder;
            _clock = clock;
            _folder = runFolder;
            RunId = runId;
            CheckExistingFiles(folder, channels);
            try
            {
                foreach (int ch in channels) _results[ch] = CsvAppender<ScanResult>.Open(Path.Combine(folder, ScanFiles.ResultFileName(ch)));
                _operations = CsvAppender<ThresholdOperation>.Open(Path.Combine(folder, ThresholdOperation.FileName));
                _journal = new RunJournal(Path.Combine(folder, RunJournal.FileName), RunId);
                _journal.Write(new StartRecord(startDetails, resumed: startEvent == JournalEvents.Resumed), clock.Now);
            }
            catch
            {
                foreach (var a in _results.Values) a.Dispose();
                _operations?.Dispose();
                _journal?.Dispose();
                throw;
            }
        }

        public string RunId { get; }
        public string Folder { get; }

        /// <summary>What recovery changed in the folder before this run started (also in the journal).</summary>
        public IReadOnlyList<FolderRepair> Repairs => _folder.Repairs;

        public IEnumerable<string> Files =>
            _results.Values.Select(a => a.Path).Concat(new[] { _operations.Path, _journal.Path });

        /// <summary>The Step of every row of <paramref name="runId"/> in a channel's file, in file order (empty when there is no file).</summary>
        public static IReadOnlyList<int> StepsOf(string folder, int channel, string runId)
        {
            string path = Path.Combine(folder, ScanFiles.ResultFileName(channel));
            if (!File.Exists(path)) return Array.Empty<int>();
            var lines = File.ReadLines(path).ToList();
            if (lines.Count == 0) return Array.Empty<int>();
            var header = lines[0].Split(',');
            int run = Array.IndexOf(header, "RunId"), step = Array.IndexOf(header, "Step");
            if (run < 0 || step < 0) return Array.Empty<int>();
            return lines.Skip(1).Select(l => l.Split(',')).Where(f => f.Length > Math.Max(run, step) && f[run] == runId)
                .Select(f => int.TryParse(f[step], out int n) ? n : -1).ToList();
        }

        /// <summary>Refuses a folder whose result or operations files have another header; reads only.</summary>
        public static void CheckExistingFiles(string folder, IEnumerable<int> channels)
        {
            foreach (var name in channels.Select(ScanFiles.ResultFileName).Append(ThresholdOperation.FileName).Append(RunJournal.FileName))
            {
                string path = Path.Combine(folder, name);
                // a link is neither read (its target's first line would be quoted) nor written through (docs/platforms.md, "Links in a run folder")
                RunFolderRecovery.RefuseLinks(new[] { path });
                if (Directory.Exists(path))
                    throw new OutputException(OutputProblem.PathIsFolder, path, $"'{path}' is a folder where the run writes a file. Move it away, or give the run another folder.");
            }
            foreach (int ch in channels) CsvAppender<ScanResult>.CheckHeader(Path.Combine(folder, ScanFiles.ResultFileName(ch)));
            CsvAppender<ThresholdOperation>.CheckHeader(Path.Combine(folder, ThresholdOperation.FileName));
        }

        public void Attempt(ThresholdAttempt attempt) => _operations.Append(new[]
        {
            new ThresholdOperation
            {
                Timestamp = attempt.Timestamp, RunId = RunId, Channel = attempt.Channel, Threshold = attempt.Threshold,
                Success = attempt.Success, Attempts = attempt.Attempt, Reason = attempt.Reason,
            },
        });

        /// <summary>
        /// The write-ahead step (docs/crash-protocol.md): intent with every file's length, the rows of
        /// every channel on disk, commit. A failure after the intent cuts the files back to those
        /// lengths at once; if even that fails, the next opener of the folder does it.
        /// </summary>
        public void StepCompleted(ScanStep step, IReadOnlyList<ScanResult> rows)
        {
            // a folder deleted under a running scan takes the files with it: that is a failure, not a completed step
            if (!File.Exists(_journal.Path))
                throw new OutputException(OutputProblem.FolderRemoved, Folder, $"The run folder '{Folder}' (or its journal) was removed while the scan wrote into it: the rows would reach no file.");
            var lengths = _results.ToDictionary(r => r.Key, r => r.Value.Length);
            _journal.Write(new IntentRecord(step.Index, lengths.ToDictionary(l => ScanFiles.ResultFileName(l.Key), l => l.Value)), _clock.Now);
            try
            {
                foreach (var group in rows.GroupBy(r => r.Channel)) _results[group.Key].Append(group);
                _journal.Write(new CommitRecord(step.Index), _clock.Now);
            }
            catch (OutputException)
            {
                // all or nothing while the process lives too: every channel file goes back to its length before the step
                foreach (var result in _results) result.Value.TruncateTo(lengths[result.Key]);
                throw;
            }
        }

        public void StepRemeasured(ScanStep step, string reason) => _journal.Write(StepNoteRecord.Remeasured(step, reason), _clock.Now);

        public void StepDecided(ScanStep step, string decision) => _journal.Write(StepNoteRecord.Decided(step, decision), _clock.Now);

        public void StepSkipped(SkippedStep skipped) => _journal.Write(StepNoteRecord.Skipped(skipped), skipped.Timestamp);

        public void LinkReopened(TimeSpan deadTime, int attempts, string reason) =>
            _journal.Write(new ReconnectedRecord(Math.Round(deadTime.TotalSeconds, 3), attempts, reason), _clock.Now);

        public void Interrupted(int atStep, string reason) => _journal.Write(new InterruptedRecord(atStep, reason), _clock.Now);

        /// <summary>
        /// The run's end: the data files are closed first, so that a failure the system reports only at a close makes the
        /// end record say Failed; then the end record, then the journal's own close (a failure there, after the end record,
        /// is the run's error all the same: docs/crash-protocol.md, "A sync that fails").
        /// </summary>
        public void Finished(ScanSummary summary)
        {
            OutputException? closing = null;
            foreach (var close in _results.Values.Select(file => (Action)file.Close).Append(_operations.Close))
            {
                try { close(); }
                catch (OutputException ex) { closing ??= ex; }
            }
            if (closing is not null && summary.Outcome is RunOutcome.Completed or RunOutcome.Incomplete)
            {
                summary.Outcome = RunOutcome.Failed;
                summary.FailureReason = closing.Message;
            }
            _journal.Write(new ScanEndRecord(summary, Files), _clock.Now);
            _journal.Close();
            if (closing is not null) throw closing;
        }

        public void Dispose()
        {
            foreach (var appender in _results.Values) appender.Dispose();
            _operations.Dispose();
            _journal.Dispose();
            _folder.Dispose();
        }
    }
}
