using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Haniwers.Protocol;
using Haniwers.Transport;

namespace Haniwers.Scanning
{
    /// <summary>
    /// Runs a plan against a link: per step, set the thresholds (one stream pause), settle, count one
    /// window, hand the rows to the recorder (on disk) and then to the observer. A step whose write
    /// fails or whose window breaks off is skipped whole; a lost link is reopened before the next
    /// step; too many failed steps in a row stop the scan. Cancellation abandons the current window.
    /// </summary>
    public sealed class ScanEngine
    {
        private readonly ScanPlan _plan;
        private readonly IDeviceLink _link;
        private readonly ThresholdWriter _writer;
        private readonly IScanRecorder _recorder;
        private readonly IScanObserver _observer;
        private readonly int _maxConsecutiveFailures;
        private readonly int?[] _deviceThresholds = new int?[3];

        public ScanEngine(ScanPlan plan, IDeviceLink link, ThresholdWriter writer, IScanRecorder recorder, IScanObserver observer,
            string runId, int maxConsecutiveFailures)
        {
            _plan = plan;
            _link = link;
            _writer = writer;
            _recorder = recorder;
            _observer = observer;
            _maxConsecutiveFailures = maxConsecutiveFailures;
            Summary = new ScanSummary { RunId = runId, Mode = plan.Mode, PortName = link.PortName, PlannedSteps = plan.Steps.Count };
        }

        /// <summary>Filled in as the scan goes; final once <see cref="Run"/> returns or throws.</summary>
        public ScanSummary Summary { get; }

        private IClock Clock => _link.Clock;

        public ScanSummary Run(CancellationToken cancellation)
        {
            var start = Clock.Elapsed;
            int consecutiveFailures = 0;
            int position = 0;
            Summary.Outcome = ScanOutcome.Completed;
            try
            {
                foreach (var step in _plan.Steps)
                {
                    position++;
                    _observer.StepStarting(step, position, _plan.Steps.Count, Clock.Elapsed - start);
                    var (rows, failure) = RunStep(step, cancellation);
                    if (failure is null)
                    {
                        consecutiveFailures = 0;
                        _recorder.StepCompleted(rows!); // on disk before anyone sees it
                        Summary.CompletedSteps++;
                        _observer.StepCompleted(step, rows!);
                        continue;
                    }
                    consecutiveFailures++;
                    var skipped = new SkippedStep(step, failure, Clock.Now);
                    Summary.SkippedSteps.Add(skipped);
                    _recorder.StepSkipped(skipped);
                    _observer.StepSkipped(skipped);
                    if (consecutiveFailures >= _maxConsecutiveFailures)
                    {
                        Summary.Outcome = ScanOutcome.Aborted;
                        throw new ScanAbortedException(Summary, consecutiveFailures, failure);
                    }
                }
                return Summary;
            }
            catch (Exception) when (cancellation.IsCancellationRequested)
            {
                Summary.Outcome = ScanOutcome.Interrupted;
                _recorder.Interrupted(position, "stopped by the user; the current window was abandoned");
                throw;
            }
            finally
            {
                Summary.Elapsed = Clock.Elapsed - start;
                _recorder.Finished(Summary);
            }
        }

        private (IReadOnlyList<ScanResult>? rows, string? failure) RunStep(ScanStep step, CancellationToken cancellation)
        {
            try
            {
                if (_link.IsLost)
                {
                    _observer.Notice($"Reopening {_link.PortName} (the link was lost).");
                    _link.Reopen(cancellation);
                    _observer.Notice($"Reopened {_link.PortName}.");
                }
                string? failure = SetThresholds(step, cancellation);
                if (failure is not null) return (null, failure);
                return (MeasureWindow(step, cancellation), null);
            }
            catch (LinkLostException ex)
            {
                Array.Clear(_deviceThresholds, 0, 3);
                return (null, ex.Message);
            }
            catch (DeviceLinkException ex)
            {
                Array.Clear(_deviceThresholds, 0, 3);
                return (null, $"the link could not be reopened: {ex.Message}");
            }
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

        private IReadOnlyList<ScanResult> MeasureWindow(ScanStep step, CancellationToken cancellation)
        {
            if (_plan.SettleTime > TimeSpan.Zero) Clock.Wait(_plan.SettleTime, cancellation);
            _link.DiscardInput(); // lines before the window belong to the old thresholds
            var opened = Clock.Elapsed;
            var timestamp = Clock.Now;
            var closes = opened + _plan.Duration;
            var hits = new long[3];
            long triggers = 0;
            double temperature = 0, pressure = 0, humidity = 0;
            while (_link.TryReadLine(closes, cancellation, out var line))
            {
                if (line.Arrived < opened) continue;
                if (line.Arrived >= closes) break;
                switch (EventLineParser.Classify(line.Text, out var e))
                {
                    case LineKind.Event:
                        triggers++;
                        if (e.Top > 0) hits[0]++;
                        if (e.Mid > 0) hits[1]++;
                        if (e.Btm > 0) hits[2]++;
                        temperature += e.Temperature;
                        pressure += e.Pressure;
                        humidity += e.Humidity;
                        break;
                    case LineKind.Blank:
                    case LineKind.Json:
                        break;
                    case LineKind.Debug:
                        _observer.Notice(line.Text);
                        break;
                    default:
                        Summary.MalformedLines++;
                        _observer.Notice($"Ignored a malformed line in step {step.Index}: {line.Text}");
                        break;
                }
            }
            // lines are stamped on arrival, so the window counted is [opened, closes) on the monotonic clock
            var closed = Clock.Elapsed;
            double seconds = ((closed < closes ? closed : closes) - opened).TotalSeconds;
            var rows = new List<ScanResult>(step.Measured.Count);
            foreach (int channel in step.Measured)
            {
                long events = hits[channel - 1];
                rows.Add(new ScanResult
                {
                    Timestamp = timestamp,
                    RunId = Summary.RunId,
                    Mode = _plan.Mode,
                    Step = step.Index,
                    Channel = channel,
                    Threshold = step.Threshold(channel),
                    DurationSeconds = Math.Round(seconds, 6),
                    Events = events,
                    Rate = events / seconds,
                    RateError = Math.Sqrt(events) / seconds,
                    Triggers = triggers,
                    Temperature = triggers > 0 ? Math.Round(temperature / triggers, 3) : (double?)null,
                    Pressure = triggers > 0 ? Math.Round(pressure / triggers, 3) : (double?)null,
                    Humidity = triggers > 0 ? Math.Round(humidity / triggers, 3) : (double?)null,
                });
            }
            return rows;
        }
    }
}
