using System;
using System.Collections.Generic;
using System.Linq;
using Haniwers.Analysis;
using Haniwers.Configuration;

namespace Haniwers.Scanning
{
    /// <summary>One measurement window: the threshold of every channel, and which channels it measures.</summary>
    public sealed class ScanStep
    {
        public ScanStep(int index, IReadOnlyList<int> thresholds, IReadOnlyList<int> measured)
        {
            Index = index;
            Thresholds = thresholds;
            Measured = measured;
        }

        /// <summary>1-based step number, as in the CSV's Step column.</summary>
        public int Index { get; }
        /// <summary>Thresholds of channels 1, 2, 3 (index channel - 1).</summary>
        public IReadOnlyList<int> Thresholds { get; }
        /// <summary>The channels this window gives a row for: all three in a parallel scan, one in a serial scan.</summary>
        public IReadOnlyList<int> Measured { get; }

        public int Threshold(int channel) => Thresholds[channel - 1];

        /// <summary>This step's window when it differs from the plan's (the adaptive scan's short coarse sweep); null otherwise.</summary>
        public TimeSpan? Duration { get; set; }

        /// <summary>What the adaptive scan knows when it chose this step (each channel's threshold and error); null for fixed plans.</summary>
        public string? Note { get; set; }

        public string Describe() => string.Join(" ", Enumerable.Range(1, Thresholds.Count).Select(ch => $"ch{ch}={Thresholds[ch - 1]}"))
                                    + (Note is null ? "" : $" [{Note}]");

        public override string ToString() => $"step {Index}: {Describe()}";
    }

    /// <summary>The configuration was refused: the scan does not start and the device is not touched.</summary>
    public sealed class ScanConfigurationException : Exception
    {
        public ScanConfigurationException(IReadOnlyList<ConfigProblem> problems)
            : base($"The scan configuration has {problems.Count} problem(s); each is reported on its own.") => Problems = problems;

        public IReadOnlyList<ConfigProblem> Problems { get; }
    }

    /// <summary>Every step of a scan, worked out before the device is touched.</summary>
    public sealed class ScanPlan
    {
        private ScanPlan(ScanMode mode, IReadOnlyList<ThresholdRange> ranges, IReadOnlyList<ScanStep> steps, SamplerSettings sampler)
            : this(mode, ranges, steps, TimeSpan.FromSeconds(sampler.Duration), TimeSpan.FromSeconds(sampler.SettleTime)) { }

        private ScanPlan(ScanMode mode, IReadOnlyList<ThresholdRange> ranges, IReadOnlyList<ScanStep> steps, TimeSpan duration, TimeSpan settle)
        {
            Mode = mode;
            Ranges = ranges;
            Steps = steps;
            StepSource = steps;
            PlannedSteps = steps.Count;
            Duration = duration;
            SettleTime = settle;
        }

        /// <summary>The steps as the engine takes them: the list of a fixed plan, or chosen one by one (adaptive).</summary>
        public IEnumerable<ScanStep> StepSource { get; private set; }

        /// <summary>The steps planned, or for an adaptive scan the most it may take.</summary>
        public int PlannedSteps { get; private set; }

        /// <summary>Told each completed step's rows (the adaptive planner learns from them); null for fixed plans.</summary>
        public Action<IReadOnlyList<ScanResult>>? RowsMeasured { get; private set; }

        /// <summary>Why the step about to be measured was chosen (a journal record); null for fixed plans.</summary>
        public Func<string>? Decision { get; private set; }

        /// <summary>
        /// A lower bound on the events a window of the given length should count at a step, from the
        /// plan's model of the detector (docs/window-checks.md, "Too few events"); null for fixed plans.
        /// </summary>
        public Func<ScanStep, double, ExpectedCount?>? ExpectedEvents { get; private set; }

        /// <summary>The adaptive planner behind this plan; null for fixed plans.</summary>
        public AdaptivePlanner? Planner { get; private set; }

