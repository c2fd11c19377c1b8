namespace Haniwers.Output
{
    /// <summary>
    /// The name of every journal record, once (docs/formats.md "run_journal.jsonl", docs/daq.md "daq_journal.jsonl").
    /// Writers and readers alike use these names: a scan's and a DAQ run's journal share start, end, reconnected
    /// and repaired; the rest belong to one kind of run.
    /// </summary>
    public static class JournalEvents
    {
        /// <summary>A run began: module version, host, user, mode, plan, config (both kinds).</summary>
        public const string Start = "start";

        /// <summary>A scan went on in the folder of an earlier, unfinished one (docs/crash-protocol.md, "Resuming").</summary>
        public const string Resumed = "resumed";

        /// <summary>A step's write-ahead record: the length of each channel file before the step (docs/crash-protocol.md).</summary>
        public const string Intent = "intent";

        /// <summary>A step whose rows are all on the disk.</summary>
        public const string Commit = "commit";

        /// <summary>A window the checks refused, measured again (docs/window-checks.md).</summary>
        public const string Remeasured = "remeasured";

        /// <summary>Why an adaptive scan chose the thresholds of its next step.</summary>
        public const string Decision = "decision";

        /// <summary>A step that has no rows, and why.</summary>
        public const string Skipped = "skipped";

        /// <summary>The link came back after it was lost: dead time, attempts, reason (both kinds).</summary>
        public const string Reconnected = "reconnected";

        /// <summary>A repair about to be made, on the disk before it is (docs/crash-protocol.md, "Repairs are written ahead"): the file, the length it is cut to, the text that goes.</summary>
        public const string Repairing = "repairing";

        /// <summary>A step whose rows a repair took back from every file it had reached: settles its intent (written after the cuts).</summary>
        public const string RolledBack = "rolled-back";

        /// <summary>A repair of what a crash left: the file, the action, the text removed (both kinds).</summary>
        public const string Repaired = "repaired";

        /// <summary>A scan stopped before its plan's end (Ctrl+C, a signal).</summary>
        public const string Interrupted = "interrupted";

        /// <summary>A run's last record: outcome, reason, counts (both kinds).</summary>
        public const string End = "end";

        /// <summary>A DAQ raw file opened.</summary>
        public const string FileOpened = "file-opened";

        /// <summary>A DAQ raw file closed, with its events and live time.</summary>
        public const string FileClosed = "file-closed";

        /// <summary>A DAQ raw file a killed run left open, closed off by the next run.</summary>
        public const string FileRecovered = "file-recovered";

        /// <summary>The thresholds a DAQ run wrote before taking data.</summary>
        public const string ThresholdsSet = "thresholds-set";

        /// <summary>A DAQ run's link was lost.</summary>
        public const string LinkLost = "link-lost";

        /// <summary>The detector restarted during a DAQ run (its boot text was seen).</summary>
        public const string DeviceReset = "device-reset";

        /// <summary>The computer's clock jumped during a DAQ run.</summary>
        public const string ClockAdjusted = "clock-adjusted";
    }
}
