using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Haniwers.Output
{
    /// <summary>
    /// The run journal (run_journal.jsonl): one JSON object per line, each on the disk before
    /// <see cref="Write"/> returns: runs' starts (module version, host, resolved config, plan), the
    /// write-ahead records of every step (intent, commit), skipped and re-measured steps, repairs,
    /// interruptions and end summaries. Formats in docs/formats.md, the step protocol in docs/crash-protocol.md.
    /// </summary>
    public sealed class RunJournal : IDisposable
    {
        public const string FileName = "run_journal.jsonl";
        private static readonly JsonSerializerOptions Options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            // a journal is read by people too: ±, µ and non-Latin names as themselves (still valid JSON)
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
        };
        private readonly DurableFile _file;
        private readonly string _runId;

        public RunJournal(string path, string runId)
        {
            _runId = runId;
            _file = DurableFile.Open(path);
        }

        public string Path => _file.Path;

        /// <summary>Writes one record, {"event": ..., "timestamp": ..., "runId": ..., ...its fields}, and puts it on the disk.</summary>
        public void Write(JournalRecord record, DateTimeOffset timestamp) => Write(record, timestamp, _runId);

        /// <summary>Writes one record of another run than the journal's (a recovery closing off a killed run).</summary>
        public void Write(JournalRecord record, DateTimeOffset timestamp, string runId)
        {
            var bytes = Format(record, timestamp, runId);
            // a record is whole or absent; if even the cut fails, recovery drops the partial line. A run's end record is
            // written even after a failed sync of the journal: it is how a reader learns the run failed (docs/crash-protocol.md)
            _file.Append(bytes, bytes.Length, "writing the journal", lastWords: record.Event == JournalEvents.End);
        }

        /// <summary>One record as it is written: its line, with its line end.</summary>
        public static byte[] Format(JournalRecord record, DateTimeOffset timestamp, string runId)
        {
            var line = new Dictionary<string, object?>
            {
                ["event"] = record.Event,
                ["timestamp"] = timestamp.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
                ["runId"] = runId,
            };
            foreach (var field in record.Fields()) line[field.Key] = field.Value;
            return Encoding.UTF8.GetBytes(JsonSerializer.Serialize(line, Options) + "\n");
        }

        /// <summary>The records of a journal, in order; a line that does not parse is skipped.</summary>
        public static IReadOnlyList<JournalEntry> Read(string path) => Read(path, out _);

        /// <summary>The records of a journal, in order, and how many non-empty lines were not records (a cut last line, damage).</summary>
        public static IReadOnlyList<JournalEntry> Read(string path, out int unreadable)
        {
            unreadable = 0;
            var records = new List<JournalEntry>();
            if (!File.Exists(path)) return records;
            foreach (var line in Lines(path))
            {
                if (line is null)
                {
                    unreadable++; // longer than any record: passed over, never held whole
                    continue;
                }
                if (line.Trim().Length == 0) continue;
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    if (doc.RootElement.ValueKind == JsonValueKind.Object) records.Add(new JournalEntry(doc.RootElement.Clone()));
                    else unreadable++;
                }
                catch (JsonException) { unreadable++; }
            }
            return records;
        }

        /// <summary>The longest record a journal holds (a start record with a plan of a thousand steps is about 100 kB).</summary>
        public const int MaxRecordLength = 1 << 22;

        /// <summary>The file's lines; null for a line longer than <see cref="MaxRecordLength"/>, which is read past in blocks, so memory stays flat.</summary>
        private static IEnumerable<string?> Lines(string path)
        {
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16), Encoding.UTF8);
            var line = new StringBuilder();
            bool tooLong = false;
            var buffer = new char[1 << 16];
            int n;
            while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                int start = 0;
                for (int i = 0; i < n; i++)
                {
                    if (buffer[i] != '\n') continue;
                    if (!tooLong) line.Append(buffer, start, i - start);
                    yield return tooLong ? null : line.ToString().TrimEnd('\r');
                    line.Clear();
                    tooLong = false;
                    start = i + 1;
                }
                if (!tooLong && line.Length + (n - start) > MaxRecordLength)
                {
                    tooLong = true;
                    line.Clear();
                }
                if (!tooLong) line.Append(buffer, start, n - start);
            }
            if (tooLong) yield return null;
            else if (line.Length > 0) yield return line.ToString();
        }

        /// <summary>Closes the journal, failing when the system reports an error at its close.</summary>
        public void Close() => _file.Close("closing the journal");

        public void Dispose() => _file.Dispose();
    }
}
