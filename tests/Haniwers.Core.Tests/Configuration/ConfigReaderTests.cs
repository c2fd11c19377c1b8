using System.Collections;
using System.IO;
using System.Linq;
using Haniwers.Configuration;
using Xunit;

namespace Haniwers.Tests.Configuration
{
    public class ConfigReaderTests
    {
        private static string Example(string name) => Path.Combine(System.AppContext.BaseDirectory, "examples", name);

        [Fact]
        public void ReadsTheHaniwersV1SampleConfigAsItIs()
        {
            var config = ConfigReader.ReadTomlFile(Example("config.toml"));
            Assert.Equal("/dev/ttyUSB0", config.Device.Port);
            Assert.Equal(115200, config.Device.BaudRate);
            Assert.Equal(FirmwareDialect.Text, config.Device.Firmware);
            Assert.Equal(10, config.Sampler.Duration);
            Assert.Equal(1000, config.Sampler.SuppressThreshold);
            Assert.Equal(3, config.Sampler.MaxRetry);
            Assert.Equal(2, config.Sampler.ResponseTimeout);
            Assert.Equal(3, config.Sensors.Count);
            var ch2 = config.Sensor(2)!;
            Assert.Equal("mid", ch2.Label);
            Assert.Equal(300, ch2.Center);
            Assert.Equal(20, ch2.NSteps);
            Assert.Equal(1, ch2.StepSize);
            Assert.Null(ch2.Threshold); // threshold = "none", as haniwers writes it
            Assert.Empty(ConfigValidator.Validate(config, ScanMode.Parallel));
            Assert.Empty(config.HaniwersKeysMissing!); // the same file works in haniwers
        }

        [Fact]
        public void UnknownKeysAreIgnored()
        {
            var config = ConfigReader.ReadToml("[daq]\nprefix = 'x'\n[device]\nport = 'COM3'\nfoo = 1\n[sensors.ch1]\ncenter = 280\ncolor = 'red'\n", "t");
            Assert.Equal("COM3", config.Device.Port);
            Assert.Empty(config.ReadProblems);
            // ignored, as haniwers ignores them, but named: a typo must not pass in silence
            Assert.Equal(new[] { "[daq]", "device.foo", "sensors.ch1.color" }, config.UnknownKeys.Select(u => u.Path));
        }

        private const string Sensors3 = "[sensors.ch1]\nid = 1\nname = 'ch1'\nlabel = 'top'\ncenter = 280\nnsteps = 10\nstep_size = 1\n" +
            "[sensors.ch2]\nid = 2\nname = 'ch2'\nlabel = 'mid'\ncenter = 300\nnsteps = 10\nstep_size = 1\n" +
            "[sensors.ch3]\nid = 3\nname = 'ch3'\nlabel = 'btm'\ncenter = 260\nnsteps = 10\nstep_size = 1\n";

        [Fact]
        public void AMisspelledKeyIsNamedWithTheKeyItMeansAndTheDefaultStaysNamed()
        {
            var config = ConfigReader.ReadToml("[sampler]\nduraton = 1\ntimeout = 5\n" + Sensors3, "t.toml");
            Assert.Equal(10, config.Sampler.Duration); // the default: duraton is no key
            var typo = Assert.Single(config.UnknownKeys, u => u.Key == "duraton");
            Assert.Equal("duration", typo.Nearest);
            Assert.Equal("'duraton' is not a key of [sampler]; did you mean 'duration'? It is ignored (haniwers ignores it too): it is not read.", typo.Message);
            Assert.Equal("rename sampler.duraton to duration.", typo.Fix);
            var misplaced = Assert.Single(config.UnknownKeys, u => u.Key == "timeout");
            Assert.Equal("device", misplaced.KnownElsewhere);
            Assert.Contains("belongs in [device]", misplaced.Message);
            // haniwers ignores unknown keys too: the file stays valid
            Assert.Empty(ConfigValidator.Validate(config, ScanMode.Parallel));
        }

