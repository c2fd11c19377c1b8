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
    /// linear fit R = a + b·(P − P₀) over the bins (weights 1/σ², σ the Poisson error of each bin's rate;
    /// P₀ the weighted mean pressure), β = b / a in %/hPa with its error from the fit's covariance, and each
    /// bin's rate corrected to P₀: R − b·(P − P₀).
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

        /// <summary>Fits the bins (those with a triple coincidence and a live time) and corrects their rates.</summary>
        public static PressureCorrection Fit(IReadOnlyList<RateBin> bins)
        {
            var used = bins.Where(b => b.Triple > 0 && b.LiveSeconds > 0 && !double.IsNaN(b.PressureMean)).ToList();
            if (used.Count < 3)
                throw new PressureFitException($"The barometric coefficient needs at least 3 bins with triple coincidences; there are {used.Count}. Take data for longer, or give a shorter -Interval.");
            var hPa = used.Select(b => b.PressureMean / 100).ToArray();
            var rate = used.Select(b => b.TripleRate).ToArray();
            var weight = used.Select(b => 1 / (b.TripleRateError * b.TripleRateError)).ToArray();
            double reference = hPa.Zip(weight, (p, w) => p * w).Sum() / weight.Sum();
            if (hPa.Max() - hPa.Min() < 1e-9)
                throw new PressureFitException($"The pressure did not change over the data ({hPa[0]:0.00} hPa in every bin): no barometric coefficient can be fitted.");

            var x = Matrix<double>.Build.Dense(used.Count, 2, (i, j) => j == 0 ? 1 : hPa[i] - reference);
            var w = Matrix<double>.Build.DiagonalOfDiagonalArray(weight);
            var y = Vector<double>.Build.DenseOfArray(rate);
            var covariance = (x.TransposeThisAndMultiply(w * x)).Inverse();
            var p = covariance * x.TransposeThisAndMultiply(w * y);
            double a = p[0], b = p[1];
            var residual = y - x * p;
            double chi2 = Enumerable.Range(0, used.Count).Sum(i => residual[i] * residual[i] * weight[i]);
            double beta = b / a;
            double varBeta = covariance[1, 1] / (a * a) + b * b * covariance[0, 0] / Math.Pow(a, 4) - 2 * b * covariance[0, 1] / Math.Pow(a, 3);
            foreach (var bin in bins)
            {
                if (bin.LiveSeconds <= 0 || double.IsNaN(bin.PressureMean)) continue;
                bin.CorrectedTripleRate = bin.TripleRate - b * (bin.PressureMean / 100 - reference);
                bin.CorrectedTripleRateError = bin.TripleRateError;
            }
            return new PressureCorrection
            {
                ReferencePressure = reference, Coefficient = 100 * beta, CoefficientError = 100 * Math.Sqrt(Math.Max(varBeta, 0)),
                RateAtReference = a, RateAtReferenceError = Math.Sqrt(covariance[0, 0]), ChiSquare = chi2, DegreesOfFreedom = used.Count - 2, Bins = used.Count,
            };
        }
    }
}
