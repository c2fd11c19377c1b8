using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Haniwers.Configuration;
using Haniwers.DataTaking;
using Haniwers.Output;
using Haniwers.Reports;
using Haniwers.Scanning;
using Xunit;

namespace Haniwers.Tests.Reports
{
    /// <summary>
    /// Journals written by an earlier Haniwers stay readable (issue 19). Fixtures/journals holds run folders written by main
    /// at 2a86060 (a parallel, a serial and an adaptive scan, a scan stopped by SIGTERM, a scan killed, repaired and resumed, a
    /// DAQ run, a DAQ run killed and closed off by the next), and reports-by-2a86060.json what that version's Get-HaniwersRun
    /// said of them. Today's typed records must read the same.
    /// </summary>
    public sealed class OlderJournalTests : IDisposable
    {
        private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "journals");
        private readonly string _copy = Path.Combine(Path.GetTempPath(), "haniwers-older-" + Guid.NewGuid().ToString("N"));

        public OlderJournalTests()
        {
            foreach (var folder in Directory.GetDirectories(Fixtures))
            {
                string target = Path.Combine(_copy, Path.GetFileName(folder));
                Directory.CreateDirectory(target);
                foreach (var file in Directory.GetFiles(folder)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        public void Dispose() => Directory.Delete(_copy, recursive: true);

        public static IEnumerable<object[]> Folders() =>
            new[] { "parallel", "serial", "adaptive", "interrupted", "resumed", "daq", "daq-killed" }.Select(f => new object[] { f });

        [Theory]
        [MemberData(nameof(Folders))]
        public void EveryRunIsReportedAsTheVersionThatWroteItReportedIt(string folder)
        {
            using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "reports-by-2a86060.json")));
            var problems = new List<string>();
            var reports = RunReportReader.Read(Path.Combine(_copy, folder), problems);
            Assert.Empty(problems);
            Assert.NotEmpty(reports);
            foreach (var report in reports)
            {
                var expected = golden.RootElement.EnumerateArray().Single(r => r.GetProperty("RunId").GetString() == report.RunId);
                using var actual = JsonDocument.Parse(JsonSerializer.Serialize(report));
                foreach (var property in expected.EnumerateObject().Where(p => p.Name != "Duration"))
                {
                    var value = actual.RootElement.GetProperty(property.Name);
                    if (property.Name is "Start" or "End")
                        Assert.Equal(DateTimeOffset.Parse(property.Value.GetString()!), value.GetDateTimeOffset());
                    else if (property.Value.ValueKind == JsonValueKind.Number)
                        Assert.Equal(property.Value.GetDouble(), value.GetDouble(), 9);
                    else
                        Assert.True(JsonElement.DeepEquals(property.Value, value), $"{folder} {report.RunId} {property.Name}: expected {property.Value}, read {value}");
                }
            }
        }

        [Fact]
        public void AScanStoppedBySigtermIsResumedFromItsFirstUnmeasuredStep()
        {
            var (run, remaining) = ScanResume.Plan(Path.Combine(_copy, "interrupted"), ScanMode.Parallel, null);
            Assert.Equal(new[] { 1, 2, 3, 4 }, run.Committed.OrderBy(s => s));
            Assert.Equal(Enumerable.Range(5, 17), remaining.Steps.Select(s => s.Index));
            Assert.Equal(0.3, run.DurationSeconds);
        }

        [Fact]
        public void AnAdaptiveScanIsResumedWithItsRecordedSettings()
        {
            var run = RunHistory.Read(Path.Combine(_copy, "adaptive")).Single();
            Assert.Equal(ScanMode.Adaptive, run.Mode);
            Assert.Equal(12, run.Committed.Count);
            Assert.Equal(8, run.Adaptive!.Value.GetProperty("targetError").GetDouble());
        }

