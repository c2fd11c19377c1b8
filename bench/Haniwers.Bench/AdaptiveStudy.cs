using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Haniwers.Analysis;
using Haniwers.Configuration;
using Haniwers.Output;
using Haniwers.Protocol;
using Haniwers.Scanning;
using Haniwers.Simulation;
using Haniwers.Transport;

/// <summary>
/// The adaptive scan against a fixed grid on the simulated detector with known truth, on a manual
/// clock (measuring time is counted in windows, not waited for): the time ratio and the pulls.
/// </summary>
internal static class AdaptiveStudy
{
    private sealed class Rows : IScanObserver
    {
        public readonly List<ScanResult> All = new List<ScanResult>();
        public void StepStarting(ScanStep step, int position, int total, TimeSpan elapsed) { }
        public void Attempt(ThresholdAttempt attempt) { }
        public void StepCompleted(ScanStep step, IReadOnlyList<ScanResult> rows) => All.AddRange(rows);
        public void StepSkipped(SkippedStep skipped) { }
        public void StepRemeasured(ScanStep step, string reason) { }
        public void Notice(string message) { }
        public void Warning(string message) { }
    }

    private static HaniwersConfig Config(double window)
    {
        var config = HaniwersConfig.CreateDefault();
        foreach (var s in config.Sensors) { s.NSteps = 25; s.StepSize = 2; } // centre ± 50 in steps of 2: 51 windows
        config.Sampler.Duration = window;
        config.Sampler.SettleTime = 0;
        return config;
    }

