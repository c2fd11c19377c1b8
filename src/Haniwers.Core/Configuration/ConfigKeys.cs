using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Globalization;

namespace Haniwers.Configuration
{
    /// <summary>
    /// Key matching shared by the TOML, psd1 and hashtable readers: case is ignored and so is '_',
    /// so step_size, StepSize and stepsize name the same key.
    /// </summary>
    public static class ConfigKeys
    {
        public static string Normalize(string key)
        {
            var chars = new char[key.Length];
            int n = 0;
            foreach (char c in key)
            {
                if (c != '_') chars[n++] = char.ToLowerInvariant(c);
            }
            return new string(chars, 0, n);
        }

        /// <summary>A copy of a nested dictionary (TomlTable, Hashtable, Dictionary) with normalised keys.</summary>
        public static Dictionary<string, object?> NormalizeTree(IEnumerable<KeyValuePair<string, object?>> source)
        {
            var result = new Dictionary<string, object?>();
            foreach (var entry in source)
            {
                result[Normalize(entry.Key)] = NormalizeValue(entry.Value);
            }
            return result;
        }

        /// <summary>
        /// Keys that normalise to one key in the same table (baudrate and BaudRate, step_size and
        /// stepsize): path of the table's key → the spellings found. TOML and haniwers keep them apart.
        /// </summary>
        public static IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> Collisions(IEnumerable<KeyValuePair<string, object?>> source, string prefix)
        {
            var entries = source.ToList();
            foreach (var group in entries.GroupBy(e => Normalize(e.Key)).Where(g => g.Count() > 1))
            {
                yield return new KeyValuePair<string, IReadOnlyList<string>>(prefix + group.Key, group.Select(e => prefix + e.Key).ToList());
            }
            foreach (var entry in entries)
            {
                IEnumerable<KeyValuePair<string, object?>>? child = entry.Value switch
                {
                    IDictionary<string, object?> generic => generic,
                    IDictionary plain => Entries(plain),
                    _ => null,
                };
                if (child is null) continue;
                foreach (var collision in Collisions(child, prefix + entry.Key + ".")) yield return collision;
            }
        }

        /// <summary>Entries of a non-generic dictionary (a PowerShell hashtable) as string-keyed pairs.</summary>
        public static IEnumerable<KeyValuePair<string, object?>> Entries(IDictionary source)
        {
            foreach (DictionaryEntry entry in source)
            {
                yield return new KeyValuePair<string, object?>(
                    System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "", entry.Value);
            }
        }

        private static object? NormalizeValue(object? value) => value switch
        {
            IDictionary<string, object?> generic => NormalizeTree(generic),
            IDictionary plain => NormalizeTree(Entries(plain)),
            _ => value,
        };
    }
}
