using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using Haniwers.Configuration;
using Haniwers.Output;
using Haniwers.Scanning;
using Haniwers.Transport;
using Xunit;

using Haniwers.Protocol;
namespace Haniwers.Tests.Scanning
{
    public class ScanEngineTests
    {
        [Fact]
        public void ParallelScanOpensOneWindowPerStepWithARowPerChannel()
        {
            using var f = new ScanFixture(nsteps: 5, duration: 2);
            var summary = f.Run();
            Assert.Equal(RunOutcome.Completed, summary.Outcome);
            Assert.Equal(11, summary.CompletedSteps);
            Assert.Equal(33, f.Observer.Rows.Count);
            // 11 windows of 2 s plus 11 settle times of 0.05 s on the manual clock: nothing else takes time
            Assert.Equal(11 * 2.05, f.Clock.Elapsed.TotalSeconds, 6);
            foreach (int ch in new[] { 1, 2, 3 })
            {
                Assert.Equal(Enumerable.Range(1, 11), f.StepsIn(ch));
                Assert.Equal(f.Plan.Ranges[ch - 1].Values, f.Observer.Rows.Where(r => r.Channel == ch).Select(r => r.Threshold));
            }
            Assert.All(f.Observer.Rows, r => Assert.Equal(2.0, r.DurationSeconds, 6));
        }

        [Fact]
        public void SerialScanOpensThreeNWindowsHoldingTheOthersAtSuppress()
        {
            using var f = new ScanFixture(mode: ScanMode.Serial, nsteps: 2);
            var summary = f.Run();
            Assert.Equal(15, summary.CompletedSteps);
            Assert.Equal(15, f.Observer.Rows.Count);
            Assert.Equal(new[] { 1, 2, 3, 4, 5 }, f.StepsIn(1));
            Assert.Equal(new[] { 6, 7, 8, 9, 10 }, f.StepsIn(2));
            var writes = f.Link.Detector.Writes;
            // while channel 2 is scanned, channels 1 and 3 sit at 1000
            Assert.Contains(writes, w => w.Channel == 1 && w.Threshold == 1000);
            Assert.Contains(writes, w => w.Channel == 3 && w.Threshold == 1000);
            // the held channels are written once, not at every step
            Assert.Equal(1, writes.Count(w => w.Channel == 3 && w.Threshold == 1000 && w.Outcome == "ok"));
        }

        [Fact]
        public void RatesAgreeWithTheSimulatorModelWithinPoissonError()
        {
            using var f = new ScanFixture(nsteps: 8, duration: 20);
            f.Run();
            var options = f.Link.Detector.Options;
            int outside = 0;
            foreach (var row in f.Observer.Rows)
            {
                double expected = options.ExpectedRate(row.Channel, row.Threshold) * row.DurationSeconds;
                if (Math.Abs(row.Events - expected) > 3 * Math.Sqrt(expected) + 1) outside++;
            }
            Assert.True(outside <= 2, $"{outside} of {f.Observer.Rows.Count} rows outside 3 sigma");
        }

        [Fact]
        public void RefusedWritesAreRetriedAndNoStepIsLost()
        {
            using var f = new ScanFixture("seed=2,refuse-every=4", maxRetry: 3);
            var summary = f.Run();
            Assert.Empty(summary.SkippedSteps);
            Assert.Equal(11, summary.CompletedSteps);
            Assert.Contains(f.Observer.Attempts, a => !a.Success && a.Reason.Contains("refused"));
            var log = f.Lines(ThresholdOperation.FileName);
            Assert.Equal(f.Observer.Attempts.Count + 1, log.Length);
            Assert.Contains(log, l => l.Contains(",False,1,refused"));
        }

        [Fact]
        public void AStepWithAChannelThatCannotBeSetIsSkippedWholeAndTheScanGoesOn()
        {
            using var f = new ScanFixture("seed=3,refuse-every=7", maxRetry: 1);
            var summary = f.Run();
            Assert.NotEmpty(summary.SkippedSteps);
            var skipped = summary.SkippedSteps.Select(s => s.Step).ToArray();
            var completed = Enumerable.Range(1, 11).Except(skipped).ToArray();
            foreach (int ch in new[] { 1, 2, 3 }) Assert.Equal(completed, f.StepsIn(ch));
            Assert.All(summary.SkippedSteps, s => Assert.Contains("not set to", s.Reason));
            Assert.Equal(completed.Length, summary.CompletedSteps);
            var journal = f.Lines(RunJournal.FileName).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(skipped, journal.Where(j => j.GetProperty("event").GetString() == "skipped").Select(j => j.GetProperty("step").GetInt32()));
        }

