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
        private readonly TimeLeft _timeLeft;
        private readonly bool _mayStopEarly;
        private string _status = "Opening the detector";

        /// <param name="perStep">The plan's time per step, for the estimate before the first steps are timed.</param>
        /// <param name="mayStopEarly">The plan's step count is a limit (adaptive scan): the time left is at most what is shown.</param>
        public ScanObserver(ScanCmdlet cmdlet, string activity, TimeSpan perStep, bool mayStopEarly)
        {
            _cmdlet = cmdlet;
            _activity = activity;
            _timeLeft = new TimeLeft(perStep);
            _mayStopEarly = mayStopEarly;
        }

        private static void Tell(Action write) => ConsumerStop.Tell(write);

        public void StepStarting(ScanStep step, int position, int total, TimeSpan elapsed) => Tell(() => Progress(step, position, total, elapsed));

        private void Progress(ScanStep step, int position, int total, TimeSpan elapsed)
        {
            _timeLeft.StepStarted(elapsed);
            var remaining = _timeLeft.For(total - position + 1);
            // short enough for an 80-column terminal, with the activity: every channel's threshold. The time left is
            // said once: pwsh draws SecondsRemaining at the end of the bar ("15s"; PowerShell's ProgressNode.RenderAnsi),
            // so the status repeats it only where it is a bound (an adaptive scan may stop before its last step)
            _status = $"step {position}/{total}: {string.Join("/", step.Thresholds)}" + (_mayStopEarly ? $", at most {ScanPlan.Format(remaining)} left" : "");
            // a new record each time: hosts may keep the records they were given
            _cmdlet.WriteProgress(new ProgressRecord(ActivityId, _activity, _status)
            {
                PercentComplete = Math.Min(100, (int)(100.0 * (position - 1) / Math.Max(total, 1))),
                SecondsRemaining = _mayStopEarly ? -1 : (int)Math.Min(int.MaxValue, remaining.TotalSeconds),
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

        public void Warning(string message) => Tell(() => _cmdlet.WriteWarning(message));

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
