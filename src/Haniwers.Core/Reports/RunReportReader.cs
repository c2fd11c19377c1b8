using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Haniwers.DataTaking;
using Haniwers.Scanning;

using Haniwers.Output;
namespace Haniwers.Reports
{
    /// <summary>
    /// Reads what runs did from their folders: scans from run_journal.jsonl and threshold_operations.csv,
    /// data taking from daq_journal.jsonl (docs/formats.md, "Run reports"). Reads only; a line that does
    /// not parse is skipped, as <see cref="RunJournal.Read"/> does.
    /// </summary>
    public static class RunReportReader
    {
        /// <summary>The runs of a folder, oldest start first; what could not be read goes to <paramref name="problems"/>.</summary>
        /// <summary>A scan's write-back, as its end record tells it: "restored ch1=280 ch2=300 ch3=260", "none restored; left at ch2=330 (reason)".</summary>
        private static string Restore(ScanEndRecord end)
        {
            static string Pairs(IReadOnlyList<(int Channel, int? Threshold)>? pairs) =>
                string.Join(" ", (pairs ?? Array.Empty<(int, int?)>()).Select(p => $"ch{p.Channel}={p.Threshold}"));
            string restored = Pairs(end.Restored), left = Pairs(end.LeftAt);
            string text = restored.Length > 0 ? "restored " + restored : "none restored";
            if (left.Length > 0) text += "; left at " + left;
            if (end.RestoreReason is string reason) text += $" ({reason})";
            return text;
        }

        public static IReadOnlyList<RunReport> Read(string folder, ICollection<string>? problems = null)
        {
            problems ??= new List<string>();
            var reports = new List<RunReport>();
            var fits = ReadFits(Path.Combine(folder, Analysis.ThresholdFitRecord.FileName));
            foreach (var scan in ReadScans(folder, problems))
            {
                scan.Fits = fits.TryGetValue(scan.RunId, out var fit) ? fit : null;
                reports.Add(scan);
            }
            reports.AddRange(ReadDaq(folder, problems));
            return reports.OrderBy(r => r.Start).ThenBy(r => r.RunId, StringComparer.Ordinal).ToList();
        }

        /// <summary>Whether a folder holds a journal of either kind.</summary>
        public static bool IsRunFolder(string folder) =>
            File.Exists(Path.Combine(folder, RunJournal.FileName)) || File.Exists(Path.Combine(folder, DaqRun.JournalFileName));

        private static IEnumerable<RunReport> ReadScans(string folder, ICollection<string> problems)
        {
            var runs = new Dictionary<string, ScanTally>(StringComparer.Ordinal);
            var opened = new List<(int Index, string RunId)>();
            foreach (var (record, index) in Records(Path.Combine(folder, RunJournal.FileName), problems))
            {
                if (Tally(runs, record, folder, "Scan", () => new ScanTally(), index) is not { } tally) continue;
                if (StartRecord.From(record) is { } start)
                {
                    opened.Add((index, tally.Report.RunId));
                    if (start.Resumed)
                    {
                        tally.Report.Resumes++;
                        tally.Report.Outcome = RunReport.NoEndRecord;
                        tally.Report.Reason = null;
                    }
                    else
                    {
                        tally.Report.Mode = start.Mode ?? "";
                        tally.Report.PlannedSteps = start.HasPlan ? start.Plan.Count : (int?)null;
                        tally.Report.Port = start.Port;
                    }
                }
                else if (CommitRecord.From(record) is { } commit)
                {
                    tally.Committed.Add(commit.Step);
                }
                else if (StepNoteRecord.From(record) is { } note)
                {
                    if (note.Event == JournalEvents.Remeasured) tally.Remeasured++;
                    if (note.Event != JournalEvents.Skipped) continue;
                    tally.Skipped.Add(note.Step);
                    tally.FirstSkipReason ??= note.Reason;
                }
                else if (IntentRecord.From(record) is { } intent)
                {
                    tally.Files.UnionWith(intent.Files.Keys);
                }
                else if (ReconnectedRecord.From(record) is not null)
                {
                    tally.Report.Reconnects++;
                }
                else if (RepairRecord.From(record) is { Begun: false })
                {
                    tally.Report.Repairs++;
                }
                else if (InterruptedRecord.From(record) is { } interrupted)
                {
                    tally.Report.Reason ??= interrupted.Reason;
                }
                else if (ScanEndRecord.From(record) is { } end)
                {
                    End(tally.Report, end.Outcome, end.Reason);
                    if (end.Restored is not null) tally.Report.Restore = Restore(end);
                    tally.Report.MalformedLines += end.MalformedLines;
                    tally.Report.Port = end.Port ?? tally.Report.Port;
                    // an adaptive plan is open-ended: the end says how many steps it planned in the end
                    if (tally.Report.PlannedSteps is null or 0) tally.Report.PlannedSteps = end.PlannedSteps ?? tally.Report.PlannedSteps;
                    tally.Files.UnionWith(end.Files.Select(f => Path.GetFileName(f)));
                }
            }
            var writes = ReadOperations(Path.Combine(folder, ThresholdOperation.FileName));
            foreach (var tally in runs.Values)
            {
                var report = tally.Report;
                report.MeasuredSteps = tally.Committed.Count;
                report.SkippedSteps = tally.Skipped.Count(s => !tally.Committed.Contains(s));
                report.RemeasuredSteps = tally.Remeasured;
                report.Files = tally.Files.OrderBy(f => f, StringComparer.Ordinal).ToList();
                if (writes.TryGetValue(report.RunId, out var channels)) SetWrites(report, channels.Values);
                if (report.Outcome == nameof(RunOutcome.Completed) && report.MeasuredSteps < report.PlannedSteps)
                {
                    // the plan ran to its end, but steps of it have no rows: not a completed measurement
                    report.Outcome = RunReport.Incomplete;
                    report.Reason = $"{report.PlannedSteps - report.MeasuredSteps} of {report.PlannedSteps} steps have no rows"
                        + (tally.FirstSkipReason is null ? "" : $" (skipped; the first: {tally.FirstSkipReason})");
                }
                CloseOffIfFollowed(report, tally.LastIndex, opened);
                yield return report;
            }
        }

