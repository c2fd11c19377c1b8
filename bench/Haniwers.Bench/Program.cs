using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using Haniwers.Configuration;
using Haniwers.Protocol;
using Haniwers.Transport;

// Usage: Haniwers.Bench parser | write-rtt <serial-port> [count]
// Prints one line per figure: "<name>: <value> <unit> (<detail>)".

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
switch (args.FirstOrDefault())
{
    case "parser": Parser(); break;
    case "write-rtt": WriteRoundTrip(args[1], args.Length > 2 ? int.Parse(args[2]) : 300); break;
    default:
        Console.Error.WriteLine("usage: Haniwers.Bench parser | write-rtt <serial-port> [count]");
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
