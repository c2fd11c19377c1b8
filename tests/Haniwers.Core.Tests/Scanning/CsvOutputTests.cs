using System.Collections.Generic;
using System;
using System.IO;
using System.Linq;
using Haniwers.Output;
using Haniwers.Scanning;
using Xunit;

namespace Haniwers.Tests.Scanning
{
    public class CsvOutputTests
    {
        [Fact]
        public void TwoRunsAppendToOneFileWithOneHeader()
        {
            using var f = new ScanFixture(nsteps: 1);
            f.Run(runId: "first");
            f.Run(runId: "second");
            var lines = f.Lines(ScanFiles.ResultFileName(1));
            Assert.Equal(1 + 6, lines.Length);
            Assert.Single(lines, l => l.StartsWith("Timestamp,"));
            Assert.Equal("Timestamp,RunId,Mode,Step,Channel,Threshold,DurationSeconds,Events,Rate,RateError,Triggers,Temperature,Pressure,Humidity", lines[0]);
            Assert.Equal(3, lines.Count(l => l.Contains(",second,")));
        }

        [Fact]
        public void TimestampsAreIso8601WithOffsetAndNumbersInvariant()
        {
            var saved = System.Globalization.CultureInfo.CurrentCulture;
            try
            {
                System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("fr-FR");
                using var f = new ScanFixture(nsteps: 1, duration: 1.5);
                f.Run();
                var fields = f.Lines(ScanFiles.ResultFileName(1))[1].Split(',');
                Assert.Equal(14, fields.Length);
                Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+[+-]\d{2}:\d{2}$", fields[0]);
                Assert.Equal("1.5", fields[6]);
            }
            finally
            {
                System.Globalization.CultureInfo.CurrentCulture = saved;
            }
        }

        [Fact]
        public void AFileWithADifferentHeaderIsRefusedAndLeftAlone()
        {
            using var f = new ScanFixture(nsteps: 1);
            Directory.CreateDirectory(f.Folder);
            string path = Path.Combine(f.Folder, ScanFiles.ResultFileName(2));
            File.WriteAllText(path, "time,count,ch2\n1,2,3\n");
            var ex = Assert.Throws<CsvHeaderMismatchException>(() => f.Run());
            Assert.Contains(path, ex.Message);
            Assert.Contains("lacks", ex.Message);
            Assert.Equal("time,count,ch2\n1,2,3\n", File.ReadAllText(path));
            Assert.False(File.Exists(Path.Combine(f.Folder, ScanFiles.ResultFileName(1))));
        }

        [Fact]
        public void ACutLastLineIsRemovedKeptInTheJournalAndReported()
        {
            using var f = new ScanFixture(nsteps: 1);
            f.Run(runId: "first");
            string path = Path.Combine(f.Folder, ScanFiles.ResultFileName(3));
            string before = File.ReadAllText(path);
            File.WriteAllText(path, before + "2026-01-01T00:00:00.0000000+00:00,first,Parallel,9,3,2");
            using (var run = ScanRun.Open(f.Folder, new[] { 1, 2, 3 }, f.Clock, new Dictionary<string, object?>(), "second"))
            {
                var repair = Assert.Single(run.Repairs);
                Assert.Equal(path, repair.File);
                Assert.EndsWith("Parallel,9,3,2", repair.RemovedText);
            }
            Assert.Equal(before, File.ReadAllText(path));
            Assert.Contains(f.Lines(RunJournal.FileName), l => l.Contains("\"repaired\"") && l.Contains("Parallel,9,3,2"));
            f.Run(runId: "third");
            var lines = File.ReadAllLines(path);
            Assert.DoesNotContain(lines, l => l.EndsWith("Parallel,9,3,2"));
            Assert.All(lines.Skip(1), l => Assert.Equal(14, l.Split(',').Length));
        }

        [Fact]
        public void ASecondRunInTheSameFolderIsRefusedWhileTheFirstHoldsIt()
        {
            using var f = new ScanFixture(nsteps: 1);
            using var first = ScanRun.Open(f.Folder, new[] { 1, 2, 3 }, f.Clock, new Dictionary<string, object?>(), "first");
            var ex = Assert.Throws<RunFolderInUseException>(() => ScanRun.Open(f.Folder, new[] { 1, 2, 3 }, f.Clock, new Dictionary<string, object?>(), "second"));
            Assert.Contains("a Haniwers scan (process", ex.Message);
        }
    }
}
