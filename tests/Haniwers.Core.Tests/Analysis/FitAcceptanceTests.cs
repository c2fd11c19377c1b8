using System;
using System.Collections.Generic;
using System.Linq;
using Haniwers.Analysis;
using Xunit;

namespace Haniwers.Tests.Analysis
{
    /// <summary>The fit recommends a threshold only where the data resolve the edge (docs/fit.md).</summary>
    public class FitAcceptanceTests
    {
        private static readonly FitOptions Default = new FitOptions();

        private static List<ScanPoint> Points(Func<double, double> rate, double from = 240, double to = 360, double step = 2, double duration = 10, int seed = 1)
        {
            var random = new Random(seed);
            var points = new List<ScanPoint>();
            for (double x = from; x <= to + 1e-9; x += step)
                points.Add(new ScanPoint(1, x, MathNet.Numerics.Distributions.Poisson.Sample(random, rate(x) * duration), duration));
            return points;
        }

        private static void AssertRejected(ThresholdFit fit, string because)
        {
            Assert.Null(fit.Threshold);
            Assert.Null(fit.Threshold3Sigma);
            Assert.False(fit.Converged);
            Assert.Contains(because, fit.Rejection);
            Assert.Contains(fit.Warnings, w => w.Contains(fit.Rejection!));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        public void AFlatScanGetsNoThreshold(int seed)
        {
            var fit = SCurveFitter.Fit(Points(_ => 20, seed: seed), Default);
            Assert.Null(fit.Threshold);
            Assert.False(fit.Converged);
            Assert.NotNull(fit.Rejection);
        }

        [Fact]
        public void AStepWithNoPointOnTheEdgeGetsNoThreshold()
        {
            // the rate drops from 200 Hz to 1 Hz between two neighbouring thresholds: the edge's width is not measured
            var fit = SCurveFitter.Fit(Points(x => x < 301 ? 200 : 1, step: 4), Default);
            AssertRejected(fit, "across the edge");
        }

        [Fact]
        public void NoiseOnlyFallingAcrossTheWholeScanGetsNoThreshold()
        {
            // the scan sits on the noise slope: a steady fall with no plateau above it
            var fit = SCurveFitter.Fit(Points(x => 500 * Math.Exp(-(x - 240) / 40)), Default);
            Assert.Null(fit.Threshold);
            Assert.NotNull(fit.Rejection);
        }

        [Fact]
        public void AnEdgeBeyondTheScannedRangeGetsNoThreshold()
        {
            // the scan covers only the noise plateau below an edge at 420
            var fit = SCurveFitter.Fit(SyntheticScan.Generate(4, mean: 420, from: 240, to: 360), Default);
            Assert.Null(fit.Threshold);
            Assert.NotNull(fit.Rejection);
        }

        [Fact]
        public void ARecommendationOutsideTheScannedRangeIsNotMade()
        {
            // the edge is inside, but Mean + 3 Sigma = 324 lies past the last threshold, 310
            var fit = SCurveFitter.Fit(SyntheticScan.Generate(6, mean: 300, sigma: 8, from: 240, to: 310), Default);
            AssertRejected(fit, "outside the scanned range");
            Assert.Equal(300, fit.Mean, 0);
        }

        [Fact]
        public void OnePointCannotBeFitted()
        {
            var ex = Assert.Throws<FitException>(() => SCurveFitter.Fit(new[] { new ScanPoint(2, 300, 50, 10) }, Default));
            Assert.Equal(2, ex.Channel);
            Assert.Contains("1 distinct threshold", ex.Message);
        }

        [Theory]
        [InlineData(100, 300, 8, 1)]
        [InlineData(40, 700, 25, 0.2)]
        [InlineData(5000, 30, 2, 50)]
        [InlineData(3, 512, 15, 0.01)]
        public void GoodScansStillGetTheirThreshold(double height, double mean, double sigma, double baseline)
        {
            double from = Math.Max(1, mean - 7 * sigma), to = Math.Min(1023, mean + 7 * sigma), step = Math.Max(1, Math.Round(sigma / 4));
            var fits = Enumerable.Range(1, 100).Select(seed => SCurveFitter.Fit(SyntheticScan.Generate(seed, height, mean, sigma, baseline, from, to, step), Default)).ToList();
            var accepted = fits.Where(f => f.Threshold is not null).ToList();
            Assert.True(accepted.Count >= 98, $"{accepted.Count} of 100 accepted; rejections: {string.Join(" | ", fits.Where(f => f.Rejection is not null).Select(f => f.Rejection).Distinct().Take(3))}");
            // the recommendation agrees with the true Mean + 3 Sigma within five of its own errors
            Assert.All(accepted, f =>
            {
                double error = Math.Sqrt(f.MeanError * f.MeanError + 9 * f.SigmaError * f.SigmaError);
                Assert.InRange(f.Threshold!.Value, mean + 3 * sigma - 5 * error - 1, mean + 3 * sigma + 5 * error + 1);
            });
        }
    
        [Fact]
        public void AWellResolvedEdgeOfManyShortWindowsIsAccepted()
        {
            // 81 thresholds, 1 s windows: each point is noisy, the edge is not
            int accepted = Enumerable.Range(1, 20).Count(seed =>
                SCurveFitter.Fit(SyntheticScan.Generate(seed, height: 10, mean: 280, sigma: 6, baseline: 0.5, from: 240, to: 320, step: 1, duration: 1), Default).Threshold is not null);
            Assert.True(accepted >= 18, $"{accepted} of 20");
        }

        [Fact]
        public void TwoRunsMixedInOneFitAreRejectedByChiSquare()
        {
            // the same thresholds measured twice with edges 30 apart: no single S-curve describes both
            var points = SyntheticScan.Generate(1, mean: 280, sigma: 6, from: 240, to: 340, step: 4)
                .Concat(SyntheticScan.Generate(2, mean: 310, sigma: 6, from: 240, to: 340, step: 4)).ToList();
            var fit = SCurveFitter.Fit(points, Default);
            Assert.Null(fit.Threshold);
            Assert.NotNull(fit.Rejection);
        }
    }
}
