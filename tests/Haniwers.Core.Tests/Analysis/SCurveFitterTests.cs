using System;
using System.Collections.Generic;
using System.Linq;
using Haniwers.Analysis;
using MathNet.Numerics.Statistics;
using Xunit;

namespace Haniwers.Tests.Analysis
{
    public class SCurveFitterTests
    {
        private static readonly FitOptions Default = new FitOptions();

        [Fact]
        public void FitsAHundredThousandPointsWithoutALibraryException()
        {
            // Measure-HaniwersThreshold -AllRuns over a long history: MathNet turned the weights into a dense n-by-n
            // matrix, whose index overflowed at 100,000 points ("Index was outside the bounds of the array")
            var points = Enumerable.Range(1, 1640).SelectMany(seed => SyntheticScan.Generate(seed, duration: 1)).ToList();
            Assert.True(points.Count >= 100000);
            var fit = SCurveFitter.Fit(points, Default);
            Assert.True(fit.Converged);
            Assert.Equal(points.Count, fit.Points);
            Assert.InRange(fit.Mean, 299, 301);
            Assert.InRange(fit.Sigma, 7.5, 8.5);
        }

        [Fact]
        public void RecoversMeanAndSigmaWithinThreeErrorsInAtLeast95PercentOf200Seeds()
        {
            int meanInside = 0, sigmaInside = 0;
            var meanPulls = new List<double>();
            var sigmaPulls = new List<double>();
            for (int seed = 1; seed <= 200; seed++)
            {
                var fit = SCurveFitter.Fit(SyntheticScan.Generate(seed), Default);
                double meanPull = (fit.Mean - 300) / fit.MeanError;
                double sigmaPull = (fit.Sigma - 8) / fit.SigmaError;
                meanPulls.Add(meanPull);
                sigmaPulls.Add(sigmaPull);
                if (Math.Abs(meanPull) < 3) meanInside++;
                if (Math.Abs(sigmaPull) < 3) sigmaInside++;
            }
            Assert.True(meanInside >= 190, $"Mean within 3 errors in {meanInside}/200");
            Assert.True(sigmaInside >= 190, $"Sigma within 3 errors in {sigmaInside}/200");
            // the errors are right in scale: pulls have unit width
            Assert.InRange(meanPulls.StandardDeviation(), 0.8, 1.25);
            Assert.InRange(sigmaPulls.StandardDeviation(), 0.8, 1.25);
        }

        [Theory]
        [InlineData(40, 700, 25, 0.2, 500, 900, 4)]     // far from the usual edge, wide
        [InlineData(5000, 30, 2, 50, 1, 80, 1)]         // near the DAC bottom, sharp, high rates
        [InlineData(3, 512, 15, 0.01, 400, 620, 3)]     // a few Hz only
        public void StartingValuesComeFromTheDataSoAnyDetectorConverges(double height, double mean, double sigma, double baseline, double from, double to, double step)
        {
            var points = SyntheticScan.Generate(7, height, mean, sigma, baseline, from, to, step, duration: 30);
            var start = SCurveFitter.StartingValues(points);
            Assert.InRange(start[SCurve.Mean], mean - 3 * sigma, mean + 3 * sigma);
            Assert.InRange(start[SCurve.Sigma], sigma / 3, sigma * 3);
            var fit = SCurveFitter.Fit(points, Default);
            Assert.True(fit.Converged);
            Assert.InRange(fit.Mean, mean - 4 * fit.MeanError - 0.5, mean + 4 * fit.MeanError + 0.5);
            Assert.InRange(fit.Sigma, sigma - 4 * fit.SigmaError - 0.5, sigma + 4 * fit.SigmaError + 0.5);
        }

        [Fact]
        public void ThresholdsAreMeanPlusKSigmaRounded()
        {
            var fit = SCurveFitter.Fit(SyntheticScan.Generate(3), new FitOptions { SigmaMultiple = 2 });
            Assert.Equal((int)Math.Round(fit.Mean, MidpointRounding.ToEven), fit.Threshold0Sigma);
            Assert.Equal((int)Math.Round(fit.Mean + fit.Sigma, MidpointRounding.ToEven), fit.Threshold1Sigma);
            Assert.Equal((int)Math.Round(fit.Mean + 3 * fit.Sigma, MidpointRounding.ToEven), fit.Threshold3Sigma);
            Assert.Equal((int)Math.Round(fit.Mean + 5 * fit.Sigma, MidpointRounding.ToEven), fit.Threshold5Sigma);
            Assert.Equal((int)Math.Round(fit.Mean + 2 * fit.Sigma, MidpointRounding.ToEven), fit.Threshold);
        }

