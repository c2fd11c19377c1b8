namespace Haniwers.Output
{
    /// <summary>
    /// How a run ended, scan or DAQ run alike: the journal's end record and the summaries
    /// (docs/crash-protocol.md, "Outcomes"). Never Completed unless every step or file was made durable.
    /// </summary>
    public enum RunOutcome
    {
        Completed,
        /// <summary>Stopped by the user (Ctrl+C, Stop-Job) or by the system (SIGTERM, SIGHUP).</summary>
        Interrupted,
        /// <summary>A scan stopped after too many failed steps in a row.</summary>
        Aborted,
        /// <summary>
        /// An adaptive scan that ran to its end without its result: a channel short of its target, or whose edge
        /// the data put outside its range (docs/adaptive-scan.md, "When it cannot succeed"). Its rows are whole.
        /// </summary>
        Incomplete,
        /// <summary>Stopped by an error of its own: the output could not be written (disk full, folder gone), or a fault in the module.</summary>
        Failed,
    }

    /// <summary>What a run's summary says on one line when the command ends: the outcome, what was measured, where the files are.</summary>
    public interface IRunHeadline
    {
        string Headline { get; }
    }
}