        /// <summary>
        /// A run without an end record whose folder a later run opened (which takes the folder's lock, docs/crash-protocol.md)
        /// is not going on: its process ended without a word. Otherwise it may still be going.
        /// </summary>
        private static void CloseOffIfFollowed(RunReport report, int lastIndex, List<(int Index, string RunId)> opened)
        {
            if (report.Outcome != RunReport.NoEndRecord) return;
            var next = opened.FirstOrDefault(o => o.Index > lastIndex && o.RunId != report.RunId);
            if (next.RunId is null)
            {
                report.Reason ??= NoEndReason;
                return;
            }
            report.Outcome = nameof(RunOutcome.Failed);
            report.Reason = $"its process ended without an end record (killed, or the power went); run {next.RunId} opened the folder after it";
        }

        /// <summary>A journal's records with their positions; lines that are not records are told once per file.</summary>
        private static IEnumerable<(JournalEntry Record, int Index)> Records(string path, ICollection<string> problems)
        {
            if (!File.Exists(path)) yield break;
            var records = RunJournal.Read(path, out int unreadable);
            if (unreadable > 0) problems.Add($"{unreadable} line(s) of {path} are not journal records and were passed over (a line cut by a power loss, or damage)");
            if (records.Count == 0) problems.Add($"{path} holds no journal record: the runs it recorded, if any, cannot be reported");
            for (int i = 0; i < records.Count; i++) yield return (records[i], i);
        }

