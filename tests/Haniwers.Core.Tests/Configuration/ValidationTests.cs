using System.Collections;
using System.Collections.Generic;
using System.Linq;
using Haniwers.Configuration;
using Haniwers.Scanning;
using Xunit;

namespace Haniwers.Tests.Configuration
{
    public class ValidationTests
    {
        private static HaniwersConfig Valid()
        {
            var config = new HaniwersConfig { Source = "test" };
            for (int ch = 1; ch <= 3; ch++)
                config.Sensors.Add(new SensorSettings { Channel = ch, Key = "ch" + ch, Center = 280, NSteps = 10, StepSize = 2 });
            return config;
        }

        private static ConfigProblem Single(HaniwersConfig config, ConfigProblemKind kind, ScanMode mode = ScanMode.Parallel)
        {
            var problems = ConfigValidator.Validate(config, mode);
            Assert.Contains(problems, p => p.Kind == kind);
            return problems.First(p => p.Kind == kind);
        }

        [Fact]
        public void AValidConfigHasNoProblemInEitherMode()
        {
            Assert.Empty(ConfigValidator.Validate(Valid(), ScanMode.Parallel));
            Assert.Empty(ConfigValidator.Validate(Valid(), ScanMode.Serial));
        }

        [Fact]
        public void MissingChannelIsNamedWithTheTableToAdd()
        {
            var config = Valid();
            config.Sensors.RemoveAt(1);
            var p = Single(config, ConfigProblemKind.MissingChannel);
            Assert.Equal(2, p.Channel);
            Assert.Equal("sensors.ch2", p.Key);
            Assert.Contains("[sensors.ch2]", p.Fix);
        }

        [Fact]
        public void DuplicateChannelNamesBothTables()
        {
            var config = Valid();
            config.Sensors.Add(new SensorSettings { Channel = 1, Key = "extra", Center = 280, NSteps = 10, StepSize = 2 });
            var p = Single(config, ConfigProblemKind.DuplicateChannel);
            Assert.Equal(1, p.Channel);
            Assert.Contains("[sensors.ch1]", p.Message);
            Assert.Contains("[sensors.extra]", p.Message);
        }

        [Fact]
        public void UnknownChannelIsRefused()
        {
            var config = Valid();
            config.Sensors.Add(new SensorSettings { Channel = 4, Key = "ch4", Center = 280, NSteps = 10, StepSize = 2 });
            var p = Single(config, ConfigProblemKind.UnknownChannel);
            Assert.Equal(4, p.Channel);
            Assert.Equal("sensors.ch4.id", p.Key);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1024)]
        public void CenterOutsideTheDacRangeIsRefused(int center)
        {
            var config = Valid();
            config.Sensors[2].Center = center;
            var p = Single(config, ConfigProblemKind.CenterOutOfRange);
            Assert.Equal(3, p.Channel);
            Assert.Equal("sensors.ch3.center", p.Key);
            Assert.Equal(center, p.Value);
            Assert.Contains("1..1023", p.Message);
        }

        [Fact]
        public void NStepsBelowOneIsRefused()
        {
            var config = Valid();
            config.Sensors[0].NSteps = 0;
            Assert.Equal("sensors.ch1.nsteps", Single(config, ConfigProblemKind.NStepsTooSmall).Key);
        }

        [Theory]
        [InlineData(1023)]
        [InlineData(int.MaxValue)]
        public void NStepsBeyondTheDacRangeIsRefusedByNameNotByOverflow(int nsteps)
        {
            var config = Valid();
            config.Sensors[1].NSteps = nsteps;
            var p = Single(config, ConfigProblemKind.NStepsTooLarge);
            Assert.Equal("sensors.ch2.nsteps", p.Key);
            Assert.Contains("1..1023", p.Message);
            Assert.Contains("1022", p.Fix);
            // the estimate a -WhatIf prints and the format view's ranges take the same way
            Assert.DoesNotContain(ConfigValidator.Ranges(config), r => r.Channel == 2);
        }

        [Theory]
        [InlineData(1023)]
        [InlineData(int.MaxValue)]
        public void StepSizeAndNumStepsBeyondTheDacRangeAreRefusedByName(int value)
        {
            var config = Valid();
            config.Sensors[0].StepSize = value;
            Assert.Equal("sensors.ch1.step_size", Single(config, ConfigProblemKind.StepSizeTooLarge).Key);
            config = Valid();
            config.Sensors[2].Center = null;
            config.Sensors[2].NSteps = null;
            config.Sensors[2].StartThreshold = 10;
            config.Sensors[2].NumSteps = value + 1 > 0 ? value + 1 : value;
            Assert.Equal("sensors.ch3.num_steps", Single(config, ConfigProblemKind.NumStepsTooLarge, ScanMode.Serial).Key);
        }