        [Fact]
        public void ALostLinkIsReopenedAndTheScanContinues()
        {
            using var f = new ScanFixture("seed=4,drop-after=3.5,restore-after=0", duration: 1);
            var summary = f.Run();
            Assert.Equal(RunOutcome.Completed, summary.Outcome);
            Assert.Empty(summary.SkippedSteps);
            var lost = Assert.Single(f.Observer.Remeasured);
            Assert.Contains("lost", lost.reason);
            Assert.Equal(11, summary.CompletedSteps);
            Assert.Equal(1, summary.Reconnects);
            Assert.Contains(f.Observer.Notices, n => n.StartsWith("Reopened"));
            Assert.Equal(Enumerable.Range(1, 11), f.StepsIn(2));
        }

        [Fact]
        public void ADeadLinkStopsTheScanAfterTheConsecutiveFailureLimit()
        {
            using var f = new ScanFixture("seed=5,drop-after=2.5,restore-after=-1", maxConsecutiveFailures: 3);
            var ex = Assert.Throws<ScanAbortedException>(() => f.Run());
            Assert.Equal(RunOutcome.Aborted, ex.Summary.Outcome);
            Assert.Equal(3, ex.Summary.SkippedSteps.Count);
            Assert.Equal(2, ex.Summary.CompletedSteps);
            Assert.Contains("Check that the detector is powered", ex.Message);
            Assert.Equal(new[] { 1, 2 }, f.StepsIn(1));
            var end = JsonDocument.Parse(f.Lines(RunJournal.FileName).Last()).RootElement;
            Assert.Equal("Aborted", end.GetProperty("outcome").GetString());
        }

        [Fact]
        public void FailuresThatAreNotConsecutiveDoNotStopTheScan()
        {
            // every 6th write silent with one attempt: a failed step now and then, never 2 in a row
            using var f = new ScanFixture("seed=6,silent-every=6", maxRetry: 1, maxConsecutiveFailures: 2);
            var summary = f.Run();
            Assert.Equal(RunOutcome.Completed, summary.Outcome);
            Assert.NotEmpty(summary.SkippedSteps);
        }

        [Fact]
        public void CancellationAbandonsTheWindowAndLeavesCompleteRowsAndAnInterruptedJournal()
        {
            using var f = new ScanFixture();
            using var cts = new CancellationTokenSource();
            f.Observer.CancelAtStep = cts;
            f.Observer.CancelStep = 4;
            Assert.ThrowsAny<OperationCanceledException>(() => f.Run(cts.Token));
            Assert.Equal(new[] { 1, 2, 3 }, f.StepsIn(1));
            Assert.All(f.Lines(ScanFiles.ResultFileName(2)), l => Assert.Equal(14, l.Split(',').Length));
            var events = f.Lines(RunJournal.FileName).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetString()).ToArray();
            Assert.Equal(new[] { "interrupted", "end" }, events.Skip(events.Length - 2));
            Assert.Equal(RunOutcome.Interrupted, f.Summary!.Outcome);
            // the stream is left running
            Assert.True(f.Link.Detector.Streaming);
        }

        [Fact]
        public void EachStepIsOnDiskBeforeItIsReported()
        {
            using var f = new ScanFixture(nsteps: 2);
            f.Observer.OnCompleted = (step, rows) =>
            {
                string path = Path.Combine(f.Folder, ScanFiles.ResultFileName(1));
                using var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(read);
                var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(step.Index + 1, lines.Length); // header + every step so far
            };
            f.Run();
            Assert.Equal(15, f.Observer.Rows.Count);
        }

