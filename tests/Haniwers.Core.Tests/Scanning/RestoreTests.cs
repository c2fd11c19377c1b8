using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using Haniwers.Output;
using Haniwers.Scanning;
using Xunit;

namespace Haniwers.Tests.Scanning
{
    /// <summary>
    /// A scan leaves the detector as it found it (docs/crash-protocol.md, "Restoring the thresholds"): it writes
    /// back the thresholds it was given, however it ends, logs the writes as every write is logged, and says
    /// what it could not restore.
    /// </summary>
    public class RestoreTests
    {
        private static RestorePlan Plan(IEnumerable<(int channel, int threshold)> known, params int[] unknown) =>
            new RestorePlan(known.Select(k => new KeyValuePair<int, int>(k.channel, k.threshold)).ToList(),
                known.ToDictionary(k => k.channel, _ => "the config"), unknown);

        private static List<JsonElement> Journal(ScanFixture f) =>
            f.Lines(RunJournal.FileName).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

        [Fact]
        public void ACompletedScanWritesBackTheThresholdsItFoundAndLogsTheWrites()
        {
            using var f = new ScanFixture(nsteps: 2) { Restore = Plan(new[] { (1, 250), (2, 251), (3, 252) }) };
            var summary = f.Run();
            Assert.Equal(RunOutcome.Completed, summary.Outcome);
            Assert.Equal(new[] { 250, 251, 252 }, new[] { 1, 2, 3 }.Select(f.Link.Detector.Threshold));
            Assert.Equal(new[] { "ch1=250", "ch2=251", "ch3=252" }, summary.Restore!.Restored.Select(t => $"ch{t.Key}={t.Value}"));
            Assert.Empty(summary.Restore.LeftAt);
            Assert.Null(summary.Restore.Failure);
            // logged as every write is: the operations file has the write-back after the steps' writes
            var operations = f.Lines(ThresholdOperation.FileName).Skip(1).Select(l => l.Split(',')).ToList();
            Assert.Equal(new[] { "250", "251", "252" }, operations.TakeLast(3).Select(o => o[3]));
            var end = Journal(f)[^1];
            Assert.Equal("end", end.GetProperty("event").GetString());
            Assert.Equal(3, end.GetProperty("restored").GetArrayLength());
            Assert.Equal(JsonValueKind.Null, end.GetProperty("restoreReason").ValueKind);
            Assert.Contains("thresholds restored to ch1=250 ch2=251 ch3=252", summary.Headline);
        }

        [Fact]
        public void AScanStoppedByCtrlCWritesThemBackToo()
        {
            using var f = new ScanFixture(nsteps: 5) { Restore = Plan(new[] { (1, 250), (2, 251), (3, 252) }) };
            using var stop = new CancellationTokenSource();
            f.Observer.CancelAtStep = stop;
            f.Observer.CancelStep = 3;
            Assert.ThrowsAny<OperationCanceledException>(() => f.Run(stop.Token));
            Assert.Equal(RunOutcome.Interrupted, f.Summary!.Outcome);
            Assert.Equal(new[] { 250, 251, 252 }, new[] { 1, 2, 3 }.Select(f.Link.Detector.Threshold));
            Assert.Equal(3, f.Summary.Restore!.Restored.Count);
        }

        [Fact]
        public void AChannelWhoseThresholdBeforeTheScanIsUnknownIsLeftAtTheLastStepAndSaidSo()
        {
            using var f = new ScanFixture(nsteps: 2) { Restore = Plan(new[] { (1, 250), (2, 251) }, 3) };
            var summary = f.Run();
            int last = f.Plan.Steps[^1].Threshold(3);
            Assert.Equal(last, f.Link.Detector.Threshold(3));
            Assert.Equal(new[] { $"ch3={last}" }, summary.Restore!.LeftAt.Select(t => $"ch{t.Key}={t.Value}"));
            Assert.Contains("ch3 before the scan are unknown", summary.Restore.Failure);
            var end = Journal(f)[^1];
            Assert.Equal(last, end.GetProperty("leftAt")[0].GetProperty("threshold").GetInt32());
            Assert.Contains("unknown", end.GetProperty("restoreReason").GetString());
        }

        [Fact]
        public void WithoutARestorePlanTheDetectorIsLeftAtTheLastStep()
        {
            using var f = new ScanFixture(nsteps: 2) { Restore = null };
            var summary = f.Run();
            Assert.Equal(f.Plan.Steps[^1].Threshold(1), f.Link.Detector.Threshold(1));
            Assert.Empty(summary.Restore!.Restored);
            Assert.Equal(3, summary.Restore.LeftAt.Count);
            Assert.Equal("not asked for (-NoRestore)", summary.Restore.Failure);
        }

        [Fact]
        public void TheMemoryOfThresholdsKeepsEachDeviceAndChannelAcrossWritersAndSurvivesAnUnreadableFile()
        {
            string folder = Path.Combine(Path.GetTempPath(), "haniwers-memory-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                var memory = new ThresholdMemory(folder);
                var at = new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);
                memory.Remember("usb:1a86:7523:A1", new[] { new KeyValuePair<int, int>(1, 280), new KeyValuePair<int, int>(2, 300) }, at, "Set-HaniwersThreshold");
                memory.Remember("usb:1a86:7523:A1", new[] { new KeyValuePair<int, int>(2, 330) }, at.AddMinutes(5), "Invoke-HaniwersParallelScan run X", leftByScan: true);
                memory.Remember("sim", new[] { new KeyValuePair<int, int>(3, 260) }, at, "Set-HaniwersThreshold");
                var device = new ThresholdMemory(folder).For("usb:1a86:7523:A1");
                Assert.Equal(280, device[1].Threshold);
                Assert.Equal(330, device[2].Threshold);
                Assert.True(device[2].LeftByScan);
                Assert.False(device[1].LeftByScan);
                Assert.Equal(260, memory.For("sim")[3].Threshold);
                Assert.Empty(memory.For("usb:0403:6001:B2"));
                File.WriteAllText(memory.Path, "{ not json");
                Assert.Empty(memory.For("sim")); // no memory, not a crash
                Assert.Equal("{ not json", File.ReadAllText(memory.Path)); // reading changes nothing
                memory.Remember("sim", new[] { new KeyValuePair<int, int>(1, 250) }, at, "Set-HaniwersThreshold");
                Assert.Equal("{ not json", File.ReadAllText(memory.Path + ".unreadable")); // the next write keeps it beside
                Assert.Equal(250, memory.For("sim")[1].Threshold);
                Assert.False(File.Exists(memory.Path + ".new"));
            }
            finally
            {
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
            }
        }
    }
}
