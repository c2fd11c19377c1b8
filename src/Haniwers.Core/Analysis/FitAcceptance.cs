using System;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Haniwers.Analysis
{
    /// <summary>
    /// The acceptance rule of a fit (docs/fit.md): a threshold is recommended only when the data
    /// resolve the edge. The first rule a fit fails is its <see cref="ThresholdFit.Rejection"/>.
    /// </summary>
    public static class FitAcceptance
    {
        /// <summary>The edge must stand out: Height at least this many times its error.</summary>
        public const double MinimumEdgeSignificance = 5;
        /// <summary>Largest chi-square per degree of freedom of a weighted fit: beyond it the curve does not describe the points.</summary>
        public const double MaximumReducedChiSquare = 10;
        /// <summary>Distinct thresholds needed within Mean ± 2 Sigma.</summary>
        public const int MinimumPointsAcrossEdge = 3;
        /// <summary>Largest SigmaError / Sigma; MeanError may be at most one Sigma.</summary>
        public const double MaximumRelativeSigmaError = 0.5;

        public static string? Rejection(ThresholdFit fit, ExitCondition exit, bool converged, double[] start,
            Vector<double> lower, Vector<double> upper, double sigmaMultiple)
        {
            var x = fit.Data.Select(p => p.Threshold).Distinct().OrderBy(t => t).ToArray();
            double xMin = fit.ScanStart, xMax = fit.ScanStop, span = Math.Max(xMax - xMin, 1);
            if (!converged)
                return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the fit did not converge ({exit})");
            if (new[] { fit.HeightError, fit.MeanError, fit.SigmaError }.Any(e => double.IsNaN(e) || double.IsInfinity(e)))
                return "the fit's errors cannot be computed (the data do not constrain every parameter)";
            if (fit.Height < MinimumEdgeSignificance * fit.HeightError)
                return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no edge stands out: the fitted fall of the rate, {fit.Height:0.###} Hz ± {fit.HeightError:0.###}, is less than {MinimumEdgeSignificance} times its error (a flat scan, a range beside the edge, or a dead channel)");
            if (AtBound(fit.Height, lower[SCurve.Height], upper[SCurve.Height]) || AtBound(fit.Mean, lower[SCurve.Mean], upper[SCurve.Mean])
                || AtBound(fit.Sigma, lower[SCurve.Sigma], upper[SCurve.Sigma]))
                return "a parameter ran to the limit of its search range: the curve does not describe these points";
            if (Math.Abs(fit.Mean - start[SCurve.Mean]) < 1e-9 * span && Math.Abs(fit.Sigma - start[SCurve.Sigma]) < 1e-9 * span)
                return "the fit stayed at its starting values: the points do not move it";
            if (fit.Mean < xMin || fit.Mean > xMax)
                return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the edge (Mean {fit.Mean:0.#}) lies outside the scanned range {xMin:0}..{xMax:0}; scan around it");
            int across = x.Count(t => t >= fit.Mean - 2 * fit.Sigma && t <= fit.Mean + 2 * fit.Sigma);
            if (across < MinimumPointsAcrossEdge)
                return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"only {across} threshold(s) across the edge (Mean ± 2 Sigma = {fit.Mean - 2 * fit.Sigma:0.#}..{fit.Mean + 2 * fit.Sigma:0.#}); scan with a smaller step_size");
            // an error of exactly 0 is no error: the covariance of noisy points is never 0 (a fit beside its edge: a tester)
            if (new[] { fit.HeightError, fit.MeanError, fit.SigmaError }.Any(e => e <= 0))
                return "the fit's errors cannot be computed (they come out as 0: the data do not constrain every parameter)";
            if (fit.MeanError > fit.Sigma || fit.SigmaError > MaximumRelativeSigmaError * fit.Sigma)
                return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the edge is not pinned down: Mean {fit.Mean:0.#} ± {fit.MeanError:0.#}, Sigma {fit.Sigma:0.#} ± {fit.SigmaError:0.#} (accepted: MeanError at most Sigma, SigmaError at most half of Sigma); measure longer windows");
            if (fit.Weighted && fit.DegreesOfFreedom > 0 && fit.ReducedChiSquare > MaximumReducedChiSquare)
                return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the curve does not describe the points: chi-square/ndf is {fit.ReducedChiSquare:0.#}, more than {MaximumReducedChiSquare} (runs mixed in one file, unsteady noise, or another shape than an S-curve)");
            int threshold = SCurveFitter.ThresholdAt(fit.Mean, fit.Sigma, fit.Convention, sigmaMultiple);
            if (threshold < xMin || threshold > xMax)
                return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the recommended threshold {threshold} lies outside the scanned range {xMin:0}..{xMax:0}, where there are no data; extend the scan");
            return null;
        }

        private static bool AtBound(double value, double low, double high)
        {
            double tolerance = 1e-6 * Math.Max(Math.Abs(high - low), 1);
            return value - low < tolerance || high - value < tolerance;
        }
    }
}
