using System.Collections;
using System.IO;
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
