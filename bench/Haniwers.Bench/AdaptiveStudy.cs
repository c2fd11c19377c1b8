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
/// The adaptive scan against the fixed grid and against the limit (docs/adaptive-scan.md, "How well it does"), on
/// simulated detectors with known truth and a manual clock: wall time (windows, settle time and writes) of the grid, of
/// the adaptive scan asked for the grid's precision, and of the same with a prior from an earlier scan of the detector;
/// the c-optimal bound on free integer thresholds with the true parameters and the same per-window cost; coverage.
/// </summary>
internal static class AdaptiveStudy
{
    private sealed class Rows : IScanObserver
    {
        public readonly List<ScanResult> All = new List<ScanResult>();
        public void StepStarting(ScanStep step, int position, int total, TimeSpan elapsed) { }
        public void Attempt(ThresholdAttempt attempt) { }
        public void StepCompleted(ScanStep step, IReadOnlyList<ScanResult> rows) => All.AddRange(rows);
        public void StepSkipped(SkippedStep skipped) => Events.Add($"step {skipped.Step} skipped: {skipped.Reason}");
        public readonly List<string> Events = new List<string>();
        public void StepRemeasured(ScanStep step, string reason) => Events.Add($"step {step.Index} measured again: {reason}");
        public void Notice(string message) => Events.Add(message);
        public void Warning(string message) => Events.Add("warning: " + message);
    }

    private const double Settle = 0.05;
    private static readonly int[] Centres = { 280, 300, 260 };

    private static HaniwersConfig Config(double window)
    {
        var config = HaniwersConfig.CreateDefault();
        for (int ch = 1; ch <= 3; ch++)
        {
            var s = config.Sensor(ch)!;
            s.Center = Centres[ch - 1]; s.NSteps = 25; s.StepSize = 2; // centre ± 50 in steps of 2: 51 windows
        }
        config.Sampler.Duration = window;
        config.Sampler.SettleTime = Settle;
        return config;
    }

