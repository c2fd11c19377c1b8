using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Haniwers.Configuration;

namespace Haniwers.PowerShell
{
    /// <summary>Turns what a user hands a cmdlet (a file path, a config object, a hashtable) into a HaniwersConfig.</summary>
    internal static class ConfigInput
    {
        /// <summary>Reads config.toml or a data-only .psd1. Throws ConfigFileException when the file cannot be read.</summary>
        public static HaniwersConfig ReadFile(string fullPath)
        {
            if (!File.Exists(fullPath))
            {
                throw ConfigFileException.NotFound(fullPath);
            }
            if (string.Equals(Path.GetExtension(fullPath), ".psd1", StringComparison.OrdinalIgnoreCase))
            {
                return ConfigReader.ReadDictionary(ReadDataFile(fullPath), fullPath);
            }
            return ConfigReader.ReadTomlFile(fullPath);
        }

        /// <summary>A -Config argument: a HaniwersConfig (copied), a hashtable, or a PSCustomObject of the same shape.</summary>
        public static HaniwersConfig FromObject(object value)
        {
            object baseObject = value is PSObject pso ? pso.BaseObject : value;
            switch (baseObject)
            {
                case HaniwersConfig config:
                    return config.Clone();
                case IDictionary dictionary:
                    return ConfigReader.ReadDictionary(dictionary, "(hashtable)");
                case PSCustomObject _:
                    return ConfigReader.ReadDictionary(ToHashtable((PSObject)value), "(object)");
                case string path:
                    throw new ArgumentException($"-Config takes a configuration object or a hashtable; for the file '{path}' use -ConfigPath.");
                default:
                    throw new ArgumentException($"-Config takes the object Import-HaniwersConfig returns or a hashtable, not a {baseObject.GetType().FullName}.");
            }
        }

        private static Hashtable ToHashtable(PSObject obj)
        {
            var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (var property in obj.Properties)
            {
                object? v = property.Value;
                table[property.Name] = v is PSObject child && child.BaseObject is PSCustomObject ? ToHashtable(child) : v;
            }
            return table;
        }

        private static Hashtable ReadDataFile(string path)
        {
            var ast = Parser.ParseFile(path, out _, out ParseError[] errors);
            if (errors.Length > 0)
            {
                var e = errors[0];
                throw new ConfigFileException(path,
                    $"'{path}' is not a valid PowerShell data file at line {e.Extent.StartLineNumber}, column {e.Extent.StartColumnNumber}: {e.Message}",
                    e.Extent.StartLineNumber, e.Extent.StartColumnNumber);
            }
            var hashtable = ast.EndBlock?.Statements.Count == 1
                ? ast.Find(a => a is HashtableAst, searchNestedScriptBlocks: false) as HashtableAst
                : null;
            if (hashtable is null)
            {
                throw new ConfigFileException(path, $"'{path}' must contain a single hashtable @{{ ... }}, as a .psd1 data file does.");
            }
            try
            {
                return (Hashtable)hashtable.SafeGetValue();
            }
            catch (InvalidOperationException ex)
            {
                throw new ConfigFileException(path,
                    $"'{path}' contains script, not only data, and is refused: {ex.Message} Write plain values (numbers, strings, nested @{{ }}).", inner: ex);
            }
        }
    }
}
