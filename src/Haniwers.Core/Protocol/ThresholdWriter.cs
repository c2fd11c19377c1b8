using System;
using System.Collections.Generic;
using System.Threading;
using Haniwers.Transport;

namespace Haniwers.Protocol
{
    /// <summary>One attempt to write one channel, as the audit records it.</summary>
    public sealed class ThresholdAttempt
    {
        public DateTimeOffset Timestamp { get; set; }
        public int Channel { get; set; }
        public int Threshold { get; set; }
        /// <summary>Which attempt this was (1 = first).</summary>
        public int Attempt { get; set; }
        public bool Success { get; set; }
        public string Reason { get; set; } = "";
        public string? Answer { get; set; }

        /// <summary>"ch1 &lt;- 280 (attempt 2): ok; device said ...", the verbose line for each attempt.</summary>
        public override string ToString() =>
            $"ch{Channel} <- {Threshold} (attempt {Attempt}): {Reason}{(Answer is null ? "" : "; device said " + Answer)}";
    }

    /// <summary>What happened to one channel's write: the result Set-HaniwersThreshold -PassThru writes.</summary>
    public sealed class ThresholdWriteResult
    {
        public string PortName { get; set; } = "";
        public int Channel { get; set; }
        public int Threshold { get; set; }
        public bool Success { get; set; }
        public int Attempts { get; set; }
        public string Reason { get; set; } = "";
        /// <summary>The device's last answer line, or null when it never answered.</summary>
        public string? LastAnswer { get; set; }
        /// <summary>The least time the device took to give its last answer (<see cref="AttemptOutcome.AnswerDelay"/>).</summary>
        public TimeSpan? AnswerDelay { get; set; }
    }

    /// <summary>
    /// Sets thresholds with retries: one stream pause for the whole batch (text firmware), first
    /// attempts sent together where the firmware allows, each channel then retried up to
    /// MaxAttempts attempts in all with backoff, every attempt reported to the caller.
    /// </summary>
    public sealed class ThresholdWriter
    {
        private readonly FirmwareProtocol _firmware;
        private readonly RetryPolicy _retry;
        private readonly TimeSpan _responseTimeout;

        public ThresholdWriter(FirmwareProtocol firmware, RetryPolicy retry, TimeSpan responseTimeout)
        {
            _firmware = firmware;
            _retry = retry;
            _responseTimeout = responseTimeout;
        }

        /// <summary>
        /// Writes every (channel, threshold) pair. Throws <see cref="LinkLostException"/> when the link
        /// goes, OperationCanceledException when cancelled; the stream is resumed in every other case.
        /// </summary>
        public IReadOnlyList<ThresholdWriteResult> Write(IDeviceLink link, IReadOnlyList<KeyValuePair<int, int>> thresholds,
            Action<ThresholdAttempt>? onAttempt, CancellationToken cancellation)
        {
            var results = new List<ThresholdWriteResult>(thresholds.Count);
            _firmware.BeginWrites(link);
            bool resume = true;
            try
            {
                // where the firmware names the channel in its answers, the first attempts go out together
                var first = thresholds.Count > 1 ? _firmware.AttemptAll(link, thresholds, _responseTimeout, cancellation) : null;
                foreach (var pair in thresholds)
                {
                    var result = new ThresholdWriteResult { PortName = link.PortName, Channel = pair.Key, Threshold = pair.Value };
                    int next = 1;
                    if (first is not null)
                    {
                        Record(link, result, 1, first[pair.Key], onAttempt);
                        next = 2;
                    }
                    if (!result.Success) WriteOne(link, result, next, onAttempt, cancellation);
                    results.Add(result);
                }
            }
            catch (LinkLostException)
            {
                resume = false; // nothing to resume on a link that is gone
                throw;
            }
            finally
            {
                if (resume && !link.IsLost)
                {
                    try { _firmware.EndWrites(link); }
                    catch (LinkLostException) when (cancellation.IsCancellationRequested) { }
                }
            }
            return results;
        }

        private void WriteOne(IDeviceLink link, ThresholdWriteResult result, int firstAttempt, Action<ThresholdAttempt>? onAttempt, CancellationToken cancellation)
        {
            for (int attempt = firstAttempt; attempt <= _retry.MaxAttempts; attempt++)
            {
                link.Clock.Wait(_retry.DelayBefore(attempt), cancellation);
                var outcome = _firmware.Attempt(link, result.Channel, result.Threshold, _responseTimeout, cancellation);
                Record(link, result, attempt, outcome, onAttempt);
                if (outcome.Success) break;
            }
        }

        private static void Record(IDeviceLink link, ThresholdWriteResult result, int attempt, AttemptOutcome outcome, Action<ThresholdAttempt>? onAttempt)
        {
            result.Attempts = attempt;
            result.Success = outcome.Success;
            result.Reason = outcome.Reason;
            if (outcome.Answer is not null) result.LastAnswer = outcome.Answer;
            result.AnswerDelay = outcome.AnswerDelay;
            onAttempt?.Invoke(new ThresholdAttempt
            {
                Timestamp = link.Clock.Now, Channel = result.Channel, Threshold = result.Threshold, Attempt = attempt,
                Success = outcome.Success, Reason = outcome.Reason, Answer = outcome.Answer,
            });
        }
    }
}