        [Fact]
        public void ARepairKilledAfterItsRepairingRecordIsFinishedFromTheOlderJournal()
        {
            // the state the killed repair left: the journal up to its repairing record, the channel files as the intent found them, ch1 with its cut row
            string folder = Path.Combine(_copy, "resumed");
            string journal = Path.Combine(folder, RunJournal.FileName);
            var lines = File.ReadAllLines(journal).ToList();
            int repairing = lines.FindIndex(l => l.Contains("\"event\":\"repairing\""));
            File.WriteAllLines(journal, lines.Take(repairing + 1));
            var records = RunJournal.Read(journal);
            var intent = records.Select(IntentRecord.From).Last(r => r is not null)!;
            var begun = records.Select(RepairRecord.From).Single(r => r is not null)!;
            foreach (var (name, length) in intent.Files)
            {
                using var stream = new FileStream(Path.Combine(folder, name), FileMode.Open);
                stream.SetLength(length);
            }
            File.AppendAllText(Path.Combine(folder, begun.Repair.File), begun.Repair.RemovedText);

            var repairs = RunFolderRecovery.Recover(folder, DateTimeOffset.UtcNow);

            foreach (var (name, length) in intent.Files) Assert.Equal(length, new FileInfo(Path.Combine(folder, name)).Length);
            var after = RunJournal.Read(journal).SkipWhile(r => !r.Is(JournalEvents.Repairing)).Skip(1).ToList();
            Assert.Equal(new[] { JournalEvents.Repaired, JournalEvents.RolledBack }, after.Select(r => r.Event));
            Assert.Equal(intent.Step, RolledBackRecord.From(after[1])!.Step);
            Assert.Contains(repairs, r => r.Step == intent.Step);
            var run = RunHistory.Read(folder).Single();
            Assert.Equal(Enumerable.Range(9, 13), run.Missing.Select(s => s.Index));
        }

        [Fact]
        public void TheRepairOfAJournalsCutLastLineIsNoRunOfItsOwn()
        {
            // found by an independent tester: the repaired record of a cut journal line names no run, and was reported as a run "" that Failed
            string folder = Path.Combine(_copy, "parallel");
            string journal = Path.Combine(folder, RunJournal.FileName);
            using (var stream = new FileStream(journal, FileMode.Open)) stream.SetLength(stream.Length - 20);
            var repairs = RunFolderRecovery.Recover(folder, DateTimeOffset.UtcNow);
            Assert.Contains(repairs, r => r.Action.Contains("journal record cut off"));
            var report = Assert.Single(RunReportReader.Read(folder));
            Assert.NotEqual("", report.RunId);
            Assert.Equal(1, report.Repairs);
        }

        [Fact]
        public void ACloseOffKilledBeforeItsEndRecordCountsTheFilesItClosedOffTheNextTime()
        {
            // the first run was killed; the next run's recovery wrote file-recovered and was killed before the end record
            string folder = Path.Combine(_copy, "daq-killed");
            string journal = Path.Combine(folder, DaqRun.JournalFileName);
            var lines = File.ReadAllLines(journal).ToList();
            string killed = JsonDocument.Parse(lines[0]).RootElement.GetProperty("runId").GetString()!;
            int end = lines.FindIndex(l => l.Contains("\"event\":\"end\"") && l.Contains(killed));
            File.WriteAllLines(journal, lines.Take(end));
            DaqRecovery.Recover(folder, DateTimeOffset.UtcNow);
            var ended = RunJournal.Read(journal).Select(DaqEndRecord.From).OfType<DaqEndRecord>().ToList();
            var report = RunReportReader.Read(folder).First(r => r.RunId == killed);
            long rows = RunJournal.Read(journal).Where(r => r.RunId == killed).Select(FileOpenedRecord.From).OfType<FileOpenedRecord>()
                .Sum(f => File.ReadLines(Path.Combine(folder, f.File)).LongCount());
            Assert.Equal(rows, report.Events);
            Assert.Equal(995, rows);
        }

        [Fact]
        public void AJournalThatNamesAnotherFileCutsNothingOfIt()
        {
            // found by an independent tester: an intent or a repairing record named any file of the folder, and recovery cut it
            string folder = Path.Combine(_copy, "parallel");
            string journal = Path.Combine(folder, RunJournal.FileName);
            string notes = Path.Combine(folder, "notes.txt");
            File.WriteAllText(notes, "the lab's notes\n");
            string runId = RunJournal.Read(journal)[0].RunId;
            long journalLength = new FileInfo(journal).Length;
            long ch1 = new FileInfo(Path.Combine(folder, "scan_results_ch1.csv")).Length;
            File.AppendAllText(journal,
                $"{{\"event\":\"repairing\",\"runId\":\"{runId}\",\"file\":\"run_journal.jsonl\",\"step\":null,\"action\":\"x\",\"removedText\":\"my\",\"keepLength\":10}}\n" +
                $"{{\"event\":\"repairing\",\"runId\":\"{runId}\",\"file\":\"scan_results_ch1.csv\",\"step\":null,\"action\":\"x\",\"removedText\":\"not what follows\",\"keepLength\":100}}\n" +
                $"{{\"event\":\"intent\",\"runId\":\"{runId}\",\"step\":99,\"files\":{{\"notes.txt\":0,\"scan_results_ch2.csv\":-5}}}}\n");

            RunFolderRecovery.Recover(folder, DateTimeOffset.UtcNow);

            Assert.Equal("the lab's notes\n", File.ReadAllText(notes));
            Assert.True(new FileInfo(journal).Length > journalLength);
            Assert.Equal(ch1, new FileInfo(Path.Combine(folder, "scan_results_ch1.csv")).Length);
            Assert.Single(RunReportReader.Read(folder));
        }