        /// <summary>An adaptive scan over the configured ranges (docs/adaptive-scan.md).</summary>
        public static ScanPlan Adaptive(HaniwersConfig config, double targetError, int maxSteps, TimeSpan? maxDuration, FitOptions fit, bool onGrid = false)
        {
            var problems = ConfigValidator.Validate(config, ScanMode.Adaptive).ToList();
            var ranges = ConfigValidator.Ranges(config);
            // the values it may measure: the grid's with -OnGrid, else every integer of the range
            foreach (var range in ranges.Where(r => (onGrid ? r.Steps : r.Stop - r.Start + 1) < SCurveFitter.MinimumDistinctThresholds))
            {
                problems.Add(new ConfigProblem(ConfigProblemKind.TooFewGridValues, range.Channel, $"sensors.ch{range.Channel}.nsteps", range.Steps,
                    onGrid
                        ? $"channel {range.Channel}: the adaptive scan may only measure the grid's {range.Steps} values ({range.Describe()}) with -OnGrid, and the S-curve needs at least {SCurveFitter.MinimumDistinctThresholds} to be fitted."
                        : $"channel {range.Channel}: the range {range.Start}..{range.Stop} holds {range.Stop - range.Start + 1} thresholds, and the S-curve needs at least {SCurveFitter.MinimumDistinctThresholds} to be fitted.",
                    onGrid ? "set nsteps to 2 or more (2*nsteps+1 grid values), or leave out -OnGrid." : "set nsteps or step_size so that the range holds at least 5 thresholds."));
            }
            if (problems.Count > 0) throw new ScanConfigurationException(problems);
            return Adaptive(ranges, TimeSpan.FromSeconds(config.Sampler.Duration), TimeSpan.FromSeconds(config.Sampler.SettleTime), targetError, maxSteps, maxDuration, fit, onGrid);
        }

        /// <summary>An adaptive scan over given ranges (a resumed run's recorded ones).</summary>
        public static ScanPlan Adaptive(IReadOnlyList<ThresholdRange> ranges, TimeSpan duration, TimeSpan settle, double targetError, int maxSteps, TimeSpan? maxDuration, FitOptions fit,
            bool onGrid = false)
        {
            var planner = new AdaptivePlanner(ranges, duration, settle, targetError, fit, maxSteps, maxDuration, onGrid: onGrid);
            return new ScanPlan(ScanMode.Adaptive, ranges, Array.Empty<ScanStep>(), duration, settle)
            {
                StepSource = planner.Steps(),
                PlannedSteps = planner.MostSteps,
                RowsMeasured = planner.Record,
                Decision = () => planner.LastDecision,
                ExpectedEvents = planner.ExpectedEvents,
                Planner = planner,
                AdaptiveSettings = new AdaptiveSettings(targetError, maxSteps, maxDuration?.TotalSeconds, fit.SigmaMultiple, onGrid),
            };
        }

        /// <summary>An adaptive scan starts from earlier fits (<see cref="AdaptivePlanner.UsePriors"/>): returns, for each fit not used, why.</summary>
        public IReadOnlyList<string> UsePriors(IEnumerable<Haniwers.Analysis.ThresholdFit> fits)
        {
            if (Planner is null) throw new InvalidOperationException("Only an adaptive scan takes a prior.");
            var ignored = Planner.UsePriors(fits);
            PlannedSteps = Planner.MostSteps;
            return ignored;
        }

        /// <summary>What an adaptive run was asked for, recorded in its start record so a resume goes on with the same.</summary>
        public AdaptiveSettings? AdaptiveSettings { get; private set; }

        /// <summary>
        /// The steps of a recorded run still to measure, with the run's own window and settle time
        /// (docs/crash-protocol.md, "Resuming"). The ranges are those of the whole recorded plan.
        /// </summary>
        public static ScanPlan Remaining(ScanMode mode, IReadOnlyList<ScanStep> recordedPlan, IReadOnlyList<ScanStep> toMeasure, TimeSpan duration, TimeSpan settle)
        {
            var ranges = recordedPlan.SelectMany(s => s.Measured.Select(ch => (ch, value: s.Threshold(ch)))).GroupBy(x => x.ch).OrderBy(g => g.Key)
                .Select(g =>
                {
                    var values = g.Select(x => x.value).Distinct().OrderBy(v => v).ToArray();
                    int step = values.Length > 1 ? values[1] - values[0] : 1;
                    return new ThresholdRange(g.Key, null, step, values);
                }).ToList();
            return new ScanPlan(mode, ranges, toMeasure, duration, settle);
        }

        public ScanMode Mode { get; }

        /// <summary>
        /// A step's thresholds are the neighbours of the step's before, so the rate the step before had is a yardstick for
        /// a silence (docs/window-checks.md, "A silence among few events"). Not so in an adaptive scan, whose windows jump
        /// across the edge (from 54 events/s to a muon rate of 0.1/s, say): its yardstick is its fit's prediction.
        /// </summary>
        public bool NeighbouringSteps => Mode != ScanMode.Adaptive;
        public IReadOnlyList<ThresholdRange> Ranges { get; }
        public IReadOnlyList<ScanStep> Steps { get; }
        public TimeSpan Duration { get; }
        public TimeSpan SettleTime { get; }

        /// <summary>Windows plus settle time; threshold writes add a few milliseconds a step.</summary>
        public TimeSpan EstimatedDuration => Planner is { } planner
            ? TimeSpan.FromSeconds(Math.Min(planner.Budget.LimitSeconds, Estimate(PlannedSteps, Duration, SettleTime).TotalSeconds)) // never past the grid's time or -MaxDuration
            : Estimate(PlannedSteps, Duration, SettleTime);

