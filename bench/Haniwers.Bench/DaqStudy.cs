using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Haniwers.Configuration;
using Haniwers.DataTaking;
using Haniwers.Protocol;
using Haniwers.Simulation;
using Haniwers.Transport;

/// <summary>
/// Data taking figures: memory over a long run (in process, on a manual clock, real files), the
/// events' continuity in the files, and how fast raw files are read and binned.
/// </summary>
internal static class DaqStudy
{
    private sealed class Marks : IDaqObserver
    {
        public readonly Dictionary<long, (double heapMb, double workingSetMb)> At = new Dictionary<long, (double, double)>();
        private readonly long[] _marks;
        private long _events;
        public Marks(params long[] marks) { _marks = marks; }
        public bool WantsEvents => true;

        public void EventWritten(DateTimeOffset received, in EventFields fields)
        {
            _events++;
            if (Array.IndexOf(_marks, _events) < 0) return;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            At[_events] = (GC.GetTotalMemory(true) / 1048576.0, Process.GetCurrentProcess().WorkingSet64 / 1048576.0);
        }

        public void Progress(DaqSummary soFar, TimeSpan elapsed, string? currentFile) { }
        public void Attempt(ThresholdAttempt attempt) { }
        public void Notice(string message) { }
        public void Warning(string message) { }
    }

    /// <summary>A run of <paramref name="events"/> events; the heap after a full GC at 1 million and at the end; then the files are checked and read.</summary>
    public static void Memory(long events, string folder)
    {
        const int perFile = 100_000;
        var clock = new ManualClock(DateTimeOffset.Now);
        var link = new SimulatedLink(new SimulatedDetector(SimulatorOptions.Parse("seed=1,numbered,noise-rate=50")), clock);
        var settings = new DaqSettings { EventsPerFile = perFile, FileCount = (int)(events / perFile), StreamMode = false };
        var marks = new Marks(1_000_000, events);
        var sw = Stopwatch.StartNew();
        using (var run = DaqRun.Open(folder, settings, clock, new Dictionary<string, object?>()))
        {
            var writer = new ThresholdWriter(new TextFirmware(), new RetryPolicy(2, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100)), TimeSpan.FromSeconds(1));
            var thresholds = new[] { 1, 2, 3 }.Select(ch => new KeyValuePair<int, int>(ch, 200)).ToList();
            new DaqEngine(link, new TextFirmware(), writer, run, marks, thresholds, TimeSpan.FromSeconds(30)).Run(CancellationToken.None);
        }
        sw.Stop();
        var first = marks.At[1_000_000];
        var last = marks.At[events];
        Console.WriteLine($"DAQ in process (simulated detector on a manual clock, real files): {events:N0} events in {sw.Elapsed.TotalSeconds:0.0} s ({events / sw.Elapsed.TotalSeconds / 1e6:0.00} million events/s); after a full GC: managed heap {first.heapMb:0.0} MB at 1,000,000 events, {last.heapMb:0.0} MB at {events:N0} (growth {last.heapMb - first.heapMb:+0.0;-0.0} MB); working set {first.workingSetMb:0} MB and {last.workingSetMb:0} MB");

        var files = Directory.GetFiles(folder, "data_*.csv").OrderBy(f => f, StringComparer.Ordinal).ToList();
        long expected = 0, missing = 0, doubled = 0, rows = 0, malformed = 0;
        foreach (var file in files)
        {
            using var reader = new RawFileReader(file);
            while (reader.Next(out var row))
            {
                rows++;
                if (expected != 0 && row.Fields.Adc > expected) missing += row.Fields.Adc - expected;
                if (expected != 0 && row.Fields.Adc < expected) doubled++;
                expected = row.Fields.Adc + 1;
            }
            malformed += reader.Malformed;
        }
        Console.WriteLine($"  continuity of the numbered events in the {files.Count} files: {rows:N0} rows, {missing} missing, {doubled} doubled, {malformed} malformed");
    }

    /// <summary>Raw lines per second: the reader alone, and reading with binning (600 s bins, haniwers rows made too).</summary>
    public static void RateSpeed(string folder, int limitFiles)
    {
        var files = Directory.GetFiles(folder, "data_*.csv").OrderBy(f => f, StringComparer.Ordinal).Take(limitFiles > 0 ? limitFiles : int.MaxValue).ToList();
        long lines = 0;
        foreach (var file in files.Take(2)) // JIT warm-up
        {
            using var reader = new RawFileReader(file);
            while (reader.Next(out _)) { }
        }
        var read = Stopwatch.StartNew();
        foreach (var file in files)
        {
            using var reader = new RawFileReader(file);
            while (reader.Next(out _)) lines++;
        }
        read.Stop();
        long bins = 0, haniwersRows = 0;
        var aggregate = Stopwatch.StartNew();
        var aggregator = new RateAggregator(600, 0, TimeZones.Parse("UTC+09:00"), null, _ => bins++, _ => haniwersRows++);
        using (var stream = new RawFileStream(files)) // as Measure-HaniwersRate reads: parsing on a second thread
        {
            foreach (var batch in stream.ReadBatches())
            {
                for (int i = 0; i < batch.Count; i++) aggregator.Add(batch.Rows[i]);
                stream.Return(batch);
            }
        }
        aggregator.Complete();
        aggregate.Stop();
        Console.WriteLine($"raw files from disk ({files.Count} files, {lines:N0} lines, page cache warm): read and parsed on one thread {lines / read.Elapsed.TotalSeconds / 1e6:0.00} million lines/s; Measure-HaniwersRate's path (parsing on a second thread) read, parsed and binned (600 s, haniwers rows too) {lines / aggregate.Elapsed.TotalSeconds / 1e6:0.00} million lines/s, {aggregate.Elapsed.TotalSeconds:0.00} s ({bins} bins, {haniwersRows} haniwers rows; target >= 5)");
    }
}
