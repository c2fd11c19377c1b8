using System;
using System.Collections.Generic;
using System.Threading;
using Haniwers.Output;
using Haniwers.Protocol;
using Haniwers.Transport;

namespace Haniwers.Scanning
{
    /// <summary>
    /// Runs a plan against a link: per step, set the thresholds (one stream pause), settle, count one
    /// window, check it, hand the rows to the recorder (on disk) and then to the observer. A window
    /// that fails its checks is measured once more (docs/window-checks.md); a step whose write fails,
    /// or whose window fails twice, is skipped whole; a lost link is reopened with backoff for the
    /// reconnect timeout; too many failed steps in a row stop the scan. Cancellation abandons the
    /// current window. The outcome is Completed only when every step was dealt with.
    /// </summary>
    public sealed class ScanEngine
    {
        private readonly ScanPlan _plan;
        private readonly IDeviceLink _link;
        private readonly ThresholdWriter _writer;
        private readonly IScanRecorder _recorder;
        private readonly IScanObserver _observer;
        private readonly ScanLimits _limits;
        private readonly int?[] _deviceThresholds = new int?[3];
        private readonly LinkReconnector _reconnector;
        private int _position;

        public ScanEngine(ScanPlan plan, IDeviceLink link, ThresholdWriter writer, IScanRecorder recorder, IScanObserver observer,
            string runId, ScanLimits limits)
        {
            _plan = plan;
            _link = link;
            _writer = writer;
            _recorder = recorder;
            _observer = observer;
            _limits = limits;
            _reconnector = new LinkReconnector(link, limits.ReconnectTimeout);
            Summary = new ScanSummary { RunId = runId, Mode = plan.Mode, PortName = link.PortName, PlannedSteps = plan.PlannedSteps };
        }

        /// <summary>Filled in as the scan goes; final once <see cref="Run"/> returns or throws.</summary>
        public ScanSummary Summary { get; }

        private IClock Clock => _link.Clock;

        public ScanSummary Run(CancellationToken cancellation)
        {
            var start = Clock.Elapsed;
            try
            {
                RunSteps(cancellation);
                if (Summary.CompletedSteps == 0 && Summary.SkippedSteps.Count > 0)
                {
                    // every step failed before the consecutive-failure limit was reached: nothing was measured
                    Summary.Outcome = ScanOutcome.Aborted;
                    Summary.FailureReason = "no step could be measured: " + Summary.SkippedSteps[Summary.SkippedSteps.Count - 1].Reason;
                    throw new ScanAbortedException(Summary, Summary.SkippedSteps.Count, Summary.SkippedSteps[Summary.SkippedSteps.Count - 1].Reason);
                }
                Summary.Outcome = ScanOutcome.Completed;
                Summary.PlannedSteps = Math.Min(Summary.PlannedSteps, _position); // an adaptive scan that reached its target stops early
            }
            catch (Exception) when (cancellation.IsCancellationRequested)
            {
                Summary.Outcome = ScanOutcome.Interrupted;
                Summary.FailureReason = "stopped by the user or a signal; the current window was abandoned";
                try { _recorder.Interrupted(_position, Summary.FailureReason); } catch (OutputException) { }
                Finish(start);
                throw;
            }
            catch (ScanAbortedException)
            {
                Finish(start);
                throw;
            }
            catch (RunStoppedByConsumerException ex)
            {
                // the caller stopped taking results (Select-Object -First, -ErrorAction Stop): an interruption, told as such
                Summary.Outcome = ScanOutcome.Interrupted;
                Summary.FailureReason = "the command that took the results stopped the scan (" + ex.InnerException!.Message.TrimEnd('.') + ")";
                try { _recorder.Interrupted(_position, Summary.FailureReason); } catch (OutputException) { }
                Finish(start);
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw; // not reached
            }
            catch (Exception ex)
            {
                Summary.Outcome = ScanOutcome.Failed;
                Summary.FailureReason = ex.Message;
                Finish(start);
                throw;
            }
            Finish(start);
            return Summary;
        }

