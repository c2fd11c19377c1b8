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
                string kind = JournalFields.Text(record, "event") ?? "";
                string runId = JournalFields.Text(record, "runId") ?? "";
                if (kind == JournalEvents.Start)
                {
                    var run = new RecordedRun
                    {
                        RunId = runId,
                        Mode = Enum.TryParse<ScanMode>(JournalFields.Text(record, "mode"), out var mode) ? mode : ScanMode.Parallel,
                        DurationSeconds = JournalFields.Number(record, "durationSeconds"),
                        SettleSeconds = JournalFields.Number(record, "settleSeconds"),
                        Plan = Steps(record),
                        Adaptive = record.TryGetProperty("adaptive", out var adaptive) && adaptive.ValueKind == JsonValueKind.Object ? adaptive.Clone() : (JsonElement?)null,
                    };
                    byId[runId] = run;
                    runs.Remove(runs.FirstOrDefault(r => r.RunId == runId)!);
                    runs.Add(run);
                    continue;
                }
                if (!byId.TryGetValue(runId, out var known)) continue;
                switch (kind)
                {
                    case JournalEvents.Resumed:
                        known.Outcome = null;
                        runs.Remove(known);
                        runs.Add(known); // a resumed run is the folder's latest again
                        break;
                    case JournalEvents.Intent when JournalFields.Number(record, "step") is double intended:
                        known.Uncommitted = (int)intended;
                        break;
                    case JournalEvents.Commit when JournalFields.Number(record, "step") is double step:
                        known.Committed.Add((int)step);
                        if (known.Uncommitted == (int)step) known.Uncommitted = null;
                        break;
                    case JournalEvents.Repaired when JournalFields.Number(record, "step") is double repaired:
                        if (known.Uncommitted == (int)repaired) known.Uncommitted = null;
                        break;
                    case JournalEvents.End:
                        known.Outcome = JournalFields.Text(record, "outcome");
                        break;
                }
            }
            return runs;
        }

        private static IReadOnlyList<ScanStep> Steps(JsonElement start)
        {
            if (!start.TryGetProperty("plan", out var plan) || plan.ValueKind != JsonValueKind.Array) return Array.Empty<ScanStep>();
            return plan.EnumerateArray().Select(s => new ScanStep(
                s.GetProperty("step").GetInt32(),
                s.GetProperty("thresholds").EnumerateArray().Select(t => t.GetInt32()).ToArray(),
                s.GetProperty("measured").EnumerateArray().Select(t => t.GetInt32()).ToArray())).ToList();
        }
    }
}
