using System.Collections.Generic;
using System.Globalization;
using Haniwers.Analysis;
using Haniwers.Configuration;

namespace Haniwers.Scanning
{
    /// <summary>What the adaptive scan knows of one channel after a window.</summary>
    public sealed class AdaptiveChannel
    {
        public AdaptiveChannel(ThresholdRange range) => Range = range;

        public ThresholdRange Range { get; }
        public int Channel => Range.Channel;
        public List<ScanPoint> Points { get; } = new List<ScanPoint>();
        /// <summary>The latest fit of the channel's points; null before one could be made.</summary>
        public ThresholdFit? Fit { get; set; }
        /// <summary>An accepted threshold within the target whose points do not contradict the Poisson model (docs/adaptive-scan.md, "Errors the data support").</summary>
        public bool Reached(double target) => Fit?.Threshold is not null && Fit.ThresholdError <= target && !SCurveFitter.ScatterExceedsPoisson(Fit);

        /// <summary>The data put the edge outside the range: which side, where, and a range that would contain it; null while it may be inside.</summary>
        public string? EdgeOutside { get; set; }

        /// <summary>The earlier fit the scan started from (-Prior); null without one.</summary>
        public AdaptivePrior? Prior { get; internal set; }

        /// <summary>The prior while it is used: given and not discarded.</summary>
        public AdaptivePrior? ActivePrior => Prior?.Discarded is null ? Prior : null;

        /// <summary>Windows chosen while the channel's fit was not accepted (every other one goes to a value not measured yet).</summary>
        internal int UnacceptedChoices { get; set; }

        /// <summary>Fits in a row that put the edge outside the range, or found no edge in it.</summary>
        internal int FitsOutside { get; set; }

        /// <summary>The edge lies above the range (else below), once <see cref="EdgeOutside"/> is set.</summary>
        internal bool EdgeAbove { get; set; }

        /// <summary>Nothing more to measure: the target reached, or the edge out of reach.</summary>
        public bool Settled(double target) => Reached(target) || EdgeOutside is not null;

        public string Describe(double target) => Fit?.Threshold is int t
            ? string.Format(CultureInfo.InvariantCulture, "ch{0} {1}±{2:0.0}{3}", Channel, t, Fit.ThresholdError, Reached(target) ? " ok" : "")
            : $"ch{Channel} searching";
    }
}