        [Fact]
        public void TheHaniwersConventionUsesCEqualsSqrt2Sigma()
        {
            var points = SyntheticScan.Generate(3);
            var native = SCurveFitter.Fit(points, Default);
            var haniwers = SCurveFitter.Fit(points, new FitOptions { Convention = ThresholdConvention.Haniwers });
            Assert.Equal(native.Mean, haniwers.Mean, 9);
            Assert.Equal((int)Math.Round(native.Mean + 3 * Math.Sqrt(2) * native.Sigma, MidpointRounding.ToEven), haniwers.Threshold3Sigma);
            Assert.True(haniwers.Threshold3Sigma > native.Threshold3Sigma);
        }

        [Fact]
        public void AgreesWithAnIndependentGaussNewtonLeastSquares()
        {
            foreach (bool weighted in new[] { true, false })
            {
                var points = SyntheticScan.Generate(42);
                var fit = SCurveFitter.Fit(points, new FitOptions { Weighted = weighted });
                var reference = IndependentLeastSquares.Fit(points, weighted, new[] { 90.0, 305, 10, 2 });
                Assert.Equal(reference[0], fit.Height, 3);
                Assert.Equal(reference[1], fit.Mean, 3);
                Assert.Equal(reference[2], fit.Sigma, 3);
                Assert.Equal(reference[3], fit.Baseline, 3);
            }
        }

        [Fact]
        public void ChiSquareIsAboutTheDegreesOfFreedomForPoissonData()
        {
            var ratios = Enumerable.Range(1, 50).Select(seed => SCurveFitter.Fit(SyntheticScan.Generate(seed), Default).ReducedChiSquare).ToList();
            Assert.InRange(ratios.Average(), 0.8, 1.25);
        }

        private static bool WarnsOfScatter(ThresholdFit fit) => fit.Warnings.Any(w => w.Contains("chi-square/ndf", StringComparison.Ordinal));

        [Fact]
        public void GoodScansOfFewCountsPerWindowRarelyWarnOfTheirScatter()
        {
            // the README's first scan: 21 windows of 0.5 s, a plateau of 200 Hz, a tail of a count or none per window
            int warned = Enumerable.Range(1, 1000).Count(seed => WarnsOfScatter(SCurveFitter.Fit(
                SyntheticScan.Generate(seed, height: 200, mean: 280, sigma: 9, baseline: 1, from: 230, to: 330, step: 5, duration: 0.5), Default)));
            Assert.InRange(warned, 0, 2);
            // a short scan of 9 points (5 degrees of freedom) neither
            int shortWarned = Enumerable.Range(1, 1000).Count(seed => WarnsOfScatter(SCurveFitter.Fit(
                SyntheticScan.Generate(seed, from: 270, to: 330, step: 7.5, duration: 10), Default)));
            Assert.InRange(shortWarned, 0, 2);
        }

