using System;
using System.Collections.Generic;
using System.Linq;

namespace Haniwers.Configuration
{
    /// <summary>Which firmware generation the detector runs (docs/protocol.md).</summary>
    public enum FirmwareDialect
    {
        /// <summary>Current "kurikintons" firmware: SET_STREAM / SET_THRESHOLD and JSON answers.</summary>
        Text,
        /// <summary>Legacy OSECHI firmware: a 4-byte DAC command word and a three-line answer.</summary>
        Binary,
    }

    /// <summary>How a scan steps the thresholds.</summary>
    public enum ScanMode
    {
        /// <summary>All channels step together: N windows.</summary>
        Parallel,
        /// <summary>One channel at a time, the others held at the suppress threshold: 3N windows.</summary>
        Serial,
        /// <summary>Every channel at its own threshold in each window, chosen where it sharpens that channel's threshold most (docs/adaptive-scan.md).</summary>
        Adaptive,
    }

    /// <summary>The [device] table.</summary>
    public sealed class DeviceSettings
    {
        public string Port { get; set; } = "auto";
        public int BaudRate { get; set; } = 115200;
        public FirmwareDialect Firmware { get; set; } = FirmwareDialect.Text;

        public DeviceSettings Clone() => (DeviceSettings)MemberwiseClone();
    }

    /// <summary>The [sampler] table. Times are in seconds, as in haniwers.</summary>
    public sealed class SamplerSettings
    {
        public string Workspace { get; set; } = ".";
        public double Duration { get; set; } = 10;
        public int SuppressThreshold { get; set; } = 1000;
        /// <summary>Attempts per threshold write (haniwers' max_retry): 1 means no retry.</summary>
        public int MaxRetry { get; set; } = 3;
        public double SettleTime { get; set; } = 0.1;
        public double ResponseTimeout { get; set; } = 2.0;
        /// <summary>Where <see cref="ResponseTimeout"/> came from, as the file writes it: "device.timeout" (haniwers' key) or "sampler.response_timeout", for messages.</summary>
        public string ResponseTimeoutKey { get; set; } = "sampler.response_timeout";
        public double RetryBackoff { get; set; } = 0.1;
        public double RetryBackoffMax { get; set; } = 2.0;
        public int MaxConsecutiveFailures { get; set; } = 5;
        /// <summary>The reconnect timeout when the config does not set one (scans and data taking alike).</summary>
        public const double DefaultReconnectTimeout = 30;
        /// <summary>Seconds to keep reopening a lost link (a replugged cable) before a step fails.</summary>
        public double ReconnectTimeout { get; set; } = DefaultReconnectTimeout;
        /// <summary>A window whose share of malformed lines is larger is measured again (docs/window-checks.md).</summary>
        public double MaxMalformedFraction { get; set; } = 0.2;

        // Data taking (Invoke-HaniwersDaq), haniwers' own keys and defaults (docs/daq.md).
        /// <summary>How raw files rotate: "count_based" (events_per_file) or "time_based" (duration seconds per file).</summary>
        public string Mode { get; set; } = "count_based";
        public int EventsPerFile { get; set; } = 10000;
        /// <summary>Files a run writes before it ends; 0 = until stopped.</summary>
        public int NumberOfFiles { get; set; }
        /// <summary>Each row goes to the operating system as it is written (else every second or 1000 events).</summary>
        public bool StreamMode { get; set; } = true;
        public string FilenamePrefix { get; set; } = "data";
        public string FilenameSuffix { get; set; } = ".csv";

        public SamplerSettings Clone() => (SamplerSettings)MemberwiseClone();
    }

    /// <summary>One [sensors.chN] table. Range keys are null when the file does not set them.</summary>
    public sealed class SensorSettings
    {
        /// <summary>The channel (1 = top, 2 = mid, 3 = btm): the table's id, else the N of chN.</summary>
        public int Channel { get; set; }
        /// <summary>The table name in the file (ch1, ...), for messages.</summary>
        public string Key { get; set; } = "";
        public string? Name { get; set; }
        public string? Label { get; set; }
        public int? Center { get; set; }
        public int? NSteps { get; set; }
        public int? StepSize { get; set; }
        public int? StartThreshold { get; set; }
        public int? NumSteps { get; set; }
        /// <summary>The threshold in use for data taking (haniwers' threshold key); null for "none" or not set.</summary>
        public int? Threshold { get; set; }