        [Fact]
        public void AStartRecordWithValuesNoScanWritesIsNotResumedFrom()
        {
            // found by an independent tester: a window of -1 s was resumed, and committed five steps of DurationSeconds -1
            string folder = Path.Combine(_copy, "interrupted");
            string journal = Path.Combine(folder, RunJournal.FileName);
            File.WriteAllText(journal, File.ReadAllText(journal).Replace("\"durationSeconds\":0.3", "\"durationSeconds\":-1"));
            var refusal = Assert.Throws<ResumeRefusedException>(() => ScanResume.Plan(folder, ScanMode.Parallel, null));
            Assert.Equal(ResumeProblem.ResumeNotRecorded, refusal.Problem);
            Assert.Contains("window length -1 s", refusal.Message);
        }

        [Fact]
        public void ALineLongerThanAnyRecordIsPassedOverAndTheRecordsAroundItAreRead()
        {
            // found by an independent tester: a 300 MB line took Get-HaniwersRun to 2.9 GB
            string journal = Path.Combine(_copy, "parallel", RunJournal.FileName);
            var lines = File.ReadAllLines(journal);
            File.WriteAllText(journal, lines[0] + "\n" + new string('x', RunJournal.MaxRecordLength + 10) + "\n" + string.Join("\n", lines.Skip(1)) + "\n");
            var records = RunJournal.Read(journal, out int unreadable);
            Assert.Equal(1, unreadable);
            Assert.Equal(lines.Length, records.Count);
            Assert.Equal(JournalEvents.End, records[^1].Event);
        }

        [Fact]
        public void ARepairSaysWhatWentAsRowsAndPartsOfRows()
        {
            // found by an independent tester: "removed 0 row(s)" of a step whose file had grown by 22 bytes
            string folder = Path.Combine(_copy, "parallel");
            string journal = Path.Combine(folder, RunJournal.FileName);
            string runId = RunJournal.Read(journal)[0].RunId;
            var lengths = Enumerable.Range(1, 3).ToDictionary(ch => $"scan_results_ch{ch}.csv", ch => new FileInfo(Path.Combine(folder, $"scan_results_ch{ch}.csv")).Length);
            File.AppendAllText(journal, $"{{\"event\":\"intent\",\"runId\":\"{runId}\",\"step\":22,\"files\":{JsonSerializer.Serialize(lengths)}}}\n");
            File.AppendAllText(Path.Combine(folder, "scan_results_ch1.csv"), "2026-12-07T18:30:09,1,");
            File.AppendAllText(Path.Combine(folder, "scan_results_ch2.csv"), "a,whole,row\r\n2026-12-07T18:30:09,1,");
            var repairs = RunFolderRecovery.Recover(folder, DateTimeOffset.UtcNow);
            Assert.Contains(repairs, r => r.File.EndsWith("ch1.csv") && r.Action.StartsWith("removed part of a row (22 bytes) of step 22"));
            Assert.Contains(repairs, r => r.File.EndsWith("ch2.csv") && r.Action.StartsWith("removed 1 row(s) and part of a row of step 22"));
        }

        [Fact]
        public void AKilledDaqRunsFilesAreCountedFromTheOlderJournal()
        {
            string folder = Path.Combine(_copy, "daq-killed");
            var files = Directory.GetFiles(folder, "data_*.csv");
            var live = DaqLiveTime.For(files, out int covered);
            Assert.NotNull(live);
            Assert.Equal(files.Length, covered);
            var killed = RunReportReader.Read(folder).First();
            long rows = files.Where(f => string.CompareOrdinal(Path.GetFileName(f), "data_0248414e4957_2026-12-07_18h30m25s") < 0).Sum(f => File.ReadLines(f).LongCount());
            Assert.Equal(rows, killed.Events);
        }
    }
}
