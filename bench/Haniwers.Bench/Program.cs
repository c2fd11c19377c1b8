using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using Haniwers.Analysis;
using Haniwers.Configuration;
using Haniwers.Protocol;
using Haniwers.Transport;

using Haniwers.Composition;
// Usage: Haniwers.Bench parser | write-rtt <serial-port> [count] | fit | adaptive [seeds] [window seconds]
//        | daq-memory <events> <folder> | rate-speed <folder> [files]
// Prints one line per figure: "<name>: <value> <unit> (<detail>)".

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
switch (args.FirstOrDefault())
{
    case "parser": Parser(); break;
    case "write-rtt": WriteRoundTrip(args[1], args.Length > 2 ? int.Parse(args[2]) : 300); break;
    case "fit": FitTiming(); FitRecovery(); break;
    case "adaptive": AdaptiveStudy.Run(args.Length > 1 ? int.Parse(args[1]) : 20, args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1); break;
    case "daq-memory": DaqStudy.Memory(long.Parse(args[1]), args[2]); break;
    case "rate-speed": DaqStudy.RateSpeed(args[1], args.Length > 2 ? int.Parse(args[2]) : 0); break;
    default:
        Console.Error.WriteLine("usage: Haniwers.Bench parser | write-rtt <serial-port> [count] | fit | adaptive [seeds] [window seconds] | daq-memory <events> <folder> | rate-speed <folder> [files]");
        return 2;
}
return 0;

static void Parser()
{
    var random = new Random(1);
    var lines = Enumerable.Range(0, 1_000_000).Select(_ => string.Format(CultureInfo.InvariantCulture,
        "{0} {1} {2} {3} {4:F2} {5:F2} {6:F2}", random.Next(0, 60), random.Next(0, 60), random.Next(0, 60), random.Next(100, 900),
        24 + random.NextDouble(), 100000 + random.NextDouble() * 500, 30 + random.NextDouble() * 10)).ToArray();
    var rates = new List<double>();
    long hits = 0;
    for (int run = 0; run < 7; run++)
    {
        var sw = Stopwatch.StartNew();
        foreach (var line in lines)
        {
            if (EventLineParser.Classify(line, out var e) == LineKind.Event && e.Top > 0) hits++;
        }
        sw.Stop();
        if (run >= 2) rates.Add(lines.Length / sw.Elapsed.TotalSeconds); // the first runs warm up the JIT
    }
    long before = GC.GetAllocatedBytesForCurrentThread();
    foreach (var line in lines) EventLineParser.Classify(line, out _);
    long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
    rates.Sort();
    Console.WriteLine($"parser throughput: {rates[rates.Count / 2] / 1e6:0.00} million lines/s (median of 5 runs over 1,000,000 lines, single thread; {allocated} bytes allocated per 1,000,000 lines; target >= 5)");
    if (hits < 0) Console.WriteLine(hits);
}

static void WriteRoundTrip(string port, int count)
{
    using var link = DeviceLinks.Open(port, new DeviceSettings(), TimeSpan.FromSeconds(2), CancellationToken.None);
    var writer = new ThresholdWriter(new TextFirmware(), new RetryPolicy(3, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(2));
    var samples = new List<double>();
    for (int i = 0; i < count + 20; i++)
    {
        int v = 200 + i % 100;
        var pairs = new[] { 1, 2, 3 }.Select(ch => new KeyValuePair<int, int>(ch, v + ch)).ToList();
        var sw = Stopwatch.StartNew();
        var results = writer.Write(link, pairs, null, CancellationToken.None);
        sw.Stop();
        if (results.Any(r => !r.Success)) throw new InvalidOperationException("a write failed: " + string.Join("; ", results.Select(r => r.Reason)));
        if (i >= 20) samples.Add(sw.Elapsed.TotalMilliseconds);
    }
    samples.Sort();
    Console.WriteLine($"three-channel write over the pty (text, pause/resume included): median {samples[samples.Count / 2]:0.00} ms, p95 {samples[(int)(samples.Count * 0.95)]:0.00} ms ({count} writes; target median <= 10 ms)");
}

static void FitTiming()
{
    // three channels of 200 points each
    var channels = Enumerable.Range(1, 3).Select(ch => SyntheticScan.Generate(ch, mean: 250 + 20 * ch, from: 101, to: 499, step: 2, channel: ch)).ToList();
    var samples = new List<double>();
    for (int run = 0; run < 25; run++)
    {
        var sw = Stopwatch.StartNew();
        foreach (var points in channels) SCurveFitter.Fit(points, new FitOptions());
        sw.Stop();
        if (run >= 5) samples.Add(sw.Elapsed.TotalMilliseconds);
    }
    samples.Sort();
    Console.WriteLine($"fit of three channels x 200 points: median {samples[samples.Count / 2]:0.0} ms ({samples.Count} runs; target <= 50 ms)");
}

static void FitRecovery()
{
    var truths = new[] { (height: 100.0, mean: 300.0, sigma: 8.0, baseline: 1.0), (40, 700, 25, 0.2), (5000, 30, 2, 50), (3, 512, 15, 0.01) };
    Console.WriteLine("synthetic scans, 200 seeds each (Poisson noise, 10 s windows): true vs recovered");
    Console.WriteLine("  true Height/Mean/Sigma/Baseline | median Mean (err)  | median Sigma (err) | Mean within 3 err | Sigma within 3 err | pull width Mean / Sigma");
    foreach (var t in truths)
    {
        double from = Math.Max(1, t.mean - 7 * t.sigma), to = Math.Min(1023, t.mean + 7 * t.sigma), step = Math.Max(1, Math.Round(t.sigma / 4));
        var fits = Enumerable.Range(1, 200).Select(seed => SCurveFitter.Fit(SyntheticScan.Generate(seed, t.height, t.mean, t.sigma, t.baseline, from, to, step), new FitOptions())).ToList();
        var meanPull = fits.Select(f => (f.Mean - t.mean) / f.MeanError).ToList();
        var sigmaPull = fits.Select(f => (f.Sigma - t.sigma) / f.SigmaError).ToList();
        static double Median(IEnumerable<double> v) { var a = v.OrderBy(x => x).ToArray(); return a[a.Length / 2]; }
        static double Width(List<double> v) { double m = v.Average(); return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Count - 1)); }
        Console.WriteLine($"  {t.height,5}/{t.mean,4}/{t.sigma,3}/{t.baseline,5}            | {Median(fits.Select(f => f.Mean)),7:0.00} ({Median(fits.Select(f => f.MeanError)),5:0.00}) | {Median(fits.Select(f => f.Sigma)),6:0.00} ({Median(fits.Select(f => f.SigmaError)),5:0.00})  | {meanPull.Count(p => Math.Abs(p) < 3),3}/200           | {sigmaPull.Count(p => Math.Abs(p) < 3),3}/200            | {Width(meanPull):0.00} / {Width(sigmaPull):0.00}");
    }
}
