using System;
using System.IO;
using System.Linq;
using Haniwers.Analysis;
using Xunit;

namespace Haniwers.Tests.Analysis
{
    /// <summary>Hostile files are refused by what they are, with memory flat (issue 20, finding 7; docs/formats.md "Reading").</summary>
    public sealed class ScanFileBoundsTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "haniwers-bounds-" + Guid.NewGuid().ToString("N"));

        public ScanFileBoundsTests() => Directory.CreateDirectory(_folder);

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        [Fact]
        public void AFileOfOneLongLineWithoutALineEndIsNotAScanFileAndIsNotCalledEmpty()
        {
            string path = Path.Combine(_folder, "junk.csv");
            File.WriteAllText(path, new string('x', 5_000_000));
            var refusal = Assert.Throws<InvalidDataException>(() => ScanFileReader.Read(path));
            Assert.Contains("line 1 is longer than 4096 characters", refusal.Message);
            Assert.DoesNotContain("empty", refusal.Message);
        }

        [Fact]
        public void AMillionColumnsAreRefusedByTheLineTheyMake()
        {
            string path = Path.Combine(_folder, "columns.csv");
            File.WriteAllText(path, "Channel,Threshold,Events,DurationSeconds\n1,280,5,1\n" + string.Join(",", Enumerable.Repeat("1", 1_000_000)) + "\n");
            var refusal = Assert.Throws<InvalidDataException>(() => ScanFileReader.Read(path));
            Assert.Contains("line 3 is longer than 4096 characters", refusal.Message);
        }

        [Fact]
        public void ALineJustWithinTheBoundIsRead()
        {
            string path = Path.Combine(_folder, "wide.csv");
            string row = "1,280,5,1," + new string('9', ScanFileReader.MaxLineLength - 10);
            File.WriteAllText(path, "Channel,Threshold,Events,DurationSeconds,Note\n" + row + "\n");
            Assert.Equal(ScanFileReader.MaxLineLength, row.Length);
            var points = ScanFileReader.Read(path);
            Assert.Equal(280, Assert.Single(points).Threshold);
        }
    }
}
