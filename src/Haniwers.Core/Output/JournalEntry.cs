using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace Haniwers.Output
{
    /// <summary>
    /// One journal record as read (docs/formats.md, docs/daq.md): its event, run and time, and its fields read
    /// leniently, so a journal written by an older Haniwers, or damaged, is read as far as it goes: a field that is
    /// missing or of another kind is null. The typed records (<see cref="JournalRecord"/>) read their fields through it.
    /// </summary>
    public sealed class JournalEntry
    {
        public JournalEntry(JsonElement element)
        {
            Element = element;
            Event = Text("event") ?? "";
            RunId = Text("runId") ?? "";
            Timestamp = Time("timestamp");
        }

        /// <summary>The record as it is in the file.</summary>
        public JsonElement Element { get; }
        public string Event { get; }
        /// <summary>The run it belongs to; "" when it names none (a recovery's record of a journal it repaired).</summary>
        public string RunId { get; }
        public DateTimeOffset? Timestamp { get; }

        public bool Is(string journalEvent) => Event == journalEvent;

        public string? Text(string name) => JournalFields.Text(Element, name);
        public double? Number(string name) => JournalFields.Number(Element, name);
        public long? Long(string name) => JournalFields.Long(Element, name);
        public int? Int(string name) => JournalFields.Int(Element, name);
        public bool Flag(string name) => Element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        public DateTimeOffset? Time(string name) => JournalFields.Time(Element, name);

        /// <summary>A field that is a JSON object, or null.</summary>
        public JsonElement? Object(string name) => Field(name, JsonValueKind.Object);

        /// <summary>The items of a field that is a JSON array (none when it is missing or not an array).</summary>
        public IReadOnlyList<JsonElement> Items(string name) =>
            Field(name, JsonValueKind.Array) is JsonElement list ? list.EnumerateArray().ToList() : Array.Empty<JsonElement>();

        /// <summary>Whether the record has the field as an array (an empty one included).</summary>
        public bool HasList(string name) => Field(name, JsonValueKind.Array) is not null;

        private JsonElement? Field(string name, JsonValueKind kind) =>
            Element.ValueKind == JsonValueKind.Object && Element.TryGetProperty(name, out var v) && v.ValueKind == kind ? v : (JsonElement?)null;

        public override string ToString() => Element.GetRawText();
    }

    /// <summary>A journal record's fields, read leniently from any JSON element (a record, or an item of a record's list).</summary>
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