        /// <summary>The end record. A scan that cannot write it has not completed: it failed.</summary>
        private void Finish(TimeSpan start)
        {
            Summary.Elapsed = Clock.Elapsed - start;
            try
            {
                _recorder.Finished(Summary);
            }
            catch (OutputException ex) when (Summary.Outcome == ScanOutcome.Completed)
            {
                Summary.Outcome = ScanOutcome.Failed;
                Summary.FailureReason = ex.Message;
                throw;
            }
            catch (OutputException)
            {
                // already ending for a reason of its own: that reason is what the caller is told
            }
        }

        private void RunSteps(CancellationToken cancellation)
        {
            var start = Clock.Elapsed;
            int consecutiveFailures = 0;
            foreach (var step in _plan.StepSource)
            {
                _position++;
                _observer.StepStarting(step, _position, _plan.PlannedSteps, Clock.Elapsed - start);
                if (_plan.Decision?.Invoke() is { Length: > 0 } decision) _recorder.StepDecided(step, decision);
                var (rows, failure) = MeasureStep(step, cancellation);
                if (failure is null)
                {
                    consecutiveFailures = 0;
                    _recorder.StepCompleted(step, rows!); // on disk before anyone sees it
                    Summary.CompletedSteps++;
                    _plan.RowsMeasured?.Invoke(rows!);
                    _observer.StepCompleted(step, rows!);
                    continue;
                }
                consecutiveFailures++;
                var skipped = new SkippedStep(step, failure, Clock.Now);
                Summary.SkippedSteps.Add(skipped);
                _recorder.StepSkipped(skipped);
                _observer.StepSkipped(skipped);
                if (consecutiveFailures >= _limits.MaxConsecutiveFailures)
                {
                    Summary.Outcome = ScanOutcome.Aborted;
                    Summary.FailureReason = failure;
                    throw new ScanAbortedException(Summary, consecutiveFailures, failure);
                }
            }
        }

        /// <summary>The step's rows, or why it is skipped. A window that fails its checks is measured once more.</summary>
        private (IReadOnlyList<ScanResult>? rows, string? failure) MeasureStep(ScanStep step, CancellationToken cancellation)
        {
            string? firstRejection = null;
            while (true)
            {
                var (rows, failure, rejection) = TryStep(step, cancellation);
                if (rows is not null || failure is not null) return (rows, failure);
                if (firstRejection is not null)
                    return (null, $"the window was measured twice and rejected both times: {firstRejection}; then {rejection}");
                firstRejection = rejection;
                Summary.RemeasuredSteps++;
                _recorder.StepRemeasured(step, rejection!);
                _observer.StepRemeasured(step, rejection!);
            }
        }

        private (IReadOnlyList<ScanResult>? rows, string? failure, string? rejection) TryStep(ScanStep step, CancellationToken cancellation)
        {
            if (_reconnector.Reconnect(cancellation, Reopened, _observer.Notice) is { } reconnectFailure) return (null, reconnectFailure, null);
            var before = _link.Counters.Snapshot();
            try
            {
                string? failure = SetThresholds(step, cancellation);
                if (failure is not null)
                {
                    // a board that reset while it was being written answers nothing: measure again rather than skip
                    if (_link.Counters.BootLines > before.BootLines) return (null, null, AfterReset(Forget("the device reset while its thresholds were written"), cancellation));
                    return (null, failure, null);
                }
                var (window, opened) = OpenWindow(step, cancellation);
                var rejection = window.Rejection(before, opened, _link.Counters.Snapshot(), _limits.MaxMalformedFraction);
                if (rejection is not null)
                {
                    if (_link.Counters.BootLines > before.BootLines) AfterReset(Forget(rejection), cancellation);
                    return (null, null, rejection);
                }
                return (window.Rows(step, Summary.RunId, _plan.Mode), null, null);
            }
            catch (LinkLostException ex)
            {
                _reconnector.Lost(ex.Message);
                return (null, null, Forget(ex.Message.TrimEnd('.')));
            }
        }

