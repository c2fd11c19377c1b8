using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Haniwers.DataTaking;
using Haniwers.Protocol;
using Haniwers.Simulation;
using Haniwers.Transport;

namespace Haniwers.Tests.DataTaking
{
    /// <summary>Records what a DAQ run reports; can cancel the run after a number of events.</summary>
    internal sealed class RecordingDaqObserver : IDaqObserver
    {
        public readonly List<string> Warnings = new List<string>();
        public readonly List<string> Notices = new List<string>();
        public readonly List<(DateTimeOffset time, EventFields fields)> Events = new List<(DateTimeOffset, EventFields)>();
        public int ProgressReports;
        public CancellationTokenSource? CancelAfter;
        public Action<int>? OnEvent;
        public long CancelAtEvent;
        public bool WantsEvents => true;

        public void EventWritten(DateTimeOffset received, in EventFields fields)
        {
            Events.Add((received, fields));
            OnEvent?.Invoke(Events.Count);
            if (CancelAfter is not null && Events.Count == CancelAtEvent) CancelAfter.Cancel();
        }

        public void Progress(DaqSummary soFar, TimeSpan elapsed, string? currentFile) => ProgressReports++;
        public void Attempt(ThresholdAttempt attempt) { }
        public void Notice(string message) => Notices.Add(message);
        public void Warning(string message) => Warnings.Add(message);
    }

    /// <summary>A DAQ run on the in-process simulator with a manual clock, writing real files in a temp folder.</summary>
    internal sealed class DaqFixture : IDisposable
    {
        public DaqFixture(string simulatorOptions = "seed=5,numbered,noise-rate=400")
        {
            Folder = Path.Combine(Path.GetTempPath(), "haniwers-daq-xunit-" + Guid.NewGuid().ToString("N").Substring(0, 10));
            Clock = new ManualClock(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.FromHours(9)));
            Link = new SimulatedLink(new SimulatedDetector(SimulatorOptions.Parse(simulatorOptions)), Clock);
        }

        public string Folder { get; }
        public ManualClock Clock { get; }
        public SimulatedLink Link { get; }
        public RecordingDaqObserver Observer { get; } = new RecordingDaqObserver();

        public DaqSummary Run(DaqSettings settings, IReadOnlyList<KeyValuePair<int, int>>? thresholds = null, CancellationToken cancellation = default)
        {
            using var run = DaqRun.Open(Folder, settings, Clock, new Dictionary<string, object?> { ["test"] = true });
            var writer = new ThresholdWriter(FirmwareProtocol.For(Haniwers.Configuration.FirmwareDialect.Text), new RetryPolicy(2, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100)), TimeSpan.FromSeconds(1));
            var engine = new DaqEngine(Link, FirmwareProtocol.For(Haniwers.Configuration.FirmwareDialect.Text), writer, run, Observer,
                thresholds ?? new[] { new KeyValuePair<int, int>(1, 250), new KeyValuePair<int, int>(2, 250), new KeyValuePair<int, int>(3, 250) }, TimeSpan.FromSeconds(30));
            try
            {
                return engine.Run(cancellation);
            }
            catch (OperationCanceledException)
            {
                return engine.Summary;
            }
        }

        /// <summary>Every row of the run's raw files, in file order.</summary>
        public List<RawEvent> Rows()
        {
            var rows = new List<RawEvent>();
            foreach (var file in RawFiles())
            {
                using var reader = new RawFileReader(file);
                while (reader.Next(out var row)) rows.Add(row);
                if (reader.Malformed > 0) throw new InvalidDataException($"{file} has {reader.Malformed} malformed line(s): {reader.FirstMalformed}");
            }
            return rows;
        }

        public IReadOnlyList<string> RawFiles() => Directory.Exists(Folder)
            ? Directory.GetFiles(Folder, "*.csv").OrderBy(f => f, StringComparer.Ordinal).ToList() : new List<string>();

        public IReadOnlyList<System.Text.Json.JsonElement> Journal() => Output.RunJournal.Read(Path.Combine(Folder, DaqRun.JournalFileName)).Select(e => e.Element).ToList();

        public void Dispose()
        {
            if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
        }
    }
}
