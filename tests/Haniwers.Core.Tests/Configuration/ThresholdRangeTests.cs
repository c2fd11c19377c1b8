using System.Linq;
using Haniwers.Configuration;
using Xunit;

namespace Haniwers.Tests.Configuration
{
    public class ThresholdRangeTests
    {
        private static SensorSettings Center(int center, int nsteps, int step, int channel = 1) =>
            new SensorSettings { Channel = channel, Key = "ch" + channel, Center = center, NSteps = nsteps, StepSize = step };

        [Fact]
        public void CenterFormGivesTwoNStepsPlusOneValuesAroundTheCenter()
        {
            var range = ThresholdRange.For(Center(270, 15, 2))!;
            Assert.Equal(31, range.Steps);
            Assert.Equal(240, range.Start);
            Assert.Equal(300, range.Stop);
            Assert.Equal(Enumerable.Range(0, 31).Select(i => 240 + 2 * i), range.Values);
            Assert.False(range.Clipped);
        }

        [Fact]
        public void StartFormGivesNumStepsValuesFromTheStart()
        {
            var range = ThresholdRange.For(new SensorSettings { Channel = 2, Key = "ch2", StartThreshold = 250, NumSteps = 4, StepSize = 3 })!;
            Assert.Equal(new[] { 250, 253, 256, 259 }, range.Values);
        }

        [Fact]
        public void ValuesBelowTheDacMinimumAreDroppedAndReported()
        {
            var range = ThresholdRange.For(Center(20, 10, 2, channel: 3))!;
            Assert.Equal(20, range.Steps);
            Assert.Equal(2, range.Start);
            Assert.Equal(40, range.Stop);
            Assert.Equal(1, range.ClippedBelow);
            Assert.Equal("ch3: 2..40 step 2 = 20 steps (clipped at 1)", range.Describe());
        }

        [Fact]
        public void ValuesAboveTheDacMaximumAreDroppedAndReported()
        {
            var range = ThresholdRange.For(Center(1020, 3, 2))!;
            Assert.Equal(new[] { 1014, 1016, 1018, 1020, 1022 }, range.Values);
            Assert.Equal(2, range.ClippedAbove);
            Assert.Contains("clipped at 1023", range.Describe());
        }

        [Fact]
        public void StepThatDoesNotDivideTheRangeStopsAtTheLastValueInside()
        {
            // start form: 5 values of step 7 from 1000 would reach 1028; the range stops at the last value inside 1..1023
            var range = ThresholdRange.For(new SensorSettings { Channel = 1, Key = "ch1", StartThreshold = 1000, NumSteps = 5, StepSize = 7 })!;
            Assert.Equal(new[] { 1000, 1007, 1014, 1021 }, range.Values);
            Assert.Equal(1021, range.Stop);
        }

        [Fact]
        public void BothRangeFormsGiveNoRange()
        {
            var sensor = Center(280, 5, 1);
            sensor.StartThreshold = 200;
            Assert.Null(ThresholdRange.For(sensor));
        }
    }
}
