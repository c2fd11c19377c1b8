using System;
using System.Collections.Generic;
using System.Linq;
using Haniwers.Output;

namespace Haniwers.Scanning
{
    /// <summary>A step's record with its thresholds and why (docs/formats.md): a re-measured window, a skipped step, an adaptive scan's choice.</summary>
    public sealed class StepNoteRecord : JournalRecord
    {
        private StepNoteRecord(string journalEvent, int step, IReadOnlyList<int> thresholds, string reason)
        {
            Event = journalEvent;
            Step = step;
            Thresholds = thresholds;
            Reason = reason;
        }

        /// <summary>A window the checks refused, measured again (docs/window-checks.md).</summary>
        public static StepNoteRecord Remeasured(ScanStep step, string reason) => new StepNoteRecord(JournalEvents.Remeasured, step.Index, step.Thresholds, reason);

        /// <summary>A step that has no rows, and why.</summary>
        public static StepNoteRecord Skipped(SkippedStep skipped) => new StepNoteRecord(JournalEvents.Skipped, skipped.Step, skipped.Thresholds, skipped.Reason);

        /// <summary>Why an adaptive scan chose a step (written as <c>why</c>).</summary>
        public static StepNoteRecord Decided(ScanStep step, string decision) => new StepNoteRecord(JournalEvents.Decision, step.Index, step.Thresholds, decision);

        public override string Event { get; }
        public int Step { get; }
        public IReadOnlyList<int> Thresholds { get; }
        public string Reason { get; }
        private static string ReasonName(string journalEvent) => journalEvent == JournalEvents.Decision ? "why" : "reason";

        public override IReadOnlyDictionary<string, object?> Fields() => new Dictionary<string, object?>
        {
            ["step"] = Step, ["thresholds"] = Thresholds, [ReasonName(Event)] = Reason,
        };

        /// <summary>A remeasured, skipped or decision record with its step.</summary>
        public static StepNoteRecord? From(JournalEntry entry)
        {
            if (!(entry.Is(JournalEvents.Remeasured) || entry.Is(JournalEvents.Skipped) || entry.Is(JournalEvents.Decision)) || entry.Int("step") is not int step) return null;
            var thresholds = entry.Items("thresholds").Where(t => t.ValueKind == System.Text.Json.JsonValueKind.Number && t.TryGetInt32(out _)).Select(t => t.GetInt32()).ToList();
            return new StepNoteRecord(entry.Event, step, thresholds, entry.Text(ReasonName(entry.Event)) ?? "");
        }
    }

    /// <summary>A scan stopped before its plan's end (Ctrl+C, a signal): the step it was at and why.</summary>
    public sealed class InterruptedRecord : JournalRecord
    {
        public InterruptedRecord(int step, string reason)
        {
            Step = step;
            Reason = reason;
        }

        public int Step { get; }
        public string Reason { get; }
        public override string Event => JournalEvents.Interrupted;
        public override IReadOnlyDictionary<string, object?> Fields() => new Dictionary<string, object?> { ["step"] = Step, ["reason"] = Reason };

        public static InterruptedRecord? From(JournalEntry entry) =>
            entry.Is(JournalEvents.Interrupted) ? new InterruptedRecord(entry.Int("step") ?? 0, entry.Text("reason") ?? "") : null;
    }

    /// <summary>A scan's last record: its outcome and counts, its write-back, its files (docs/formats.md).</summary>
    public sealed class ScanEndRecord : JournalRecord
    {
        private readonly ScanSummary? _summary;
        private readonly IReadOnlyList<string> _files;

        public ScanEndRecord(ScanSummary summary, IEnumerable<string> files)
        {
            _summary = summary;
            _files = files.ToList();
            Outcome = summary.Outcome.ToString();
            Reason = summary.FailureReason;
            Port = summary.PortName;
            PlannedSteps = summary.PlannedSteps;
            MalformedLines = summary.MalformedLines;
            Restored = summary.Restore?.Restored.Select(t => (t.Key, (int?)t.Value)).ToList();
            LeftAt = summary.Restore?.LeftAt.Select(t => (t.Key, (int?)t.Value)).ToList();
            RestoreReason = summary.Restore?.Failure;
        }

        private ScanEndRecord(JournalEntry entry)
        {
            Outcome = entry.Text("outcome");
            Reason = entry.Text("reason");
            Port = entry.Text("port");
            PlannedSteps = entry.Int("plannedSteps");
            MalformedLines = entry.Long("malformedLines") ?? 0;
            Restored = entry.HasList("restored") ? Pairs(entry, "restored") : null;
            LeftAt = entry.HasList("leftAt") ? Pairs(entry, "leftAt") : null;
            RestoreReason = entry.Text("restoreReason");
            _files = entry.Items("files").Where(f => f.ValueKind == System.Text.Json.JsonValueKind.String).Select(f => f.GetString()!).ToList();
        }

        public override string Event => JournalEvents.End;
        /// <summary>The outcome's name (<see cref="RunOutcome"/>); null in a damaged record.</summary>
        public string? Outcome { get; }
        public string? Reason { get; }
        public string? Port { get; }
        public int? PlannedSteps { get; }
        public long MalformedLines { get; }
        /// <summary>The thresholds written back at the end, by channel (null: the run did not try; a null threshold: not read).</summary>
        public IReadOnlyList<(int Channel, int? Threshold)>? Restored { get; }
        /// <summary>Where the scan left channels it could not restore.</summary>
        public IReadOnlyList<(int Channel, int? Threshold)>? LeftAt { get; }
        public string? RestoreReason { get; }
        /// <summary>The run's files, as written (full paths).</summary>
        public IReadOnlyList<string> Files => _files;

        public override IReadOnlyDictionary<string, object?> Fields()
        {
            var summary = _summary ?? throw new InvalidOperationException("a scan's end record that was read is not written again");
            return new Dictionary<string, object?>
            {
                ["outcome"] = Outcome,
                ["reason"] = Reason,
                ["mode"] = summary.Mode.ToString(),
                ["port"] = Port,
                ["plannedSteps"] = summary.PlannedSteps,
                ["completedSteps"] = summary.CompletedSteps,
                ["remeasuredSteps"] = summary.RemeasuredSteps,
                ["skippedSteps"] = summary.SkippedSteps.Select(s => StepNoteRecord.Skipped(s).Fields()).ToList(),
                ["reconnects"] = summary.Reconnects,
                ["malformedLines"] = summary.MalformedLines,
                ["restored"] = Restored?.Select(t => new { channel = t.Channel, threshold = t.Threshold }).ToList(),
                ["leftAt"] = LeftAt?.Select(t => new { channel = t.Channel, threshold = t.Threshold }).ToList(),
                ["restoreReason"] = RestoreReason,
                ["files"] = _files,
                ["elapsedSeconds"] = Math.Round(summary.Elapsed.TotalSeconds, 3),
            };
        }

        public static ScanEndRecord? From(JournalEntry entry) => entry.Is(JournalEvents.End) ? new ScanEndRecord(entry) : null;

        private static IReadOnlyList<(int Channel, int? Threshold)> Pairs(JournalEntry entry, string name) =>
            entry.Items(name).Select(pair => (Channel: JournalFields.Int(pair, "channel"), Threshold: JournalFields.Int(pair, "threshold")))
                .Where(pair => pair.Channel is not null).Select(pair => (pair.Channel!.Value, pair.Threshold)).ToList();
    }
}
