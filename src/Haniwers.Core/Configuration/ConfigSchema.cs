using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace Haniwers.Configuration
{
    /// <summary>
    /// A key or table the module does not know: read by no one, so a typo (duraton for duration) would
    /// silently leave the default in force. Named by Import-HaniwersConfig and Test-HaniwersThresholdConfig;
    /// haniwers' pydantic model ignores unknown keys too, so the file stays valid (docs/haniwers-formats.md).
    /// </summary>
    /// <param name="Table">The table it is in, as written: "sampler", "sensors.ch1", "" for the top level.</param>
    /// <param name="Key">The key as written.</param>
    /// <param name="Nearest">The known key it most likely means, in haniwers' spelling, or null.</param>
    /// <param name="KnownElsewhere">The table where this key belongs, when it is known there and not here.</param>
    public sealed record UnknownKey(string Table, string Key, string? Nearest, string? KnownElsewhere, bool IsTable)
    {
        /// <summary>The key with its table, as in the messages: sampler.duraton, [sensor].</summary>
        public string Path => IsTable ? $"[{(Table.Length == 0 ? Key : Table + "." + Key)}]" : (Table.Length == 0 ? Key : Table + "." + Key);

        public string Message
        {
            get
            {
                string where = Table.Length == 0 ? "the file's top level" : $"[{Table}]";
                string what = IsTable ? $"[{(Table.Length == 0 ? Key : Table + "." + Key)}] is not a table of a config" : $"'{Key}' is not a key of {where}";
                string hint = KnownElsewhere is not null ? $"; '{Key}' belongs in [{KnownElsewhere}]"
                    : Nearest is not null ? (IsTable ? $"; did you mean [{Nearest}]?" : $"; did you mean '{Nearest}'?") : "";
                return $"{what}{hint}{(hint.EndsWith("?", StringComparison.Ordinal) ? "" : ".")} It is ignored (haniwers ignores it too): {(IsTable ? "nothing in it is read" : "it is not read")}.";
            }
        }

        public string Fix => KnownElsewhere is not null ? $"move {Key} into [{KnownElsewhere}]."
            : Nearest is not null ? $"rename {Path} to {(IsTable ? "[" + Nearest + "]" : Nearest)}."
            : $"delete {Path}, or check its spelling against the keys in about_Haniwers.";
    }

    /// <summary>The keys and tables a config may hold (haniwers' model and this module's own keys), in haniwers' spelling.</summary>
    public static class ConfigSchema
    {
        public static readonly IReadOnlyList<string> Tables = new[] { "device", "sampler", "sensors", "mocker" };

        public static readonly IReadOnlyList<string> DeviceKeys = new[] { "label", "port", "baudrate", "timeout", "firmware" };

        public static readonly IReadOnlyList<string> SamplerKeys = new[]
        {
            "label", "workspace", "filename_prefix", "filename_suffix", "events_per_file", "number_of_files", "stream_mode",
            "mode", "duration", "suppress_threshold", "max_retry",
            "settle_time", "response_timeout", "retry_backoff", "retry_backoff_max", "max_consecutive_failures", "reconnect_timeout", "max_malformed_fraction",
        };

        public static readonly IReadOnlyList<string> SensorKeys = new[] { "id", "name", "label", "step_size", "threshold", "center", "nsteps", "start_threshold", "num_steps" };

        public static readonly IReadOnlyList<string> MockerKeys = new[] { "label", "csv_path", "shuffle", "speed", "jitter", "loop" };

        private static IReadOnlyList<string> KeysOf(string table) => table switch
        {
            "device" => DeviceKeys,
            "sampler" => SamplerKeys,
            "mocker" => MockerKeys,
            _ => SensorKeys,
        };

        /// <summary>Every key and table of <paramref name="root"/> (a TomlTable, a hashtable) that the schema does not hold.</summary>
        public static IReadOnlyList<UnknownKey> UnknownKeys(IEnumerable<KeyValuePair<string, object?>> root)
        {
            var unknown = new List<UnknownKey>();
            foreach (var entry in root)
            {
                string table = Tables.FirstOrDefault(t => ConfigKeys.Normalize(t) == ConfigKeys.Normalize(entry.Key)) ?? "";
                var children = Children(entry.Value);
                if (table.Length == 0)
                {
                    string? elsewhere = Tables.Where(t => t != "sensors").FirstOrDefault(t => KeysOf(t).Any(k => Same(k, entry.Key)));
                    unknown.Add(new UnknownKey("", entry.Key, Nearest(entry.Key, Tables), children is null ? elsewhere : null, IsTable: children is not null));
                    continue;
                }
                if (children is null) continue; // a value where a table belongs: the reader reports it
                if (table == "sensors")
                {
                    foreach (var sensor in children)
                    {
                        if (Children(sensor.Value) is { } keys) Check($"{entry.Key}.{sensor.Key}", "sensors", keys, unknown);
                    }
                }
                else
                {
                    Check(entry.Key, table, children, unknown);
                }
            }
            return unknown;
        }

        private static void Check(string written, string table, IEnumerable<KeyValuePair<string, object?>> keys, List<UnknownKey> unknown)
        {
            var known = KeysOf(table);
            foreach (var key in keys)
            {
                if (known.Any(k => Same(k, key.Key))) continue;
                string? elsewhere = Tables.Where(t => t != table).FirstOrDefault(t => t != "sensors" && KeysOf(t).Any(k => Same(k, key.Key)))
                    ?? (table != "sensors" && SensorKeys.Any(k => Same(k, key.Key)) ? "sensors.ch<n>" : null);
                unknown.Add(new UnknownKey(written, key.Key, Nearest(key.Key, known), elsewhere, IsTable: Children(key.Value) is not null));
            }
        }

        private static bool Same(string a, string b) => ConfigKeys.Normalize(a) == ConfigKeys.Normalize(b);

        private static IEnumerable<KeyValuePair<string, object?>>? Children(object? value) => value switch
        {
            IDictionary<string, object?> generic => generic,
            IDictionary plain => ConfigKeys.Entries(plain),
            _ => null,
        };

        /// <summary>
        /// The known name <paramref name="written"/> most likely misspells: the closest by edit distance
        /// (case and '_' ignored), within one edit in four letters (at least one); null when none is that close.
        /// </summary>
        public static string? Nearest(string written, IEnumerable<string> known)
        {
            string w = ConfigKeys.Normalize(written);
            var best = known.Select(k => (key: k, distance: Distance(w, ConfigKeys.Normalize(k))))
                .OrderBy(c => c.distance).ThenBy(c => c.key, StringComparer.Ordinal).FirstOrDefault();
            if (best.key is null) return null;
            int allowed = Math.Max(1, Math.Max(w.Length, ConfigKeys.Normalize(best.key).Length) / 4);
            return best.distance <= allowed ? best.key : null;
        }

        /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
        internal static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (int j = 0; j <= b.Length; j++) d[0, j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
            return d[a.Length, b.Length];
        }
    }
}
