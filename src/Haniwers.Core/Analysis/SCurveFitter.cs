using System;
using System.Collections.Generic;
using System.Linq;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Haniwers.Analysis
{
    /// <summary>Options of a fit: weighting, the k of the recommended threshold, the convention.</summary>
    public sealed class FitOptions
    {
        /// <summary>
        /// Poisson weights (default): a first pass weighted by 1/RateError² (a window without events
        /// counts as one event), then a pass weighted by the variances of that pass's curve.
        /// False fits unweighted, as haniwers does.
        /// </summary>
        public bool Weighted { get; set; } = true;
        public double SigmaMultiple { get; set; } = 3;
        public ThresholdConvention Convention { get; set; } = ThresholdConvention.Native;
    }

    /// <summary>
    /// Fits the S-curve to one channel's points by (weighted) nonlinear least squares with
    /// MathNet's Levenberg-Marquardt, starting from values read off the data.
    /// </summary>
    public static class SCurveFitter
    {
        public const int MinimumDistinctThresholds = 5;

        public static ThresholdFit Fit(IReadOnlyList<ScanPoint> input, FitOptions options)
        {
            int channel = input.Count > 0 ? input[0].Channel : 0;
            var warnings = new List<string>();
            var points = input.Where(p => p.IsUsable).OrderBy(p => p.Threshold).ToList();
            if (points.Count < input.Count)
                warnings.Add($"{input.Count - points.Count} point(s) dropped: not a number, negative, or without a window duration.");
            int distinct = points.Select(p => p.Threshold).Distinct().Count();
            if (distinct < MinimumDistinctThresholds)
                throw new FitException(channel, $"{distinct} distinct threshold(s) with usable data; the S-curve has 4 parameters and needs at least {MinimumDistinctThresholds}.");
            if (points.All(p => p.Events == 0))
                throw new FitException(channel, "no event at any threshold: the channel saw nothing (is it connected, or is the whole scan above its noise?).");
            // one run measuring a threshold twice is normal (an adaptive scan does it on purpose); points of
            // different runs, or of no named run, at one threshold may be runs mixed by accident
            int shared = points.GroupBy(p => p.Threshold).Where(g => g.Count() > 1 && (g.Any(p => p.RunId is null) || g.Select(p => p.RunId).Distinct().Count() > 1)).Sum(g => g.Count() - 1);
            if (shared > 0)
                warnings.Add($"{shared} point(s) share a threshold with another; each is fitted as its own measurement.");
            if (points.Count < 20)
                warnings.Add($"only {points.Count} points; 20 or more give a steadier fit.");

            var start = StartingValues(points);
            double[] x = points.Select(p => p.Threshold).ToArray();
            double[] y = points.Select(p => p.Rate).ToArray();
            double[] w = points.Select(p => options.Weighted ? 1 / (p.RateError * p.RateError) : 1.0).ToArray();

            double xMin = x[0], xMax = x[x.Length - 1], span = Math.Max(xMax - xMin, 1);
            double yMax = y.Max();
            double minStep = x.Zip(x.Skip(1), (a, b) => b - a).Where(d => d > 0).DefaultIfEmpty(1).Min();
            var lower = Vector<double>.Build.DenseOfArray(new[] { 0, xMin - span, minStep / 20, -Math.Max(yMax, 1) });
            var upper = Vector<double>.Build.DenseOfArray(new[] { 10 * Math.Max(yMax, 1), xMax + span, 2 * span, 2 * Math.Max(yMax, 1) });
            var initial = Vector<double>.Build.DenseOfArray(start.Select((v, i) => Math.Min(Math.Max(v, lower[i]), upper[i])).ToArray());

            var result = Minimize(channel, x, y, w, initial, lower, upper);
            if (options.Weighted)
            {
                // Second pass: Poisson variances from the fitted curve instead of the observed counts,
                // which would pull the curve towards windows that fluctuated low (Neyman's bias).
                var first = result.MinimizingPoint;
                for (int i = 0; i < x.Length; i++)
                {
                    double t = points[i].DurationSeconds;
                    double expected = Math.Max(SCurve.Rate(x[i], first[0], first[1], first[2], first[3]) * t, 1);
                    w[i] = t * t / expected;
                }
                result = Minimize(channel, x, y, w, first, lower, upper);
            }
            var best = result.MinimizingPoint;
            if (best.Any(v => double.IsNaN(v) || double.IsInfinity(v)))
                throw new FitException(channel, "the least-squares search did not find finite parameters.");

            bool converged = result.ReasonForExit is ExitCondition.Converged or ExitCondition.RelativeGradient or ExitCondition.RelativePoints
                or ExitCondition.AbsoluteGradient;
            double chi2 = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double r = y[i] - SCurve.Rate(x[i], best[0], best[1], best[2], best[3]);
                chi2 += w[i] * r * r;
            }
            int dof = x.Length - 4;
            // errors the data support (docs/fit.md, "Errors"): where the points scatter more than Poisson allows
            // (chi-square/ndf above 1), the weighted fit's errors are scaled by S = sqrt(chi-square/ndf), as the
            // particle data tables do; an unweighted fit's are scaled by the residual variance anyway
            double errorScale = options.Weighted && dof > 0 && chi2 / dof > 1 ? Math.Sqrt(chi2 / dof) : 1;
            var covariance = Covariance(best, x, w, options.Weighted ? errorScale * errorScale : (dof > 0 ? chi2 / dof : double.NaN));
            var errors = Enumerable.Range(0, 4).Select(k => covariance is null ? double.NaN : Math.Sqrt(Math.Max(covariance[k, k], 0))).ToArray();

            var fit = new ThresholdFit
            {
                Channel = channel,
                Height = best[SCurve.Height], HeightError = errors[SCurve.Height],
                Mean = best[SCurve.Mean], MeanError = errors[SCurve.Mean],
                Sigma = best[SCurve.Sigma], SigmaError = errors[SCurve.Sigma],
                Baseline = best[SCurve.Baseline], BaselineError = errors[SCurve.Baseline],
                ChiSquare = chi2, DegreesOfFreedom = dof, Points = points.Count, Converged = converged, ErrorScale = errorScale,
                Weighted = options.Weighted, Convention = options.Convention, SigmaMultiple = options.SigmaMultiple,
                ScanStart = xMin, ScanStop = xMax, Data = points,
                Covariance = covariance?.ToArray(),
            };
            fit.ThresholdError = ThresholdError(fit.Covariance, options.SigmaMultiple, options.Convention);
            fit.Rejection = FitAcceptance.Rejection(fit, result.ReasonForExit, converged, start, lower, upper, options.SigmaMultiple);
            if (fit.Rejection is null)
            {
                fit.Threshold0Sigma = ThresholdAt(fit, 0);
                fit.Threshold1Sigma = ThresholdAt(fit, 1);
                fit.Threshold3Sigma = ThresholdAt(fit, 3);
                fit.Threshold5Sigma = ThresholdAt(fit, 5);
                fit.Threshold = ThresholdAt(fit, options.SigmaMultiple);
            }
            else
            {
                fit.Converged = false;
                warnings.Add("no threshold is recommended: " + fit.Rejection + ".");
            }
            if (options.Weighted && ScatterIsImplausible(chi2, dof))
                warnings.Add(fit.ReducedChiSquare > 1
                    ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"chi-square/ndf = {fit.ReducedChiSquare:0.##} is far from 1 for {dof} degrees of freedom (a chance of {ScatterChance(chi2, dof):0.#e+0}): the points scatter more than Poisson errors allow (unsteady noise, or events that leak between windows); the errors are scaled by {errorScale:0.##}.")
                    : $"chi-square/ndf = {fit.ReducedChiSquare:0.##} is far from 1 for {dof} degrees of freedom: the points scatter less than Poisson errors allow (repeated windows, or counts that are not Poisson).");
            fit.Warnings = warnings;
            return fit;
        }

        /// <summary>The chance of a chi-square this far out, either way, for Poisson points: below
        /// <see cref="ImplausibleScatter"/> (docs/fit.md, "Warnings").</summary>
        public static bool ScatterIsImplausible(double chiSquare, int degreesOfFreedom)
        {
            if (degreesOfFreedom <= 0 || double.IsNaN(chiSquare)) return false;
            double below = ChiSquared.CDF(degreesOfFreedom, chiSquare);
            return below < ImplausibleScatter || ScatterChance(chiSquare, degreesOfFreedom) < ImplausibleScatter;
        }

        /// <summary>The chance of a chi-square at least this large for Poisson points (the upper tail, exact far out: 1e-20 is not 0).</summary>
        public static double ScatterChance(double chiSquare, int degreesOfFreedom) =>
            degreesOfFreedom <= 0 || double.IsNaN(chiSquare) ? double.NaN
            : MathNet.Numerics.SpecialFunctions.GammaUpperRegularized(degreesOfFreedom / 2.0, Math.Max(chiSquare, 0) / 2.0);

        /// <summary>
        /// The points scatter more than Poisson allows, beyond chance (<see cref="ScatterIsImplausible"/>, high side): a claim
        /// the data contradict, on which an adaptive scan does not stop (docs/adaptive-scan.md).
        /// </summary>
        public static bool ScatterExceedsPoisson(ThresholdFit fit) =>
            fit.Weighted && fit.DegreesOfFreedom > 0 && fit.ReducedChiSquare > 1 && ScatterChance(fit.ChiSquare, fit.DegreesOfFreedom) < ImplausibleScatter;

        /// <summary>One in ten thousand each way: a good scan of few counts per window (where Pearson's chi-square is
        /// skewed) almost never warns, a scan whose noise drifted or whose windows repeat does.</summary>
        public const double ImplausibleScatter = 1e-4;

        private static NonlinearMinimizationResult Minimize(int channel, double[] x, double[] y, double[] w,
            Vector<double> initial, Vector<double> lower, Vector<double> upper)
        {
            // the weights are folded into the residuals, sqrt(w)(y - f): the same sum of squares, and MathNet is not given a
            // weight vector, which it turns into a dense n-by-n matrix (a 100,000-point fit overflowed its index; 20,000 took 390 MB)
            double[] root = w.Select(Math.Sqrt).ToArray();
            var model = ObjectiveFunction.NonlinearModel(
                (p, xs) => Vector<double>.Build.Dense(xs.Count, i => root[i] * SCurve.Rate(xs[i], p[0], p[1], p[2], p[3])),
                (p, xs) =>
                {
                    var jacobian = Jacobian(p, xs);
                    for (int i = 0; i < xs.Count; i++)
                        for (int k = 0; k < 4; k++) jacobian[i, k] *= root[i];
                    return jacobian;
                },
                Vector<double>.Build.DenseOfArray(x), Vector<double>.Build.Dense(y.Length, i => root[i] * y[i]));
            try
            {
                return new LevenbergMarquardtMinimizer(maximumIterations: 500).FindMinimum(model, initial, lower, upper);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or ArithmeticException)
            {
                throw new FitException(channel, "the least-squares search failed: " + ex.Message);
            }
        }

        /// <summary>round(Mean + k*Sigma), or with the Haniwers convention round(Mean + k*sqrt(2)*Sigma); halves to even, as Python's round.</summary>
        public static int ThresholdAt(ThresholdFit fit, double k) => ThresholdAt(fit.Mean, fit.Sigma, fit.Convention, k);

        public static int ThresholdAt(double mean, double sigma, ThresholdConvention convention, double k)
        {
            double width = convention == ThresholdConvention.Haniwers ? Math.Sqrt(2) * sigma : sigma;
            double value = mean + k * width;
            if (double.IsNaN(value) || double.IsInfinity(value)) return 0;
            return (int)Math.Round(Math.Max(int.MinValue, Math.Min(int.MaxValue, value)), MidpointRounding.ToEven);
        }

        /// <summary>
        /// Starting values read off the data: Baseline the lowest rate, Height the drop from the
        /// highest, Mean where the (smoothed) rate crosses half way, Sigma from the 84% and 16% crossings.
        /// </summary>
        public static double[] StartingValues(IReadOnlyList<ScanPoint> sorted)
        {
            // average repeated thresholds, then smooth over three neighbours against Poisson jitter
            var grouped = sorted.GroupBy(p => p.Threshold).Select(g => (x: g.Key, y: g.Sum(p => p.Events) / g.Sum(p => p.DurationSeconds))).ToArray();
            var smooth = grouped.Select((p, i) =>
            {
                int from = Math.Max(0, i - 1), to = Math.Min(grouped.Length - 1, i + 1);
                double sum = 0;
                for (int j = from; j <= to; j++) sum += grouped[j].y;
                return (p.x, y: sum / (to - from + 1));
            }).ToArray();
            double high = smooth.Max(p => p.y), low = smooth.Min(p => p.y);
            double height = Math.Max(high - low, 1e-9);
            double span = Math.Max(smooth[smooth.Length - 1].x - smooth[0].x, 1);
            double x50 = Crossing(smooth, low + 0.50 * height) ?? smooth[smooth.Length / 2].x;
            double? x84 = Crossing(smooth, low + 0.84 * height);
            double? x16 = Crossing(smooth, low + 0.16 * height);
            double sigma = x84 is double a && x16 is double b && b > a ? (b - a) / 2 : span / 10;
            return new[] { height, x50, Math.Max(sigma, span / 1000), low };
        }

        /// <summary>The first x where the rate falls below level, linearly interpolated; null when it never does.</summary>
        private static double? Crossing((double x, double y)[] points, double level)
        {
            for (int i = 1; i < points.Length; i++)
            {
                if (points[i - 1].y >= level && points[i].y < level)
                {
                    double t = (points[i - 1].y - level) / (points[i - 1].y - points[i].y);
                    return points[i - 1].x + t * (points[i].x - points[i - 1].x);
                }
            }
            return null;
        }

        private static Matrix<double> Jacobian(Vector<double> p, Vector<double> xs)
        {
            var jacobian = Matrix<double>.Build.Dense(xs.Count, 4);
            var gradient = new double[4];
            for (int i = 0; i < xs.Count; i++)
            {
                SCurve.Gradient(xs[i], p[0], p[1], p[2], gradient);
                for (int k = 0; k < 4; k++) jacobian[i, k] = gradient[k];
            }
            return jacobian;
        }

        /// <summary>(JᵀWJ)⁻¹ at the minimum, scaled by <paramref name="scale"/> (the residual variance when unweighted); null when singular.</summary>
        private static Matrix<double>? Covariance(Vector<double> best, double[] x, double[] w, double scale)
        {
            var jacobian = Jacobian(best, Vector<double>.Build.DenseOfArray(x));
            var weighted = jacobian.Clone();
            for (int i = 0; i < x.Length; i++) weighted.SetRow(i, jacobian.Row(i) * w[i]);
            var information = jacobian.TransposeThisAndMultiply(weighted);
            if (information.Determinant() == 0) return null;
            return information.Inverse() * scale;
        }

        /// <summary>
        /// The standard error of round(Mean + k·width) before rounding: sqrt(cᵀ C c), c = ∂T/∂(Height, Mean, Sigma, Baseline)
        /// = (0, 1, k·w, 0) with w = 1, or √2 in the haniwers convention, so the Mean–Sigma covariance counts.
        /// </summary>
        public static double ThresholdError(double[,]? covariance, double k, ThresholdConvention convention)
        {
            if (covariance is null) return double.NaN;
            double kw = k * (convention == ThresholdConvention.Haniwers ? Math.Sqrt(2) : 1);
            double variance = covariance[SCurve.Mean, SCurve.Mean] + 2 * kw * covariance[SCurve.Mean, SCurve.Sigma] + kw * kw * covariance[SCurve.Sigma, SCurve.Sigma];
            return Math.Sqrt(Math.Max(variance, 0));
        }
    }
}