        [Fact]
        public void EveryTimeAndCountOfTheSamplerIsBoundedAndNamedForWhatItIs()
        {
            // found by an independent tester: duration 1e-300 gave windows of 0 s and rows of NaN; settle_time 1e308 was
            // "SettleTimeNegative"; [device] timeout 1e308 overflowed a TimeSpan in a scan and a DAQ run
            var config = Valid();
            config.Sampler.Duration = 1e-300;
            Assert.Equal("sampler.duration", Single(config, ConfigProblemKind.DurationTooShort).Key);
            config = Valid();
            config.Sampler.SettleTime = 1e308;
            Assert.Equal("sampler.settle_time", Single(config, ConfigProblemKind.SettleTimeTooLong).Key);
            Assert.DoesNotContain(ConfigValidator.Validate(config, ScanMode.Parallel), p => p.Kind == ConfigProblemKind.SettleTimeNegative);
            config = Valid();
            config.Sampler.MaxRetry = int.MaxValue;
            Assert.Equal("sampler.max_retry", Single(config, ConfigProblemKind.MaxRetryTooLarge).Key);
            foreach (var timeout in new[] { 1e308, 61.0 })
            {
                config = Valid();
                config.Sampler.ResponseTimeout = timeout;
                var p = Single(config, ConfigProblemKind.ResponseTimeoutTooLong);
                Assert.Contains("[device] timeout", p.Fix);
                Assert.Contains(ConfigValidator.ValidateDaq(config), x => x.Kind == ConfigProblemKind.ResponseTimeoutTooLong);
            }
            config = Valid();
            config.Sampler.ResponseTimeout = 1e-300;
            Assert.Contains(ConfigValidator.ValidateDaq(config), x => x.Kind == ConfigProblemKind.ResponseTimeoutNotPositive);
        }

        [Theory]
        [InlineData(1e308)]
        [InlineData(1e12)]
        [InlineData(-5)]
        [InlineData(double.NaN)]
        public void ADaqRunsReconnectTimeoutIsCheckedAsAScansIs(double seconds)
        {
            // found by an independent tester: a DAQ run took 1e308 and overflowed a TimeSpan after its start record, and took -5
            var config = Valid();
            config.Sampler.ReconnectTimeout = seconds;
            var p = Assert.Single(ConfigValidator.ValidateDaq(config), x => x.Kind == ConfigProblemKind.ReconnectTimeoutOutOfRange);
            Assert.Equal("sampler.reconnect_timeout", p.Key);
            Assert.Contains(ConfigValidator.Validate(config, ScanMode.Parallel), x => x.Kind == ConfigProblemKind.ReconnectTimeoutOutOfRange);
        }

        [Theory]
        [InlineData(1e308)]
        [InlineData(30 * 86400 + 1)]
        public void ADaqFileLongerThanThirtyDaysIsRefusedByName(double seconds)
        {
            var config = Valid();
            config.Sampler.Mode = "time_based";
            config.Sampler.Duration = seconds;
            var p = Assert.Single(ConfigValidator.ValidateDaq(config), x => x.Kind == ConfigProblemKind.DurationTooLong);
            Assert.Equal("sampler.duration", p.Key);
            // a count-based run does not use it: no problem, and no overflow making its settings
            config.Sampler.Mode = "count_based";
            Assert.DoesNotContain(ConfigValidator.ValidateDaq(config), x => x.Key == "sampler.duration");
            Assert.Equal(Haniwers.DataTaking.DaqMode.CountBased, Haniwers.DataTaking.DaqSettings.From(config.Sampler).Mode);
        }

        [Fact]
        public void StepSizeBelowOneIsRefused()
        {
            var config = Valid();
            config.Sensors[0].StepSize = -2;
            var p = Single(config, ConfigProblemKind.StepSizeTooSmall);
            Assert.Equal("sensors.ch1.step_size", p.Key);
            Assert.Equal(-2, p.Value);
        }

        [Fact]
        public void BothRangeFormsAreRefused()
        {
            var config = Valid();
            config.Sensors[1].StartThreshold = 200;
            config.Sensors[1].NumSteps = 21;
            var p = Single(config, ConfigProblemKind.AmbiguousRange);
            Assert.Equal(2, p.Channel);
            Assert.Contains("start_threshold", p.Fix);
        }