        [Fact]
        public void ARequiredKeyGivenOnlyByANearMissIsMissingForBothToolsAndTheMessageNamesIt()
        {
            var config = ConfigReader.ReadToml(Sensors3.Replace("center = 280\nnsteps = 10", "center = 280\nnstep = 10"), "t.toml");
            var problem = Assert.Single(ConfigValidator.Validate(config, ScanMode.Serial));
            Assert.Equal("sensors.ch1.nsteps", problem.Key);
            Assert.Equal("channel 1: center is set but nsteps is missing (the table has 'nstep', which is not a key: did you mean nsteps?).", problem.Message);
            Assert.Equal("rename nstep to nsteps.", problem.Fix);
            // haniwers' SensorConfig needs center and nsteps (or start_threshold and num_steps): it would refuse the file
            Assert.Contains("sensors.ch1.nsteps", config.HaniwersKeysMissing!);
            Assert.False(Haniwers.Scanning.ThresholdConfigReport.Create(config, ScanMode.Serial).HaniwersCompatible);
        }

        [Fact]
        public void AKeyHaniwersMissesForItsCaseIsNamedWithTheSpellingTheFileHas()
        {
            var config = ConfigReader.ReadToml("[device]\nlabel = 'x'\nPort = 'COM3'\nbaudrate = 115200\ntimeout = 1.0\n" + Sensors3.Replace("step_size = 1\n[sensors.ch2]", "stepSize = 1\n[sensors.ch2]"), "t.toml");
            Assert.Equal("COM3", config.Device.Port); // this module reads it
            Assert.Contains("device.port (the file has 'Port')", config.HaniwersKeysMissing!);
            Assert.Contains("sensors.ch1.step_size (the file has 'stepSize')", config.HaniwersKeysMissing!);
        }

        [Fact]
        public void AWaitGivenAsHaniwersDeviceTimeoutIsNamedSo()
        {
            var config = ConfigReader.ReadToml("[device]\ntimeout = 100\n" + Sensors3, "t.toml");
            var problem = Assert.Single(ConfigValidator.Validate(config, ScanMode.Parallel));
            Assert.Equal("device.timeout", problem.Key);
            Assert.Equal("timeout 100 s is longer than 60 s for one answer.", problem.Message);
            Assert.Equal("set timeout = 2 in [device] (seconds to wait for the detector's answer).", problem.Fix);
            // the module's own key is named as itself
            var own = ConfigReader.ReadToml("[sampler]\nresponse_timeout = 0\n" + Sensors3, "t.toml");
            Assert.Equal("sampler.response_timeout", Assert.Single(ConfigValidator.Validate(own, ScanMode.Parallel)).Key);
        }

        [Fact]
        public void AMisnamedSensorsTableIsNamedWhereTheChannelIsMissing()
        {
            var config = ConfigReader.ReadToml(Sensors3.Replace("[sensors.ch1]", "[sensor.ch1]"), "t.toml");
            Assert.Equal("[sensor]", Assert.Single(config.UnknownKeys).Path);
            var problem = Assert.Single(ConfigValidator.Validate(config, ScanMode.Serial));
            Assert.Equal("channel 1 has no [sensors.ch1] table: the file has [sensor], which is not a table of a config (did you mean [sensors]?).", problem.Message);
            Assert.Equal("rename [sensor.ch1] to [sensors.ch1].", problem.Fix);
        }

        [Fact]
        public void ADuplicatedIdNamesBothTablesAndTheTableWhoseIdIsWrong()
        {
            var config = ConfigReader.ReadToml(Sensors3.Replace("id = 2", "id = 1"), "t.toml");
            var problems = ConfigValidator.Validate(config, ScanMode.Serial);
            var duplicate = Assert.Single(problems, p => p.Kind == ConfigProblemKind.DuplicateChannel);
            Assert.Contains("[sensors.ch1], [sensors.ch2]", duplicate.Message);
            var missing = Assert.Single(problems, p => p.Kind == ConfigProblemKind.MissingChannel);
            Assert.Equal("channel 2 has no table: [sensors.ch2] says id = 1, as [sensors.ch1] does.", missing.Message);
            Assert.Equal("set id = 2 in [sensors.ch2].", missing.Fix);
        }