    private static (IReadOnlyList<ThresholdFit?> fits, double seconds) Scan(ScanPlan plan, int seed)
    {
        string folder = Path.Combine(Path.GetTempPath(), "haniwers-adaptive-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        try
        {
            var clock = new ManualClock();
            var link = new SimulatedLink(new SimulatedDetector(SimulatorOptions.Parse($"seed={seed}")), clock);
            var rows = new Rows();
            using (var run = ScanRun.Open(folder, plan.Ranges.Select(r => r.Channel), clock, new Dictionary<string, object?>()))
            {
                var writer = new ThresholdWriter(new TextFirmware(), new RetryPolicy(3, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), seed: 1), TimeSpan.FromSeconds(2));
                new ScanEngine(plan, link, writer, run, rows, run.RunId, new ScanLimits()).Run(CancellationToken.None);
            }
            var fits = Enumerable.Range(1, 3).Select(ch =>
            {
                var points = rows.All.Where(r => r.Channel == ch).Select(r => new ScanPoint(ch, r.Threshold, r.Events, r.DurationSeconds)).ToList();
                try { return SCurveFitter.Fit(points, new FitOptions()); } catch (FitException) { return null; }
            }).ToList();
            return (fits, rows.All.Where(r => r.Channel == 1).Sum(r => r.DurationSeconds)); // the measuring time
        }
        finally
        {
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// What any design on the grid could reach, from the model alone (true parameters, no noise): the
    /// c-optimal weights (multiplicative algorithm) against the uniform grid, as a share of its time.
    /// </summary>
    private static double DesignBound(double height, double mean, double sigma, double baseline, int[] grid)
    {
        var c = new[] { 0.0, 1, 3, 0 };
        double[] Grad(double x) { var g = new double[4]; SCurve.Gradient(x, height, mean, sigma, g); return g; }
        double Rate(double x) => SCurve.Rate(x, height, mean, sigma, baseline);
        MathNet.Numerics.LinearAlgebra.Matrix<double> Info(double[] w)
        {
            var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(4, 4);
            for (int k = 0; k < grid.Length; k++) { var g = Grad(grid[k]); for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) m[i, j] += w[k] * g[i] * g[j] / Rate(grid[k]); }
            return m;
        }
        double Var(double[] w) { var ci = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(c); return ci * Info(w).PseudoInverse() * ci; }
        var uniform = Enumerable.Repeat(1.0 / grid.Length, grid.Length).ToArray();
        var weights = (double[])uniform.Clone();
        for (int iteration = 0; iteration < 3000; iteration++)
        {
            var covariance = Info(weights).PseudoInverse();
            var ci = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(c);
            var d = grid.Select(x => { var g = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(Grad(x)); double v = ci * covariance * g; return v * v / Rate(x); }).ToArray();
            double total = weights.Zip(d, (w, dd) => w * dd).Sum();
            for (int k = 0; k < grid.Length; k++) weights[k] *= d[k] / total;
        }
        return Var(weights) / Var(uniform);
    }

    public static void Run(int seeds, double window)
    {
        var truth = new SimulatorOptions();
        double Truth(int ch) => truth.NoiseMidpoint[ch - 1] + 3 * truth.NoiseWidth[ch - 1];
        double fixedWindows = 0, adaptiveWindows = 0;
        int within = 0, channels = 0, reached = 0;
        var pulls = new List<double>();
        var fixedErrors = new List<double>();
        var adaptiveErrors = new List<double>();
        for (int seed = 1; seed <= seeds; seed++)
        {
            var (fixedFits, fixedCount) = Scan(ScanPlan.Create(Config(window), ScanMode.Parallel), seed);
            var usable = fixedFits.Where(f => f?.Threshold is not null).ToList();
            if (usable.Count == 0) continue;
            double target = usable.Max(f => f!.ThresholdError); // the precision the fixed grid reached on every channel
            var (fits, count) = Scan(ScanPlan.Adaptive(Config(window), target, 200, null, new FitOptions()), seed + 1000);
            fixedWindows += fixedCount;
            adaptiveWindows += count;
            if (Environment.GetEnvironmentVariable("HANIWERS_BENCH_DETAIL") == "1")
                Console.WriteLine($"  seed {seed}: target {target:0.00}, fixed errors {string.Join("/", fixedFits.Select(f => f?.ThresholdError.ToString("0.00") ?? "-"))}, adaptive {count:0.##} s, errors {string.Join("/", fits.Select(f => f?.ThresholdError.ToString("0.00") ?? "-"))}");
            fixedErrors.AddRange(usable.Select(f => f!.ThresholdError));
            for (int ch = 1; ch <= 3; ch++)
            {
                var fit = fits[ch - 1];
                channels++;
                if (fit?.Threshold is not int t) continue;
                if (fit.ThresholdError <= target) reached++;
                adaptiveErrors.Add(fit.ThresholdError);
                // the unrounded threshold against the truth, in units of its reported error
                double pull = (fit.Mean + 3 * fit.Sigma - Truth(ch)) / fit.ThresholdError;
                pulls.Add(pull);
                if (Math.Abs(pull) <= 3) within++;
            }
        }
        double mean = pulls.Average();
        double width = Math.Sqrt(pulls.Sum(p => (p - mean) * (p - mean)) / Math.Max(pulls.Count - 1, 1));
        static double Median(List<double> v) { var a = v.OrderBy(x => x).ToArray(); return a.Length == 0 ? double.NaN : a[a.Length / 2]; }
        Console.WriteLine($"adaptive vs fixed-grid parallel scan, {seeds} seeds on the simulator (3 channels, edges at 280/300/260, width 8, range centre +-50 in steps of 2, {window:0.#} s windows):");
        Console.WriteLine($"  measuring time adaptive / fixed: {adaptiveWindows / fixedWindows:0.000} ({adaptiveWindows:0.#} s / {fixedWindows:0.#} s of windows; goal <= 0.333)");
        var grid = Enumerable.Range(0, 51).Select(i => 230 + 2 * i).ToArray();
        Console.WriteLine($"  the best any design on this grid could do, from the model with the true parameters (c-optimal weights): {DesignBound(190, 280, 8, 0.95, grid):0.000} of the fixed grid's time");
        Console.WriteLine($"  threshold error, median: fixed {Median(fixedErrors):0.00} DAC, adaptive {Median(adaptiveErrors):0.00} DAC; target reached on {reached} of {channels} channels");
        Console.WriteLine($"  pull of the adaptive thresholds against the truth: {within} of {pulls.Count} within 3 reported errors ({100.0 * within / Math.Max(pulls.Count, 1):0.#}%), pull mean {mean:+0.00;-0.00}, width {width:0.00} (goal >= 95%, width 0.8..1.25)");
    }
}
