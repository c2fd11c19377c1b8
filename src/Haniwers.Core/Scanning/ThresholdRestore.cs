using System;
using System.Collections.Generic;
using System.Linq;

namespace Haniwers.Scanning
{
    /// <summary>
    /// The thresholds a scan writes back when it ends, and where each came from (docs/crash-protocol.md,
    /// "Restoring the thresholds"): the config's numeric threshold, else what this module last wrote to the
    /// device; a channel with neither is left at the scan's last step, and said so.
    /// </summary>
    public sealed class RestorePlan
    {
        /// <summary>What was remembered of each channel when the plan was made: put back as it was when the channel is written back.</summary>
        public IReadOnlyDictionary<int, Output.RememberedThreshold> Before { get; init; } = new Dictionary<int, Output.RememberedThreshold>();

        public RestorePlan(IReadOnlyList<KeyValuePair<int, int>> thresholds, IReadOnlyDictionary<int, string> sources, IReadOnlyList<int> unknown)
        {
            Thresholds = thresholds;
            Sources = sources;
            Unknown = unknown;
        }

        /// <summary>(channel, threshold) to write back, in channel order.</summary>
        public IReadOnlyList<KeyValuePair<int, int>> Thresholds { get; }
        /// <summary>Where each channel's value comes from: "the config", "Set-HaniwersThreshold at 2026-12-07 15:02".</summary>
        public IReadOnlyDictionary<int, string> Sources { get; }
        /// <summary>Channels scanned whose value before the scan nobody knows: they stay at the scan's last step.</summary>
        public IReadOnlyList<int> Unknown { get; }

        /// <summary>Why nothing needs writing back (a detector that lives only for this command); null when something may.</summary>
        public string? NotNeeded { get; private init; }

        public static RestorePlan NothingToRestore(string why) =>
            new RestorePlan(Array.Empty<KeyValuePair<int, int>>(), new Dictionary<int, string>(), Array.Empty<int>()) { NotNeeded = why };

        public string Describe() => NotNeeded is not null ? $"nothing ({NotNeeded})" : Thresholds.Count == 0 ? "nothing (no threshold before the scan is known)"
            : string.Join(", ", Thresholds.Select(t => $"ch{t.Key}={t.Value} ({Sources[t.Key]})"));
    }

    /// <summary>What the scan wrote back when it ended.</summary>
    public sealed class RestoreResult
    {
        /// <summary>(channel, threshold) written back and confirmed.</summary>
        public IList<KeyValuePair<int, int>> Restored { get; } = new List<KeyValuePair<int, int>>();
        /// <summary>Why some or all were not written back (the link was down, the device did not answer, -NoRestore); null when all were.</summary>
        public string? Failure { get; set; }
        /// <summary>Channels left at the scan's last step: their thresholds before the scan are unknown, or the write failed.</summary>
        public IList<KeyValuePair<int, int>> LeftAt { get; } = new List<KeyValuePair<int, int>>();
        /// <summary>Channels the scan wrote whose value it no longer knows (the link went down, the board reset).</summary>
        public IList<int> LeftUnknown { get; } = new List<int>();

        public override string ToString()
        {
            string text = Restored.Count > 0 ? "thresholds restored to " + string.Join(" ", Restored.Select(t => $"ch{t.Key}={t.Value}")) : "no threshold restored";
            if (LeftAt.Count > 0) text += "; left at " + string.Join(" ", LeftAt.Select(t => $"ch{t.Key}={t.Value}"));
            if (LeftUnknown.Count > 0) text += "; " + string.Join(", ", LeftUnknown.Select(c => "ch" + c)) + " left at a value not known";
            if (Failure is not null) text += $" ({Failure.TrimEnd('.')})";
            return text;
        }
    }
}