        /// <summary>A scan whose windows scatter more than Poisson: each window's rate drifts by up to ±<paramref name="drift"/>.</summary>
        private static List<ScanPoint> Drifting(int seed, double drift)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, 41).Select(i => 240 + 3.0 * i).Select(x => new ScanPoint(1, x,
                MathNet.Numerics.Distributions.Poisson.Sample(random, SCurve.Rate(x, 100, 300, 8, 1) * 10 * (1 - drift + 2 * drift * random.NextDouble())), 10)).ToList();
        }

        [Fact]
        public void ErrorsAreScaledWhereThePointsScatterMoreThanPoisson()
        {
            // windows whose rate drifts by ±30 %: chi-square/ndf far above 1. The errors are scaled by S = sqrt(chi-square/ndf)
            // (docs/fit.md, "Errors"), and the pulls of 200 such scans have about unit width; unscaled, they were far wider
            var pulls = new List<double>();
            foreach (int seed in Enumerable.Range(1, 200))
            {
                var fit = SCurveFitter.Fit(Drifting(seed, 0.3), Default);
                if (fit.ReducedChiSquare > 1) Assert.Equal(Math.Sqrt(fit.ReducedChiSquare), fit.ErrorScale, 9);
                pulls.Add((fit.Mean - 300) / fit.MeanError);
            }
            Assert.InRange(pulls.StandardDeviation(), 0.75, 1.25);
            var drifting = SCurveFitter.Fit(Drifting(7, 0.3), Default);
            Assert.True(drifting.ErrorScale > 2, $"S = {drifting.ErrorScale}");
            Assert.True(SCurveFitter.ScatterExceedsPoisson(drifting));
            Assert.Contains(drifting.Warnings, w => w.Contains($"the errors are scaled by {drifting.ErrorScale:0.##}", StringComparison.Ordinal));
            // a Poisson scan: scaled only where its chi-square came out above ndf, and then by little
            var good = Enumerable.Range(1, 100).Select(seed => SCurveFitter.Fit(SyntheticScan.Generate(seed), Default)).ToList();
            Assert.All(good, f => Assert.InRange(f.ErrorScale, 1, 1.6));
            Assert.InRange(good.Count(SCurveFitter.ScatterExceedsPoisson), 0, 2); // one in ten thousand each way, and Pearson's chi-square is skewed at few counts
        }

        [Fact]
        public void ScatterBeyondPoissonWarns()
        {
            var random = new Random(7);
            // noise that drifts by +-30 % from window to window
            var drifting = Enumerable.Range(0, 41).Select(i => 240 + 3.0 * i).Select(x => new ScanPoint(1, x,
                MathNet.Numerics.Distributions.Poisson.Sample(random, SCurve.Rate(x, 100, 300, 8, 1) * 10 * (0.7 + 0.6 * random.NextDouble())), 10)).ToList();
            var fit = SCurveFitter.Fit(drifting, Default);
            Assert.True(WarnsOfScatter(fit), "a drifting noise rate is told");
            Assert.Contains(fit.Warnings, w => w.Contains("scatter more", StringComparison.Ordinal));
            // windows that repeat the expected counts exactly: no Poisson scatter at all
            var repeated = Enumerable.Range(0, 41).Select(i => 240 + 3.0 * i).Select(x => new ScanPoint(1, x, Math.Round(SCurve.Rate(x, 100, 300, 8, 1) * 10), 10)).ToList();
            fit = SCurveFitter.Fit(repeated, Default);
            Assert.Contains(fit.Warnings, w => w.Contains("scatter less", StringComparison.Ordinal));
        }

        [Fact]
        public void OnePointIsAClearError()
        {
            var ex = Assert.Throws<FitException>(() => SCurveFitter.Fit(new[] { new ScanPoint(2, 300, 10, 1) }, Default));
            Assert.Equal(2, ex.Channel);
            Assert.Contains("at least 5", ex.Message);
        }

        [Fact]
        public void AllZerosIsAClearError()
        {
            var points = Enumerable.Range(0, 30).Select(i => new ScanPoint(3, 250 + i, 0, 1)).ToList();
            var ex = Assert.Throws<FitException>(() => SCurveFitter.Fit(points, Default));
            Assert.Contains("no event at any threshold", ex.Message);
        }

        [Fact]
        public void AFlatResponseRecommendsNoThresholdAndSaysWhy()
        {
            var points = SyntheticScan.Generate(5, height: 0, baseline: 20);
            var fit = SCurveFitter.Fit(points, Default);
            Assert.Null(fit.Threshold);
            Assert.False(fit.Converged);
            Assert.NotNull(fit.Rejection);
            Assert.Contains(fit.Warnings, w => w.StartsWith("no threshold is recommended: " + fit.Rejection));
        }

        [Fact]
        public void NotANumberPointsAreDroppedWithAWarning()
        {
            var points = SyntheticScan.Generate(8);
            points.Add(new ScanPoint(1, double.NaN, 5, 10));
            points.Add(new ScanPoint(1, 300, double.NaN, 10));
            points.Add(new ScanPoint(1, 300, 5, 0));
            var fit = SCurveFitter.Fit(points, Default);
            Assert.Equal(61, fit.Points);
            Assert.Contains(fit.Warnings, w => w.StartsWith("3 point(s) dropped"));
        }

        [Fact]
        public void DuplicateThresholdsAreFittedAsSeparateMeasurementsWithAWarning()
        {
            var points = SyntheticScan.Generate(9).Concat(SyntheticScan.Generate(10)).ToList();
            var fit = SCurveFitter.Fit(points, Default);
            Assert.Equal(122, fit.Points);
            Assert.Contains(fit.Warnings, w => w.Contains("share a threshold"));
            Assert.InRange(fit.Mean, 298, 302);
        }

        [Fact]
        public void OnlyDuplicatesOfFewThresholdsIsAClearError()
        {
            var points = Enumerable.Range(0, 40).Select(i => new ScanPoint(1, 300 + i % 3, 50, 1)).ToList();
            Assert.Throws<FitException>(() => SCurveFitter.Fit(points, Default));
        }

        [Fact]
        public void FewPointsAndARecommendationOutsideTheScanAreWarnedAbout()
        {
            var points = SyntheticScan.Generate(11, from: 270, to: 310, step: 5);
            var fit = SCurveFitter.Fit(points, new FitOptions { SigmaMultiple = 5 });
            Assert.Contains(fit.Warnings, w => w.StartsWith("only 9 points"));
            Assert.Contains(fit.Warnings, w => w.Contains("outside the scanned range"));
        }
    }

    /// <summary>
    /// A separate least-squares fit for comparison: Gauss-Newton with numerical derivatives and
    /// step halving, written without MathNet's optimiser. Weighted: a pass with the observed
    /// Poisson errors, then a pass with the variances of the first pass's curve.
    /// </summary>
    internal static class IndependentLeastSquares
    {
        public static double[] Fit(IReadOnlyList<ScanPoint> points, bool weighted, double[] start)
        {
            if (!weighted) return GaussNewton(points, points.Select(_ => 1.0).ToArray(), start);
            var first = GaussNewton(points, points.Select(pt => 1 / (pt.RateError * pt.RateError)).ToArray(), start);
            var modelWeights = points.Select(pt =>
            {
                double expected = Math.Max(SCurve.Rate(pt.Threshold, first[0], first[1], first[2], first[3]) * pt.DurationSeconds, 1);
                return pt.DurationSeconds * pt.DurationSeconds / expected;
            }).ToArray();
            return GaussNewton(points, modelWeights, first);
        }

        private static double[] GaussNewton(IReadOnlyList<ScanPoint> points, double[] weights, double[] start)
        {
            var p = (double[])start.Clone();
            double Cost(double[] q) => points.Select((pt, i) =>
            {
                double r = pt.Rate - SCurve.Rate(pt.Threshold, q[0], q[1], q[2], q[3]);
                return weights[i] * r * r;
            }).Sum();
            double cost = Cost(p);
            for (int iteration = 0; iteration < 500; iteration++)
            {
                var jtj = new double[4, 4];
                var jtr = new double[4];
                for (int index = 0; index < points.Count; index++)
                {
                    var pt = points[index];
                    double w = weights[index];
                    double f = SCurve.Rate(pt.Threshold, p[0], p[1], p[2], p[3]);
                    var g = new double[4];
                    for (int k = 0; k < 4; k++)
                    {
                        var q = (double[])p.Clone();
                        double h = 1e-6 * Math.Max(Math.Abs(p[k]), 1);
                        q[k] += h;
                        g[k] = (SCurve.Rate(pt.Threshold, q[0], q[1], q[2], q[3]) - f) / h;
                    }
                    for (int a = 0; a < 4; a++)
                    {
                        jtr[a] += w * g[a] * (pt.Rate - f);
                        for (int b = 0; b < 4; b++) jtj[a, b] += w * g[a] * g[b];
                    }
                }
                var step = Solve(jtj, jtr);
                double scale = 1;
                double[] next;
                double nextCost;
                do
                {
                    next = p.Select((v, k) => v + scale * step[k]).ToArray();
                    nextCost = Cost(next);
                    scale /= 2;
                } while (nextCost > cost && scale > 1e-10);
                if (nextCost > cost) break;
                bool done = Math.Abs(cost - nextCost) < 1e-12 * Math.Max(cost, 1);
                p = next;
                cost = nextCost;
                if (done) break;
            }
            return p;
        }

        private static double[] Solve(double[,] a, double[] b)
        {
            int n = b.Length;
            var m = new double[n, n + 1];
            for (int i = 0; i < n; i++) { for (int j = 0; j < n; j++) m[i, j] = a[i, j]; m[i, n] = b[i]; }
            for (int col = 0; col < n; col++)
            {
                int pivot = Enumerable.Range(col, n - col).OrderByDescending(r => Math.Abs(m[r, col])).First();
                for (int j = 0; j <= n; j++) (m[col, j], m[pivot, j]) = (m[pivot, j], m[col, j]);
                for (int r = 0; r < n; r++)
                {
                    if (r == col) continue;
                    double factor = m[r, col] / m[col, col];
                    for (int j = col; j <= n; j++) m[r, j] -= factor * m[col, j];
                }
            }
            return Enumerable.Range(0, n).Select(i => m[i, n] / m[i, i]).ToArray();
        }
    }
}
