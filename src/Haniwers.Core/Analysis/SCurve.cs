using System;
using MathNet.Numerics;

namespace Haniwers.Analysis
{
    /// <summary>
    /// The falling S-curve of count rate against threshold:
    /// rate(x) = (Height/2) * erfc((x - Mean) / (sqrt(2) * Sigma)) + Baseline.
    /// The Python tool haniwers writes the same curve as a*erfc((x-b)/c)+d, so a = Height/2,
    /// b = Mean, c = sqrt(2)*Sigma, d = Baseline; its "k sigma" threshold b + k*c is Mean + k*sqrt(2)*Sigma.
    /// </summary>
    public static class SCurve
    {
        public const int Height = 0, Mean = 1, Sigma = 2, Baseline = 3;
        private static readonly double Sqrt2 = Math.Sqrt(2);
        private static readonly double Sqrt2Pi = Math.Sqrt(2 * Math.PI);

        public static double Rate(double x, double height, double mean, double sigma, double baseline) =>
            height / 2 * SpecialFunctions.Erfc((x - mean) / (Sqrt2 * sigma)) + baseline;

        /// <summary>Derivatives with respect to Height, Mean, Sigma, Baseline at x.</summary>
        public static void Gradient(double x, double height, double mean, double sigma, double[] gradient)
        {
            double z = (x - mean) / (Sqrt2 * sigma);
            double gauss = Math.Exp(-z * z);
            gradient[Height] = 0.5 * SpecialFunctions.Erfc(z);
            gradient[Mean] = height / (Sqrt2Pi * sigma) * gauss;
            gradient[Sigma] = height * (x - mean) / (Sqrt2Pi * sigma * sigma) * gauss;
            gradient[Baseline] = 1;
        }
    }
}
