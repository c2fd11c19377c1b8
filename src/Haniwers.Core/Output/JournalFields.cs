using System;
using System.Globalization;
using System.Text.Json;

namespace Haniwers.Output
{
    /// <summary>A journal record's fields (docs/formats.md, docs/daq.md), read leniently: a field that is missing or of another kind is null.</summary>
    internal static class JournalFields
    {
        public static string? Text(JsonElement record, string name) =>
            record.ValueKind == JsonValueKind.Object && record.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        public static double? Number(JsonElement record, string name) =>
            record.ValueKind == JsonValueKind.Object && record.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : (double?)null;

        public static long? Long(JsonElement record, string name) =>
            record.ValueKind == JsonValueKind.Object && record.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : (long?)null;

        /// <summary>A time written as ISO 8601 with its offset (the journals' timestamp, opened).</summary>
        public static DateTimeOffset? Time(JsonElement record, string name) =>
            Text(record, name) is string text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time : (DateTimeOffset?)null;

        public static int? Int(JsonElement record, string name) =>
            record.ValueKind == JsonValueKind.Object && record.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : (int?)null;
    }
}
