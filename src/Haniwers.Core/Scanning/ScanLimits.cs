using System;
using Haniwers.Configuration;

namespace Haniwers.Scanning
{
    /// <summary>When a scan gives up on a link, a window or itself (docs/window-checks.md).</summary>
    public sealed class ScanLimits
    {
        /// <summary>Failed steps in a row after which the scan stops (Aborted).</summary>
        public int MaxConsecutiveFailures { get; set; } = 5;
        /// <summary>How long a lost link is reopened with backoff before the step fails.</summary>
        public TimeSpan ReconnectTimeout { get; set; } = TimeSpan.FromSeconds(SamplerSettings.DefaultReconnectTimeout);
        /// <summary>A window whose share of malformed lines is larger is measured again.</summary>
        public double MaxMalformedFraction { get; set; } = 0.2;

        public static ScanLimits From(SamplerSettings sampler) => new ScanLimits
        {
            MaxConsecutiveFailures = sampler.MaxConsecutiveFailures,
            ReconnectTimeout = TimeSpan.FromSeconds(sampler.ReconnectTimeout),
            MaxMalformedFraction = sampler.MaxMalformedFraction,
        };
    }
}
