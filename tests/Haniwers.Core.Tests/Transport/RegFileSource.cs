using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Haniwers.Platform;

namespace Haniwers.Tests.Transport
{
    /// <summary>
    /// A registry read from a .reg export (`reg export HKLM\... file.reg`): sections [HKEY_LOCAL_MACHINE\...]
    /// and string values "Name"="value" (\\ and \" escaped); other value types are left out, as the
    /// port reader reads strings only.
    /// </summary>
    internal sealed class RegFileSource : IRegistrySource
    {
        private const string Hive = @"HKEY_LOCAL_MACHINE\";
        private readonly Dictionary<string, Dictionary<string, string>> _keys = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);

        public RegFileSource(string path)
        {
            Dictionary<string, string>? current = null;
            foreach (var raw in File.ReadAllLines(path))
            {
                string line = raw.Trim();
                if (line.StartsWith("[", StringComparison.Ordinal) && line.EndsWith("]", StringComparison.Ordinal))
                {
                    string key = line.Substring(1, line.Length - 2);
                    if (!key.StartsWith(Hive, StringComparison.OrdinalIgnoreCase)) { current = null; continue; }
                    key = key.Substring(Hive.Length);
                    current = _keys.TryGetValue(key, out var existing) ? existing : _keys[key] = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    // every parent exists too
                    for (int i = key.LastIndexOf('\\'); i > 0; i = key.LastIndexOf('\\', i - 1))
                    {
                        if (!_keys.ContainsKey(key.Substring(0, i))) _keys[key.Substring(0, i)] = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    }
                    continue;
                }
                if (current is null || !line.StartsWith("\"", StringComparison.Ordinal)) continue;
                int split = line.IndexOf("\"=\"", StringComparison.Ordinal);
                if (split < 0) continue; // dword:, hex: values
                current[Unescape(line.Substring(1, split - 1))] = Unescape(line.Substring(split + 3, line.Length - split - 4));
            }
        }

        private static string Unescape(string text) => text.Replace("\\\\", "\u0001").Replace("\\\"", "\"").Replace("\u0001", "\\");

        public IReadOnlyList<string> SubKeyNames(string path)
        {
            string prefix = path.TrimEnd('\\') + "\\";
            return _keys.Keys.Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && k.IndexOf('\\', prefix.Length) < 0)
                .Select(k => k.Substring(prefix.Length)).OrderBy(k => k, StringComparer.OrdinalIgnoreCase).ToList();
        }

        public IReadOnlyDictionary<string, string> Values(string path) =>
            _keys.TryGetValue(path.TrimEnd('\\'), out var values) ? values : new Dictionary<string, string>();
    }
}
