using System;
using System.Collections.Generic;

using Haniwers.Output;
namespace Haniwers.Reports
{
    /// <summary>What a run did, as its folder's journals and operation log tell it (docs/formats.md, "Run reports").</summary>
    public sealed class RunReport
    {
        /// <summary>The outcome of a run whose journal has no end record after its last start: still going, or its process was killed.</summary>
        public const string NoEndRecord = "Unknown";

        /// <summary>The outcome of a scan whose plan ran to its end with steps that have no rows (skipped): not a completed measurement.</summary>
        public const string Incomplete = "Incomplete";

        public string RunId { get; set; } = "";
        /// <summary>Scan (run_journal.jsonl) or Daq (daq_journal.jsonl).</summary>
        public string Kind { get; set; } = "";
        /// <summary>Parallel, Serial, Adaptive for scans; CountBased, TimeBased for data taking.</summary>
        public string Mode { get; set; } = "";
        /// <summary>Completed, Incomplete (a scan with skipped steps), Interrupted, Aborted (a scan that stopped after failed steps),
        /// Failed (also a run that ended without an end record, found by a later run in its folder); <see cref="NoEndRecord"/> when it may still be going.</summary>
        public string Outcome { get; set; } = NoEndRecord;
        /// <summary>Why the run did not complete: the end record's reason, or what the journal shows.</summary>
        public string? Reason { get; set; }
        public DateTimeOffset Start { get; set; }
        /// <summary>The end record's time; the journal's last record of the run when it has none.</summary>
        public DateTimeOffset End { get; set; }
        public TimeSpan Duration => End - Start;
        public string? Port { get; set; }
        public string Folder { get; set; } = "";

        /// <summary>Scans: the steps of the plan, those with rows, those given up, windows measured again. Null for data taking.</summary>
        public int? PlannedSteps { get; set; }
        public int? MeasuredSteps { get; set; }
        public int? SkippedSteps { get; set; }
        public int? RemeasuredSteps { get; set; }
        /// <summary>Scans: how often the run was resumed (-Resume).</summary>
        public int Resumes { get; set; }

        /// <summary>Data taking: events written, seconds counted, dead seconds (reconnects, resets). Null for scans.</summary>
        public long? Events { get; set; }
        public double? LiveSeconds { get; set; }
        public double? DeadSeconds { get; set; }
        public int? Resets { get; set; }
        public long? DroppedLines { get; set; }

        public int Reconnects { get; set; }
        public long MalformedLines { get; set; }
        /// <summary>Threshold writes per channel, with their refusals, silences and retries.</summary>
        public IReadOnlyList<ChannelWrites> ThresholdWrites { get; set; } = Array.Empty<ChannelWrites>();
        /// <summary>Threshold writes that never succeeded, over all channels.</summary>
        public int FailedWrites { get; set; }
        /// <summary>The files the run wrote (names in <see cref="Folder"/>).</summary>
        public IReadOnlyList<string> Files { get; set; } = Array.Empty<string>();
        /// <summary>Rows cut back or files closed off by a later command after this run was killed.</summary>
        public int Repairs { get; set; }
        /// <summary>What the latest fits of a scan's rows recommend (threshold_fits.csv), "ch1=303; ch3: no threshold (why)"; null when none were kept.</summary>
        public string? Fits { get; set; }
        /// <summary>A scan's write-back of the thresholds it found (docs/crash-protocol.md, "Restoring the thresholds"); null for a DAQ run or a scan from before it.</summary>
        public string? Restore { get; set; }

        public override string ToString() => $"{RunId} {Kind} {Mode} {Outcome}";
    }

    /// <summary>One channel's threshold writes in a run: a write is one or more attempts (threshold_operations.csv, daq_journal's thresholds-set).</summary>
    public sealed class ChannelWrites
    {
        public int Channel { get; set; }
        public int Writes { get; set; }
        /// <summary>Writes whose last attempt failed: the threshold was not set.</summary>
        public int Failed { get; set; }
        /// <summary>Attempts the device answered with a refusal.</summary>
        public int Refusals { get; set; }
        /// <summary>Attempts the device did not answer in time.</summary>
        public int Silences { get; set; }
        /// <summary>Attempts after a write's first.</summary>
        public int Retries { get; set; }

        public override string ToString() =>
            $"ch{Channel}: {Writes} write(s)" + (Failed > 0 ? $", {Failed} failed" : "") + (Refusals > 0 ? $", {Refusals} refused" : "")
            + (Silences > 0 ? $", {Silences} unanswered" : "") + (Retries > 0 ? $", {Retries} retried" : "");
    }
}
