using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Haniwers.Output;
using Haniwers.Protocol;
using Haniwers.Scanning;
using Haniwers.Transport;

namespace Haniwers.DataTaking
{
    /// <summary>What a DAQ run reports while it runs; called on the thread that runs the engine.</summary>
    public interface IDaqObserver
    {
        /// <summary>Whether <see cref="EventWritten"/> should be called (-PassThru).</summary>
        bool WantsEvents { get; }
        /// <summary>An event, after its row was handed to the file.</summary>
        void EventWritten(DateTimeOffset received, in EventFields fields);
        /// <summary>About once a second: the run so far.</summary>
        void Progress(DaqSummary soFar, TimeSpan elapsed, string? currentFile);
        void Attempt(ThresholdAttempt attempt);
        /// <summary>Something worth knowing at verbose level (DEBUG lines, a malformed line, a reconnect attempt).</summary>
        void Notice(string message);
        /// <summary>Something the user should see: a lost link, a reset board.</summary>
        void Warning(string message);
    }

    /// <summary>The run ended before it could finish: its thresholds could not be set, or the link did not come back.</summary>
    public sealed class DaqFailedException : Exception
    {
        public DaqFailedException(string problem, string message) : base(message) { Problem = problem; }
        /// <summary>ThresholdNotSet or LinkLost.</summary>
        public string Problem { get; }
    }

    /// <summary>
    /// Takes data (docs/daq.md): sets and confirms the thresholds, drops what the device sent before the
    /// run, then writes every event line into the run's rotating files, in order, until the run has its
    /// files or is stopped. A lost link is reopened as in the scans, with the dead time journalled; a
    /// board that resets gets its thresholds written again. Every line after the start is an event in
    /// exactly one file, or counted as malformed.
    /// </summary>
    public sealed class DaqEngine
    {
        private static readonly TimeSpan ReadSlice = TimeSpan.FromMilliseconds(250), ProgressEvery = TimeSpan.FromSeconds(1);
        private readonly IDeviceLink _link;
        private readonly FirmwareProtocol _protocol;
        private readonly ThresholdWriter _writer;
        private readonly DaqRun _run;
        private readonly IDaqObserver _observer;
        private readonly IReadOnlyList<KeyValuePair<int, int>> _thresholds;
        private readonly LinkReconnector _reconnector;
        private TimeSpan _dead, _started, _keepFrom;
        private bool _streaming;
        private long _droppedAtStart;
        // wall time of arrivals: anchored once, so rows never go back in time; re-anchored when the host's clock is set
        private DateTimeOffset _anchorWall;
        private TimeSpan _anchorElapsed;

        public DaqEngine(IDeviceLink link, FirmwareProtocol protocol, ThresholdWriter writer, DaqRun run, IDaqObserver observer,
            IReadOnlyList<KeyValuePair<int, int>> thresholds, TimeSpan reconnectTimeout)
        {
            _link = link;
            _protocol = protocol;
            _writer = writer;
            _run = run;
            _observer = observer;
            _thresholds = thresholds;
            _reconnector = new LinkReconnector(link, reconnectTimeout);
            Summary = new DaqSummary { RunId = run.RunId, PortName = link.PortName, Folder = run.Folder };
        }

        /// <summary>Filled in as the run goes; final once <see cref="Run"/> returns or throws.</summary>
        public DaqSummary Summary { get; }

        private IClock Clock => _link.Clock;

        public DaqSummary Run(CancellationToken cancellation)
        {
            Summary.Started = Clock.Now;
            _started = Clock.Elapsed;
            try
            {
                SetThresholds(cancellation);
                _protocol.Quiesce(_link, cancellation); // what the device sent before now is not this run's
                _started = _keepFrom = _anchorElapsed = Clock.Elapsed;
                _anchorWall = Clock.Now;
                _droppedAtStart = _link.Counters.DroppedLines;
                _run.Start();
                _protocol.StartStream(_link);
                _streaming = true;
                Take(cancellation);
                Summary.Outcome = RunOutcome.Completed;
            }
            catch (RecordingEndedException ex)
            {
                Summary.Outcome = RunOutcome.Interrupted;
                Summary.FailureReason = ex.Message;
                _observer.Warning(ex.Message);
                Finish();
                return Summary;
            }
            catch (Exception) when (cancellation.IsCancellationRequested)
            {
                DrainReceived();
                Summary.Outcome = RunOutcome.Interrupted;
                Summary.FailureReason = "stopped by the user or a signal; every event received is in its file";
                Finish();
                throw;
            }
            catch (RunStoppedByConsumerException ex)
            {
                DrainReceived();
                // the caller stopped taking events (Select-Object -First, -ErrorAction Stop): an interruption, told as such
                Summary.Outcome = RunOutcome.Interrupted;
                Summary.FailureReason = "the command that took the events stopped the run (" + ex.InnerException!.Message.TrimEnd('.') + ")";
                Finish();
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw; // not reached
            }
            catch (Exception ex)
            {
                Summary.Outcome = RunOutcome.Failed;
                Summary.FailureReason = ex.Message;
                try { Finish(); } catch (OutputException) { } // the first failure is the one to tell
                throw;
            }
            Finish();
            return Summary;
        }