        [Fact]
        public void NeitherRangeFormIsRefused()
        {
            var config = Valid();
            config.Sensors[1].Center = null;
            config.Sensors[1].NSteps = null;
            Assert.Equal(2, Single(config, ConfigProblemKind.MissingRange).Channel);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-5)]
        public void DurationMustBePositive(double duration)
        {
            var config = Valid();
            config.Sampler.Duration = duration;
            Assert.Equal("sampler.duration", Single(config, ConfigProblemKind.DurationNotPositive).Key);
        }

        [Fact]
        public void MaxRetryBelowOneIsRefused()
        {
            var config = Valid();
            config.Sampler.MaxRetry = 0;
            Assert.Equal("sampler.max_retry", Single(config, ConfigProblemKind.MaxRetryTooSmall).Key);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1024)]
        public void SuppressThresholdOutsideTheDacRangeIsRefused(int value)
        {
            var config = Valid();
            config.Sampler.SuppressThreshold = value;
            Assert.Equal("sampler.suppress_threshold", Single(config, ConfigProblemKind.SuppressThresholdOutOfRange).Key);
        }

        [Fact]
        public void NonStandardBaudRateIsRefused()
        {
            var config = Valid();
            config.Device.BaudRate = 115201;
            var p = Single(config, ConfigProblemKind.UnsupportedBaudRate);
            Assert.Equal("device.baudrate", p.Key);
            Assert.Contains("115200", p.Fix);
        }

        [Fact]
        public void UnknownFirmwareNameIsRefused()
        {
            var config = ConfigReader.ReadToml("[device]\nfirmware = \"json\"\n", "t.toml");
            var p = ConfigValidator.Validate(config, ScanMode.Serial).Single(x => x.Kind == ConfigProblemKind.UnknownFirmware);
            Assert.Equal("device.firmware", p.Key);
            Assert.Equal("json", p.Value);
        }

        [Fact]
        public void UnequalStepCountsListEveryChannelsRangeForParallelOnly()
        {
            var config = Valid();
            config.Sensors[0].Center = 270; config.Sensors[0].NSteps = 15;   // 240..300 = 31 steps
            config.Sensors[2].Center = 20;                                   // 0..40 -> 2..40 = 20 steps
            var p = Single(config, ConfigProblemKind.UnequalStepCounts);
            Assert.Contains("ch1: 240..300 step 2 = 31 steps", p.Message);
            Assert.Contains("ch2: 260..300 step 2 = 21 steps", p.Message);
            Assert.Contains("ch3: 2..40 step 2 = 20 steps (clipped at 1)", p.Message);
            Assert.DoesNotContain(ConfigValidator.Validate(config, ScanMode.Serial), x => x.Kind == ConfigProblemKind.UnequalStepCounts);
        }

        [Fact]
        public void EveryProblemIsReturnedAtOnce()
        {
            var config = Valid();
            config.Sensors[0].Center = 5000;
            config.Sensors[1].StepSize = 0;
            config.Sampler.Duration = 0;
            config.Device.BaudRate = 7;
            var kinds = ConfigValidator.Validate(config, ScanMode.Parallel).Select(p => p.Kind).ToList();
            Assert.Contains(ConfigProblemKind.CenterOutOfRange, kinds);
            Assert.Contains(ConfigProblemKind.StepSizeTooSmall, kinds);
            Assert.Contains(ConfigProblemKind.DurationNotPositive, kinds);
            Assert.Contains(ConfigProblemKind.UnsupportedBaudRate, kinds);
        }

        [Fact]
        public void AValueOfTheWrongTypeNamesItsKeyAndChannel()
        {
            var config = ConfigReader.ReadToml("[sensors.ch2]\ncenter = \"high\"\n", "t.toml");
            var p = ConfigValidator.Validate(config, ScanMode.Serial).Single(x => x.Kind == ConfigProblemKind.InvalidValue);
            Assert.Equal("sensors.ch2.center", p.Key);
            Assert.Equal(2, p.Channel);
        }

        [Fact]
        public void EstimatedTimeIsWindowsTimesDurationAndSettleAndThreeTimesThatForSerial()
        {
            var config = Valid();
            config.Sampler.Duration = 10;
            config.Sampler.SettleTime = 0.5;
            Assert.Equal(220.5, ThresholdConfigReport.Create(config, ScanMode.Parallel).EstimatedDuration.TotalSeconds, 6);
            Assert.Equal(661.5, ThresholdConfigReport.Create(config, ScanMode.Serial).EstimatedDuration.TotalSeconds, 6);
            // the report and the scan's plan say the same
            Assert.Equal(ScanPlan.Create(config, ScanMode.Parallel).EstimatedDuration, ThresholdConfigReport.Create(config, ScanMode.Parallel).EstimatedDuration);
        }
    }
}
