using System;
using System.Collections.Generic;
using System.Linq;
using Haniwers.Configuration;

using Haniwers.Output;

namespace Haniwers.Scanning
{
    /// <summary>A step that gave no row for any channel, and why.</summary>
    public sealed class SkippedStep
    {
        public SkippedStep(ScanStep step, string reason, DateTimeOffset timestamp)
        {
            Step = step.Index;
            Thresholds = step.Thresholds;
            Reason = reason;
            Timestamp = timestamp;
        }

        public int Step { get; }
        public IReadOnlyList<int> Thresholds { get; }
        public string Reason { get; }
        public DateTimeOffset Timestamp { get; }

        public override string ToString() =>
            $"step {Step} ({string.Join(" ", Thresholds.Select((t, i) => $"ch{i + 1}={t}"))}): {Reason}";
    }

    /// <summary>What a scan did: the information record tagged Summary, and the journal's end record.</summary>
    public sealed class ScanSummary : IRunHeadline
    {
        /// <summary>The run folder, where the scan's files are.</summary>
        public string Folder { get; set; } = "";
        /// <summary>For a resumed run: the steps this resumption took up; null for a new run.</summary>
        public IReadOnlyList<int>? ResumedSteps { get; set; }

        public string RunId { get; set; } = "";
        public ScanMode Mode { get; set; }
        public string PortName { get; set; } = "";
        /// <summary>Failed until the scan has dealt with every step (docs/crash-protocol.md, "Outcomes").</summary>
        public RunOutcome Outcome { get; set; } = RunOutcome.Failed;
        /// <summary>Why the scan did not complete; null when it did.</summary>
        public string? FailureReason { get; set; }
        public int PlannedSteps { get; set; }
        public int CompletedSteps { get; set; }
        /// <summary>Windows measured a second time because the first failed its checks.</summary>
        public int RemeasuredSteps { get; set; }
        /// <summary>Times the link was lost and reopened.</summary>
        public int Reconnects { get; set; }
        public IList<SkippedStep> SkippedSteps { get; } = new List<SkippedStep>();
        public long MalformedLines { get; set; }
        public IList<string> Files { get; } = new List<string>();
        /// <summary>What the scan found, where it says more than its rows (the adaptive scan's thresholds and their errors).</summary>
        public IList<string> Findings { get; } = new List<string>();
        public TimeSpan Elapsed { get; set; }
        /// <summary>What the scan wrote back when it ended; null before it ended.</summary>
        public RestoreResult? Restore { get; set; }

        /// <summary>One line for the host when the command ends (the full summary is the Information record tagged Summary).</summary>
        public string Headline
        {
            get
            {
                string what = ResumedSteps is { } resumed
                    ? $"resumed run {RunId} ({(Mode == ScanMode.Adaptive && resumed.Count > 0 ? $"from step {resumed[0]}" : StepRange(resumed))})"
                    : $"{Mode.ToString().ToLowerInvariant()} scan {RunId}";
                string outcome = Outcome == RunOutcome.Completed ? "completed" : Outcome.ToString().ToLowerInvariant();
                string text = $"Haniwers: {what} {outcome}: {CompletedSteps} of {PlannedSteps} steps measured"
                    + (SkippedSteps.Count > 0 ? $", {SkippedSteps.Count} skipped" : "") + $", in {ScanPlan.Format(Elapsed)}";
                if (Outcome != RunOutcome.Completed && FailureReason is not null) text += $" ({FailureReason.TrimEnd('.')})";
                if (Restore is not null) text += "; " + Restore;
                return text + (Folder.Length > 0 ? $". Files in {Folder}." : ".");
            }
        }

        private static string StepRange(IReadOnlyList<int> steps) => steps.Count switch
        {
            0 => "no step left to measure",
            1 => $"step {steps[0]}",
            _ when steps[steps.Count - 1] - steps[0] == steps.Count - 1 => $"steps {steps[0]} to {steps[steps.Count - 1]}",
            _ => $"{steps.Count} steps from {steps[0]} to {steps[steps.Count - 1]}",
        };

        public override string ToString()
        {
            string text = $"Run {RunId}: {Mode} scan on {PortName} {Outcome.ToString().ToLowerInvariant()}, " +
                          $"{CompletedSteps} of {PlannedSteps} steps completed, {SkippedSteps.Count} skipped, in {ScanPlan.Format(Elapsed)}.";
            if (FailureReason is not null && Outcome != RunOutcome.Completed) text += $" Reason: {FailureReason}";
            if (RemeasuredSteps > 0) text += $" {RemeasuredSteps} window(s) measured again.";
            if (Reconnects > 0) text += $" The link was reopened {Reconnects} time(s).";
            if (SkippedSteps.Count > 0) text += " Skipped: " + string.Join("; ", SkippedSteps.Select(s => s.ToString())) + ".";
            if (MalformedLines > 0) text += $" {MalformedLines} malformed line(s) ignored.";
            if (Findings.Count > 0) text += " " + string.Join(" ", Findings);
            if (Restore is not null) text += $" {char.ToUpperInvariant(Restore.ToString()[0])}{Restore.ToString().Substring(1)}.";
            if (Files.Count > 0) text += " Files: " + string.Join(", ", Files) + ".";
            return text;
        }
    }

    /// <summary>The scan stopped itself: too many failed steps in a row. The summary says what was done.</summary>
    public sealed class ScanAbortedException : Exception
    {
        public ScanAbortedException(ScanSummary summary, int failures, string lastReason)
            : base($"The scan stopped after {failures} failed steps in a row (last: {lastReason}). " +
                   $"{summary.CompletedSteps} of {summary.PlannedSteps} steps were completed and are saved. " +
                   "Check that the detector is powered and connected, that the port and the firmware dialect are right, and that nothing else uses the port.")
            => Summary = summary;

        public ScanSummary Summary { get; }
    }
}

namespace Haniwers.Scanning
{
    /// <summary>
    /// Thrown by an observer when whoever takes the results stopped taking them (the pipeline stopped
    /// downstream, -ErrorAction Stop): the scan ends Interrupted and the inner exception goes on.
    /// </summary>
    public sealed class RunStoppedByConsumerException : Exception
    {
        public RunStoppedByConsumerException(Exception inner) : base(inner.Message, inner) { }
    }
}