        private static readonly TimeSpan BootQuiet = TimeSpan.FromMilliseconds(500), BootLimit = TimeSpan.FromSeconds(5);

        /// <summary>
        /// After a reset: reads until the board has printed no boot text for half a second (five at most),
        /// so the rest of its banner does not spoil the window measured again.
        /// </summary>
        private string AfterReset(string reason, CancellationToken cancellation)
        {
            var giveUp = Clock.Elapsed + BootLimit;
            var quietUntil = Clock.Elapsed + BootQuiet;
            try
            {
                while (Clock.Elapsed < giveUp)
                {
                    long before = _link.Counters.BootLines;
                    if (!_link.TryReadLine(quietUntil < giveUp ? quietUntil : giveUp, cancellation, out _)) break;
                    if (_link.Counters.BootLines > before) quietUntil = Clock.Elapsed + BootQuiet;
                    else if (Clock.Elapsed >= quietUntil) break;
                }
            }
            catch (LinkLostException ex)
            {
                _reconnector.Lost(ex.Message); // the next try reopens it
            }
            return reason;
        }

        /// <summary>Every threshold on the device is unknown (a reset, a lost link): all are written again.</summary>
        private string Forget(string reason)
        {
            Array.Clear(_deviceThresholds, 0, _deviceThresholds.Length);
            return reason;
        }

        private void Reopened(TimeSpan dead, int attempts, string reason)
        {
            Summary.Reconnects++;
            _recorder.LinkReopened(dead, attempts, reason);
        }

        /// <summary>Writes the channels whose value on the device differs from the step's; null when all are set.</summary>
        private string? SetThresholds(ScanStep step, CancellationToken cancellation)
        {
            var pairs = new List<KeyValuePair<int, int>>();
            for (int channel = 1; channel <= step.Thresholds.Count; channel++)
            {
                if (_deviceThresholds[channel - 1] != step.Threshold(channel))
                    pairs.Add(new KeyValuePair<int, int>(channel, step.Threshold(channel)));
            }
            if (pairs.Count == 0) return null;
            var results = _writer.Write(_link, pairs, attempt =>
            {
                _recorder.Attempt(attempt);
                _observer.Attempt(attempt);
            }, cancellation);
            var failed = new List<string>();
            foreach (var result in results)
            {
                _deviceThresholds[result.Channel - 1] = result.Success ? result.Threshold : (int?)null;
                if (!result.Success)
                    failed.Add($"channel {result.Channel} not set to {result.Threshold} after {result.Attempts} attempt(s): {result.Reason}");
            }
            return failed.Count == 0 ? null : string.Join("; ", failed);
        }

        /// <summary>Settles, then counts the lines stamped inside [opened, opened + duration); also gives the link's counters at the opening.</summary>
        private (MeasurementWindow window, LinkSnapshot atOpening) OpenWindow(ScanStep step, CancellationToken cancellation)
        {
            if (_plan.SettleTime > TimeSpan.Zero) Clock.Wait(_plan.SettleTime, cancellation);
            _link.DiscardInput(); // lines before the window belong to the old thresholds
            var atOpening = _link.Counters.Snapshot();
            var opened = Clock.Elapsed;
            var window = new MeasurementWindow(opened, opened + (step.Duration ?? _plan.Duration), Clock.Now);
            while (_link.TryReadLine(window.Closes, cancellation, out var line))
            {
                if (line.Arrived < opened) continue;
                if (line.Arrived >= window.Closes) break;
                switch (window.Add(line))
                {
                    case LineKind.Debug:
                    case LineKind.Boot:
                        _observer.Notice(line.Text);
                        break;
                    case LineKind.Malformed:
                    case LineKind.Token:
                        Summary.MalformedLines++;
                        _observer.Notice($"Ignored a malformed line in step {step.Index}: {Shorten(line.Text)}");
                        break;
                }
            }
            window.Closed = Clock.Elapsed;
            return (window, atOpening);
        }

        private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 77) + "...";
    }
}