        /// <summary>Keys (normalised) whose values could not be read: their problem is reported once, by the reader.</summary>
        public ISet<string> UnreadableKeys { get; set; } = new HashSet<string>();

        /// <summary>Keys of this table that are no key but one edit or two from one: the known key (haniwers' spelling) → the key as written.</summary>
        public IReadOnlyDictionary<string, string> MisspelledKeys { get; set; } = new Dictionary<string, string>();

        /// <summary>" (the table has 'nstep', not a key: did you mean nsteps?)" when <paramref name="key"/> is missing but misspelled; else "".</summary>
        public string MisspellingOf(string key) => MisspelledKeys.TryGetValue(key, out var written) ? $" (the table has '{written}', which is not a key: did you mean {key}?)" : "";

        public SensorSettings Clone()
        {
            var copy = (SensorSettings)MemberwiseClone();
            copy.UnreadableKeys = new HashSet<string>(UnreadableKeys);
            return copy;
        }

        public override string ToString() => $"{Key} (channel {Channel})";
    }

    /// <summary>A resolved configuration: what a scan will use.</summary>
    public sealed class HaniwersConfig
    {
        public string? Source { get; set; }
        public DeviceSettings Device { get; set; } = new DeviceSettings();
        public SamplerSettings Sampler { get; set; } = new SamplerSettings();
        public IList<SensorSettings> Sensors { get; set; } = new List<SensorSettings>();

        /// <summary>Values that could not be read (wrong type, unknown firmware name): reported by validation.</summary>
        public IList<ConfigProblem> ReadProblems { get; set; } = new List<ConfigProblem>();

        /// <summary>
        /// For a TOML file: the keys and tables haniwers requires that the file lacks (empty when haniwers
        /// would accept its structure). Null when the configuration did not come from a TOML file.
        /// </summary>
        public IReadOnlyList<string>? HaniwersKeysMissing { get; set; }

        /// <summary>For a TOML file: values haniwers' validators refuse (docs/haniwers-formats.md); null for no TOML file.</summary>
        public IReadOnlyList<string>? HaniwersProblems { get; set; }

        /// <summary>Keys and tables no one reads (a typo leaves the default in force): named, with the key they most likely mean.</summary>
        public IReadOnlyList<UnknownKey> UnknownKeys { get; set; } = Array.Empty<UnknownKey>();

        public SensorSettings? Sensor(int channel) => Sensors.FirstOrDefault(s => s.Channel == channel);

        public HaniwersConfig Clone() => new HaniwersConfig
        {
            Source = Source,
            Device = Device.Clone(),
            Sampler = Sampler.Clone(),
            Sensors = Sensors.Select(s => s.Clone()).ToList(),
            ReadProblems = ReadProblems.ToList(),
            HaniwersKeysMissing = HaniwersKeysMissing,
            HaniwersProblems = HaniwersProblems,
            UnknownKeys = UnknownKeys,
        };

        /// <summary>
        /// The configuration used when none is given: the simulated detector, channels centred on
        /// the simulator's default noise edges.
        /// </summary>
        /// <summary>Centres of the default scan: the simulated detector's noise edges.</summary>
        public static readonly int[] DefaultCenters = { 280, 300, 260 };

        public static HaniwersConfig CreateDefault()
        {
            var config = new HaniwersConfig { Source = "(defaults)" };
            config.Device.Port = "sim";
            config.Sampler.Duration = 1;
            string[] names = { "top", "mid", "btm" };
            foreach (int channel in ConfigValidator.Channels)
            {
                config.Sensors.Add(new SensorSettings
                {
                    Channel = channel, Key = "ch" + channel, Name = names[channel - 1], Label = names[channel - 1],
                    Center = DefaultCenters[channel - 1], NSteps = 10, StepSize = 5,
                });
            }
            return config;
        }

        public override string ToString() => $"Haniwers config {Source} (port {Device.Port}, {Sensors.Count} channels)";
    }
}
