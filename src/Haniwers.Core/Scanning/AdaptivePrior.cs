using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Haniwers.Analysis;

namespace Haniwers.Scanning
{
    /// <summary>
    /// An earlier fit of a channel, given to the adaptive scan as where to start (docs/adaptive-scan.md, "A prior from the
    /// last scan"). It only decides where the first windows go and guides the design until the run's own points can be
    /// fitted; the result is always the fit of the run's own rows. After the first windows it is checked: with the
    /// prior's edge (Mean and Sigma) held fixed, the run's points must be described by some height and baseline (the
    /// rates may change from day to day, the edge should not); a prior they contradict is discarded. The check is
    /// made after every window while the prior is used, so an edge that moved a little is found as the windows add up.
    /// </summary>
    public sealed class AdaptivePrior
    {
        /// <summary>A chance of the windows' chi-square below this, with the prior's edge, discards the prior (checked after every window: small).</summary>
        public const double DiscardBelow = 1e-4;

        /// <summary>Where the first windows go: the coarse sweep's spread (steps of 15 % of the range), centred on the prior's edge.</summary>
        private static readonly double[] SeedOffsets = { -2, -1, 0, 1, 2 };

        public AdaptivePrior(ThresholdFit fit) => Fit = fit;

        public ThresholdFit Fit { get; }

        /// <summary>Why it was discarded; null while it is used.</summary>
        public string? Discarded { get; private set; }

        public bool Checked { get; private set; }

        /// <summary>A fit that can guide a design: accepted, with a covariance.</summary>
        public static bool Usable(ThresholdFit fit) => fit.Threshold is not null && fit.Covariance is not null && fit.Sigma > 0
            && !double.IsNaN(fit.Mean) && !double.IsNaN(fit.ThresholdError);

        /// <summary>The value of the <paramref name="index"/>-th first window, within the range, not one measured already.</summary>
        public int Seed(int index, int first, int last, ICollection<double> measured)
        {
            double offset = SeedOffsets[Math.Min(index, SeedOffsets.Length - 1)];
            // the coarse sweep's spread (60 % of the range), centred on the prior's edge instead of the range's centre
            int x = Math.Clamp((int)Math.Round(Fit.Mean + 1.5 * Fit.Sigma + offset * 0.15 * (last - first)), first, last);
            for (int d = 0; d <= last - first && measured.Contains(x); d++)
            {
                // a value taken already (a narrow edge, a clamped end): the nearest free one
                if (x + d <= last && !measured.Contains(x + d)) return x + d;
                if (x - d >= first && !measured.Contains(x - d)) return x - d;
            }
            return x;
        }

        public string Describe() => string.Format(CultureInfo.InvariantCulture, "threshold {0} ± {1:0.0}{2}",
            Fit.Threshold, Fit.ThresholdError, string.IsNullOrEmpty(Fit.RunId) ? "" : ", run " + Fit.RunId);

        /// <summary>
        /// Once the run has <paramref name="points"/> at enough thresholds: with the prior's Mean and Sigma fixed, the
        /// height and baseline that fit them best (Poisson-weighted linear least squares, twice: observed counts, then the
        /// fitted ones), and the chance of the chi-square left for its degrees of freedom. Below <see cref="DiscardBelow"/>,
        /// or with no fall of the rate at the prior's edge, the prior is discarded; returns true when it was.
        /// </summary>
        public bool Check(IReadOnlyList<ScanPoint> points)
        {
            Checked = true;
            var usable = points.Where(p => p.IsUsable).ToList();
            if (usable.Count < 3) return false;
            double[] shape = usable.Select(p => 0.5 * MathNet.Numerics.SpecialFunctions.Erfc((p.Threshold - Fit.Mean) / (Math.Sqrt(2) * Fit.Sigma))).ToArray();
            double[] expected = usable.Select(p => Math.Max(p.Events, 1)).ToArray();
            double height = 0, baseline = 0;
            for (int pass = 0; pass < 2; pass++)
            {
                // minimise sum w (rate - h*shape - b)^2 with w = t^2 / expected count: a 2x2 normal system
                double s11 = 0, s12 = 0, s22 = 0, r1 = 0, r2 = 0;
                for (int i = 0; i < usable.Count; i++)
                {
                    double t = usable[i].DurationSeconds, w = t * t / expected[i], y = usable[i].Rate;
                    s11 += w * shape[i] * shape[i]; s12 += w * shape[i]; s22 += w; r1 += w * shape[i] * y; r2 += w * y;
                }
                double det = s11 * s22 - s12 * s12;
                if (Math.Abs(det) < 1e-300) return false;
                height = (r1 * s22 - r2 * s12) / det;
                baseline = (s11 * r2 - s12 * r1) / det;
                for (int i = 0; i < usable.Count; i++) expected[i] = Math.Max((height * shape[i] + baseline) * usable[i].DurationSeconds, 1);
            }
            double chi2 = 0;
            for (int i = 0; i < usable.Count; i++)
            {
                double r = usable[i].Events - (height * shape[i] + baseline) * usable[i].DurationSeconds;
                chi2 += r * r / expected[i];
            }
            int dof = usable.Count - 2;
            double chance = SCurveFitter.ScatterChance(chi2, dof);
            if (height > 0 && !(chance < DiscardBelow)) return false;
            Discarded = height <= 0
                ? string.Format(CultureInfo.InvariantCulture, "no fall of the rate at its edge (Mean {0:0.#}): the edge has moved", Fit.Mean)
                : string.Format(CultureInfo.InvariantCulture, "its edge (Mean {0:0.#}, Sigma {1:0.#}) does not describe this run's windows (chi-square {2:0.#} for {3} degrees of freedom, a chance of {4:0.#e+0}): the edge has moved",
                    Fit.Mean, Fit.Sigma, chi2, dof, chance);
            return true;
        }
    }
}
