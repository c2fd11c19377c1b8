using CsvHelper;
using CsvHelper.Configuration;
using CsvHelper.TypeConversion;

namespace Haniwers.Output
{
    /// <summary>
    /// Text written into a CSV file that a spreadsheet would run as a formula is neutralised (docs/formats.md,
    /// "Text a spreadsheet would run"): a field that begins with =, +, -, @, a tab or a carriage return gets a
    /// leading apostrophe, as OWASP's advice on CSV injection has it. Only text columns: numbers, times and
    /// enumerations are written as they are, so a negative number stays a number. CsvHelper's own InjectionOptions
    /// would escape every field, negative numbers too.
    /// </summary>
    public sealed class SpreadsheetText : StringConverter
    {
        public override string? ConvertToString(object? value, IWriterRow row, MemberMapData memberMapData) =>
            Neutralise(base.ConvertToString(value, row, memberMapData));

        /// <summary>The text, with a leading apostrophe when a spreadsheet would take it for a formula.</summary>
        public static string? Neutralise(string? text) =>
            string.IsNullOrEmpty(text) || text!.IndexOfAny(FormulaStarts) != 0 ? text : "'" + text;

        private static readonly char[] FormulaStarts = { '=', '+', '-', '@', '\t', '\r' };
    }
}
