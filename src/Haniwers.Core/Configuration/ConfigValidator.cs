using System;
using System.Collections.Generic;
using System.Linq;

namespace Haniwers.Configuration
{
    /// <summary>
    /// Checks a configuration for a scan mode and returns every problem at once, each naming its
    /// channel and key, the offending value and the fix.
    /// </summary>
    public static class ConfigValidator
    {
        /// <summary>The detector's channels (top, mid, btm): the one place their number is written.</summary>
        public static readonly int[] Channels = { 1, 2, 3 };

        /// <summary>How many channels the detector has.</summary>
        public static int ChannelCount => Channels.Length;

        public static bool IsChannel(int channel) => channel >= 1 && channel <= ChannelCount;

        /// <summary>The longest window (and settle time) a scan accepts: a day, well inside what a TimeSpan holds.</summary>
        public const double MaxWindowSeconds = 86400;
        /// <summary>The longest reconnect timeout (a day), for the config key and the -ReconnectTimeout parameter alike.</summary>
        public const double MaxReconnectSeconds = 86400;

        /// <summary>The shortest window, in seconds, for the config key and the -Duration parameter alike.</summary>
        public const double MinWindowSeconds = 0.001;

        /// <summary>The most attempts per threshold write, for the config key and the -Retry parameter alike.</summary>
        public const int MaxRetries = 100;

        /// <summary>The shortest wait for the device's answer, in seconds: below it no answer can come.</summary>
        public const double MinResponseSeconds = 0.001;

        /// <summary>The longest wait for the device's answer, in seconds (haniwers allows at most 60).</summary>
        public const double MaxResponseSeconds = 60;

        /// <summary>The longest a DAQ raw file may cover, in seconds (30 days): a run goes on over many files.</summary>
        public const double MaxFileSeconds = 30 * 86400;

        /// <summary>The most steps a range can take on each side of its center, and the largest step: the DAC's 1..1023 holds no more.</summary>
        public const int MaxStepsPerSide = ThresholdRange.DacMax - ThresholdRange.DacMin;

        public static readonly int[] StandardBaudRates =
            { 300, 600, 1200, 2400, 4800, 9600, 14400, 19200, 28800, 38400, 57600, 115200, 230400, 460800, 921600 };

        public static IReadOnlyList<ConfigProblem> Validate(HaniwersConfig config, ScanMode mode)
        {
            var problems = new List<ConfigProblem>(config.ReadProblems);
            CheckDevice(config.Device, problems);
            CheckSampler(config.Sampler, problems);
            var ranges = CheckSensors(config.Sensors, problems, config.UnknownKeys);
            if (mode == ScanMode.Parallel) CheckEqualSteps(ranges, problems);
            return problems;
        }

