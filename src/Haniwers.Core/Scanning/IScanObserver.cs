using System;
using System.Collections.Generic;
using Haniwers.Protocol;

namespace Haniwers.Scanning
{
    /// <summary>
    /// What a running scan reports, on the thread that runs it. The cmdlet turns these into
    /// progress, verbose, output and error records; the core knows nothing of PowerShell.
    /// </summary>
    public interface IScanObserver
    {
        void StepStarting(ScanStep step, int position, int total, TimeSpan elapsed);
        void Attempt(ThresholdAttempt attempt);
        void StepCompleted(ScanStep step, IReadOnlyList<ScanResult> rows);
        void StepSkipped(SkippedStep skipped);
        /// <summary>A window failed its checks and the step is measured again (docs/window-checks.md).</summary>
        void StepRemeasured(ScanStep step, string reason);
        /// <summary>Detail worth a verbose line: reopening the link, ignored lines.</summary>
        void Notice(string message);
        /// <summary>What the user must hear while the scan goes on: a channel that cannot reach its result.</summary>
        void Warning(string message);
    }

    /// <summary>Where a scan's records go (the run's files). Every call returns only once the data is on disk.</summary>
    public interface IScanRecorder
    {
        void Attempt(ThresholdAttempt attempt);
        /// <summary>The step's rows in every channel's file, or in none (docs/crash-protocol.md).</summary>
        void StepCompleted(ScanStep step, IReadOnlyList<ScanResult> rows);
        void StepRemeasured(ScanStep step, string reason);
        void StepSkipped(SkippedStep skipped);
        /// <summary>Why an adaptive scan chose the step's thresholds, before it is measured.</summary>
        void StepDecided(ScanStep step, string decision);
        void LinkReopened(TimeSpan deadTime, int attempts, string reason);
        void Interrupted(int atStep, string reason);
        void Finished(ScanSummary summary);
    }
}
