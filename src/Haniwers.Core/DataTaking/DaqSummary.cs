using System;
using System.Collections.Generic;
using Haniwers.Scanning;

using Haniwers.Output;
namespace Haniwers.DataTaking
{
    /// <summary>What a DAQ run did: the information record tagged Summary, and the journal's end record.</summary>
    public sealed class DaqSummary : IRunHeadline
    {
        public string RunId { get; set; } = "";
        public string PortName { get; set; } = "";
        public string Folder { get; set; } = "";
        /// <summary>Starts as Failed: only a run that ends as planned, or is stopped, says otherwise.</summary>
        public RunOutcome Outcome { get; set; } = RunOutcome.Failed;
        public string? FailureReason { get; set; }
        public DateTimeOffset Started { get; set; }
        public DateTimeOffset Ended { get; set; }
        public long Events { get; set; }
        public IList<string> Files { get; } = new List<string>();
        /// <summary>The thresholds the run wrote and the device confirmed (channel, threshold).</summary>
        public IList<KeyValuePair<int, int>> ThresholdsConfirmed { get; } = new List<KeyValuePair<int, int>>();
        /// <summary>The thresholds the run took data at, as far as is known: "ch1=280 (set), ch2=300 (believed: written by ...)".</summary>
        public string Thresholds { get; set; } = "";
        /// <summary>Seconds the run could record events: from the stream's start to the end, less dead time.</summary>
        public double LiveSeconds { get; set; }
        /// <summary>Seconds without a link (from the loss to the stream running again).</summary>
        public double DeadSeconds { get; set; }
        public long MalformedLines { get; set; }
        /// <summary>Lines the link received but had to drop, its queue full (never expected; a run with any is not Completed).</summary>
        public long DroppedLines { get; set; }
        public int Reconnects { get; set; }
        /// <summary>Times the board reset (boot text) during the run; its thresholds were written again.</summary>
        public int Resets { get; set; }
        /// <summary>Events with a hit on channel 1, 2, 3, and on all three.</summary>
        public long Top { get; set; }
        public long Mid { get; set; }
        public long Btm { get; set; }
        public long Triple { get; set; }
        public double TopRate => Rate(Top);
        public double MidRate => Rate(Mid);
        public double BtmRate => Rate(Btm);
        public double TripleRate => Rate(Triple);
        public double EventRate => Rate(Events);

        private double Rate(long count) => LiveSeconds > 0 ? count / LiveSeconds : 0;

        /// <summary>One line for the host when the command ends (the full summary is the Information record tagged Summary).</summary>
        public string Headline =>
            $"Haniwers: DAQ run {RunId} {(Outcome == RunOutcome.Completed ? "completed" : Outcome.ToString().ToLowerInvariant())}: {Events} event(s) in {Files.Count} file(s), live {ScanPlan.Format(TimeSpan.FromSeconds(LiveSeconds))}"
            + (Outcome != RunOutcome.Completed && FailureReason is not null ? $" ({FailureReason.TrimEnd('.')})" : "")
            + (Thresholds.Length > 0 ? $", thresholds {Thresholds}" : "")
            + (Folder.Length > 0 ? $". Files in {Folder}." : ".");

        public override string ToString() =>
            $"DAQ run {RunId} on {PortName}: {Outcome}. {Events} event(s) in {Files.Count} file(s) in {Folder}, live {LiveSeconds:0.###} s"
            + (DeadSeconds > 0 ? $" (dead {DeadSeconds:0.###} s)" : "")
            + $"; rates top {TopRate:0.###} Hz, mid {MidRate:0.###} Hz, btm {BtmRate:0.###} Hz, triple {TripleRate:0.###} Hz."
            + (MalformedLines > 0 ? $" {MalformedLines} malformed line(s)." : "")
            + (Reconnects > 0 ? $" The link was reopened {Reconnects} time(s)." : "")
            + (Resets > 0 ? $" The board reset {Resets} time(s)." : "")
            + (Thresholds.Length > 0 ? $" Thresholds: {Thresholds}." : "")
            + (FailureReason is null ? "" : $" {FailureReason}");
    }
}
