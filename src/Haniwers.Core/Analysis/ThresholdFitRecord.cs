using System;
using Haniwers.Analysis;

namespace Haniwers.Analysis
{
    /// <summary>A row of threshold_fits.csv: the history of fits in a folder.</summary>
    public sealed class ThresholdFitRecord
    {
        public const string FileName = "threshold_fits.csv";

        public DateTimeOffset Timestamp { get; set; }
        public int Channel { get; set; }
        public string RunId { get; set; } = "";
        public double Mean { get; set; }
        public double MeanError { get; set; }
        public double Sigma { get; set; }
        public double SigmaError { get; set; }
        public double Height { get; set; }
        public double Baseline { get; set; }
        public double ChiSquare { get; set; }
        public int DegreesOfFreedom { get; set; }
        public int Points { get; set; }
        public bool Converged { get; set; }
        public bool Weighted { get; set; }
        public string Convention { get; set; } = "";
        public double SigmaMultiple { get; set; }
        /// <summary>Empty when the fit recommends none (see <see cref="Rejection"/>).</summary>
        public int? Threshold { get; set; }
        public double ThresholdError { get; set; }
        public string Rejection { get; set; } = "";
        public string Warnings { get; set; } = "";

        public static ThresholdFitRecord From(ThresholdFit fit, DateTimeOffset timestamp) => new ThresholdFitRecord
        {
            Timestamp = timestamp, Channel = fit.Channel, RunId = fit.RunId ?? "", Mean = fit.Mean, MeanError = fit.MeanError,
            Sigma = fit.Sigma, SigmaError = fit.SigmaError, Height = fit.Height, Baseline = fit.Baseline, ChiSquare = fit.ChiSquare,
            DegreesOfFreedom = fit.DegreesOfFreedom, Points = fit.Points, Converged = fit.Converged, Weighted = fit.Weighted,
            Convention = fit.Convention.ToString(), SigmaMultiple = fit.SigmaMultiple, Threshold = fit.Threshold, ThresholdError = fit.ThresholdError, Rejection = fit.Rejection ?? "",
            Warnings = string.Join("; ", fit.Warnings),
        };
    }
}
