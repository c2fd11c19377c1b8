using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Haniwers.Protocol;
using Haniwers.Scanning;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>Turns a scan's reports into PowerShell streams. The engine runs on the pipeline thread, so these calls are safe.</summary>
    internal sealed class ScanObserver : IScanObserver
    {
        private const int ActivityId = 0x4A11;
        private readonly ScanCmdlet _cmdlet;
        private readonly string _activity;
        private readonly TimeSpan _window;
        private string _status = "Opening the detector";

        public ScanObserver(ScanCmdlet cmdlet, string activity, TimeSpan window)
        {
            _cmdlet = cmdlet;
            _activity = activity;
            _window = window;
        }

        private static void Tell(Action write) => ConsumerStop.Tell(write);

        public void StepStarting(ScanStep step, int position, int total, TimeSpan elapsed) => Tell(() => Progress(step, position, total, elapsed));

        private void Progress(ScanStep step, int position, int total, TimeSpan elapsed)
        {
            // remaining: the pace so far, or the plan's window before the first step is done
            double perStep = position > 1 ? elapsed.TotalSeconds / (position - 1) : _window.TotalSeconds;
            var remaining = TimeSpan.FromSeconds(Math.Ceiling(perStep * Math.Max(total - position + 1, 0)));
            // short enough for an 80-column terminal, with the activity: every channel's threshold and the time left
            // (pwsh's compact view shows the status but not SecondsRemaining)
            _status = $"step {position}/{total}: {string.Join("/", step.Thresholds)}, {ScanPlan.Format(remaining)} left";
            // a new record each time: hosts may keep the records they were given
            _cmdlet.WriteProgress(new ProgressRecord(ActivityId, _activity, _status)
            {
                PercentComplete = Math.Min(100, (int)(100.0 * (position - 1) / Math.Max(total, 1))),
                SecondsRemaining = (int)remaining.TotalSeconds,
                CurrentOperation = $"{step.Describe()}; elapsed {ScanPlan.Format(elapsed)}",
            });
        }

        public void Attempt(ThresholdAttempt attempt) => Tell(() => _cmdlet.WriteVerbose(attempt.ToString()));

        public void StepCompleted(ScanStep step, IReadOnlyList<ScanResult> rows) => Tell(() =>
        {
            foreach (var row in rows) _cmdlet.WriteObject(row);
        });

        public void StepSkipped(SkippedStep skipped) => Tell(() => Skipped(skipped));

        private void Skipped(SkippedStep skipped)
        {
            string message = $"Skipped {skipped}. No row was written for this step; the scan goes on.";
            _cmdlet.WriteError(new ErrorRecord(new StepSkippedException(message), "StepSkipped", ErrorCategory.OperationStopped, skipped)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Rerun the skipped thresholds later, or check the detector's connection." },
            });
        }

        public void StepRemeasured(ScanStep step, string reason) => Tell(() => _cmdlet.WriteWarning($"Measuring {step} again: {reason}."));

        public void Notice(string message) => Tell(() => _cmdlet.WriteVerbose(message));

        public void Complete() => _cmdlet.WriteProgress(new ProgressRecord(ActivityId, _activity, _status)
        {
            RecordType = ProgressRecordType.Completed,
            PercentComplete = 100,
        });
    }

    public sealed class StepSkippedException : Exception
    {
        public StepSkippedException(string message) : base(message) { }
    }
}