        /// <summary>
        /// The problems that stop data taking: device, the [sampler] keys of rotation and file names, and
        /// numeric thresholds (docs/daq.md). Scan ranges do not matter to a DAQ run.
        /// </summary>
        public static IReadOnlyList<ConfigProblem> ValidateDaq(HaniwersConfig config)
        {
            var problems = new List<ConfigProblem>(config.ReadProblems.Where(p => !p.Key.StartsWith("sensors.", StringComparison.Ordinal) || p.Key.EndsWith(".threshold", StringComparison.Ordinal)));
            CheckDevice(config.Device, problems);
            var s = config.Sampler;
            CheckResponseTimeout(s, problems);
            CheckReconnectTimeout(s, problems);
            void Add(ConfigProblemKind kind, string key, object value, string message, string fix) =>
                problems.Add(new ConfigProblem(kind, null, "sampler." + key, value, message, fix));
            if (s.Mode is not ("count_based" or "time_based"))
                Add(ConfigProblemKind.UnknownDaqMode, "mode", s.Mode, $"mode \"{s.Mode}\" is neither count_based nor time_based.", "set mode = \"count_based\" (events_per_file events per file) or \"time_based\" (duration seconds per file).");
            if (s.EventsPerFile < 1)
                Add(ConfigProblemKind.EventsPerFileTooSmall, "events_per_file", s.EventsPerFile, $"events_per_file {s.EventsPerFile} leaves no room for an event.", "set events_per_file = 10000.");
            if (s.NumberOfFiles < 0)
                Add(ConfigProblemKind.NumberOfFilesNegative, "number_of_files", s.NumberOfFiles, $"number_of_files {s.NumberOfFiles} is negative.", "set number_of_files to the files a run writes, or 0 to run until stopped.");
            if (s.Mode == "time_based" && !(s.Duration > 0))
                Add(ConfigProblemKind.DurationNotPositive, "duration", s.Duration, $"duration {s.Duration} is not a positive number of seconds.", "set duration to the seconds each file covers, e.g. duration = 600.");
            else if (s.Mode == "time_based" && s.Duration > MaxFileSeconds)
                Add(ConfigProblemKind.DurationTooLong, "duration", s.Duration, $"duration {s.Duration} s is longer than 30 days ({MaxFileSeconds} s) per file.", "set duration to the seconds each file covers, e.g. duration = 600; a long run is many files (number_of_files = 0 runs until stopped).");
            foreach (var (key, value) in new[] { ("filename_prefix", s.FilenamePrefix), ("filename_suffix", s.FilenameSuffix) })
            {
                if (value.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0 || value.Contains('/') || value.Contains('\\'))
                    Add(ConfigProblemKind.InvalidFileName, key, value, $"{key} \"{value}\" cannot be part of a file name.", $"set {key} without / \\ : * ? \" < > |, e.g. \"{(key == "filename_prefix" ? "osechi_data" : ".csv")}\".");
            }
            foreach (var sensor in config.Sensors)
            {
                if (sensor.Threshold is int threshold && (threshold < 1 || threshold > 1023))
                    problems.Add(new ConfigProblem(ConfigProblemKind.ThresholdOutOfRange, sensor.Channel, $"sensors.{sensor.Key}.threshold", threshold,
                        $"threshold {threshold} is outside the DAC range 1..1023.", "set threshold between 1 and 1023, or \"none\" to leave the channel as it is."));
            }
            return problems;
        }

        /// <summary>The ranges of the channels whose range keys are valid, in channel order (by the same rules as <see cref="Validate"/>).</summary>
        public static IReadOnlyList<ThresholdRange> Ranges(HaniwersConfig config) => CheckSensors(config.Sensors, new List<ConfigProblem>(), config.UnknownKeys);

        private static void CheckDevice(DeviceSettings device, List<ConfigProblem> problems)
        {
            if (!StandardBaudRates.Contains(device.BaudRate))
            {
                problems.Add(new ConfigProblem(ConfigProblemKind.UnsupportedBaudRate, null, "device.baudrate", device.BaudRate,
                    $"{device.BaudRate} is not a standard baud rate.", "OSECHI detectors talk at 115200: set baudrate = 115200."));
            }
            if (!Enum.IsDefined(typeof(FirmwareDialect), device.Firmware))
            {
                problems.Add(new ConfigProblem(ConfigProblemKind.UnknownFirmware, null, "device.firmware", device.Firmware,
                    $"unknown firmware '{device.Firmware}'.", "set firmware = \"text\" or \"binary\"."));
            }
        }

        /// <summary>The wait for one answer: a scan's threshold writes and a DAQ run's alike.</summary>
        private static void CheckResponseTimeout(SamplerSettings s, List<ConfigProblem> problems)
        {
            // named as the file names it: haniwers' files give the wait as [device] timeout
            string key = s.ResponseTimeoutKey, name = key.Substring(key.IndexOf('.') + 1);
            string fix = key == "device.timeout"
                ? "set timeout = 2 in [device] (seconds to wait for the detector's answer)."
                : "set response_timeout = 2 (seconds; [device] timeout in haniwers' files).";
            if (!(s.ResponseTimeout >= MinResponseSeconds))
                problems.Add(new ConfigProblem(ConfigProblemKind.ResponseTimeoutNotPositive, null, key, s.ResponseTimeout, $"{name} {s.ResponseTimeout} leaves no time for the device to answer.", fix));
            else if (s.ResponseTimeout > MaxResponseSeconds)
                problems.Add(new ConfigProblem(ConfigProblemKind.ResponseTimeoutTooLong, null, key, s.ResponseTimeout, $"{name} {s.ResponseTimeout} s is longer than {MaxResponseSeconds} s for one answer.", fix));
        }