    /// <summary>A scan on the simulated detector: each channel's fit of its own rows, and the wall time on the manual clock.</summary>
    private static (IReadOnlyList<ThresholdFit?> fits, double seconds) Scan(ScanPlan plan, string options)
    {
        string folder = Path.Combine(Path.GetTempPath(), "haniwers-adaptive-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        try
        {
            var clock = new ManualClock();
            var link = new SimulatedLink(new SimulatedDetector(SimulatorOptions.Parse(options)), clock);
            var rows = new Rows();
            ScanSummary summary;
            using (var run = ScanRun.Open(folder, plan.Ranges.Select(r => r.Channel), clock, new Dictionary<string, object?>()))
            {
                var writer = new ThresholdWriter(new TextFirmware(), new RetryPolicy(3, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), seed: 1), TimeSpan.FromSeconds(2));
                summary = new ScanEngine(plan, link, writer, run, rows, run.RunId, new ScanLimits()).Run(CancellationToken.None);
            }
            var fits = Enumerable.Range(1, 3).Select(ch =>
            {
                var points = rows.All.Where(r => r.Channel == ch).Select(r => new ScanPoint(ch, r.Threshold, r.Events, r.DurationSeconds)).ToList();
                try { return SCurveFitter.Fit(points, new FitOptions()); } catch (FitException) { return null; }
            }).ToList();
            if (Environment.GetEnvironmentVariable("HANIWERS_BENCH_EVENTS") is { } over && summary.Elapsed.TotalSeconds > double.Parse(over, System.Globalization.CultureInfo.InvariantCulture))
                foreach (var e in rows.Events.Append($"{summary.Outcome}: {summary.FailureReason} ({summary.CompletedSteps} steps)")) Console.WriteLine("    " + e);
            return (fits, summary.Elapsed.TotalSeconds);
        }
        finally
        {
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// Twenty detectors that differ in Mean, Sigma, noise and muon rates: ordinary ones, edges near the range's ends, wide
    /// edges, a low muon rate with little noise, noisy ones, sharp edges. Each is (label, simulator options without a seed).
    /// </summary>
    private static IEnumerable<(string label, SimulatorOptions truth)> Detectors()
    {
        SimulatorOptions D(double[] offsets, double width, double noise, double muon) => new SimulatorOptions
        {
            NoiseMidpoint = Enumerable.Range(0, 3).Select(i => Centres[i] + offsets[i]).ToArray(),
            NoiseWidth = new[] { width, width * 1.1, width * 0.9 },
            NoiseRate = new[] { noise, noise * 1.2, noise * 0.8 },
            MuonRate = muon,
        };
        for (int i = 0; i < 6; i++) yield return ($"ordinary {i + 1}", D(new[] { -10.0 + 4 * i, 6 - 2 * i, -4 + 3 * i }, 6 + i % 3 * 2, 150 + 30 * i, 1));
        yield return ("edge near the top", D(new[] { 20.0, 18, 22 }, 7, 200, 1));
        yield return ("edge near the bottom", D(new[] { -36.0, -38, -35 }, 7, 200, 1));
        yield return ("edges at both ends", D(new[] { 21.0, -37, 0 }, 7, 200, 1));
        for (int i = 0; i < 3; i++) yield return ($"wide edge {i + 1}", D(new[] { -8.0 + 5 * i, 0, 4 - 3 * i }, 13 - i, 250, 1));
        for (int i = 0; i < 3; i++) yield return ($"low muon rate {i + 1}", D(new[] { -3.0 * i, 2.0 * i, 0 }, 8, 60 + 20 * i, 0.1));
        for (int i = 0; i < 3; i++) yield return ($"noisy {i + 1}", D(new[] { 3.0 * i, -2.0 * i, 5 }, 8, 800 + 200 * i, 1));
        yield return ("sharp edge 1", D(new[] { 0.0, 5, -5 }, 3, 200, 1));
        yield return ("sharp edge 2", D(new[] { 8.0, -6, 2 }, 3.5, 300, 1));
    }

    private static string Options(SimulatorOptions t, int seed) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"seed={seed},midpoint={string.Join('/', t.NoiseMidpoint)},width={string.Join('/', t.NoiseWidth)},noise-rate={string.Join('/', t.NoiseRate)},muon-rate={t.MuonRate}");

    /// <summary>
    /// The least measuring time in which any design on the integers <paramref name="from"/>..<paramref name="to"/> reaches
    /// <paramref name="target"/> on T = Mean + 3·Sigma, from the model with the true parameters: c'M⁻¹c / target², M the
    /// Fisher information per second of the c-optimal weights (the multiplicative algorithm).
    /// </summary>
    private static double BoundSeconds(double height, double mean, double sigma, double baseline, int from, int to, double target)
    {
        var grid = Enumerable.Range(from, to - from + 1).ToArray();
        var c = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(new[] { 0.0, 1, 3, 0 });
        var g = grid.Select(x => { var v = new double[4]; SCurve.Gradient(x, height, mean, sigma, v); return MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(v); }).ToArray();
        var rate = grid.Select(x => Math.Max(SCurve.Rate(x, height, mean, sigma, baseline), 1e-9)).ToArray();
        MathNet.Numerics.LinearAlgebra.Matrix<double> Info(double[] w)
        {
            var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(4, 4);
            for (int k = 0; k < grid.Length; k++) if (w[k] > 1e-12) m += g[k].OuterProduct(g[k]) * (w[k] / rate[k]);
            return m;
        }
        var weights = Enumerable.Repeat(1.0 / grid.Length, grid.Length).ToArray();
        for (int iteration = 0; iteration < 1500; iteration++)
        {
            var covariance = Info(weights).PseudoInverse();
            var d = grid.Select((_, k) => { double v = c * covariance * g[k]; return v * v / rate[k]; }).ToArray();
            double total = weights.Zip(d, (w, dd) => w * dd).Sum();
            for (int k = 0; k < grid.Length; k++) weights[k] *= d[k] / total;
        }
        return c * Info(weights).PseudoInverse() * c / (target * target);
    }

    public static void Run(int detectors, double window)
    {
        var ratios = new List<double>();
        var priorRatios = new List<double>();
        var boundRatios = new List<double>();
        var priorBoundRatios = new List<double>();
        var pulls = new List<double>();
        var priorPulls = new List<double>();
        int reached = 0, priorReached = 0, channels = 0, used = 0;
        bool detail = Environment.GetEnvironmentVariable("HANIWERS_BENCH_DETAIL") == "1";
        foreach (var (label, truth) in Detectors().Take(detectors))
        {
            int seed = 1 + used;
            var (gridFits, gridSeconds) = Scan(ScanPlan.Create(Config(window), ScanMode.Parallel), Options(truth, seed));
            if (gridFits.Any(f => f?.Threshold is null))
            {
                Console.WriteLine($"  {label}: the grid's fit recommends no threshold on every channel; left out");
                continue;
            }
            used++;
            double target = gridFits.Max(f => f!.ThresholdError); // the precision the grid reached on every channel
            var (fits, seconds) = Scan(ScanPlan.Adaptive(Config(window), target, 400, null, new FitOptions()), Options(truth, seed + 1000));
            // last week's scan of the same detector (other draws) is this one's prior
            var (earlier, _) = Scan(ScanPlan.Adaptive(Config(window), target, 400, null, new FitOptions()), Options(truth, seed + 2000));
            var guided = ScanPlan.Adaptive(Config(window), target, 400, null, new FitOptions());
            guided.UsePriors(earlier.Where(f => f is not null)!);
            var (priorFits, priorSeconds) = Scan(guided, Options(truth, seed + 1000));
            // the limit: the slowest channel's c-optimal time on the free integers of its range, at the same cost per window
            double bound = Enumerable.Range(0, 3).Max(i => BoundSeconds(truth.NoiseRate[i], truth.NoiseMidpoint[i], truth.NoiseWidth[i], truth.MuonRate * truth.MuonEfficiency,
                Centres[i] - 50, Centres[i] + 50, target)) * (window + Settle) / window;
            ratios.Add(seconds / gridSeconds);
            priorRatios.Add(priorSeconds / gridSeconds);
            boundRatios.Add(seconds / bound);
            priorBoundRatios.Add(priorSeconds / bound);
            for (int i = 0; i < 3; i++)
            {
                double trueThreshold = truth.NoiseMidpoint[i] + 3 * truth.NoiseWidth[i];
                channels++;
                if (fits[i]?.Threshold is not null) { pulls.Add((fits[i]!.Mean + 3 * fits[i]!.Sigma - trueThreshold) / fits[i]!.ThresholdError); if (fits[i]!.ThresholdError <= target) reached++; }
                if (priorFits[i]?.Threshold is not null) { priorPulls.Add((priorFits[i]!.Mean + 3 * priorFits[i]!.Sigma - trueThreshold) / priorFits[i]!.ThresholdError); if (priorFits[i]!.ThresholdError <= target) priorReached++; }
            }
            if (detail)
                Console.WriteLine($"  {label}: target {target:0.00}; grid {gridSeconds:0.#} s, adaptive {seconds:0.#} s ({seconds / gridSeconds:0.00}), with prior {priorSeconds:0.#} s ({priorSeconds / gridSeconds:0.00}), bound {bound:0.#} s");
        }
        static string Coverage(List<double> p)
        {
            double mean = p.Average(), width = Math.Sqrt(p.Sum(x => (x - mean) * (x - mean)) / Math.Max(p.Count - 1, 1));
            return $"{100.0 * p.Count(x => Math.Abs(x) <= 1) / p.Count:0}% within 1 error, {100.0 * p.Count(x => Math.Abs(x) <= 2) / p.Count:0}% within 2 (about 68% and 95% expected), pull mean {mean:+0.00;-0.00}, width {width:0.00}";
        }
        Console.WriteLine($"adaptive scan against the fixed grid and the limit: {used} simulated detectors (ordinary, edges near the range's ends, wide and sharp edges, a low muon rate, noisy), range centre +-50 in steps of 2 (51 windows of {window:0.#} s, settle {Settle} s), target = the grid's precision on its worst channel; wall time on the simulator's clock:");
        Console.WriteLine($"  wall time adaptive / grid: mean {ratios.Average():0.000}, worst {ratios.Max():0.000} (goal: mean <= 0.30, worst <= 1.0)");
        Console.WriteLine($"  with a prior from an earlier scan of the same detector: mean {priorRatios.Average():0.000}, worst {priorRatios.Max():0.000} (goal: mean <= 0.20)");
        Console.WriteLine($"  against the c-optimal bound on free integer thresholds (true parameters, the same settle time per window): adaptive {boundRatios.Average():0.00} x the bound (goal <= 1.10), with a prior {priorBoundRatios.Average():0.00} x (goal <= 1.03); the bound is {ratios.Zip(boundRatios, (r, b) => r / b).Average():0.000} of the grid's time");
        Console.WriteLine($"  target reached on {reached} of {channels} channels ({priorReached} with the prior)");
        Console.WriteLine($"  coverage in simulation, adaptive: {Coverage(pulls)}");
        Console.WriteLine($"  coverage in simulation, with the prior: {Coverage(priorPulls)}");
    }
}