        [Theory]
        [InlineData("duraton", "duration")]
        [InlineData("suppres_threshold", "suppress_threshold")]
        [InlineData("Max_Rety", "max_retry")]
        [InlineData("colour", null)]
        public void TheNearestKeyIsOneEditInFourLettersAway(string written, string? expected)
        {
            Assert.Equal(expected, ConfigSchema.Nearest(written, ConfigSchema.SamplerKeys));
        }

        [Fact]
        public void TheChannelComesFromIdOrElseFromTheTableName()
        {
            var config = ConfigReader.ReadToml("[sensors.ch3]\ncenter = 1\n[sensors.bottom]\nid = 2\n", "t");
            Assert.Equal(3, config.Sensors[0].Channel);
            Assert.Equal(2, config.Sensors[1].Channel);
        }

        [Fact]
        public void ReadsTheDeprecatedStartForm()
        {
            var config = ConfigReader.ReadToml("[sensors.ch1]\nstart_threshold = 200\nnum_steps = 30\nstep_size = 1\n", "t");
            Assert.Equal(200, config.Sensors[0].StartThreshold);
            Assert.Equal(30, config.Sensors[0].NumSteps);
        }

        [Fact]
        public void MalformedTomlIsReportedWithLineAndColumn()
        {
            var ex = Assert.Throws<ConfigFileException>(() => ConfigReader.ReadToml("[device]\nport = = 'x'\n", "bad.toml"));
            Assert.Equal(2, ex.Line);
            Assert.Equal(8, ex.Column);
            Assert.Contains("line 2, column 8", ex.Message);
            Assert.Contains("bad.toml", ex.Message);
        }

        [Fact]
        public void AMissingFileNamesThePathTried()
        {
            var path = Path.Combine(Path.GetTempPath(), "haniwers-no-such-dir", "config.toml");
            var ex = Assert.Throws<ConfigFileException>(() => ConfigReader.ReadTomlFile(path));
            Assert.Contains(path, ex.Message);
        }

        [Fact]
        public void AHashtableWithAnyKeySpellingReadsLikeTheToml()
        {
            var table = new Hashtable
            {
                ["Device"] = new Hashtable { ["PORT"] = "sim", ["Firmware"] = "Binary" },
                ["sampler"] = new Hashtable { ["Suppress_Threshold"] = 900, ["MaxRetry"] = 5, ["SETTLE_TIME"] = 0.25 },
                ["Sensors"] = new Hashtable { ["CH1"] = new Hashtable { ["StepSize"] = 2, ["center"] = 280, ["N_Steps"] = 4 } },
            };
            var config = ConfigReader.ReadDictionary(table, "(hashtable)");
            Assert.Equal("sim", config.Device.Port);
            Assert.Equal(FirmwareDialect.Binary, config.Device.Firmware);
            Assert.Equal(900, config.Sampler.SuppressThreshold);
            Assert.Equal(5, config.Sampler.MaxRetry);
            Assert.Equal(0.25, config.Sampler.SettleTime);
            Assert.Equal(1, config.Sensors[0].Channel);
            Assert.Equal(2, config.Sensors[0].StepSize);
            Assert.Equal(4, config.Sensors[0].NSteps);
        }

        [Theory]
        [InlineData("step_size", "stepsize")]
        [InlineData("StepSize", "stepsize")]
        [InlineData("STEP_SIZE", "stepsize")]
        [InlineData("max_consecutive_failures", "maxconsecutivefailures")]
        public void KeyNamesNormaliseIgnoringCaseAndUnderscores(string key, string expected)
        {
            Assert.Equal(expected, ConfigKeys.Normalize(key));
        }
    }
}