        /// <summary>The one time estimate: windows times (duration + settle time). Zero for durations that are not usable.</summary>
        public static TimeSpan Estimate(int windows, SamplerSettings sampler) =>
            sampler.Duration > 0 && sampler.SettleTime >= 0
                ? Estimate(windows, TimeSpan.FromSeconds(Math.Min(sampler.Duration, MaxSeconds)), TimeSpan.FromSeconds(Math.Min(sampler.SettleTime, MaxSeconds)))
                : TimeSpan.Zero;

        private const double MaxSeconds = 1e9; // a TimeSpan holds about 29,000 years: beyond that the estimate is meaningless anyway

        private static TimeSpan Estimate(int windows, TimeSpan duration, TimeSpan settle)
        {
            double seconds = windows * (duration + settle).TotalSeconds;
            return seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
        }

        /// <summary>Validates for the mode and builds the steps; throws <see cref="ScanConfigurationException"/>.</summary>
        public static ScanPlan Create(HaniwersConfig config, ScanMode mode)
        {
            var problems = ConfigValidator.Validate(config, mode);
            if (problems.Count > 0) throw new ScanConfigurationException(problems);
            var ranges = ConfigValidator.Ranges(config);
            var steps = new List<ScanStep>();
            if (mode == ScanMode.Parallel)
            {
                int n = ranges[0].Steps;
                for (int i = 0; i < n; i++)
                {
                    steps.Add(new ScanStep(i + 1, ranges.Select(r => r.Values[i]).ToArray(), ranges.Select(r => r.Channel).ToArray()));
                }
            }
            else
            {
                int suppress = config.Sampler.SuppressThreshold;
                foreach (var range in ranges)
                {
                    foreach (int value in range.Values)
                    {
                        var thresholds = ranges.Select(r => r.Channel == range.Channel ? value : suppress).ToArray();
                        steps.Add(new ScanStep(steps.Count + 1, thresholds, new[] { range.Channel }));
                    }
                }
            }
            return new ScanPlan(mode, ranges, steps, config.Sampler);
        }

        /// <summary>The plan in words, as -WhatIf prints it.</summary>
        public string Describe(string portName, string outputDirectory)
        {
            var lines = new List<string>
            {
                Planner is { } planner
                    ? $"{Mode} threshold scan on {portName}: each channel's threshold to ±{planner.TargetError:0.###} DAC, at most {PlannedSteps} windows of {Duration.TotalSeconds:0.###} s (settle {SettleTime.TotalSeconds:0.###} s), at most {Format(EstimatedDuration)}."
                    : $"{Mode} threshold scan on {portName}: {Steps.Count} windows of {Duration.TotalSeconds:0.###} s (settle {SettleTime.TotalSeconds:0.###} s), about {Format(EstimatedDuration)}.",
            };
            lines.AddRange(Ranges.Select(r => "  " + r.Describe()));
            if (Planner is { } p && p.Channels.Any(c => c.Prior is not null))
                lines.Add("  starting from " + string.Join("; ", p.Channels.Where(c => c.Prior is not null).Select(c => $"ch{c.Channel} {c.Prior!.Describe()}"))
                    + " (checked against the first windows; discarded if they contradict it)");
            lines.Add($"  results: {outputDirectory}");
            return string.Join(Environment.NewLine, lines);
        }

        public static string Format(TimeSpan t) =>
            t.TotalHours >= 1 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(int)t.TotalHours} h {t.Minutes} min")
            : t.TotalMinutes >= 1 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes} min {t.Seconds} s")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.#} s");

        /// <summary>A number for a message, in ASCII digits: fixed decimals while it is of a size people read, else three significant digits (an error that is 7e51 says so).</summary>
        public static string Number(double value, string format = "0.00") =>
            double.IsNaN(value) || double.IsInfinity(value) ? "unknown"
            : value.ToString(Math.Abs(value) < 1e6 ? format : "G3", System.Globalization.CultureInfo.InvariantCulture);
    }
}

namespace Haniwers.Scanning
{
    /// <summary>The adaptive scan's own settings, as its journal records them.</summary>
    public sealed class AdaptiveSettings
    {
        public AdaptiveSettings(double targetError, int maxSteps, double? maxDurationSeconds, double sigma, bool onGrid)
        {
            OnGrid = onGrid;
            TargetError = targetError;
            MaxSteps = maxSteps;
            MaxDurationSeconds = maxDurationSeconds;
            Sigma = sigma;
        }

        public double TargetError { get; }
        public int MaxSteps { get; }
        public double? MaxDurationSeconds { get; }
        public double Sigma { get; }
        /// <summary>Only the ranges' grid values are measured (-OnGrid); false: any integer within them.</summary>
        public bool OnGrid { get; }
    }
}