        private static void CheckSampler(SamplerSettings s, List<ConfigProblem> problems)
        {
            void Add(ConfigProblemKind kind, string key, object value, string message, string fix) =>
                problems.Add(new ConfigProblem(kind, null, "sampler." + key, value, message, fix));

            if (!(s.Duration > 0))
                Add(ConfigProblemKind.DurationNotPositive, "duration", s.Duration, $"duration {s.Duration} is not a positive number of seconds.", "set duration to the window length in seconds, e.g. duration = 10.");
            else if (s.Duration < MinWindowSeconds)
                Add(ConfigProblemKind.DurationTooShort, "duration", s.Duration, $"duration {s.Duration} s is shorter than the shortest window ({MinWindowSeconds} s).", "set duration to the window length in seconds, e.g. duration = 10.");
            else if (s.Duration > MaxWindowSeconds)
                Add(ConfigProblemKind.DurationTooLong, "duration", s.Duration, $"duration {s.Duration} s is longer than a day ({MaxWindowSeconds} s) per window.", "set duration to the window length in seconds, e.g. duration = 10; a long measurement is many windows.");
            if (s.SettleTime > MaxWindowSeconds)
                Add(ConfigProblemKind.SettleTimeTooLong, "settle_time", s.SettleTime, $"settle_time {s.SettleTime} s is longer than a day.", "set settle_time = 0.1 (seconds to wait after the thresholds are set).");
            if (s.MaxRetry < 1)
                Add(ConfigProblemKind.MaxRetryTooSmall, "max_retry", s.MaxRetry, $"max_retry {s.MaxRetry} allows no attempt at all.", "set max_retry = 3 (attempts per threshold write; 1 means no retry).");
            else if (s.MaxRetry > MaxRetries)
                Add(ConfigProblemKind.MaxRetryTooLarge, "max_retry", s.MaxRetry, $"max_retry {s.MaxRetry} is more than {MaxRetries} attempts per threshold write.", "set max_retry = 3 (attempts per threshold write; 1 means no retry).");
            if (s.SuppressThreshold < ThresholdRange.DacMin || s.SuppressThreshold > ThresholdRange.DacMax)
                Add(ConfigProblemKind.SuppressThresholdOutOfRange, "suppress_threshold", s.SuppressThreshold, $"suppress_threshold {s.SuppressThreshold} is outside the DAC range 1..1023.", "set suppress_threshold = 1000, high enough to keep a channel quiet.");
            if (s.SettleTime < 0 || double.IsNaN(s.SettleTime))
                Add(ConfigProblemKind.SettleTimeNegative, "settle_time", s.SettleTime, $"settle_time {s.SettleTime} is negative.", "set settle_time = 0.1 (seconds to wait after the thresholds are set).");
            CheckResponseTimeout(s, problems);
            if (s.RetryBackoff < 0 || s.RetryBackoffMax < 0 || double.IsNaN(s.RetryBackoff) || double.IsNaN(s.RetryBackoffMax))
                Add(ConfigProblemKind.RetryBackoffNegative, "retry_backoff", s.RetryBackoff, "retry_backoff and retry_backoff_max must not be negative.", "set retry_backoff = 0.1 and retry_backoff_max = 2 (seconds).");
            if (s.MaxConsecutiveFailures < 1)
                Add(ConfigProblemKind.MaxConsecutiveFailuresTooSmall, "max_consecutive_failures", s.MaxConsecutiveFailures, $"max_consecutive_failures {s.MaxConsecutiveFailures} would stop the scan before it starts.", "set max_consecutive_failures = 5.");
            CheckReconnectTimeout(s, problems);
            if (!(s.MaxMalformedFraction > 0 && s.MaxMalformedFraction <= 1))
                Add(ConfigProblemKind.MaxMalformedFractionOutOfRange, "max_malformed_fraction", s.MaxMalformedFraction, $"max_malformed_fraction {s.MaxMalformedFraction} is not a share between 0 (exclusive) and 1.", "set max_malformed_fraction = 0.2 (a window with a larger share of malformed lines is measured again).");
        }

