using System;

namespace Haniwers.Analysis
{
    /// <summary>One measured point of an S-curve: a channel's count at one threshold in one window.</summary>
    public readonly struct ScanPoint
    {
        public ScanPoint(int channel, double threshold, double events, double durationSeconds, string? runId = null, DateTimeOffset? timestamp = null)
        {
            Channel = channel;
            Threshold = threshold;
            Events = events;
            DurationSeconds = durationSeconds;
            RunId = runId;
            Timestamp = timestamp;
        }

        public int Channel { get; }
        public double Threshold { get; }
        public double Events { get; }
        public double DurationSeconds { get; }
        public string? RunId { get; }
        /// <summary>When the window was measured, where the input says: it tells which run is the latest.</summary>
        public DateTimeOffset? Timestamp { get; }

        public double Rate => Events / DurationSeconds;

        /// <summary>
        /// Poisson error of the rate, sqrt(Events)/duration; a window with no event counts as an error
        /// of one event (1/duration), so it still weighs in the fit instead of having infinite weight.
        /// </summary>
        public double RateError => Math.Sqrt(Math.Max(Events, 1)) / DurationSeconds;

        public bool IsUsable =>
            !double.IsNaN(Threshold) && !double.IsInfinity(Threshold) && !double.IsNaN(Events) && !double.IsInfinity(Events)
            && Events >= 0 && DurationSeconds > 0 && !double.IsInfinity(DurationSeconds);
    }
}
