using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Haniwers.Configuration
{
    /// <summary>The configuration file could not be read at all (missing, or not valid TOML).</summary>
    public sealed class ConfigFileException : Exception
    {
        public ConfigFileException(string path, string message, int? line = null, int? column = null, Exception? inner = null)
            : base(message, inner)
        {
            Path = path;
            Line = line;
            Column = column;
        }

        public static ConfigFileException NotFound(string path) =>
            new ConfigFileException(path, $"Configuration file not found: '{path}'.") { FileMissing = true };

        /// <summary>A -Path pattern that matches no file, told in the caller's words (which say -LiteralPath when the name exists as written).</summary>
        public static ConfigFileException NothingMatches(string pattern, string message) =>
            new ConfigFileException(pattern, message) { FileMissing = true };

        public string Path { get; }
        /// <summary>True when there was no file at all (as opposed to a file that could not be read).</summary>
        public bool FileMissing { get; private set; }
        public int? Line { get; }
        public int? Column { get; }
    }

    /// <summary>
    /// Reads a haniwers v1 configuration (config.toml, or the same structure as a dictionary) into a
    /// <see cref="HaniwersConfig"/>. Unknown keys are not read but named (<see cref="HaniwersConfig.UnknownKeys"/>); values of the wrong type become
    /// <see cref="ConfigProblem"/>s, never exceptions, so validation can list them all at once.
    /// </summary>
    public static class ConfigReader
    {
        public static HaniwersConfig ReadTomlFile(string path)
        {
            if (!File.Exists(path))
            {
                throw ConfigFileException.NotFound(path);
            }
            return ReadToml(ConfigText.Read(path, out bool byteOrderMark), path, byteOrderMark);
        }

        /// <param name="byteOrderMark">The file began with one: haniwers would refuse it.</param>
        public static HaniwersConfig ReadToml(string text, string source, bool byteOrderMark = false)
        {
            TomlTable table;
            try
            {
                // the TOML rules first (a table or key defined twice, ...): the serializer alone lets the last one win
                var document = SyntaxParser.Parse(text, source, validate: true);
                if (document.HasErrors)
                {
                    var error = document.Diagnostics.First(d => d.Kind == DiagnosticMessageKind.Error);
                    throw new ConfigFileException(source, InvalidToml(source, error.ToString(), error.Message), FindPosition(error.ToString()).line, FindPosition(error.ToString()).column);
                }
                table = TomlSerializer.Deserialize<TomlTable>(text)!;
            }
            catch (ConfigFileException)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                string message = ex.Message.Contains("maximum depth")
                    ? $"'{source}' nests tables or arrays more than 64 levels deep; a haniwers config has two levels ([sensors.ch1] inside sensors). Is it the right file?"
                    : InvalidToml(source, ex.Message, FirstLine(ex.Message));
                var (line, column) = FindPosition(ex.Message);
                throw new ConfigFileException(source, message, line, column, ex);
            }
            var config = ReadTree(table.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)).ToList(), source);
            config.HaniwersKeysMissing = HaniwersCompatibility.MissingKeys(table);
            config.HaniwersProblems = HaniwersCompatibility.Problems(table, byteOrderMark);
            foreach (var duplicate in ConfigKeys.Collisions(table.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)), ""))
            {
                config.ReadProblems.Add(new ConfigProblem(ConfigProblemKind.DuplicateKey, null, duplicate.Key, duplicate.Value,
                    $"{string.Join(" and ", duplicate.Value)} name the same key here (case and '_' are ignored), but they are two keys to haniwers: which one is meant is ambiguous.",
                    $"keep one of {string.Join(", ", duplicate.Value)}, spelled as in haniwers' config (lower case, with '_')."));
            }
            return config;
        }

        private static string InvalidToml(string source, string located, string message)
        {
            var (line, column) = FindPosition(located);
            string where = line is null ? "" : $" at line {line}, column {column}";
            return $"'{source}' is not valid TOML{where}: {message.Trim().TrimEnd('.')}.";
        }

        /// <summary>Reads the structure from any nested dictionary: a TomlTable, a Hashtable, a psd1's data.</summary>
        public static HaniwersConfig ReadDictionary(IDictionary tree, string source)
        {
            var config = ReadTree(ConfigKeys.Entries(tree).ToList(), source);
            foreach (var duplicate in ConfigKeys.Collisions(ConfigKeys.Entries(tree), ""))
            {
                config.ReadProblems.Add(new ConfigProblem(ConfigProblemKind.DuplicateKey, null, duplicate.Key, duplicate.Value,
                    $"{string.Join(" and ", duplicate.Value)} name the same key here (case and '_' are ignored): which one is meant is ambiguous.", $"keep one of {string.Join(", ", duplicate.Value)}."));
            }
            return config;
        }

        private static HaniwersConfig ReadTree(IReadOnlyList<KeyValuePair<string, object?>> written, string source)
        {
            var config = ReadTree(ConfigKeys.NormalizeTree(written), source);
            var unknown = ConfigSchema.UnknownKeys(written);
            config.UnknownKeys = unknown;
            foreach (var sensor in config.Sensors)
            {
                string table = ConfigKeys.Normalize("sensors." + sensor.Key);
                sensor.MisspelledKeys = unknown.Where(u => !u.IsTable && u.Nearest is not null && ConfigKeys.Normalize(u.Table) == table)
                    .GroupBy(u => u.Nearest!).ToDictionary(g => g.Key, g => g.First().Key);
            }
            return config;
        }

        private static HaniwersConfig ReadTree(Dictionary<string, object?> root, string source)
        {
            var config = new HaniwersConfig { Source = source };
            var problems = config.ReadProblems;

            if (Table(root, "device", "device", problems) is { } device)
            {
                var d = new FieldReader(device, "device", null, problems);
                config.Device.Port = d.String("port") ?? config.Device.Port;
                config.Device.BaudRate = d.Int("baudrate") ?? config.Device.BaudRate;
                if (d.String("firmware") is { } firmware)
                {
                    if (TryParseFirmware(firmware, out var dialect)) config.Device.Firmware = dialect;
                    else problems.Add(new ConfigProblem(ConfigProblemKind.UnknownFirmware, null, "device.firmware", firmware,
                        $"unknown firmware '{firmware}'.", "set firmware = \"text\" (kurikintons v1.6 and later) or \"binary\" (legacy OSECHI)."));
                }
                // haniwers' serial timeout is how long to wait for the device; it is our response timeout unless one is given.
                if (d.Double("timeout") is { } timeout)
                {
                    config.Sampler.ResponseTimeout = timeout;
                    config.Sampler.ResponseTimeoutKey = "device.timeout";
                }
            }

            if (Table(root, "sampler", "sampler", problems) is { } sampler)
            {
                var s = new FieldReader(sampler, "sampler", null, problems);
                var c = config.Sampler;
                c.Workspace = s.String("workspace") ?? c.Workspace;
                c.Duration = s.Double("duration") ?? c.Duration;
                c.SuppressThreshold = s.Int("suppressthreshold") ?? c.SuppressThreshold;
                c.MaxRetry = s.Int("maxretry") ?? c.MaxRetry;
                c.SettleTime = s.Double("settletime") ?? c.SettleTime;
                if (s.Double("responsetimeout") is { } response)
                {
                    c.ResponseTimeout = response;
                    c.ResponseTimeoutKey = "sampler.response_timeout";
                }
                c.RetryBackoff = s.Double("retrybackoff") ?? c.RetryBackoff;
                c.RetryBackoffMax = s.Double("retrybackoffmax") ?? c.RetryBackoffMax;
                c.MaxConsecutiveFailures = s.Int("maxconsecutivefailures") ?? c.MaxConsecutiveFailures;
                c.ReconnectTimeout = s.Double("reconnecttimeout") ?? c.ReconnectTimeout;
                c.MaxMalformedFraction = s.Double("maxmalformedfraction") ?? c.MaxMalformedFraction;
                c.Mode = s.String("mode") ?? c.Mode;
                c.EventsPerFile = s.Int("eventsperfile") ?? c.EventsPerFile;
                c.NumberOfFiles = s.Int("numberoffiles") ?? c.NumberOfFiles;
                c.StreamMode = s.Bool("streammode") ?? c.StreamMode;
                c.FilenamePrefix = s.String("filenameprefix") ?? c.FilenamePrefix;
                c.FilenameSuffix = s.String("filenamesuffix") ?? c.FilenameSuffix;
            }

            if (Table(root, "sensors", "sensors", problems) is { } sensors)
            {
                foreach (var entry in sensors)
                {
                    if (entry.Value is not Dictionary<string, object?> table)
                    {
                        problems.Add(new ConfigProblem(ConfigProblemKind.InvalidValue, null, "sensors." + entry.Key, entry.Value,
                            "each sensor must be a table.", $"write it as [sensors.{entry.Key}] with center, nsteps and step_size."));
                        continue;
                    }
                    config.Sensors.Add(ReadSensor(entry.Key, table, problems));
                }
            }
            return config;
        }

        public static bool TryParseFirmware(string text, out FirmwareDialect dialect) =>
            Enum.TryParse(text.Trim(), ignoreCase: true, out dialect) && Enum.IsDefined(typeof(FirmwareDialect), dialect);

        private static SensorSettings ReadSensor(string key, Dictionary<string, object?> table, IList<ConfigProblem> problems)
        {
            int? channelFromKey = null;
            var m = Regex.Match(key, @"^ch(\d+)$");
            if (m.Success) channelFromKey = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            string prefix = "sensors." + key;
            var r = new FieldReader(table, prefix, channelFromKey, problems);
            int? id = r.Int("id");
            return new SensorSettings
            {
                Key = key,
                Channel = id ?? channelFromKey ?? 0,
                Name = r.String("name"),
                Label = r.String("label"),
                Center = r.Int("center"),
                NSteps = r.Int("nsteps"),
                StepSize = r.Int("stepsize"),
                StartThreshold = r.Int("startthreshold"),
                NumSteps = r.Int("numsteps"),
                Threshold = r.Threshold("threshold"),
                UnreadableKeys = r.Unreadable,
            };
        }

        private static Dictionary<string, object?>? Table(Dictionary<string, object?> root, string key, string display, IList<ConfigProblem> problems)
        {
            if (!root.TryGetValue(key, out var value) || value is null) return null;
            if (value is Dictionary<string, object?> table) return table;
            problems.Add(new ConfigProblem(ConfigProblemKind.InvalidValue, null, display, value,
                $"[{display}] must be a table.", $"write it as a [{display}] section."));
            return null;
        }

        private static (int? line, int? column) FindPosition(string message)
        {
            // Tomlyn reports positions as "(line,column)" in its diagnostics.
            var m = Regex.Match(message, @"\((\d+),(\d+)\)");
            if (!m.Success) return (null, null);
            return (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        }

        private static string FirstLine(string message)
        {
            var line = message.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? message;
            return line;
        }

        /// <summary>Reads typed values from one normalised table, turning type errors into problems.</summary>
        private sealed class FieldReader
        {
            private readonly Dictionary<string, object?> _table;
            private readonly string _prefix;
            private readonly int? _channel;
            private readonly IList<ConfigProblem> _problems;

            public FieldReader(Dictionary<string, object?> table, string prefix, int? channel, IList<ConfigProblem> problems)
            {
                _table = table;
                _prefix = prefix;
                _channel = channel;
                _problems = problems;
            }

            /// <summary>Normalised keys whose values could not be read (their problem is already reported).</summary>
            public HashSet<string> Unreadable { get; } = new HashSet<string>();

            /// <summary>haniwers' threshold: a whole number, or "none" in any case for "no threshold set".</summary>
            public int? Threshold(string key) =>
                _table.TryGetValue(key, out var v) && v is string s && s.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? null : Int(key);

            public string? String(string key) =>
                _table.TryGetValue(key, out var v) && v is not null ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;

            public int? Int(string key)
            {
                if (!_table.TryGetValue(key, out var v) || v is null) return null;
                switch (v)
                {
                    case int i: return i;
                    case long l when l >= int.MinValue && l <= int.MaxValue: return (int)l;
                    case double d when d == Math.Floor(d) && Math.Abs(d) < int.MaxValue: return (int)d;
                    case string s when int.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p): return p;
                    case long big:
                        Unreadable.Add(key);
                        _problems.Add(new ConfigProblem(ConfigProblemKind.InvalidValue, _channel, DisplayKey(key), v,
                            $"{big} is far out of range.", key is "center" or "startthreshold" or "threshold" ? $"set {DisplayKey(key)} between 1 and 1023." : $"write {DisplayKey(key)} as a small whole number."));
                        return null;
                }
                Unreadable.Add(key);
                string fix = key == "threshold" ? $"write {DisplayKey(key)} as an integer 1..1023, or \"none\" for no threshold." : $"write {DisplayKey(key)} as an integer, without quotes.";
                _problems.Add(new ConfigProblem(ConfigProblemKind.InvalidValue, _channel, DisplayKey(key), v,
                    $"'{Convert.ToString(v, CultureInfo.InvariantCulture)}' is not a whole number.", fix));
                return null;
            }

            public bool? Bool(string key)
            {
                if (!_table.TryGetValue(key, out var v) || v is null) return null;
                if (v is bool b) return b;
                if (v is string text && bool.TryParse(text.Trim(), out var parsed)) return parsed;
                Unreadable.Add(key);
                _problems.Add(new ConfigProblem(ConfigProblemKind.InvalidValue, _channel, DisplayKey(key), v,
                    $"'{Convert.ToString(v, CultureInfo.InvariantCulture)}' is not true or false.", $"write {DisplayKey(key)} = true or {DisplayKey(key)} = false, without quotes."));
                return null;
            }

            public double? Double(string key)
            {
                if (!_table.TryGetValue(key, out var v) || v is null) return null;
                switch (v)
                {
                    case int i: return i;
                    case long l: return l;
                    case double d when !double.IsNaN(d) && !double.IsInfinity(d): return d;
                    case float f: return f;
                    case decimal m: return (double)m;
                    case string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var p): return p;
                }
                Unreadable.Add(key);
                _problems.Add(new ConfigProblem(ConfigProblemKind.InvalidValue, _channel, DisplayKey(key), v,
                    $"'{Convert.ToString(v, CultureInfo.InvariantCulture)}' is not a number.", $"write {DisplayKey(key)} as a number of seconds, e.g. 10 or 0.5."));
                return null;
            }

            private string DisplayKey(string normalizedKey) => _prefix + "." + (Canonical.TryGetValue(normalizedKey, out var k) ? k : normalizedKey);
        }

        /// <summary>Normalised key to the spelling in a haniwers config.toml, for messages.</summary>
        internal static readonly Dictionary<string, string> Canonical = new Dictionary<string, string>
        {
            ["baudrate"] = "baudrate", ["suppressthreshold"] = "suppress_threshold", ["maxretry"] = "max_retry",
            ["settletime"] = "settle_time", ["responsetimeout"] = "response_timeout", ["retrybackoff"] = "retry_backoff",
            ["retrybackoffmax"] = "retry_backoff_max", ["maxconsecutivefailures"] = "max_consecutive_failures",
            ["stepsize"] = "step_size", ["startthreshold"] = "start_threshold", ["numsteps"] = "num_steps",
            ["reconnecttimeout"] = "reconnect_timeout", ["maxmalformedfraction"] = "max_malformed_fraction",
            ["eventsperfile"] = "events_per_file", ["numberoffiles"] = "number_of_files", ["streammode"] = "stream_mode",
            ["filenameprefix"] = "filename_prefix", ["filenamesuffix"] = "filename_suffix",
        };
    }
}
