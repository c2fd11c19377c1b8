using System;
using System.IO;
using System.Linq;
using System.Text;
using Haniwers.Analysis;
using Haniwers.Configuration;
using Haniwers.Scanning;
using Xunit;

namespace Haniwers.Tests.Configuration
{
    /// <summary>haniwers' configs and scan files read right, or refused by name (docs/haniwers-formats.md).</summary>
    public sealed class HaniwersFilesTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "haniwers-files-" + Guid.NewGuid().ToString("N").Substring(0, 8));

        public HaniwersFilesTests() => Directory.CreateDirectory(_folder);
        public void Dispose() => Directory.Delete(_folder, true);

        private string Write(string name, string text)
        {
            string path = Path.Combine(_folder, name);
            File.WriteAllText(path, text, new UTF8Encoding(false));
            return path;
        }

        private const string Sensors = "[sensors.ch1]\nid = 1\nname = \"ch1\"\nlabel = \"top\"\ncenter = 280\nnsteps = 2\nstep_size = 5\n";

        [Theory]
        [InlineData("\"none\"")]
        [InlineData("\"None\"")]
        [InlineData("\"NONE\"")]
        public void ThresholdNoneInAnyCaseMeansNoThreshold(string value)
        {
            var config = ConfigReader.ReadToml(Sensors + $"threshold = {value}\n", "t.toml");
            Assert.Empty(config.ReadProblems);
            Assert.Null(config.Sensor(1)!.Threshold);
        }

        [Fact]
        public void ANumericThresholdIsCheckedAgainstTheDacRange()
        {
            var config = ConfigReader.ReadToml(Sensors + "threshold = 1500\n", "t.toml");
            var problem = Assert.Single(ConfigValidator.Validate(config, ScanMode.Serial), p => p.Kind == ConfigProblemKind.ThresholdOutOfRange);
            Assert.Equal("sensors.ch1.threshold", problem.Key);
            Assert.Equal(1, problem.Channel);
        }

        [Fact]
        public void AnyOtherWordIsOneProblemThatNamesNone()
        {
            var config = ConfigReader.ReadToml(Sensors + "threshold = \"auto\"\n", "t.toml");
            var problem = Assert.Single(config.ReadProblems);
            Assert.Contains("\"none\"", problem.Fix);
        }

        [Fact]
        public void AFractionalCenterIsOneProblemNotTwo()
        {
            var config = ConfigReader.ReadToml("[sensors.ch1]\ncenter = 280.7\nnsteps = 2\nstep_size = 5\n", "t.toml");
            var problems = ConfigValidator.Validate(config, ScanMode.Serial).Where(p => p.Channel == 1).ToList();
            var problem = Assert.Single(problems);
            Assert.Equal(ConfigProblemKind.InvalidValue, problem.Kind);
            Assert.Equal("sensors.ch1.center", problem.Key);
        }

        [Fact]
        public void ATableDefinedTwiceIsInvalidToml()
        {
            var ex = Assert.Throws<ConfigFileException>(() => ConfigReader.ReadToml(Sensors + Sensors, "t.toml"));
            Assert.Contains("not valid TOML at line 8", ex.Message);
            Assert.Contains("sensors.ch1", ex.Message);
            Assert.Equal(8, ex.Line);
        }

        [Fact]
        public void ALatin1FileIsNamedAsSuch()
        {
            string path = Path.Combine(_folder, "latin1.toml");
            File.WriteAllBytes(path, Encoding.Latin1.GetBytes("# Détecteur du labo\n" + Sensors));
            var ex = Assert.Throws<ConfigFileException>(() => ConfigReader.ReadTomlFile(path));
            Assert.Contains("is not UTF-8 text: byte 0xE9 on line 1", ex.Message);
            Assert.Contains("Latin-1", ex.Message);
        }

        [Fact]
        public void Utf16WithAByteOrderMarkIsRead()
        {
            string path = Path.Combine(_folder, "utf16.toml");
            File.WriteAllText(path, Sensors, new UnicodeEncoding(false, true));
            Assert.Equal(280, ConfigReader.ReadTomlFile(path).Sensor(1)!.Center);
        }

        [Fact]
        public void Utf16WithoutAByteOrderMarkIsNamedAsSuch()
        {
            string path = Path.Combine(_folder, "utf16-nobom.toml");
            File.WriteAllBytes(path, new UnicodeEncoding(false, false).GetBytes(Sensors));
            var ex = Assert.Throws<ConfigFileException>(() => ConfigReader.ReadTomlFile(path));
            Assert.Contains("UTF-16", ex.Message);
        }

        [Fact]
        public void ADeeplyNestedFileIsToldInTermsOfTheConfig()
        {
            var ex = Assert.Throws<ConfigFileException>(() => ConfigReader.ReadToml("x = " + new string('[', 100) + new string(']', 100) + "\n", "deep.toml"));
            Assert.Contains("more than 64 levels deep", ex.Message);
            Assert.DoesNotContain("TomlSerializerOptions", ex.Message);
        }

        [Fact]
        public void AMinimalFileListsWhatHaniwersWouldMiss()
        {
            var config = ConfigReader.ReadToml("[device]\nport = \"COM3\"\n" + Sensors, "t.toml");
            var missing = config.HaniwersKeysMissing!;
            Assert.Contains("device.label", missing);
            Assert.Contains("device.timeout", missing);
            Assert.Contains("[sampler]", missing);
            Assert.Contains("sampler.stream_mode", missing);
            Assert.Contains("[mocker]", missing);
            Assert.DoesNotContain(missing, m => m.StartsWith("sensors.ch1."));
        }

        [Fact]
        public void TheTemplateIsAcceptedByBothTools()
        {
            var config = ConfigReader.ReadToml(ConfigTemplate.Render("COM3", new[] { 280, 300, 260 }, 10, 2, 10), "template.toml");
            Assert.Empty(config.HaniwersKeysMissing!);
            Assert.Empty(ConfigValidator.Validate(config, ScanMode.Parallel));
            Assert.Equal(new[] { 280, 300, 260 }, config.Sensors.Select(s => s.Center!.Value));
            Assert.All(config.Sensors, s => Assert.Null(s.Threshold));
        }

        // ---- scan files ----

        [Fact]
        public void AHaniwersV1ParallelFileIsReadAsOneWindowPerRow()
        {
            string path = Write("parallel.csv",
                "2025-10-29T00:17:55.545716+09:00,310,270,290,250,205,198,201\n2025-10-29T00:18:05.545716+09:00,120,280,300,260,80,75,90\n");
            Assert.Equal(ScanFileFormat.HaniwersV1Scan, ScanFileReader.Detect(path));
            var points = ScanFileReader.Read(path, 10);
            Assert.Equal(6, points.Count);
            var ch2 = points.Where(p => p.Channel == 2).ToList();
            Assert.Equal(new[] { 290.0, 300.0 }, ch2.Select(p => p.Threshold));
            Assert.Equal(new[] { 198.0, 75.0 }, ch2.Select(p => p.Events));
        }

        [Fact]
        public void AnUnknownFileIsNamedWithoutItsRawBytes()
        {
            // a binary file's first line, with the escape sequences a terminal would obey
            string path = Write("image.csv", "\u001b]0;owned\u0007\u001b[2J" + new string('A', 300) + "\n");
            var ex = Assert.Throws<InvalidDataException>(() => ScanFileReader.Read(path));
            Assert.DoesNotContain(ex.Message, c => char.IsControl(c));
            Assert.Contains("?]0;owned??[2J", ex.Message);
            Assert.Contains("…", ex.Message);
            Assert.True(ex.Message.Length < 400);
        }

        [Fact]
        public void ALastRowWithoutItsLineEndIsNotRead()
        {
            // a scan CSV whose last row was cut inside Events (774 became 7): fitted as 7 before
            string ours = Write("scan_results_ch1.csv",
                "Timestamp,RunId,Mode,Step,Channel,Threshold,DurationSeconds,Events,Rate,RateError,Triggers,Temperature,Pressure,Humidity\r\n" +
                "2026-01-01T00:00:00.0000000+00:00,r,Parallel,1,1,270,1,812,812,28.5,900,24.5,100200,35\r\n" +
                "2026-01-01T00:00:01.0000000+00:00,r,Parallel,2,1,275,1,7");
            Assert.Equal(new[] { 812.0 }, ScanFileReader.Read(ours).Select(p => p.Events));
            Assert.Equal(3, ScanFileReader.CutLine(ours));
            string v1 = Write("parallel.csv",
                "2025-10-29T00:17:55.545716+09:00,310,270,290,250,205,198,201\n2025-10-29T00:18:05.545716+09:00,120,280,300,260,80,75,9");
            Assert.Equal(3, ScanFileReader.Read(v1, 10).Count);
            Assert.Equal(2, ScanFileReader.CutLine(v1));
            Assert.Null(ScanFileReader.CutLine(Write("whole.csv", "a,b\n")));
        }

        [Fact]
        public void AHaniwersV0ThresholdScanIsReadWithItsOwnDuration()
        {
            string path = Write("threshold_scan.csv",
                "2024-06-02T08:44:20.389786+09:00,10,1,270,2050,24.51,100201.33,35.20\n2024-06-02T08:44:31.102+09:00,10,1,280,1030,24.49,100200.91,35.18\n2024-06-02T08:44:41.5+09:00,10,2,280,1500,24.50,100201.05,35.11\n");
            Assert.Equal(ScanFileFormat.HaniwersV0Scan, ScanFileReader.Detect(path));
            var points = ScanFileReader.Read(path);
            Assert.Equal(new[] { 1, 1, 2 }, points.Select(p => p.Channel));
            Assert.Equal(new[] { 270.0, 280.0, 280.0 }, points.Select(p => p.Threshold));
            Assert.Equal(205, points[0].Rate, 6);
        }

        [Fact]
        public void TheLateV0FormWithHitsIsRead()
        {
            string path = Write("threshold_scan.csv", "2024-06-02 08:44:20.389786+09:00,10,0,300,500,200,150,120,24.5,100200.1,35.2\n");
            Assert.Equal(ScanFileFormat.HaniwersV0ScanWithHits, ScanFileReader.Detect(path));
            var points = ScanFileReader.Read(path);
            Assert.Equal(new[] { 200.0, 150.0, 120.0 }, points.Select(p => p.Events));
        }

        [Fact]
        public void ARawEventFileIsRefusedAsWhatItIs()
        {
            string path = Write("osechi_data_0000001.csv", "2025-10-29T00:17:55.545716+09:00,10,5,0,823,24.50,100204.50,34.50\n2025-10-29T00:17:55.645716+09:00,0,12,4,500,24.50,100204.40,34.50\n");
            var ex = Assert.Throws<InvalidDataException>(() => ScanFileReader.Read(path));
            Assert.Contains("raw event file", ex.Message);
        }

        [Fact]
        public void AnUnknownFileIsRefusedWithItsFirstLine()
        {
            string path = Write("other.csv", "date,hits\n2024-01-01,5\n");
            var ex = Assert.Throws<InvalidDataException>(() => ScanFileReader.Read(path));
            Assert.Contains("date,hits", ex.Message);
        }
    
        private static string V1Row(DateTimeOffset t, int ch1, int ch2, int ch3, int hits) =>
            $"{t:o},{hits * 3},{ch1},{ch2},{ch3},{hits},{hits},{hits}";

        [Fact]
        public void RunsAppendedToOneHaniwersFileAreToldApart()
        {
            var start = new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.FromHours(9));
            var lines = Enumerable.Range(0, 5).Select(i => V1Row(start.AddSeconds(10 * i), 270 + i, 290 + i, 250 + i, 100))
                .Concat(Enumerable.Range(0, 5).Select(i => V1Row(start.AddHours(1).AddSeconds(10 * i), 270 + i, 290 + i, 250 + i, 50)));
            string path = Write("parallel.csv", string.Join("\n", lines) + "\n");
            var runs = ScanFileReader.Read(path, 10).GroupBy(p => p.RunId).ToList();
            Assert.Equal(2, runs.Count);
            Assert.Equal("parallel.csv@2025-03-01T10:00:00", runs[0].Key);
            Assert.All(runs[1], p => Assert.Equal(50, p.Events));
        }

        [Fact]
        public void ACutRowAfterTheFirstHundredsBecomesADroppedPointNotACrash()
        {
            var start = new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);
            var lines = Enumerable.Range(0, 230).Select(i => V1Row(start.AddSeconds(10 * i), 10 + i, 10 + i, 10 + i, 100)).ToList();
            lines[215] = lines[215].Substring(0, 40).TrimEnd(',') + ",1";
            lines[215] = string.Join(",", lines[215].Split(',').Take(3));
            string path = Write("parallel.csv", string.Join("\n", lines) + "\n");
            var points = ScanFileReader.Read(path, 10);
            Assert.Equal(230 * 3, points.Count);
            Assert.Equal(3, points.Count(p => !p.IsUsable));
        }

        [Fact]
        public void ARawEventFileWithWholeNumbersIsStillRefused()
        {
            var start = new DateTimeOffset(2025, 10, 29, 0, 17, 55, TimeSpan.Zero);
            var lines = Enumerable.Range(0, 20).Select(i => $"{start.AddMilliseconds(37 * i):o},1,1,1,{500 + i},0,0,0");
            string path = Write("osechi_data_0000001.csv", string.Join("\n", lines) + "\n");
            var ex = Assert.Throws<InvalidDataException>(() => ScanFileReader.Read(path));
            Assert.Contains("raw event file", ex.Message);
        }

        [Fact]
        public void ValuesHaniwersRefusesAreListedBesideMissingKeys()
        {
            string text = ConfigTemplate.Render("COM3", new[] { 280 }, 2, 5, 10)
                .Replace("baudrate = 115200", "baudrate = 230400").Replace("timeout = 2.0", "timeout = 100.0").Replace("mode = \"count_based\"", "mode = \"bogus\"");
            var config = ConfigReader.ReadToml(text, "t.toml");
            Assert.Empty(config.HaniwersKeysMissing!);
            Assert.Contains(config.HaniwersProblems!, p => p.StartsWith("device.baudrate = 230400"));
            Assert.Contains(config.HaniwersProblems!, p => p.StartsWith("device.timeout = 100"));
            Assert.Contains(config.HaniwersProblems!, p => p.StartsWith("sampler.mode = \"bogus\""));
        }

        [Fact]
        public void AByteOrderMarkIsReadHereButNotByHaniwers()
        {
            string path = Path.Combine(_folder, "bom.toml");
            File.WriteAllText(path, ConfigTemplate.Render("COM3", new[] { 280 }, 2, 5, 10), new UTF8Encoding(true));
            var config = ConfigReader.ReadTomlFile(path);
            Assert.Equal("COM3", config.Device.Port);
            Assert.Contains(config.HaniwersProblems!, p => p.Contains("byte-order mark"));
        }

        [Fact]
        public void KeysThatDifferOnlyInCaseAreRefusedNotMerged()
        {
            var config = ConfigReader.ReadToml("[device]\nbaudrate = 115200\nBaudRate = 9600\n" + Sensors, "t.toml");
            var problem = Assert.Single(config.ReadProblems, p => p.Kind == ConfigProblemKind.DuplicateKey);
            Assert.Contains("device.baudrate and device.BaudRate", problem.Message);
        }

        [Theory]
        [InlineData(@"\\.\COM10")]
        [InlineData("my \"port\"")]
        public void TheTemplateQuotesAnyPortName(string port)
        {
            var config = ConfigReader.ReadToml(ConfigTemplate.Render(port, new[] { 280 }, 2, 5, 10), "t.toml");
            Assert.Equal(port, config.Device.Port);
        }

        [Theory]
        [InlineData(@"C:\lab\data")]
        [InlineData("/home/lab/o'brien data")]
        public void TheTemplateQuotesAnyWorkspace(string workspace)
        {
            var config = ConfigReader.ReadToml(ConfigTemplate.Render("COM3", new[] { 280 }, 2, 5, 10, workspace), "t.toml");
            Assert.Equal(workspace, config.Sampler.Workspace);
        }
    }
}