        private void Take(CancellationToken cancellation)
        {
            var nextProgress = Clock.Elapsed;
            while (!_run.Done)
            {
                try
                {
                    if (_reconnector.Pending) Reconnect(cancellation);
                    var until = Clock.Elapsed + ReadSlice;
                    if (_run.RotatesAt is TimeSpan rotation && rotation < until) until = rotation;
                    if (_link.TryReadLine(until, cancellation, out var line) && line.Arrived >= _keepFrom) Handle(line, cancellation);
                }
                catch (LinkLostException ex)
                {
                    _reconnector.Lost(ex.Message);
                    _run.LinkLost(ex.Message);
                    _observer.Warning($"The link to {_link.PortName} was lost ({ex.Message.TrimEnd('.')}); reopening it for up to {_reconnector.Timeout.TotalSeconds:0.###} s.");
                    continue;
                }
                _run.Tick();
                if (Clock.Elapsed >= nextProgress)
                {
                    UpdateLive();
                    _observer.Progress(Summary, Clock.Elapsed - _started, _run.CurrentFile);
                    nextProgress = Clock.Elapsed + ProgressEvery;
                }
            }
        }

        private void Handle(in ReceivedLine line, CancellationToken cancellation)
        {
            switch (EventLineParser.Classify(line, out var fields))
            {
                case LineKind.Event:
                    var received = Received(line.Arrived);
                    Count(fields); // the run has the event once Append is called: in its file, or in the buffer a failed write keeps
                    _run.Append(received, fields);
                    if (_observer.WantsEvents) _observer.EventWritten(received, fields);
                    break;
                case LineKind.Boot:
                    AfterReset(line.Text, cancellation);
                    break;
                case LineKind.Debug:
                    _observer.Notice(line.Text);
                    break;
                default:
                    Summary.MalformedLines++;
                    _run.Malformed();
                    _observer.Notice($"Not an event line (counted as malformed): {(line.Text.Length <= 80 ? line.Text : line.Text.Substring(0, 77) + "...")}");
                    break;
            }
        }

        /// <summary>
        /// The board printed boot text: it reset, its thresholds are its power-on ones. The banner is
        /// waited out, the thresholds are written again, and the time until the stream runs again is dead.
        /// </summary>
        private void AfterReset(string bootLine, CancellationToken cancellation)
        {
            var resetAt = Clock.Elapsed;
            Summary.Resets++;
            _observer.Warning($"The board on {_link.PortName} reset (\"{bootLine}\"); {(_thresholds.Count > 0 ? "its thresholds are written again" : "it runs at its power-on thresholds")}.");
            ResetWait.WaitOutBanner(_link, cancellation);
            SetThresholds(cancellation);
            _protocol.Quiesce(_link, cancellation);
            _keepFrom = Clock.Elapsed;
            _protocol.StartStream(_link);
            var dead = Clock.Elapsed - resetAt;
            _dead += dead;
            _run.AddDeadTime(dead);
            _run.DeviceReset(bootLine, dead);
        }

        private void AddDeadSinceLoss()
        {
            var dead = _reconnector.DownFor ?? TimeSpan.Zero;
            _dead += dead;
            _run.AddDeadTime(dead);
        }

        private void Reconnect(CancellationToken cancellation)
        {
            var reopenedAfter = TimeSpan.Zero;
            string? failure;
            try
            {
                failure = _reconnector.Reconnect(cancellation, (dead, attempts, reason) =>
                {
                    reopenedAfter = dead;
                    Summary.Reconnects++;
                }, _observer.Notice);
            }
            catch (OperationCanceledException)
            {
                AddDeadSinceLoss(); // stopped while the link was down: that time counted nothing
                throw;
            }
            if (failure is not null)
            {
                AddDeadSinceLoss(); // the run ends with the link down: the time since the loss counted nothing
                throw new DaqFailedException("LinkLost", "The run stopped: " + failure + ".");
            }
            var resumeStart = Clock.Elapsed;
            // a replugged board may have reset: its thresholds are written again, and nothing sent before now is kept
            SetThresholds(cancellation);
            _protocol.Quiesce(_link, cancellation);
            _keepFrom = Clock.Elapsed;
            _protocol.StartStream(_link);
            var dead = reopenedAfter + (Clock.Elapsed - resumeStart);
            _dead += dead;
            _run.AddDeadTime(dead);
            _run.Reconnected(dead);
            _observer.Warning($"The link to {_link.PortName} is back after {dead.TotalSeconds:0.###} s without data; the run goes on.");
        }

