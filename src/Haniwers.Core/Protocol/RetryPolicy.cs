using System;

namespace Haniwers.Protocol
{
    /// <summary>
    /// Attempts per write and the pause before each retry: exponential (base, 2 base, 4 base, ...)
    /// up to a cap, with "equal jitter" (a random part of up to half the pause) so that detectors
    /// reset together do not retry in lockstep.
    /// </summary>
    public sealed class RetryPolicy
    {
        private readonly Random _random;

        public RetryPolicy(int maxAttempts, TimeSpan baseDelay, TimeSpan maxDelay, double jitter = 0.5, int? seed = null)
        {
            if (maxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(maxAttempts), "At least one attempt is needed.");
            MaxAttempts = maxAttempts;
            BaseDelay = baseDelay;
            MaxDelay = maxDelay;
            Jitter = Math.Max(0, Math.Min(1, jitter));
            _random = seed is int s ? new Random(s) : new Random();
        }

        public int MaxAttempts { get; }
        public TimeSpan BaseDelay { get; }
        public TimeSpan MaxDelay { get; }
        public double Jitter { get; }

        /// <summary>The pause before attempt <paramref name="attempt"/> (1-based); zero before the first.</summary>
        public TimeSpan DelayBefore(int attempt)
        {
            if (attempt <= 1) return TimeSpan.Zero;
            double full = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 2));
            double jittered = full * (1 - Jitter * _random.NextDouble());
            return TimeSpan.FromMilliseconds(jittered);
        }
    }
}
