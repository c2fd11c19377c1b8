using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Haniwers.Output
{
    /// <summary>
    /// The run journal (run_journal.jsonl): one JSON object per line, flushed as written: each run's
    /// start (module version, host, resolved config), skipped steps, repairs, interruption and end summary.
    /// </summary>
    public sealed class RunJournal : IDisposable
    {
        public const string FileName = "run_journal.jsonl";
        private static readonly JsonSerializerOptions Options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
        };
        private readonly FileStream _stream;
        private readonly string _runId;

        public RunJournal(string path, string runId)
        {
            Path = path;
            _runId = runId;
            _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        }

        public string Path { get; }

        /// <summary>Writes one record: {"event": kind, "timestamp": ..., "runId": ..., ...fields}.</summary>
        public void Write(string kind, DateTimeOffset timestamp, IReadOnlyDictionary<string, object?> fields)
        {
            var record = new Dictionary<string, object?>
            {
                ["event"] = kind,
                ["timestamp"] = timestamp.ToString("o"),
                ["runId"] = _runId,
            };
            foreach (var field in fields) record[field.Key] = field.Value;
            var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, Options) + "\n");
            _stream.Write(bytes, 0, bytes.Length);
            _stream.Flush(flushToDisk: true);
        }

        public void Dispose() => _stream.Dispose();
    }
}