        private static IEnumerable<RunReport> ReadDaq(string folder, ICollection<string> problems)
        {
            var runs = new Dictionary<string, DaqTally>(StringComparer.Ordinal);
            var opened = new List<(int Index, string RunId)>();
            foreach (var (record, index) in Records(Path.Combine(folder, DaqRun.JournalFileName), problems))
            {
                if (Tally(runs, record, folder, "Daq", () => new DaqTally(), index) is not { } tally) continue;
                var report = tally.Report;
                if (StartRecord.From(record) is { Resumed: false } start)
                {
                    opened.Add((index, report.RunId));
                    report.Mode = start.Mode ?? "";
                    report.Port = start.Port;
                }
                else if (ThresholdsSetRecord.From(record) is { } set)
                {
                    foreach (var write in set.Writes)
                    {
                        var channelWrites = tally.Channel(write.Channel);
                        // the journal keeps each write's last answer only: earlier attempts count as retries
                        Count(channelWrites, firstAttempt: true, write.Success, write.Reason);
                        if (!write.Success) channelWrites.Failed++;
                        channelWrites.Retries += Math.Max(0, write.Attempts - 1);
                    }
                }
                else if (FileOpenedRecord.From(record) is { } fileOpened)
                {
                    tally.Files.Add(fileOpened.File);
                }
                else if (ReconnectedRecord.From(record) is not null)
                {
                    report.Reconnects++;
                }
                else if (DaqIncidentRecord.From(record) is { Event: JournalEvents.DeviceReset })
                {
                    report.Resets = (report.Resets ?? 0) + 1;
                }
                else if (FileClosedRecord.From(record) is { } account)
                {
                    if (account.Recovered) report.Repairs++;
                    tally.FileEvents += account.Events;
                    tally.FileLiveSeconds += account.LiveSeconds ?? 0;
                }
                else if (RepairRecord.From(record) is { Begun: false })
                {
                    report.Repairs++;
                }
                else if (DaqEndRecord.From(record) is { } end)
                {
                    End(report, end.Outcome, end.Reason);
                    report.Events = end.Events;
                    report.LiveSeconds = end.LiveSeconds;
                    report.DeadSeconds = end.DeadSeconds;
                    report.MalformedLines = end.MalformedLines ?? 0;
                    report.DroppedLines = end.DroppedLines;
                    report.Reconnects = Math.Max(report.Reconnects, end.Reconnects ?? 0);
                    report.Resets = end.Resets ?? report.Resets;
                }
            }
            foreach (var tally in runs.Values)
            {
                var report = tally.Report;
                report.Files = tally.Files;
                report.Resets ??= 0;
                // a killed run's end, written by the next run, may lack the counts its files' records have
                report.Events ??= tally.FileEvents;
                report.LiveSeconds ??= tally.FileLiveSeconds;
                SetWrites(report, tally.Writes.Values);
                CloseOffIfFollowed(report, tally.LastIndex, opened);
                yield return report;
            }
        }

        private const string NoEndReason = "the journal has no end record yet: the run is still going, or its process was killed (a later run into the folder tells which)";

        /// <summary>The tally of the record's run, made at its first record (a start, or any record of a journal that lost its start).</summary>
        private static T? Tally<T>(Dictionary<string, T> runs, JournalEntry record, string folder, string kind, Func<T> create, int index) where T : RunTally
        {
            string runId = record.RunId;
            var time = record.Timestamp;
            // a record of no run (the repair of a journal's cut last line, a damaged record) is not a run of its own:
            // it belongs to the run the journal was writing, the one before it
            if (runId.Length == 0) return runs.Values.OrderByDescending(t => t.LastIndex).FirstOrDefault();
            if (!runs.TryGetValue(runId, out var tally))
            {
                tally = create();
                tally.Report.RunId = runId;
                tally.Report.Kind = kind;
                tally.Report.Folder = folder;
                tally.Report.Start = time ?? default;
                runs[runId] = tally;
            }
            if (time is { } t && t > tally.Report.End) tally.Report.End = t;
            tally.LastIndex = index;
            return tally;
        }

        private static void End(RunReport report, string? outcome, string? reason)
        {
            report.Outcome = outcome ?? RunReport.NoEndRecord;
            // an end's reason replaces what the journal said before it (an interruption's step)
            report.Reason = reason ?? (report.Outcome == nameof(RunOutcome.Completed) ? null : report.Reason);
        }

        private static void SetWrites(RunReport report, IEnumerable<ChannelWrites> channels)
        {
            report.ThresholdWrites = channels.OrderBy(c => c.Channel).ToList();
            report.FailedWrites = report.ThresholdWrites.Sum(c => c.Failed);
        }

