using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Haniwers.Output;
using Haniwers.Scanning;
using Xunit;

namespace Haniwers.Tests.Scanning
{
    /// <summary>What a crash can leave in a run folder, and the repair (docs/crash-protocol.md).</summary>
    public class RecoveryTests
    {
        private static ScanFixture ScannedFolder(out Dictionary<string, string> before)
        {
            var f = new ScanFixture(nsteps: 1);
            f.Run(runId: "first");
            before = Directory.GetFiles(f.Folder).ToDictionary(p => Path.GetFileName(p)!, File.ReadAllText);
            return f;
        }

        private static void Append(string path, string text) => File.AppendAllText(path, text, new UTF8Encoding(false));

        private static string Intent(ScanFixture f, string runId, int step) => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["event"] = "intent", ["timestamp"] = "2026-01-01T00:00:00+00:00", ["runId"] = runId, ["step"] = step,
            ["files"] = Enumerable.Range(1, 3).ToDictionary(ch => ScanFiles.ResultFileName(ch), ch => new FileInfo(Path.Combine(f.Folder, ScanFiles.ResultFileName(ch))).Length),
        }) + "\n";

        private static void AssertSameResults(ScanFixture f, Dictionary<string, string> before)
        {
            foreach (int ch in new[] { 1, 2, 3 })
                Assert.Equal(before[ScanFiles.ResultFileName(ch)], File.ReadAllText(Path.Combine(f.Folder, ScanFiles.ResultFileName(ch))));
            foreach (var line in f.Lines(RunJournal.FileName)) JsonDocument.Parse(line).Dispose(); // every record parses
        }

        [Fact]
        public void AStepInSomeChannelFilesOnlyIsRemovedFromAll()
        {
            using var f = ScannedFolder(out var before);
            // the crash: intent written, ch1's row on disk, ch2's row half written, ch3 untouched
            Append(Path.Combine(f.Folder, RunJournal.FileName), Intent(f, "second", 1));
            Append(Path.Combine(f.Folder, ScanFiles.ResultFileName(1)), "2026-01-01T00:00:00.0000000+00:00,second,Parallel,1,1,275,1,210,210,14.4,214,24.5,100200,35\r\n");
            Append(Path.Combine(f.Folder, ScanFiles.ResultFileName(2)), "2026-01-01T00:00:00.0000000+00:00,second,Para");
            var repairs = RunFolderRecovery.Recover(f.Folder, DateTimeOffset.Now);
            Assert.Equal(2, repairs.Count);
            Assert.All(repairs, r => Assert.Equal(1, r.Step));
            Assert.Contains(repairs, r => r.File.EndsWith("ch2.csv") && r.RemovedText.EndsWith("second,Para"));
            AssertSameResults(f, before);
            var repaired = f.Lines(RunJournal.FileName).Select(l => JsonDocument.Parse(l).RootElement).Where(r => r.GetProperty("event").GetString() == "repaired").ToList();
            Assert.Equal(2, repaired.Count);
            Assert.All(repaired, r => Assert.Equal("second", r.GetProperty("runId").GetString()));
            // settled: a second recovery changes nothing
            Assert.Empty(RunFolderRecovery.Recover(f.Folder, DateTimeOffset.Now));
        }

        [Fact]
        public void ARepairKilledAfterItsCutsIsSettledAndTold()
        {
            // found by an independent tester: a repair killed after its repaired records and before rolled-back; the next
            // command settled the step without a word, so no console ever told the removal
            using var f = ScannedFolder(out var before);
            string journal = Path.Combine(f.Folder, RunJournal.FileName);
            Append(journal, Intent(f, "second", 1));
            foreach (int ch in new[] { 1, 2 })
            {
                string name = ScanFiles.ResultFileName(ch);
                long length = new FileInfo(Path.Combine(f.Folder, name)).Length;
                foreach (var kind in new[] { "repairing", "repaired" })
                    Append(journal, JsonSerializer.Serialize(new Dictionary<string, object?>
                    {
                        ["event"] = kind, ["timestamp"] = "2026-01-01T00:00:01+00:00", ["runId"] = "second", ["file"] = name, ["step"] = 1,
                        ["action"] = "removed 1 row(s) of step 1", ["removedText"] = "2026-01-01T00:00:00.0000000+00:00,second,Parallel,1,...\r\n",
                        ["keepLength"] = kind == "repairing" ? length : null,
                    }) + "\n");
            }
            var repairs = RunFolderRecovery.Recover(f.Folder, DateTimeOffset.Now);
            var told = Assert.Single(repairs);
            Assert.Equal(1, told.Step);
            Assert.Contains("killed before it finished", told.Action);
            AssertSameResults(f, before);
            Assert.Single(f.Lines(RunJournal.FileName), l => l.Contains("\"rolled-back\""));
            Assert.Empty(RunFolderRecovery.Recover(f.Folder, DateTimeOffset.Now));
        }

        [Fact]
        public void AStepWhoseCommitWasCutIsRemovedWhole()
        {
            using var f = ScannedFolder(out var before);
            Append(Path.Combine(f.Folder, RunJournal.FileName), Intent(f, "second", 1));
            foreach (int ch in new[] { 1, 2, 3 })
                Append(Path.Combine(f.Folder, ScanFiles.ResultFileName(ch)), $"2026-01-01T00:00:00.0000000+00:00,second,Parallel,1,{ch},275,1,210,210,14.4,214,24.5,100200,35\r\n");
            Append(Path.Combine(f.Folder, RunJournal.FileName), "{\"event\":\"commit\",\"timestamp\":\"2026-01-0");
            var repairs = RunFolderRecovery.Recover(f.Folder, DateTimeOffset.Now);
            Assert.Contains(repairs, r => r.File.EndsWith(RunJournal.FileName) && r.RemovedText.StartsWith("{\"event\":\"commit\""));
            Assert.Equal(3, repairs.Count(r => r.Step == 1));
            AssertSameResults(f, before);
        }

        [Fact]
        public void ACommittedStepIsKept()
        {
            using var f = ScannedFolder(out _);
            var lengths = Enumerable.Range(1, 3).Select(ch => new FileInfo(Path.Combine(f.Folder, ScanFiles.ResultFileName(ch))).Length).ToArray();
            Assert.Empty(RunFolderRecovery.Recover(f.Folder, DateTimeOffset.Now));
            Assert.Equal(lengths, Enumerable.Range(1, 3).Select(ch => new FileInfo(Path.Combine(f.Folder, ScanFiles.ResultFileName(ch))).Length));
        }

        [Fact]
        public void AnIntentWithNothingWrittenIsSettledAndTheNextRunAppends()
        {
            using var f = ScannedFolder(out var before);
            Append(Path.Combine(f.Folder, RunJournal.FileName), Intent(f, "second", 2));
            var repair = Assert.Single(RunFolderRecovery.Recover(f.Folder, DateTimeOffset.Now));
            Assert.Contains("had not been written to any file", repair.Action);
            AssertSameResults(f, before);
            f.Run(runId: "third");
            Assert.Equal(new[] { 1, 2, 3, 1, 2, 3 }, f.StepsIn(3));
        }

        [Fact]
        public void ACutHeaderIsRewrittenWhole()
        {
            using var f = new ScanFixture(nsteps: 1);
            Directory.CreateDirectory(f.Folder);
            File.WriteAllText(Path.Combine(f.Folder, ScanFiles.ResultFileName(1)), "Timestamp,RunId,Mo");
            f.Run();
            var lines = f.Lines(ScanFiles.ResultFileName(1));
            Assert.StartsWith("Timestamp,RunId,Mode,Step,", lines[0]);
            Assert.Equal(4, lines.Length);
        }

        [Fact]
        public void ACutOperationsRowIsRemovedAndKeptInTheJournal()
        {
            using var f = ScannedFolder(out var before);
            Append(Path.Combine(f.Folder, ThresholdOperation.FileName), "2026-01-01T00:00:00.0000000+00:00,second,1,2");
            var repair = Assert.Single(RunFolderRecovery.Recover(f.Folder, DateTimeOffset.Now));
            Assert.Equal(before[ThresholdOperation.FileName], File.ReadAllText(Path.Combine(f.Folder, ThresholdOperation.FileName)));
            Assert.Contains(f.Lines(RunJournal.FileName), l => l.Contains("second,1,2"));
            Assert.Equal("first", repair.RunId);
        }

        [Fact]
        public void AReaderRepairsNothingWhileAScanHoldsTheFolder()
        {
            using var f = ScannedFolder(out _);
            Append(Path.Combine(f.Folder, ScanFiles.ResultFileName(1)), "2026-01-01T00:00:00.0000000+00:00,second,Para");
            using (ScanRun.Open(f.Folder, new[] { 1, 2, 3 }, f.Clock, new Dictionary<string, object?>(), "live"))
            {
                Assert.Null(RunFolderRecovery.TryRecover(f.Folder, DateTimeOffset.Now));
            }
            Assert.Empty(RunFolderRecovery.TryRecover(f.Folder, DateTimeOffset.Now)!); // the live run's Open had repaired it
        }
    
        [Fact]
        public void FilesTheRunDidNotWriteAreLeftAlone()
        {
            using var f = ScannedFolder(out _);
            string notes = Path.Combine(f.Folder, "my_notes.csv");
            File.WriteAllText(notes, "name,value\r\nalpha,1\r\nbeta,2");
            string raw = Path.Combine(f.Folder, "osechi_data_000000.csv");
            File.WriteAllText(raw, "time,ch1\n2026,1");
            Assert.Empty(RunFolderRecovery.Recover(f.Folder, DateTimeOffset.Now));
            Assert.Equal("name,value\r\nalpha,1\r\nbeta,2", File.ReadAllText(notes));
            Assert.Equal("time,ch1\n2026,1", File.ReadAllText(raw));
        }

        [Fact]
        public void AFolderRemovedUnderARunningScanFailsIt()
        {
            using var f = new ScanFixture(nsteps: 5);
            f.Observer.OnCompleted = (step, rows) => { if (step.Index == 2) Directory.Delete(f.Folder, true); };
            var ex = Assert.Throws<OutputException>(() => f.Run());
            Assert.Equal(OutputProblem.FolderRemoved, ex.Problem);
            Assert.Equal(RunOutcome.Failed, f.Summary!.Outcome);
        }
    }
}