        [Fact]
        public void LinesThatArrivedBeforeTheWindowOpenedAreNotCounted()
        {
            // a link whose events all arrive during the settle time: none may be counted
            var config = HaniwersConfig.CreateDefault();
            foreach (var s in config.Sensors) { s.NSteps = 1; s.StepSize = 1; }
            config.Sampler.SettleTime = 1;
            config.Sampler.Duration = 1;
            var plan = ScanPlan.Create(config, ScanMode.Parallel);
            var link = new BurstLink();
            var observer = new RecordingObserver();
            var folder = Path.Combine(Path.GetTempPath(), "haniwers-xunit-" + Guid.NewGuid().ToString("N").Substring(0, 10));
            try
            {
                using (var output = ScanRun.Open(folder, new[] { 1, 2, 3 }, link.Clock, new System.Collections.Generic.Dictionary<string, object?>(), "r"))
                {
                    var writer = new Haniwers.Protocol.ThresholdWriter(new Haniwers.Protocol.TextFirmware(), new Haniwers.Protocol.RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero), TimeSpan.FromSeconds(1));
                    new ScanEngine(plan, link, writer, output, observer, "r", new ScanLimits { MaxConsecutiveFailures = 3 }).Run(CancellationToken.None);
                }
                Assert.All(observer.Rows, r => Assert.Equal(link.InWindowHits, r.Events));
                Assert.All(observer.Rows, r => Assert.Equal(link.InWindowHits, r.Triggers));
            }
            finally
            {
                Directory.Delete(folder, true);
            }
        }

        /// <summary>Answers every write, and after each resume sends 5 events at once (settle time) and 2 inside the window.</summary>
        private sealed class BurstLink : IDeviceLink
        {
            private readonly System.Collections.Generic.Queue<ReceivedLine> _lines = new System.Collections.Generic.Queue<ReceivedLine>();
            private readonly System.Collections.Generic.List<(TimeSpan at, string text)> _scheduled = new System.Collections.Generic.List<(TimeSpan, string)>();
            public int InWindowHits => 2;
            public string PortName => "burst";
            public IClock Clock { get; } = new ManualClock();
            public bool IsLost => false;
            public LinkCounters Counters { get; } = new LinkCounters(BootText.IsBootLine);

            public void Write(byte[] data)
            {
                var now = Clock.Elapsed;
                foreach (var command in System.Text.Encoding.ASCII.GetString(data).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var parts = command.Split(' ');
                    if (parts[0] == "SET_THRESHOLD")
                        _lines.Enqueue(new ReceivedLine($"{{\"type\":\"response\",\"status\":\"ok\",\"channel\":{parts[1]},\"threshold\":{parts[2]}}}", now));
                }
                string text = System.Text.Encoding.ASCII.GetString(data).Trim();
                if (text == "SET_STREAM 0") _scheduled.Clear(); // a paused stream sends nothing
                if (text == "SET_STREAM 1")
                {
                    const string hitAll = "5 5 5 100 24.00 100000.00 30.00";
                    for (int i = 0; i < 5; i++) _scheduled.Add((now + TimeSpan.FromMilliseconds(100 * (i + 1)), hitAll)); // during settle (1 s)
                    _scheduled.Add((now + TimeSpan.FromSeconds(1.2), hitAll));   // inside the window [1, 2)
                    _scheduled.Add((now + TimeSpan.FromSeconds(1.7), hitAll));
                    _scheduled.Add((now + TimeSpan.FromSeconds(2.5), hitAll));   // after it closed
                }
            }

            public bool TryReadLine(TimeSpan deadline, CancellationToken cancellation, out ReceivedLine line)
            {
                // lines arrive in the background: everything scheduled up to now is already queued
                foreach (var s in _scheduled.Where(s => s.at <= Clock.Elapsed).ToList()) { _lines.Enqueue(new ReceivedLine(s.text, s.at)); _scheduled.Remove(s); }
                if (_lines.Count > 0) { line = _lines.Dequeue(); return true; }
                var next = _scheduled.OrderBy(s => s.at).FirstOrDefault();
                if (next.text is not null && next.at <= deadline)
                {
                    Clock.WaitUntil(next.at, cancellation);
                    _scheduled.Remove(next);
                    line = new ReceivedLine(next.text, next.at);
                    return true;
                }
                Clock.WaitUntil(deadline, cancellation);
                line = default;
                return false;
            }

            public void DiscardInput()
            {
                foreach (var s in _scheduled.Where(s => s.at <= Clock.Elapsed).ToList()) _scheduled.Remove(s);
                _lines.Clear();
            }

            public void Reopen(CancellationToken cancellation) { }
            public void Dispose() { }
        }
    }
}
