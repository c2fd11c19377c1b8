using System.Collections;
using System.Collections.Generic;
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
