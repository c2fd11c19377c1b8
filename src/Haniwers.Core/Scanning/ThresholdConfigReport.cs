using System;
using System.Collections.Generic;
using System.Linq;

using Haniwers.Configuration;
namespace Haniwers.Scanning
{
    /// <summary>What Test-HaniwersThresholdConfig -Detailed reports for one configuration.</summary>
    public sealed class ThresholdConfigReport
    {
        private ThresholdConfigReport(string? source, ScanMode mode, IReadOnlyList<ThresholdRange> channels,
            IReadOnlyList<ConfigProblem> problems, int windows, TimeSpan estimatedDuration)
        {
            Windows = windows;
            Source = source;
            Mode = mode;
            Channels = channels;
            Problems = problems;
            EstimatedDuration = estimatedDuration;
        }

        public string? Source { get; }
        public bool IsValid => Problems.Count == 0;
        public ScanMode Mode { get; }
        public IReadOnlyList<ThresholdRange> Channels { get; }
        public IReadOnlyList<ConfigProblem> Problems { get; }
        /// <summary>What the scan would take: windows times (duration + settle time), as the scan's own plan estimates it.</summary>
        public TimeSpan EstimatedDuration { get; }
        /// <summary>Measurement windows the scan opens: N for Parallel, 3N for Serial.</summary>
        public int Windows { get; }

        /// <summary>Whether haniwers (the Python tool) would also accept the file's structure; null when the input was no TOML file.</summary>
        public bool? HaniwersCompatible => HaniwersKeysMissing is null ? (bool?)null : HaniwersKeysMissing.Count == 0 && (HaniwersProblems?.Count ?? 0) == 0;

        /// <summary>Values haniwers would refuse (a baud rate above 115200, a timeout above 60 s, a byte-order mark, ...); null for no TOML file.</summary>
        public IReadOnlyList<string>? HaniwersProblems { get; private set; }

        /// <summary>The keys and tables haniwers requires that the file lacks (docs/haniwers-formats.md); null for no TOML file.</summary>
        public IReadOnlyList<string>? HaniwersKeysMissing { get; private set; }

        /// <summary>Keys and tables no one reads (a typo leaves the default in force): a warning, not a problem, since haniwers ignores them too.</summary>
        public IReadOnlyList<UnknownKey> UnknownKeys { get; private set; } = Array.Empty<UnknownKey>();

        public static ThresholdConfigReport Create(HaniwersConfig config, ScanMode mode)
        {
            var problems = ConfigValidator.Validate(config, mode);
            var ranges = ConfigValidator.Ranges(config);
            int windows = mode != ScanMode.Serial ? ranges.Select(c => c.Steps).DefaultIfEmpty(0).Max() : ranges.Sum(c => c.Steps);
            return new ThresholdConfigReport(config.Source, mode, ranges, problems, windows, ScanPlan.Estimate(windows, config.Sampler))
            {
                HaniwersKeysMissing = config.HaniwersKeysMissing,
                HaniwersProblems = config.HaniwersProblems,
                UnknownKeys = config.UnknownKeys,
            };
        }
    }
}