        private void SetThresholds(CancellationToken cancellation)
        {
            if (_thresholds.Count == 0) return;
            var results = _writer.Write(_link, _thresholds, _observer.Attempt, cancellation);
            var failed = results.Where(r => !r.Success).ToList();
            foreach (var set in results.Where(r => r.Success)) Summary.ThresholdsConfirmed.Add(new KeyValuePair<int, int>(set.Channel, set.Threshold));
            _run.ThresholdsSet(results);
            if (failed.Count > 0)
            {
                throw new DaqFailedException("ThresholdNotSet", "No event was kept: " + string.Join("; ", failed.Select(r =>
                    $"channel {r.Channel} was not set to {r.Threshold} after {r.Attempts} attempt(s): {r.Reason}")) + ".");
            }
        }

        /// <summary>The host's wall time when a line arrived, as haniwers stamps it; monotonic within the run.</summary>
        private DateTimeOffset Received(TimeSpan arrived)
        {
            var wall = _anchorWall + (arrived - _anchorElapsed);
            if (arrived - _anchorElapsed > TimeSpan.FromSeconds(10))
            {
                // follow the host's clock (NTP) only when it has moved away by more than a second
                var now = Clock.Now;
                var expected = _anchorWall + (Clock.Elapsed - _anchorElapsed);
                if ((now - expected).Duration() > TimeSpan.FromSeconds(1))
                {
                    _run.ClockAdjusted(now - expected);
                    _anchorWall = now;
                    _anchorElapsed = Clock.Elapsed;
                    return _anchorWall + (arrived - _anchorElapsed);
                }
                _anchorWall = expected;
                _anchorElapsed = Clock.Elapsed;
            }
            return wall;
        }

        /// <summary>
        /// When the run stops (Ctrl+C, a consumer that stops): the lines already received are written
        /// too, without waiting for more, so every event received is in its file.
        /// </summary>
        private void DrainReceived()
        {
            if (!_streaming) return;
            // what was received before the stop, and no more: a device that keeps sending (a stream that is never
            // paused) would otherwise keep the drain going, the run unstoppable by Ctrl+C or SIGTERM
            var until = Clock.Elapsed;
            var giveUp = until + DrainLimit;
            try
            {
                while (Clock.Elapsed < giveUp && _link.TryReadLine(until, CancellationToken.None, out var line))
                {
                    if (line.Arrived < _keepFrom || line.Arrived > until) break;
                    var kind = EventLineParser.Classify(line, out var fields);
                    if (kind == LineKind.Event)
                    {
                        Count(fields);
                        _run.Append(Received(line.Arrived), fields);
                    }
                    else if (kind is LineKind.Malformed or LineKind.Token)
                    {
                        Summary.MalformedLines++;
                        _run.Malformed();
                    }
                }
            }
            catch (Exception ex) when (ex is DeviceLinkException or OperationCanceledException) { }
        }

        /// <summary>The longest the lines received before a stop are drained for: a stop must end the run within a second.</summary>
        private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(0.5);

        private void Count(in EventFields fields)
        {
            Summary.Events++;
            if (fields.Top > 0) Summary.Top++;
            if (fields.Mid > 0) Summary.Mid++;
            if (fields.Btm > 0) Summary.Btm++;
            if (fields.Top > 0 && fields.Mid > 0 && fields.Btm > 0) Summary.Triple++;
        }

        private void UpdateLive()
        {
            Summary.DeadSeconds = _dead.TotalSeconds;
            Summary.LiveSeconds = _streaming ? Math.Max(0, (Clock.Elapsed - _started - _dead).TotalSeconds) : 0;
            Summary.DroppedLines = _link.Counters.DroppedLines - _droppedAtStart;
        }

        private void Finish()
        {
            UpdateLive();
            if (Summary.DroppedLines > 0)
            {
                // the reader's queue overflowed: the pipeline thread was held up (a slow terminal, a slow consumer)
                Summary.FailureReason = $"{Summary.DroppedLines} line(s) were received but dropped because the run could not take them in time (the reader keeps at most {StreamLink.QueueCapacity:N0}); " + (Summary.FailureReason ?? "");
                if (Summary.Outcome == RunOutcome.Completed) Summary.Outcome = RunOutcome.Failed;
            }
            Summary.Ended = Clock.Now;
            foreach (var file in _run.Files) if (!Summary.Files.Contains(file)) Summary.Files.Add(file);
            _run.Finish(Summary);
        }
    }
}