        /// <summary>The reconnect timeout, for scans and DAQ runs alike: 0 (give up at once) to a day.</summary>
        private static void CheckReconnectTimeout(SamplerSettings s, List<ConfigProblem> problems)
        {
            if (s.ReconnectTimeout < 0 || double.IsNaN(s.ReconnectTimeout) || s.ReconnectTimeout > MaxReconnectSeconds)
                problems.Add(new ConfigProblem(ConfigProblemKind.ReconnectTimeoutOutOfRange, null, "sampler.reconnect_timeout", s.ReconnectTimeout,
                    $"reconnect_timeout {s.ReconnectTimeout} is not between 0 and {MaxReconnectSeconds} seconds.",
                    $"set reconnect_timeout = {SamplerSettings.DefaultReconnectTimeout} (seconds to keep reopening a lost link, e.g. while a cable is replugged)."));
        }

        private static List<ThresholdRange> CheckSensors(IList<SensorSettings> sensors, List<ConfigProblem> problems, IReadOnlyList<UnknownKey> unknown)
        {
            // [sensor.ch1] for [sensors.ch1]: the tables are there, under a name no one reads
            var misnamed = unknown.FirstOrDefault(u => u.IsTable && u.Table.Length == 0 && u.Nearest == "sensors");
            var ranges = new List<ThresholdRange>();
            foreach (var sensor in sensors.Where(s => !Channels.Contains(s.Channel)))
            {
                problems.Add(new ConfigProblem(ConfigProblemKind.UnknownChannel, sensor.Channel, "sensors." + sensor.Key + ".id", sensor.Channel,
                    $"[sensors.{sensor.Key}] is channel {sensor.Channel}, but a detector has channels 1, 2 and 3.",
                    "name the tables [sensors.ch1], [sensors.ch2], [sensors.ch3] with id = 1, 2, 3."));
            }
            foreach (int channel in Channels)
            {
                var matches = sensors.Where(s => s.Channel == channel).ToList();
                if (matches.Count == 0)
                {
                    // a table named for the channel whose id says another channel: it exists, its id is what is wrong
                    var named = sensors.FirstOrDefault(s => s.Key == $"ch{channel}");
                    if (named is not null)
                        problems.Add(new ConfigProblem(ConfigProblemKind.MissingChannel, channel, $"sensors.ch{channel}.id", named.Channel,
                            $"channel {channel} has no table: [sensors.ch{channel}] says id = {named.Channel}{string.Concat(sensors.Where(s => s != named && s.Channel == named.Channel).Select(s => $", as [sensors.{s.Key}] does"))}.",
                            $"set id = {channel} in [sensors.ch{channel}]."));
                    else if (misnamed is not null)
                        problems.Add(new ConfigProblem(ConfigProblemKind.MissingChannel, channel, $"sensors.ch{channel}", null,
                            $"channel {channel} has no [sensors.ch{channel}] table: the file has {misnamed.Path}, which is not a table of a config (did you mean [sensors]?).",
                            $"rename [{misnamed.Key}.ch{channel}] to [sensors.ch{channel}]."));
                    else
                        problems.Add(new ConfigProblem(ConfigProblemKind.MissingChannel, channel, $"sensors.ch{channel}", null,
                            $"channel {channel} has no [sensors.ch{channel}] table.",
                            $"add [sensors.ch{channel}] with id = {channel}, center, nsteps and step_size."));
                    continue;
                }
                if (matches.Count > 1)
                {
                    problems.Add(new ConfigProblem(ConfigProblemKind.DuplicateChannel, channel, "sensors." + string.Join(", sensors.", matches.Select(m => m.Key)), channel,
                        $"channel {channel} is configured {matches.Count} times ({string.Join(", ", matches.Select(m => "[sensors." + m.Key + "]"))}).",
                        "keep one table per channel; check the id keys."));
                    continue;
                }
                var range = CheckSensor(matches[0], problems);
                if (range is not null) ranges.Add(range);
            }
            return ranges;
        }

