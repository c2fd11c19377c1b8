using System.Collections.Generic;
using System.Linq;
using Tomlyn.Model;

namespace Haniwers.Configuration
{
    /// <summary>
    /// What haniwers (the Python tool, v1) requires of a config.toml beyond what this module needs
    /// (docs/haniwers-formats.md, "Configuration"), so one file can serve both tools. Keys are matched
    /// exactly, as haniwers' pydantic model does.
    /// </summary>
    public static class HaniwersCompatibility
    {
        public static readonly IReadOnlyList<string> DeviceKeys = new[] { "label", "port", "baudrate", "timeout" };
        public static readonly IReadOnlyList<string> SamplerKeys = new[] { "label", "workspace", "filename_prefix", "filename_suffix", "events_per_file", "number_of_files", "stream_mode" };
        public static readonly IReadOnlyList<string> SensorKeys = new[] { "id", "name", "label", "step_size" };

        /// <summary>The baud rates haniwers' model accepts.</summary>
        public static readonly IReadOnlyList<long> BaudRates = new long[] { 300, 600, 1200, 2400, 4800, 9600, 14400, 19200, 28800, 38400, 57600, 115200 };

        /// <summary>
        /// Values haniwers' validators refuse although this module reads them, as "device.timeout = 100
        /// (haniwers: more than 0, at most 60)". A file with a byte-order mark is refused by tomllib.
        /// </summary>
        public static IReadOnlyList<string> Problems(TomlTable root, bool byteOrderMark)
        {
            var problems = new List<string>();
            if (byteOrderMark) problems.Add("the file starts with a byte-order mark, which haniwers (tomllib) refuses: save it as UTF-8 without one");
            TomlTable? Table(string name) => root.TryGetValue(name, out var v) ? v as TomlTable : null;
            void Check(TomlTable? table, string prefix, string key, System.Func<object, bool> ok, string rule)
            {
                if (table is null || !table.TryGetValue(key, out var value)) return;
                if (!ok(value)) problems.Add($"{prefix}.{key} = {Show(value)} (haniwers: {rule})");
            }
            bool IsString(object v) => v is string;
            bool NonEmpty(object v) => v is string s && s.Length > 0;
            bool PositiveInt(object v) => v is long l && l > 0;
            bool Dac(object v) => v is long l && l >= 1 && l <= 1023;
            var device = Table("device");
            Check(device, "device", "label", IsString, "a string");
            Check(device, "device", "port", NonEmpty, "a string that is not empty");
            Check(device, "device", "baudrate", v => v is long b && BaudRates.Contains(b), "one of " + string.Join(", ", BaudRates));
            Check(device, "device", "timeout", v => v is long or double && System.Convert.ToDouble(v) > 0 && System.Convert.ToDouble(v) <= 60, "more than 0, at most 60 seconds");
            var sampler = Table("sampler");
            foreach (var key in new[] { "label", "workspace", "filename_prefix", "filename_suffix" }) Check(sampler, "sampler", key, IsString, "a string");
            foreach (var key in new[] { "events_per_file", "number_of_files", "max_retry" }) Check(sampler, "sampler", key, PositiveInt, "a whole number above 0");
            Check(sampler, "sampler", "stream_mode", v => v is bool, "true or false");
            Check(sampler, "sampler", "mode", v => v is "count_based" or "time_based", "\"count_based\" or \"time_based\"");
            Check(sampler, "sampler", "duration", v => v is long or double && System.Convert.ToDouble(v) > 0, "a number of seconds above 0");
            Check(sampler, "sampler", "suppress_threshold", Dac, "a whole number 1..1023");
            if (Table("sensors") is { } sensors)
            {
                foreach (var sensor in sensors)
                {
                    if (sensor.Value is not TomlTable t) continue;
                    string prefix = "sensors." + sensor.Key;
                    Check(t, prefix, "id", PositiveInt, "a whole number above 0");
                    Check(t, prefix, "name", NonEmpty, "a string that is not empty");
                    Check(t, prefix, "label", IsString, "a string");
                    Check(t, prefix, "step_size", PositiveInt, "a whole number above 0");
                    Check(t, prefix, "center", Dac, "a whole number 1..1023");
                    Check(t, prefix, "nsteps", PositiveInt, "a whole number above 0");
                    Check(t, prefix, "threshold", v => v is long || v is string s && s.ToLowerInvariant() == "none", "a whole number, or \"none\" exactly, in any case");
                    if (t.ContainsKey("center") && t.ContainsKey("nsteps") && t.ContainsKey("start_threshold") && t.ContainsKey("num_steps"))
                        problems.Add($"{prefix} has both center/nsteps and start_threshold/num_steps (haniwers: one of the two ranges)");
                }
            }
            return problems;
        }

        private static string Show(object value) => value is string s ? $"\"{s}\"" : System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";

        /// <summary>
        /// A key haniwers requires, with the spelling the file has when it differs only in case or '_' ("device.port (the
        /// file has 'Port')"): this module reads it, haniwers matches keys exactly and does not.
        /// </summary>
        private static string Spelled(TomlTable table, string path, string key)
        {
            string? written = table.Keys.FirstOrDefault(k => ConfigKeys.Normalize(k) == ConfigKeys.Normalize(key));
            return written is null ? path : $"{path} (the file has '{written}')";
        }

        /// <summary>The required keys and tables <paramref name="root"/> lacks, as "device.label", "[mocker]", ...</summary>
        public static IReadOnlyList<string> MissingKeys(TomlTable root)
        {
            var missing = new List<string>();
            void Need(string table, IEnumerable<string> keys)
            {
                if (!root.TryGetValue(table, out var value) || value is not TomlTable t)
                {
                    missing.Add($"[{table}]");
                    missing.AddRange(keys.Select(k => $"{table}.{k}"));
                    return;
                }
                missing.AddRange(keys.Where(k => !t.ContainsKey(k)).Select(k => Spelled(t, $"{table}.{k}", k)));
            }
            Need("device", DeviceKeys);
            Need("sampler", SamplerKeys);
            if (!root.TryGetValue("mocker", out var mocker) || mocker is not TomlTable) missing.Add("[mocker]");
            if (!root.TryGetValue("sensors", out var sensors) || sensors is not TomlTable sensorTable || sensorTable.Count == 0)
            {
                missing.Add("[sensors.ch1]");
            }
            else
            {
                foreach (var sensor in sensorTable)
                {
                    if (sensor.Value is not TomlTable s) continue;
                    missing.AddRange(SensorKeys.Where(k => !s.ContainsKey(k)).Select(k => Spelled(s, $"sensors.{sensor.Key}.{k}", k)));
                    // haniwers' SensorConfig requires a whole range: center and nsteps, or the deprecated start_threshold and num_steps
                    bool centerForm = s.ContainsKey("center") && s.ContainsKey("nsteps");
                    bool startForm = s.ContainsKey("start_threshold") && s.ContainsKey("num_steps");
                    if (!centerForm && !startForm)
                    {
                        var form = !s.ContainsKey("center") && !s.ContainsKey("nsteps") && (s.ContainsKey("start_threshold") || s.ContainsKey("num_steps"))
                            ? new[] { "start_threshold", "num_steps" } : new[] { "center", "nsteps" };
                        missing.AddRange(form.Where(k => !s.ContainsKey(k)).Select(k => Spelled(s, $"sensors.{sensor.Key}.{k}", k)));
                    }
                }
            }
            return missing;
        }
    }
}
