using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Haniwers.Configuration;
using Haniwers.Output;
using Haniwers.Protocol;
using Haniwers.Scanning;
using Haniwers.Simulation;
using Haniwers.Transport;

namespace Haniwers.Tests.Scanning
{
    /// <summary>Records what the engine reports, and can stop the scan at a given step.</summary>
    internal sealed class RecordingObserver : IScanObserver
    {
        public readonly List<ScanResult> Rows = new List<ScanResult>();
        public readonly List<SkippedStep> Skipped = new List<SkippedStep>();
        public readonly List<ThresholdAttempt> Attempts = new List<ThresholdAttempt>();
        public readonly List<string> Notices = new List<string>();
        public readonly List<(int step, string reason)> Remeasured = new List<(int, string)>();
        public Action<ScanStep, IReadOnlyList<ScanResult>>? OnCompleted;
        public CancellationTokenSource? CancelAtStep;
        public int CancelStep;

        public void StepStarting(ScanStep step, int position, int total, TimeSpan elapsed)
        {
            if (CancelAtStep is not null && position == CancelStep) CancelAtStep.Cancel();
        }

        public void Attempt(ThresholdAttempt attempt) => Attempts.Add(attempt);

        public void StepCompleted(ScanStep step, IReadOnlyList<ScanResult> rows)
        {
            OnCompleted?.Invoke(step, rows);
            Rows.AddRange(rows);
        }

        public void StepSkipped(SkippedStep skipped) => Skipped.Add(skipped);
        public void StepRemeasured(ScanStep step, string reason) => Remeasured.Add((step.Index, reason));
        public void Notice(string message) => Notices.Add(message);
        public readonly List<string> Warnings = new List<string>();
        public void Warning(string message) => Warnings.Add(message);
    }

    /// <summary>A scan on the in-process simulator with a manual clock, writing real files in a temp folder.</summary>
    internal sealed class ScanFixture : IDisposable
    {
        public ScanFixture(string simulatorOptions = "seed=11", ScanMode mode = ScanMode.Parallel, int nsteps = 5, double duration = 1,
            int maxRetry = 2, int maxConsecutiveFailures = 3, double reconnectTimeout = 30)
        {
            Folder = Path.Combine(Path.GetTempPath(), "haniwers-xunit-" + Guid.NewGuid().ToString("N").Substring(0, 10));
            Config = HaniwersConfig.CreateDefault();
            foreach (var s in Config.Sensors) { s.NSteps = nsteps; s.StepSize = 5; }
            Config.Sampler.Duration = duration;
            Config.Sampler.SettleTime = 0.05;
            Config.Sampler.MaxRetry = maxRetry;
            Config.Sampler.RetryBackoff = 0.01;
            Config.Sampler.MaxConsecutiveFailures = maxConsecutiveFailures;
            Config.Sampler.ReconnectTimeout = reconnectTimeout;
            Plan = ScanPlan.Create(Config, mode);
            Clock = new ManualClock();
            Link = new SimulatedLink(new SimulatedDetector(SimulatorOptions.Parse(simulatorOptions)), Clock);
        }

        public string Folder { get; }
        public HaniwersConfig Config { get; }
        public ScanPlan Plan { get; private set; }
        public ManualClock Clock { get; }
        public SimulatedLink Link { get; }
        public RecordingObserver Observer { get; } = new RecordingObserver();
        public ScanSummary? Summary { get; private set; }
        /// <summary>What the scan writes back when it ends; null: nothing (-NoRestore).</summary>
        public RestorePlan? Restore { get; set; }

        public ScanSummary Run(ScanPlan plan)
        {
            Plan = plan;
            return Run();
        }

        public ScanSummary Run(CancellationToken cancellation = default, string runId = "run-1")
        {
            using var output = ScanRun.Open(Folder, Plan.Ranges.Select(r => r.Channel), Clock, new Dictionary<string, object?>(), runId);
            var writer = new ThresholdWriter(new TextFirmware(),
                new RetryPolicy(Config.Sampler.MaxRetry, TimeSpan.FromSeconds(Config.Sampler.RetryBackoff), TimeSpan.FromSeconds(1), seed: 1),
                TimeSpan.FromSeconds(Config.Sampler.ResponseTimeout));
            var engine = new ScanEngine(Plan, Link, writer, output, Observer, runId, ScanLimits.From(Config.Sampler), Restore);
            try
            {
                return engine.Run(cancellation);
            }
            finally
            {
                Summary = engine.Summary;
            }
        }

        public string[] Lines(string file) => File.ReadAllLines(Path.Combine(Folder, file));

        public int[] StepsIn(int channel) =>
            Lines(ScanFiles.ResultFileName(channel)).Skip(1).Select(l => int.Parse(l.Split(',')[3])).ToArray();

        public void Dispose()
        {
            try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        }
    }
}