        /// <summary>The one statement of the range rules: adds the sensor's problems, returns its range when it has none.</summary>
        internal static ThresholdRange? CheckSensor(SensorSettings s, List<ConfigProblem> problems)
        {
            string prefix = "sensors." + s.Key + ".";
            int before = problems.Count;
            void Add(ConfigProblemKind kind, string key, object? value, string message, string fix) =>
                problems.Add(new ConfigProblem(kind, s.Channel, prefix + key, value, $"channel {s.Channel}: {message}", fix));
            // a missing key that the table has under a near-miss spelling says so, and the fix is the rename
            void Missing(ConfigProblemKind kind, string key, string message, string fix, params string[] keysMissing)
            {
                var wanted = keysMissing.Length > 0 ? keysMissing : new[] { key };
                var misspelled = s.MisspelledKeys.Where(m => wanted.Contains(m.Key)).ToList();
                if (misspelled.Count == 0) { Add(kind, key, null, message, fix); return; }
                Add(kind, key, null, message.TrimEnd('.') + string.Concat(misspelled.Select(m => s.MisspellingOf(m.Key))) + ".",
                    string.Join("; ", misspelled.Select(m => $"rename {m.Value} to {m.Key}")) + ".");
            }

            if (s.Threshold is int threshold && (threshold < ThresholdRange.DacMin || threshold > ThresholdRange.DacMax))
                Add(ConfigProblemKind.ThresholdOutOfRange, "threshold", threshold, $"threshold {threshold} is outside the DAC range 1..1023.", "set threshold between 1 and 1023, or \"none\" for no threshold.");
            // a key whose value could not be read has its problem already; it is neither missing nor a range
            bool Unreadable(string key) => s.UnreadableKeys.Contains(key);
            bool centerForm = s.Center.HasValue || s.NSteps.HasValue || Unreadable("center") || Unreadable("nsteps");
            bool startForm = s.StartThreshold.HasValue || s.NumSteps.HasValue || Unreadable("startthreshold") || Unreadable("numsteps");
            if (centerForm && startForm)
                Add(ConfigProblemKind.AmbiguousRange, "center", s.Center, "both center/nsteps and the deprecated start_threshold/num_steps are set.", "keep center, nsteps and step_size; delete start_threshold and num_steps.");
            if (!centerForm && !startForm)
                Missing(ConfigProblemKind.MissingRange, "center", "no scan range is given.", "add center, nsteps and step_size, e.g. center = 300, nsteps = 10, step_size = 2.", RangeKeyNames);
            if (s.StepSize is null && !Unreadable("stepsize"))
                Missing(ConfigProblemKind.MissingStepSize, "step_size", "step_size is missing.", "add step_size, the DAC units between two steps, e.g. step_size = 2.");
            else if (s.StepSize < 1)
                Add(ConfigProblemKind.StepSizeTooSmall, "step_size", s.StepSize, $"step_size {s.StepSize} is not a positive step.", "set step_size to 1 or more.");
            else if (s.StepSize > MaxStepsPerSide)
                Add(ConfigProblemKind.StepSizeTooLarge, "step_size", s.StepSize, $"step_size {s.StepSize} is wider than the DAC range 1..1023.", "set step_size between 1 and 1022, e.g. step_size = 2.");
            if (centerForm && !startForm)
            {
                if (s.Center is null && !Unreadable("center"))
                    Missing(ConfigProblemKind.MissingRange, "center", "nsteps is set but center is missing.", "add center, the threshold in the middle of the scan.");
                else if (s.Center < ThresholdRange.DacMin || s.Center > ThresholdRange.DacMax)
                    Add(ConfigProblemKind.CenterOutOfRange, "center", s.Center, $"center {s.Center} is outside the DAC range 1..1023.", "set center between 1 and 1023.");
                if (s.NSteps is null && !Unreadable("nsteps"))
                    Missing(ConfigProblemKind.MissingRange, "nsteps", "center is set but nsteps is missing.", "add nsteps, the number of steps on each side of center.");
                else if (s.NSteps < 1)
                    Add(ConfigProblemKind.NStepsTooSmall, "nsteps", s.NSteps, $"nsteps {s.NSteps} gives no scan.", "set nsteps to 1 or more (the scan has 2*nsteps+1 values).");
                else if (s.NSteps > MaxStepsPerSide)
                    Add(ConfigProblemKind.NStepsTooLarge, "nsteps", s.NSteps, $"nsteps {s.NSteps} is more steps on each side of center than the DAC range 1..1023 holds.", "set nsteps between 1 and 1022 (the scan has 2*nsteps+1 values), e.g. nsteps = 10.");
            }
            if (startForm && !centerForm)
            {
                if (s.StartThreshold is null && !Unreadable("startthreshold"))
                    Missing(ConfigProblemKind.MissingRange, "start_threshold", "num_steps is set but start_threshold is missing.", "add start_threshold, or better use center, nsteps and step_size.");
                else if (s.StartThreshold < ThresholdRange.DacMin || s.StartThreshold > ThresholdRange.DacMax)
                    Add(ConfigProblemKind.StartThresholdOutOfRange, "start_threshold", s.StartThreshold, $"start_threshold {s.StartThreshold} is outside the DAC range 1..1023.", "set start_threshold between 1 and 1023.");
                if (s.NumSteps is null && !Unreadable("numsteps"))
                    Missing(ConfigProblemKind.MissingRange, "num_steps", "start_threshold is set but num_steps is missing.", "add num_steps, the number of values to scan.");
                else if (s.NumSteps < 1)
                    Add(ConfigProblemKind.NumStepsTooSmall, "num_steps", s.NumSteps, $"num_steps {s.NumSteps} gives no scan.", "set num_steps to 1 or more.");
                else if (s.NumSteps > ThresholdRange.DacMax)
                    Add(ConfigProblemKind.NumStepsTooLarge, "num_steps", s.NumSteps, $"num_steps {s.NumSteps} is more values than the DAC range 1..1023 holds.", "set num_steps between 1 and 1023, or better use center, nsteps and step_size.");
            }
            if (problems.Count > before || RangeKeys.Any(Unreadable)) return null;

            var range = ThresholdRange.Build(s);
            if (range.Steps == 0)
                Add(ConfigProblemKind.EmptyRange, centerForm ? "center" : "start_threshold", range.RequestedStart,
                    $"{range.RequestedStart}..{range.RequestedStop} lies outside the DAC range 1..1023.", "move the range inside 1..1023.");
            return range.Steps == 0 ? null : range;
        }

        private static readonly string[] RangeKeys = { "center", "nsteps", "stepsize", "startthreshold", "numsteps" };
        private static readonly string[] RangeKeyNames = { "center", "nsteps", "start_threshold", "num_steps" };

        private static void CheckEqualSteps(List<ThresholdRange> ranges, List<ConfigProblem> problems)
        {
            if (ranges.Select(r => r.Steps).Distinct().Count() <= 1) return;
            string listing = string.Join("; ", ranges.Select(r => r.Describe()));
            int most = ranges.Max(r => r.Steps);
            problems.Add(new ConfigProblem(ConfigProblemKind.UnequalStepCounts, null, "sensors", listing,
                $"a parallel scan steps all channels together, so every channel needs the same number of steps: {listing}.",
                $"give every channel the same nsteps (and keep its range inside 1..1023), e.g. {most} steps each; or run a serial scan, which allows different ranges."));
        }
    }
}
