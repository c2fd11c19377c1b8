using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Haniwers.Protocol;
using Haniwers.Scanning;
using Haniwers.Transport;

namespace Haniwers.Output
{
    /// <summary>Another scan is writing into the same folder.</summary>
    public sealed class RunFolderInUseException : Exception
    {
        public RunFolderInUseException(string folder, string owner)
            : base($"Another scan is writing into '{folder}': {owner}. Wait for it to finish, or give this scan another -OutputDirectory.")
        {
            Folder = folder;
            Owner = owner;
        }

        public string Folder { get; }
        public string Owner { get; }
    }

    /// <summary>
    /// A run's files in its folder: scan_results_ch&lt;N&gt;.csv per channel, threshold_operations.csv,
    /// run_journal.jsonl, and a lock held for the whole run so two scans never interleave rows.
    /// </summary>
    public sealed class ScanOutput : IScanRecorder, IDisposable
    {
        public const string LockFileName = ".haniwers-run.lock";
        private readonly NamedLock _lock;
        private readonly Dictionary<int, CsvAppender<ScanResult>> _results = new Dictionary<int, CsvAppender<ScanResult>>();
        private readonly CsvAppender<ThresholdOperation> _operations;
        private readonly RunJournal _journal;
        private readonly string _runId;
        private readonly Func<DateTimeOffset> _now;

        public static string ResultFileName(int channel) => $"scan_results_ch{channel}.csv";

        /// <summary>Refuses a folder whose result or operations files have another header; reads only.</summary>
        public static void CheckExistingFiles(string folder, IEnumerable<int> channels)
        {
            foreach (int ch in channels) CsvAppender<ScanResult>.CheckHeader(Path.Combine(folder, ResultFileName(ch)));
            CsvAppender<ThresholdOperation>.CheckHeader(Path.Combine(folder, ThresholdOperation.FileName));
        }

        /// <summary>
        /// Checks every existing file's header, takes the folder's lock, then opens the files.
        /// Throws <see cref="CsvHeaderMismatchException"/> or <see cref="RunFolderInUseException"/> before writing anything.
        /// </summary>
        public ScanOutput(string folder, string runId, IEnumerable<int> channels, Func<DateTimeOffset> now)
        {
            Folder = folder;
            _runId = runId;
            _now = now;
            var channelList = channels.ToList();
            CheckExistingFiles(folder, channelList);
            Directory.CreateDirectory(folder);
            try
            {
                _lock = NamedLock.Acquire(Path.Combine(folder, LockFileName), $"scan run {runId}");
            }
            catch (LockHeldException ex)
            {
                throw new RunFolderInUseException(folder, ex.Owner);
            }
            try
            {
                foreach (int ch in channelList)
                {
                    _results[ch] = CsvAppender<ScanResult>.Open(Path.Combine(folder, ResultFileName(ch)));
                }
                _operations = CsvAppender<ThresholdOperation>.Open(Path.Combine(folder, ThresholdOperation.FileName));
                _journal = new RunJournal(Path.Combine(folder, RunJournal.FileName), runId);
                CutLines = _results.Values.Select(a => new KeyValuePair<string, string?>(a.Path, a.CutLine))
                    .Append(new KeyValuePair<string, string?>(_operations.Path, _operations.CutLine))
                    .Where(c => c.Value is not null).Select(c => new KeyValuePair<string, string>(c.Key, c.Value!)).ToList();
            }
            catch
            {
                foreach (var a in _results.Values) a.Dispose();
                _lock.Dispose();
                throw;
            }
        }

        public string Folder { get; }

        public IEnumerable<string> Files =>
            _results.Values.Select(a => a.Path).Concat(new[] { _operations.Path, _journal.Path });

        /// <summary>Rows that had been cut off (power loss) in existing files: closed off, reported here.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> CutLines { get; }

        public void Started(IReadOnlyDictionary<string, object?> details) => _journal.Write("start", _now(), details);

        public void Repaired(string path, string cutLine) => _journal.Write("repaired", _now(), new Dictionary<string, object?>
        {
            ["file"] = path, ["cutLine"] = cutLine, ["action"] = "the cut row was closed off; the next row starts on its own line",
        });

        public void Attempt(ThresholdAttempt attempt) => _operations.Append(new[]
        {
            new ThresholdOperation
            {
                Timestamp = attempt.Timestamp, RunId = _runId, Channel = attempt.Channel, Threshold = attempt.Threshold,
                Success = attempt.Success, Attempts = attempt.Attempt, Reason = attempt.Reason,
            },
        });

        public void StepCompleted(IReadOnlyList<ScanResult> rows)
        {
            foreach (var group in rows.GroupBy(r => r.Channel)) _results[group.Key].Append(group);
        }

        public void StepSkipped(SkippedStep skipped) => _journal.Write("skipped", skipped.Timestamp, SkippedFields(skipped));

        /// <summary>A skipped step as the journal records it, alone and in the end summary.</summary>
        private static Dictionary<string, object?> SkippedFields(SkippedStep skipped) => new Dictionary<string, object?>
        {
            ["step"] = skipped.Step, ["thresholds"] = skipped.Thresholds, ["reason"] = skipped.Reason,
        };

        public void Interrupted(int atStep, string reason) => _journal.Write("interrupted", _now(), new Dictionary<string, object?>
        {
            ["step"] = atStep, ["reason"] = reason,
        });

        public void Finished(ScanSummary summary) => _journal.Write("end", _now(), new Dictionary<string, object?>
        {
            ["outcome"] = summary.Outcome.ToString(),
            ["mode"] = summary.Mode.ToString(),
            ["port"] = summary.PortName,
            ["plannedSteps"] = summary.PlannedSteps,
            ["completedSteps"] = summary.CompletedSteps,
            ["skippedSteps"] = summary.SkippedSteps.Select(SkippedFields).ToList(),
            ["malformedLines"] = summary.MalformedLines,
            ["files"] = Files.ToList(),
            ["elapsedSeconds"] = Math.Round(summary.Elapsed.TotalSeconds, 3),
        });

        public void Dispose()
        {
            foreach (var appender in _results.Values) appender.Dispose();
            _operations.Dispose();
            _journal.Dispose();
            _lock.Dispose();
        }
    }
}
