using System;
using System.Collections.Generic;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;

namespace Haniwers.DataTaking
{
    /// <summary>The barometric coefficient could not be fitted (too few bins, no spread of pressure).</summary>
    public sealed class PressureFitException : Exception
    {
        public PressureFitException(string message) : base(message) { }
    }

    /// <summary>
    /// The barometric effect on the muon (triple coincidence) rate (docs/daq.md, "Pressure"): a weighted
    /// linear fit R = a + b·(P − P₀) over the bins, weights = live time / fitted rate (the Poisson variance
    /// of the model, iterated; P₀ the live-time-weighted mean pressure), β = b / a in %/hPa with its error
    /// from the fit's covariance, and each bin's rate corrected to P₀: R − b·(P − P₀).
    /// </summary>
    public sealed class PressureCorrection
    {
        public double ReferencePressure { get; private set; }
        /// <summary>β, the relative change of the rate per hPa, in %/hPa (negative: more air, fewer muons).</summary>
        public double Coefficient { get; private set; }
        public double CoefficientError { get; private set; }
        /// <summary>The fitted rate at the reference pressure, Hz.</summary>
        public double RateAtReference { get; private set; }
        public double RateAtReferenceError { get; private set; }
        public double ChiSquare { get; private set; }
        public int DegreesOfFreedom { get; private set; }
        public int Bins { get; private set; }

        public override string ToString() =>
            $"Barometric coefficient {Coefficient:0.000} ± {CoefficientError:0.000} %/hPa at {ReferencePressure:0.0} hPa (rate there {RateAtReference:0.####} ± {RateAtReferenceError:0.####} Hz; χ²/ndf {ChiSquare:0.0}/{DegreesOfFreedom}, {Bins} bins).";

        /// <summary>
        /// Fits the bins with a live time and a pressure (empty bins too: they are data) and corrects their rates.
        /// The weights come from the fitted rate, not from each bin's own count (Poisson, iterated): a bin
        /// with few counts by chance would otherwise weigh the most and pull the fit.
        /// </summary>
        public static PressureCorrection Fit(IReadOnlyList<RateBin> bins)
        {
            var used = bins.Where(b => b.LiveSeconds > 0 && !double.IsNaN(b.PressureMean)).ToList();
            long triples = used.Sum(b => b.Triple);
            if (used.Count < 3 || triples == 0)
                throw new PressureFitException($"The barometric coefficient needs at least 3 bins with a live time and a pressure, and triple coincidences in them; there are {used.Count} bin(s) with {triples} triple(s). Take data for longer, or give a shorter -Interval.");
            var hPa = used.Select(b => b.PressureMean / 100).ToArray();
            var live = used.Select(b => b.LiveSeconds).ToArray();
            var rate = used.Select(b => b.Triple / b.LiveSeconds).ToArray();
            if (hPa.Max() - hPa.Min() < 1e-9)
                throw new PressureFitException($"The pressure did not change over the data ({hPa[0]:0.00} hPa in every bin): no barometric coefficient can be fitted.");
            double reference = hPa.Zip(live, (p, t) => p * t).Sum() / live.Sum();

            var x = Matrix<double>.Build.Dense(used.Count, 2, (i, j) => j == 0 ? 1 : hPa[i] - reference);
            var y = Vector<double>.Build.DenseOfArray(rate);
            var expected = Enumerable.Repeat(triples / live.Sum(), used.Count).ToArray();
            Matrix<double> covariance = null!;
            Vector<double> p = null!;
            double[] weight = null!;
            for (int iteration = 0; iteration < 8; iteration++)
            {
                // the variance of a bin's rate is the expected rate over its live time
                weight = expected.Select((r, i) => live[i] / Math.Max(r, 1e-12)).ToArray();
                var w = Matrix<double>.Build.DiagonalOfDiagonalArray(weight);
                covariance = x.TransposeThisAndMultiply(w * x).Inverse();
                p = covariance * x.TransposeThisAndMultiply(w * y);
                expected = (x * p).ToArray();
            }
            double a = p[0], b = p[1];
            double chi2 = Enumerable.Range(0, used.Count).Sum(i => (rate[i] - expected[i]) * (rate[i] - expected[i]) * weight[i]);
            double beta = b / a;
            double varBeta = covariance[1, 1] / (a * a) + b * b * covariance[0, 0] / Math.Pow(a, 4) - 2 * b * covariance[0, 1] / Math.Pow(a, 3);
            foreach (var bin in bins)
            {
                if (bin.LiveSeconds <= 0 || double.IsNaN(bin.PressureMean)) continue;
                double shift = b * (bin.PressureMean / 100 - reference);
                bin.CorrectedTripleRate = bin.TripleRate - shift;
                bin.CorrectedTripleRateError = Math.Sqrt(Math.Max(a + shift, 0) / bin.LiveSeconds);
            }
            return new PressureCorrection
            {
                ReferencePressure = reference, Coefficient = 100 * beta, CoefficientError = 100 * Math.Sqrt(Math.Max(varBeta, 0)),
                RateAtReference = a, RateAtReferenceError = Math.Sqrt(covariance[0, 0]), ChiSquare = chi2, DegreesOfFreedom = used.Count - 2, Bins = used.Count,
            };
        }
    }
}
