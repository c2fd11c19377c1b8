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
        /// <summary>Detail worth a verbose line: reopening the link, ignored lines.</summary>
        void Notice(string message);
        /// <summary>Something the user should see: a repaired file.</summary>
        void Warning(string message);
    }

    /// <summary>Where a scan's records go (the run's files). Every call returns only once the data is on disk.</summary>
    public interface IScanRecorder
    {
        void Attempt(ThresholdAttempt attempt);
        void StepCompleted(IReadOnlyList<ScanResult> rows);
        void StepSkipped(SkippedStep skipped);
        void Interrupted(int atStep, string reason);
        void Finished(ScanSummary summary);
    }
}