        /// <summary>
        /// threshold_fits.csv (Measure-HaniwersThreshold -OutputDirectory): run → what its latest fits recommend, channel by
        /// channel, "ch1=303 ch2=323 ch3: no threshold (the reason)", so a scan whose fit recommends nothing shows it.
        /// </summary>
        private static Dictionary<string, string> ReadFits(string path)
        {
            var latest = new Dictionary<string, SortedDictionary<int, string>>(StringComparer.Ordinal);
            if (!File.Exists(path)) return new Dictionary<string, string>();
            // a last row cut by a crash is no fit, whatever its fields parse to (a threshold 284 cut to 28)
            long? cutLine = Analysis.ScanFileReader.CutLine(path);
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { MissingFieldFound = null, BadDataFound = null });
            if (!csv.Read() || !csv.ReadHeader()) return new Dictionary<string, string>();
            while (csv.Read())
            {
                if (!csv.TryGetField<int>("Channel", out var channel)) continue; // a damaged row
                if (cutLine is long cut && csv.Parser.Row >= cut) break;
                string runId = csv.GetField("RunId") ?? "";
                if (!latest.TryGetValue(runId, out var channels)) latest[runId] = channels = new SortedDictionary<int, string>();
                string threshold = csv.GetField("Threshold") ?? "";
                channels[channel] = threshold.Length > 0 ? $"ch{channel}={threshold}" : $"ch{channel}: no threshold ({csv.GetField("Rejection")})"; // later rows are later fits
            }
            return latest.ToDictionary(r => r.Key, r => string.Join("; ", r.Value.Values), StringComparer.Ordinal);
        }

        /// <summary>threshold_operations.csv, one row per attempt: run → channel → its writes.</summary>
        private static Dictionary<string, Dictionary<int, ChannelWrites>> ReadOperations(string path)
        {
            var byRun = new Dictionary<string, Dictionary<int, ChannelWrites>>(StringComparer.Ordinal);
            if (!File.Exists(path)) return byRun;
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { MissingFieldFound = null, BadDataFound = null });
            if (!csv.Read() || !csv.ReadHeader()) return byRun;
            // the attempt that failed last, per run and channel: a write whose next row is not a retry ended failed
            var pending = new Dictionary<(string, int), bool>();
            while (csv.Read())
            {
                // a cut last row (power loss) lacks fields: skipped
                if (!csv.TryGetField<int>("Channel", out var channel) || !csv.TryGetField<int>("Attempts", out var attempt)
                    || !csv.TryGetField<bool>("Success", out var success)) continue;
                string runId = csv.GetField("RunId") ?? "";
                if (!byRun.TryGetValue(runId, out var channels)) byRun[runId] = channels = new Dictionary<int, ChannelWrites>();
                if (!channels.TryGetValue(channel, out var writes)) channels[channel] = writes = new ChannelWrites { Channel = channel };
                var key = (runId, channel);
                if (attempt <= 1 && pending.TryGetValue(key, out var lastFailed) && lastFailed) writes.Failed++;
                Count(writes, attempt <= 1, success, csv.GetField("Reason"));
                if (attempt > 1) writes.Retries++;
                pending[key] = !success;
            }
            foreach (var entry in pending.Where(p => p.Value)) byRun[entry.Key.Item1][entry.Key.Item2].Failed++;
            return byRun;
        }

        /// <summary>Counts one attempt: a new write when it is the first, a refusal or a silence by its reason (docs/protocol.md).
        /// Whether a write failed is its last attempt's: the caller knows which that is.</summary>
        private static void Count(ChannelWrites writes, bool firstAttempt, bool success, string? reason)
        {
            if (firstAttempt) writes.Writes++;
            if (success || reason is null) return;
            if (reason.StartsWith("refused", StringComparison.Ordinal)) writes.Refusals++;
            else if (reason.StartsWith("no answer", StringComparison.Ordinal)) writes.Silences++;
        }

        private abstract class RunTally
        {
            public RunReport Report { get; } = new RunReport();
            /// <summary>The position of the run's last record in its journal.</summary>
            public int LastIndex { get; set; }
        }

        private sealed class ScanTally : RunTally
        {
            public HashSet<int> Committed { get; } = new HashSet<int>();
            public HashSet<int> Skipped { get; } = new HashSet<int>();
            public int Remeasured { get; set; }
            public string? FirstSkipReason { get; set; }
            public HashSet<string> Files { get; } = new HashSet<string>(StringComparer.Ordinal);
        }

        private sealed class DaqTally : RunTally
        {
            public Dictionary<int, ChannelWrites> Writes { get; } = new Dictionary<int, ChannelWrites>();
            public long FileEvents { get; set; }
            public double FileLiveSeconds { get; set; }
            public List<string> Files { get; } = new List<string>();

            public ChannelWrites Channel(int channel)
            {
                if (!Writes.TryGetValue(channel, out var writes)) Writes[channel] = writes = new ChannelWrites { Channel = channel };
                return writes;
            }
        }
    }
}
