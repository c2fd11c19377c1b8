using System;
using System.Collections.Generic;
using System.Linq;

namespace Haniwers.Configuration
{
    /// <summary>
    /// The threshold values one channel steps through. Center form: center - nsteps*step_size ..
    /// center + nsteps*step_size (2*nsteps+1 values); start form (deprecated haniwers):
    /// num_steps values from start_threshold. Values outside the DAC range 1..1023 are dropped
    /// (never clamped, which would measure one value twice) and the clipping is recorded.
    /// </summary>
    public sealed class ThresholdRange
    {
        public const int DacMin = 1;
        public const int DacMax = 1023;

        public ThresholdRange(int channel, string? label, int stepSize, IReadOnlyList<int> requested)
        {
            Channel = channel;
            Label = label;
            StepSize = stepSize;
            RequestedStart = requested.Count > 0 ? requested[0] : 0;
            RequestedStop = requested.Count > 0 ? requested[requested.Count - 1] : 0;
            Values = requested.Where(v => v >= DacMin && v <= DacMax).ToArray();
            ClippedBelow = requested.Count(v => v < DacMin);
            ClippedAbove = requested.Count(v => v > DacMax);
        }

        public int Channel { get; }
        public string? Label { get; }
        public int StepSize { get; }
        public int Start => Values.Count > 0 ? Values[0] : RequestedStart;
        public int Stop => Values.Count > 0 ? Values[Values.Count - 1] : RequestedStop;
        public int Steps => Values.Count;
        public IReadOnlyList<int> Values { get; }
        public bool Clipped => ClippedBelow + ClippedAbove > 0;
        public int ClippedBelow { get; }
        public int ClippedAbove { get; }
        public int RequestedStart { get; }
        public int RequestedStop { get; }

        /// <summary>The range of one sensor, or null when its range keys are unusable (validation says why).</summary>
        public static ThresholdRange? For(SensorSettings sensor) => ConfigValidator.CheckSensor(sensor, new List<ConfigProblem>());

        /// <summary>The range of a sensor whose keys <see cref="ConfigValidator"/> has found usable.</summary>
        internal static ThresholdRange Build(SensorSettings sensor) => sensor.Center is int center
            ? FromSequence(sensor, center - sensor.NSteps!.Value * sensor.StepSize!.Value, 2 * sensor.NSteps.Value + 1, sensor.StepSize.Value)
            : FromSequence(sensor, sensor.StartThreshold!.Value, sensor.NumSteps!.Value, sensor.StepSize!.Value);

        private static ThresholdRange FromSequence(SensorSettings sensor, int first, int count, int step)
        {
            var values = new int[count];
            for (int i = 0; i < count; i++) values[i] = first + i * step;
            return new ThresholdRange(sensor.Channel, sensor.Label ?? sensor.Name, step, values);
        }

        /// <summary>"ch1: 240..300 step 2 = 31 steps (clipped at 1)", the form every message uses.</summary>
        public string Describe()
        {
            string text = $"ch{Channel}: {Start}..{Stop} step {StepSize} = {Steps} steps";
            var notes = new List<string>();
            if (ClippedBelow > 0) notes.Add($"clipped at {DacMin}");
            if (ClippedAbove > 0) notes.Add($"clipped at {DacMax}");
            return notes.Count == 0 ? text : text + " (" + string.Join(", ", notes) + ")";
        }

        public override string ToString() => Describe();
    }
}
