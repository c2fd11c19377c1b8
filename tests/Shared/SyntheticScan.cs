using System;
using System.Collections.Generic;
using System.Linq;
using MathNet.Numerics.Distributions;

namespace Haniwers.Analysis
{
    /// <summary>Scans drawn from a known S-curve with Poisson noise: for checking the fit (tests, benchmark).</summary>
    public static class SyntheticScan
    {
        public static List<ScanPoint> Generate(int seed, double height = 100, double mean = 300, double sigma = 8, double baseline = 1,
            double from = 240, double to = 360, double step = 2, double duration = 10, int channel = 1)
        {
            var random = new Random(seed);
            var points = new List<ScanPoint>();
            for (double x = from; x <= to + 1e-9; x += step)
            {
                double expected = SCurve.Rate(x, height, mean, sigma, baseline) * duration;
                points.Add(new ScanPoint(channel, x, Poisson.Sample(random, expected), duration));
            }
            return points;
        }
    }
}
