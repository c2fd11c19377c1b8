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
                missing.AddRange(keys.Where(k => !t.ContainsKey(k)).Select(k => $"{table}.{k}"));
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
                    if (sensor.Value is TomlTable s) missing.AddRange(SensorKeys.Where(k => !s.ContainsKey(k)).Select(k => $"sensors.{sensor.Key}.{k}"));
                }
            }
            return missing;
        }
    }
}
