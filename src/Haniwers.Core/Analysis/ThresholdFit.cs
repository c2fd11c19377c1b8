using System;
using System.Collections.Generic;

namespace Haniwers.Analysis
{
    /// <summary>How thresholds are derived from the fitted curve.</summary>
    public enum ThresholdConvention
    {
        /// <summary>Mean + k * Sigma, Sigma the standard deviation of the edge.</summary>
        Native,
        /// <summary>As haniwers does: b + k*c with c = sqrt(2) * Sigma, i.e. Mean + k * sqrt(2) * Sigma.</summary>
        Haniwers,
    }

    /// <summary>One channel's fitted S-curve and the thresholds it suggests.</summary>
    public sealed class ThresholdFit
    {
        public int Channel { get; set; }
        /// <summary>The run fitted; the runs pooled, comma-separated; null when the input names none (a haniwers file).</summary>
        public string? RunId { get; set; }
        public double Mean { get; set; }
        public double MeanError { get; set; }
        public double Sigma { get; set; }
        public double SigmaError { get; set; }
        /// <summary>The fall of the curve, in Hz (A).</summary>
        public double Height { get; set; }
        public double HeightError { get; set; }
        /// <summary>The rate left above the edge, in Hz (muons and what the threshold cannot cut).</summary>
        public double Baseline { get; set; }
        public double BaselineError { get; set; }
        public double ChiSquare { get; set; }
        public int DegreesOfFreedom { get; set; }
        public int Points { get; set; }
        /// <summary>
        /// The factor the errors were scaled by because the points scatter more than Poisson allows: S = sqrt(chi-square/ndf)
        /// when that is above 1 (a weighted fit), else 1 (docs/fit.md, "Errors").
        /// </summary>
        public double ErrorScale { get; set; } = 1;
        /// <summary>True when the fit converged and passed the acceptance rule (docs/fit.md); only then is there a <see cref="Threshold"/>.</summary>
        public bool Converged { get; set; }
        /// <summary>Why the fit recommends no threshold (the rule it failed), or null when it does.</summary>
        public string? Rejection { get; set; }
        public bool Weighted { get; set; }
        public ThresholdConvention Convention { get; set; }
        public int? Threshold0Sigma { get; set; }
        public int? Threshold1Sigma { get; set; }
        public int? Threshold3Sigma { get; set; }
        public int? Threshold5Sigma { get; set; }
        /// <summary>The k of the recommended threshold (-Sigma).</summary>
        public double SigmaMultiple { get; set; }
        /// <summary>The recommended threshold: round(Mean + k * Sigma), or the Haniwers convention's; null when the data do not support one.</summary>
        public int? Threshold { get; set; }
        /// <summary>The standard error of the recommended threshold (DAC units), from the covariance of Mean and Sigma.</summary>
        public double ThresholdError { get; set; } = double.NaN;
        /// <summary>The parameters' covariance (Height, Mean, Sigma, Baseline); null when it cannot be computed.</summary>
        public double[,]? Covariance { get; set; }
        public double ScanStart { get; set; }
        public double ScanStop { get; set; }
        public IReadOnlyList<string> Warnings { get; set; } = Array.Empty<string>();

        /// <summary>The points fitted, for the plot.</summary>
        public IReadOnlyList<ScanPoint> Data { get; set; } = Array.Empty<ScanPoint>();

        public double ReducedChiSquare => DegreesOfFreedom > 0 ? ChiSquare / DegreesOfFreedom : double.NaN;

        public double RateAt(double x) => SCurve.Rate(x, Height, Mean, Sigma, Baseline);

        public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"ch{Channel}: Mean {Mean:0.0} ± {MeanError:0.0}, Sigma {Sigma:0.0} ± {SigmaError:0.0}, ") +
            (Threshold is int t ? $"threshold {t}" : $"no threshold ({Rejection})");
    }

    /// <summary>A channel whose points cannot be fitted; says why.</summary>
    public sealed class FitException : Exception
    {
        public FitException(int channel, string reason) : base($"Channel {channel} cannot be fitted: {reason}") => Channel = channel;
        public int Channel { get; }
    }
}
