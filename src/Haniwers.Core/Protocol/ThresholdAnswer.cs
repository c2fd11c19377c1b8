using System;
using System.Text.Json;

namespace Haniwers.Protocol
{
    /// <summary>The text firmware's JSON answer: {"type":"response","status":"ok","channel":1,"threshold":280}.</summary>
    public sealed class ThresholdAnswer
    {
        public string? Type { get; private set; }
        public string? Status { get; private set; }
        public int? Channel { get; private set; }
        public int? Threshold { get; private set; }
        public string? Message { get; private set; }

        /// <summary>Parses a JSON line; null when it is not a JSON object.</summary>
        public static ThresholdAnswer? TryParse(string line)
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
                var answer = new ThresholdAnswer();
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    switch (p.Name)
                    {
                        case "type": answer.Type = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null; break;
                        case "status": answer.Status = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null; break;
                        case "message": answer.Message = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText(); break;
                        case "channel": answer.Channel = AsInt(p.Value); break;
                        case "threshold": answer.Threshold = AsInt(p.Value); break;
                    }
                }
                return answer;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static int? AsInt(JsonElement e) =>
            e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) ? v
            : e.ValueKind == JsonValueKind.String && int.TryParse(e.GetString(), out int s) ? s : (int?)null;

        public bool IsResponse => string.Equals(Type, "response", StringComparison.Ordinal);
        public bool IsOk => string.Equals(Status, "ok", StringComparison.Ordinal);
    }
}
