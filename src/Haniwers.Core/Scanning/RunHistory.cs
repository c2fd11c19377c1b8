using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Haniwers.Configuration;
using Haniwers.Scanning;

using Haniwers.Output;
namespace Haniwers.Scanning
{
    /// <summary>One run as its folder's journal tells it: its plan and settings, the steps committed, how it ended.</summary>
    public sealed class RecordedRun
    {
        public string RunId { get; set; } = "";
        public ScanMode Mode { get; set; }
        /// <summary>The window and settle time the run was started with; null in a journal older than resume.</summary>
        public double? DurationSeconds { get; set; }
        public double? SettleSeconds { get; set; }
        public IReadOnlyList<ScanStep> Plan { get; set; } = Array.Empty<ScanStep>();
        public ISet<int> Committed { get; } = new HashSet<int>();
        /// <summary>What is wrong with the run's start record (a window that is no length, a plan step with a channel or value no device has), or null.</summary>
        public string? Damage { get; set; }

        /// <summary>An adaptive run's recorded settings (target, limits, ranges); null for other scans and older journals.</summary>
        public JsonElement? Adaptive { get; set; }

        /// <summary>The step the run's last intent wrote without a commit (cut back by recovery), or null.</summary>
        public int? Uncommitted { get; set; }

        /// <summary>The outcome of the last end record after the run's last start or resume; null when the process died first.</summary>
        public string? Outcome { get; set; }

        /// <summary>The plan's steps with no rows yet: never reached, skipped, or cut back by recovery.</summary>
        public IReadOnlyList<ScanStep> Missing => Plan.Where(s => !Committed.Contains(s.Index)).ToList();

        public bool Unfinished => Missing.Count > 0;

        public string Describe() => $"run {RunId} ({Mode}, {Committed.Count} of {Plan.Count} steps measured, {(Outcome is null ? "its process died without an end record" : "ended " + Outcome)})";
    }

    /// <summary>Reads a run folder's journal into its runs (docs/formats.md, "run_journal.jsonl").</summary>
    public static class RunHistory
    {
        public static IReadOnlyList<RecordedRun> Read(string folder)
        {
            var runs = new List<RecordedRun>();
            var byId = new Dictionary<string, RecordedRun>(StringComparer.Ordinal);
            foreach (var record in RunJournal.Read(Path.Combine(folder, RunJournal.FileName)))
            {
                string runId = record.RunId;
                if (StartRecord.From(record) is { Resumed: false } start)
                {
                    var run = new RecordedRun
                    {
                        RunId = runId,
                        Mode = Enum.TryParse<ScanMode>(start.Mode, out var mode) ? mode : ScanMode.Parallel,
                        DurationSeconds = start.DurationSeconds,
                        SettleSeconds = start.SettleSeconds,
                        Plan = Steps(start),
                        Adaptive = start.Adaptive,
                    };
                    run.Damage = Damage(start, run.Plan);
                    byId[runId] = run;
                    runs.Remove(runs.FirstOrDefault(r => r.RunId == runId)!);
                    runs.Add(run);
                    continue;
                }
                if (!byId.TryGetValue(runId, out var known)) continue;
                if (record.Is(JournalEvents.Resumed))
                {
                    known.Outcome = null;
                    runs.Remove(known);
                    runs.Add(known); // a resumed run is the folder's latest again
                }
                else if (IntentRecord.From(record) is { } intent)
                {
                    known.Uncommitted = intent.Step;
                }
                else if (CommitRecord.From(record) is { } commit)
                {
                    known.Committed.Add(commit.Step);
                    if (known.Uncommitted == commit.Step) known.Uncommitted = null;
                }
                else if (RepairRecord.From(record) is { Begun: false, Repair.Step: int repaired })
                {
                    if (known.Uncommitted == repaired) known.Uncommitted = null;
                }
                else if (ScanEndRecord.From(record) is { } end)
                {
                    known.Outcome = end.Outcome;
                }
            }
            return runs;
        }

        /// <summary>What makes a start record unfit to resume from: values no scan of this module writes.</summary>
        private static string? Damage(StartRecord start, IReadOnlyList<ScanStep> plan)
        {
            if (start.DurationSeconds is double d && !(d > 0 && d <= ConfigValidator.MaxWindowSeconds)) return $"its window length {d} s is not one a scan has";
            if (start.SettleSeconds is double t && !(t >= 0 && t <= ConfigValidator.MaxWindowSeconds)) return $"its settle time {t} s is not one a scan has";
            if (start.HasPlan && start.Plan.Count > 0 && plan.Count == 0) return "a step of its plan is not whole";
            foreach (var step in plan)
            {
                if (step.Measured.Any(ch => !ConfigValidator.Channels.Contains(ch)) || step.Measured.Count == 0)
                    return $"step {step.Index} of its plan measures channels {string.Join(", ", step.Measured)}";
                if (step.Thresholds.Count != ConfigValidator.ChannelCount || step.Thresholds.Any(v => v < ThresholdRange.DacMin || v > ThresholdRange.DacMax))
                    return $"step {step.Index} of its plan has thresholds {string.Join(", ", step.Thresholds)}";
            }
            return null;
        }

        /// <summary>The plan a start record gives; none when a step of it is damaged (the run is then not resumed: it cannot be resumed exactly).</summary>
        private static IReadOnlyList<ScanStep> Steps(StartRecord start)
        {
            var steps = new List<ScanStep>();
            foreach (var written in start.Plan)
            {
                var step = new JournalEntry(written);
                var thresholds = Numbers(step.Items("thresholds"));
                var measured = Numbers(step.Items("measured"));
                if (step.Int("step") is not int index || thresholds is null || measured is null) return Array.Empty<ScanStep>();
                steps.Add(new ScanStep(index, thresholds, measured));
            }
            return steps;
        }

        private static int[]? Numbers(IReadOnlyList<JsonElement> items) =>
            items.All(i => i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out _)) ? items.Select(i => i.GetInt32()).ToArray() : null;
    }
}
