using System.Linq;
using System;
using System.Collections.Generic;
using System.Threading;
using Haniwers.Configuration;
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
        private readonly int?[] _deviceThresholds = new int?[ConfigValidator.ChannelCount];
        /// <summary>The boot lines the link had seen when the thresholds above were last confirmed: one more is a reset since.</summary>
        private long _bootLinesAtSet;
        private readonly LinkReconnector _reconnector;
        private readonly DeviceWaits _waits;
        // events per second of the last window kept (the yardstick of "A silence among few events", docs/window-checks.md)
        private double? _lastRate;
        private int _position;
        private readonly RestorePlan? _restore;
        private readonly SortedSet<int> _written = new SortedSet<int>();
        /// <summary>How long the write-back may take after a scan ended by itself, and after Ctrl+C (which must stop a scan within a second).</summary>
        private static readonly TimeSpan RestoreLimit = TimeSpan.FromSeconds(10), StoppedRestoreLimit = TimeSpan.FromSeconds(0.8);

        /// <param name="restore">The thresholds to write back when the scan ends; null: none (-NoRestore).</param>
        public ScanEngine(ScanPlan plan, IDeviceLink link, ThresholdWriter writer, IScanRecorder recorder, IScanObserver observer,
            string runId, ScanLimits limits, RestorePlan? restore = null)
        {
            _restore = restore;
            _plan = plan;
            _link = link;
            _writer = writer;
            _recorder = recorder;
            _observer = observer;
            _limits = limits;
            _reconnector = new LinkReconnector(link, limits.ReconnectTimeout);
            _waits = new DeviceWaits(link, _reconnector, observer);
            if (plan.Planner is { } planner)
            {
                planner.EdgeFoundOutside += channel => _observer.Warning(channel.EdgeOutside + ". The channel is not measured further.");
                planner.PriorDiscarded += channel => _observer.Warning($"ch{channel.Channel}: the prior ({channel.Prior!.Describe()}) is discarded: {channel.Prior.Discarded}. The scan goes on without it.");
            }
            Summary = new ScanSummary { RunId = runId, Mode = plan.Mode, PortName = link.PortName, PlannedSteps = plan.PlannedSteps };
        }

        /// <summary>Filled in as the scan goes; final once <see cref="Run"/> returns or throws.</summary>
        public ScanSummary Summary { get; }

        /// <summary>The thresholds the device was last confirmed to have, by channel (after the write-back, when the scan has ended).</summary>
        public IReadOnlyList<KeyValuePair<int, int>> DeviceThresholds =>
            _deviceThresholds.Select((t, i) => (t, channel: i + 1)).Where(x => x.t.HasValue).Select(x => new KeyValuePair<int, int>(x.channel, x.t!.Value)).ToList();

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
                    Summary.Outcome = RunOutcome.Aborted;
                    Summary.FailureReason = "no step could be measured: " + Summary.SkippedSteps[Summary.SkippedSteps.Count - 1].Reason;
                    throw new ScanAbortedException(Summary, Summary.SkippedSteps.Count, Summary.SkippedSteps[Summary.SkippedSteps.Count - 1].Reason);
                }
                Summary.Outcome = RunOutcome.Completed;
                Summary.PlannedSteps = Math.Min(Summary.PlannedSteps, _position); // an adaptive scan that reached its target stops early
                // an adaptive scan that ran out of steps, time or range without every channel's threshold has no result to say Completed about
                if (_plan.Planner?.Shortfall is { } shortfall)
                {
                    Summary.Outcome = RunOutcome.Incomplete;
                    Summary.FailureReason = shortfall;
                }
            }
            catch (Exception) when (cancellation.IsCancellationRequested)
            {
                Summary.Outcome = RunOutcome.Interrupted;
                Summary.FailureReason = "stopped by the user or a signal; the current window was abandoned";
                try { _recorder.Interrupted(_position, Summary.FailureReason); } catch (OutputException) { }
                Finish(start, cancellation);
                throw;
            }
            catch (ScanAbortedException)
            {
                Finish(start, cancellation);
                throw;
            }
            catch (RunStoppedByConsumerException ex)
            {
                // the caller stopped taking results (Select-Object -First, -ErrorAction Stop): an interruption, told as such
                Summary.Outcome = RunOutcome.Interrupted;
                Summary.FailureReason = "the command that took the results stopped the scan (" + ex.InnerException!.Message.TrimEnd('.') + ")";
                try { _recorder.Interrupted(_position, Summary.FailureReason); } catch (OutputException) { }
                Finish(start, cancellation);
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw; // not reached
            }
            catch (Exception ex)
            {
                Summary.Outcome = RunOutcome.Failed;
                Summary.FailureReason = ex.Message;
                Finish(start, cancellation);
                throw;
            }
            Finish(start, cancellation);
            return Summary;
        }

        /// <summary>The end record. A scan that cannot write it has not completed: it failed.</summary>
        private void Finish(TimeSpan start, CancellationToken cancellation)
        {
            RestoreThresholds(cancellation);
            Summary.Elapsed = Clock.Elapsed - start;
            var ending = Summary.Outcome;
            try
            {
                _recorder.Finished(Summary);
            }
            catch (OutputException ex) when (ending is RunOutcome.Completed or RunOutcome.Incomplete)
            {
                // the recorder may have told the end record so already (a file that failed at its close)
                Summary.Outcome = RunOutcome.Failed;
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
                    Summary.Outcome = RunOutcome.Aborted;
                    Summary.FailureReason = failure;
                    throw new ScanAbortedException(Summary, consecutiveFailures, failure);
                }
            }
        }

        /// <summary>The step's rows, or why it is skipped. A window that fails its checks is measured once more.</summary>
        private (IReadOnlyList<ScanResult>? rows, string? failure) MeasureStep(ScanStep step, CancellationToken cancellation)
        {
            WindowRejection? firstRejection = null;
            while (true)
            {
                var (rows, failure, rejection) = TryStep(step, firstRejection, cancellation);
                if (rows is not null || failure is not null) return (rows, failure);
                if (firstRejection is not null)
                    return (null, $"the window was measured twice and rejected both times: {firstRejection.Reason}; then {rejection!.Reason}");
                firstRejection = rejection!;
                Summary.RemeasuredSteps++;
                _recorder.StepRemeasured(step, rejection!.Reason);
                _observer.StepRemeasured(step, rejection.Reason);
                if (rejection.DeviceWentQuiet && _waits.AwaitDevice(cancellation) is { } silent) return (null, silent);
                if (rejection.Problem == WindowProblem.Malformed && _waits.AwaitCleanLine(cancellation) is { } flooded) return (null, flooded);
            }
        }

        private (IReadOnlyList<ScanResult>? rows, string? failure, WindowRejection? rejection) TryStep(ScanStep step, WindowRejection? earlier, CancellationToken cancellation)
        {
            if (_reconnector.Reconnect(cancellation, Reopened, _observer.Notice) is { } reconnectFailure) return (null, reconnectFailure, null);
            var before = _link.Counters.Snapshot();
            try
            {
                string? failure = SetThresholds(step, cancellation);
                if (failure is not null)
                {
                    // a board that reset while it was being written answers nothing: measure again rather than skip
                    if (_link.Counters.BootLines > before.BootLines)
                        return (null, null, new WindowRejection(WindowProblem.Reset, _waits.AfterReset(Forget("the device reset while its thresholds were written"), cancellation)));
                    return (null, failure, null);
                }
                var (window, opened) = OpenWindow(step, cancellation);
                var rejection = window.Rejection(before, opened, _link.Counters.Snapshot(), _limits.MaxMalformedFraction,
                    step.Measured, Expected(step, window, earlier), _link.Counters.LongestBacklog, earlier is null && _plan.NeighbouringSteps ? _lastRate : null);
                // a window without an event asks the device itself; its answer, when late or missing, is the better evidence
                if (window.Tally.Events == 0 && (rejection is null || rejection.Problem == WindowProblem.Silence))
                    rejection = ProveAlive(step, cancellation) ?? rejection;
                // a window with events proves its thresholds too: a reset in its last moments prints its boot text after the close
                else if (rejection is null)
                    rejection = ProveThresholdsHeld(step, cancellation);
                if (rejection is null && _link.Counters.BootLines > before.BootLines)
                    rejection = new WindowRejection(WindowProblem.Reset, "the device reset as the window closed (its boot text came before it answered the write that follows every window)");
                if (rejection is not null)
                {
                    if (_link.Counters.BootLines > before.BootLines) _waits.AfterReset(Forget(rejection.Reason), cancellation);
                    return (null, null, rejection);
                }
                _lastRate = window.Seconds > 0 ? window.Tally.Events / window.Seconds : (double?)null;
                return (window.Rows(step, Summary.RunId, _plan.Mode), null, null);
            }
            catch (LinkLostException ex)
            {
                _reconnector.Lost(ex.Message);
                return (null, null, new WindowRejection(WindowProblem.LinkLost, Forget(ex.Message.TrimEnd('.'))));
            }
        }

        /// <summary>
        /// The fewest events the window may count before it convicts the device of a stall
        /// (docs/window-checks.md, "Too few events"): half of what the same thresholds gave while the
        /// device sent, a moment before; or half of what the plan's model predicts.
        /// </summary>
        private ExpectedCount? Expected(ScanStep step, MeasurementWindow window, WindowRejection? earlier)
        {
            if (earlier?.RateWhileSending is double rate && rate > 0)
                return new ExpectedCount(0.5 * rate * window.Seconds, $"half the rate the same thresholds gave a moment before ({rate:0.#} events/s while the device sent)");
            return _plan.ExpectedEvents?.Invoke(step, window.Seconds);
        }

        /// <summary>
        /// A window without a single event line: plausible at high thresholds, or a device that stopped.
        /// One write of a threshold it already holds must be answered before the window may count.
        /// </summary>
        private WindowRejection? ProveAlive(ScanStep step, CancellationToken cancellation)
        {
            var result = WriteHeld(step, cancellation);
            int channel = result.Channel;
            if (result.Success && result.AnswerDelay <= MeasurementWindow.ShortestSilence) return null;
            if (!result.Success) _deviceThresholds[channel - 1] = null;
            return new WindowRejection(WindowProblem.NoAnswer, result.Success
                ? $"the device sent no event line in the whole window and took {result.AnswerDelay!.Value.TotalSeconds:0.###} s to answer a write of the threshold it holds (channel {channel}): it had stalled"
                : $"the device sent no event line in the whole window and did not confirm a write of the threshold it holds (channel {channel}: {result.Reason}): it stalled, stopped or is refusing writes");
        }

        /// <summary>
        /// After a window that passed its checks: one write of a threshold the device already holds, answered with no boot
        /// text before the answer, proves that no reset came before the close (docs/window-checks.md, "A reset as the window
        /// closes"): a board prints its boot text before it answers anything. A write it does not answer at all proves nothing.
        /// </summary>
        private WindowRejection? ProveThresholdsHeld(ScanStep step, CancellationToken cancellation)
        {
            var result = WriteHeld(step, cancellation);
            if (result.Success) return null;
            _deviceThresholds[result.Channel - 1] = null; // refused or echoed wrong: written again at the next step
            // any answer proves it (a refusal too): a board that reset would have printed its boot text first
            if (result.LastAnswer is not null) return null;
            return new WindowRejection(WindowProblem.NoAnswer,
                $"the device did not confirm the write of the threshold it holds that follows every window (channel {result.Channel}: {result.Reason}): the thresholds at the window's close are unproven");
        }

        /// <summary>Writes the step's first measured channel's threshold again, as the device should already hold it.</summary>
        private ThresholdWriteResult WriteHeld(ScanStep step, CancellationToken cancellation)
        {
            int channel = step.Measured[0];
            var probe = new[] { new KeyValuePair<int, int>(channel, step.Threshold(channel)) };
            return _writer.Write(_link, probe, attempt =>
            {
                _recorder.Attempt(attempt);
                _observer.Attempt(attempt);
            }, cancellation)[0];
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
            // a reset since the thresholds were confirmed (between a rejected window and its measuring again, say) left the
            // board at its power-on values, whatever this engine wrote before: every threshold is written again
            if (_link.Counters.BootLines != _bootLinesAtSet) Forget("the device reset since its thresholds were set");
            var pairs = new List<KeyValuePair<int, int>>();
            for (int channel = 1; channel <= step.Thresholds.Count; channel++)
            {
                if (_deviceThresholds[channel - 1] != step.Threshold(channel))
                    pairs.Add(new KeyValuePair<int, int>(channel, step.Threshold(channel)));
            }
            if (pairs.Count == 0) return null;
            long bootLines = _link.Counters.BootLines;
            foreach (var pair in pairs) _written.Add(pair.Key);
            var results = _writer.Write(_link, pairs, attempt =>
            {
                _recorder.Attempt(attempt);
                _observer.Attempt(attempt);
            }, cancellation);
            // confirmed only if no reset came during the writes (one that did is caught by the caller, as before)
            if (_link.Counters.BootLines == bootLines) _bootLinesAtSet = bootLines;
            var failed = new List<string>();
            foreach (var result in results)
            {
                _deviceThresholds[result.Channel - 1] = result.Success ? result.Threshold : (int?)null;
                if (!result.Success)
                    failed.Add($"channel {result.Channel} not set to {result.Threshold} after {result.Attempts} attempt(s): {result.Reason}");
            }
            return failed.Count == 0 ? null : string.Join("; ", failed);
        }

        /// <summary>
        /// Settles, then counts the lines the device sent inside [opened, opened + duration), with the
        /// window's edges following the evidence of when each line was sent (docs/window-checks.md);
        /// also gives the link's counters at the opening.
        /// </summary>
        private (MeasurementWindow window, LinkSnapshot atOpening) OpenWindow(ScanStep step, CancellationToken cancellation)
        {
            if (_plan.SettleTime > TimeSpan.Zero) Clock.Wait(_plan.SettleTime, cancellation);
            _link.DiscardInput(); // lines before the window belong to the old thresholds
            var atOpening = _link.Counters.Snapshot();
            var opened = Clock.Elapsed;
            var window = new MeasurementWindow(opened, opened + (step.Duration ?? _plan.Duration), Clock.Now);
            while (_link.TryReadLine(window.Closes, cancellation, out var line))
            {
                var place = window.Place(line);
                if (place == WindowPlace.Before) continue;
                if (place == WindowPlace.After) break;
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
            if (window.Reopenings > 0 || window.Ends > window.Closes)
                _observer.Notice($"Step {step.Index}: this computer was late reading the port (a backlog of up to {_link.Counters.LongestBacklog.TotalSeconds:0.###} s); the window counted {window.Seconds:0.###} s from when the lines were read.");
            return (window, atOpening);
        }

        /// <summary>
        /// Writes back the thresholds the scan found (docs/crash-protocol.md, "Restoring the thresholds"), whatever
        /// ended the scan, while the link is up: within <see cref="RestoreLimit"/>, or <see cref="StoppedRestoreLimit"/>
        /// after Ctrl+C. Every attempt goes to threshold_operations.csv as any write does; the journal's end record
        /// says what was restored and what was left at the scan's last step.
        /// </summary>
        private void RestoreThresholds(CancellationToken stopped)
        {
            if (_restore?.NotNeeded is not null) return; // the device goes with the command: nothing to leave as found
            var result = new RestoreResult();
            Summary.Restore = result;
            var wanted = (_restore?.Thresholds ?? Array.Empty<KeyValuePair<int, int>>()).Where(t => _written.Contains(t.Key)).ToList();
            var pending = wanted.Where(t => _deviceThresholds[t.Key - 1] != t.Value).ToList();
            if (_restore is null) result.Failure = "not asked for (-NoRestore)";
            else if (_written.Count == 0) { } // nothing was written: the device is as it was
            else if (pending.Count > 0 && _link.IsLost) result.Failure = "the link to the device was down";
            else if (pending.Count > 0)
            {
                using var limit = new CancellationTokenSource(stopped.IsCancellationRequested ? StoppedRestoreLimit : RestoreLimit);
                try
                {
                    if (_link.Counters.BootLines != _bootLinesAtSet) Forget("the device reset since its thresholds were set");
                    foreach (var written in _writer.Write(_link, pending, _recorder.Attempt, limit.Token))
                    {
                        _deviceThresholds[written.Channel - 1] = written.Success ? written.Threshold : (int?)null;
                        if (!written.Success) result.Failure = $"channel {written.Channel} not set back to {written.Threshold}: {written.Reason}";
                    }
                }
                catch (OperationCanceledException)
                {
                    result.Failure = $"the device did not confirm the writes within {(stopped.IsCancellationRequested ? StoppedRestoreLimit : RestoreLimit).TotalSeconds:0.#} s";
                }
                catch (LinkLostException ex)
                {
                    result.Failure = "the link was lost: " + ex.Message.TrimEnd('.');
                }
            }
            foreach (int channel in _written)
            {
                var want = wanted.FirstOrDefault(t => t.Key == channel);
                int? now = _deviceThresholds[channel - 1];
                if (want.Key == channel && now == want.Value) result.Restored.Add(want);
                else if (now is int left) result.LeftAt.Add(new KeyValuePair<int, int>(channel, left));
                else result.LeftUnknown.Add(channel);
            }
            if (_restore is not null && _restore.Unknown.Any(_written.Contains) && result.Failure is null)
                result.Failure = $"the thresholds of {string.Join(", ", _restore.Unknown.Where(_written.Contains).Select(c => "ch" + c))} before the scan are unknown (no threshold in the config, none written to this device by this module)";
        }

        private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 77) + "...";
    }
}
