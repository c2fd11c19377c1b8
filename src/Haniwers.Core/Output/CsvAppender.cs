using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Haniwers.Output
{
    /// <summary>An existing CSV file has other columns than the ones we write: it is never appended to.</summary>
    public sealed class CsvHeaderMismatchException : Exception
    {
        public CsvHeaderMismatchException(string path, IReadOnlyList<string> expected, IReadOnlyList<string> found)
            : base(Describe(path, expected, found))
        {
            Path = path;
            Expected = expected;
            Found = found;
        }

        public string Path { get; }
        public IReadOnlyList<string> Expected { get; }
        public IReadOnlyList<string> Found { get; }

        private static string Describe(string path, IReadOnlyList<string> expected, IReadOnlyList<string> found)
        {
            var missing = expected.Except(found).ToList();
            var extra = found.Except(expected).ToList();
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add("it lacks " + string.Join(", ", missing));
            if (extra.Count > 0) parts.Add("it has " + string.Join(", ", extra) + " that a scan does not write");
            if (parts.Count == 0) parts.Add("its columns are in another order");
            return $"'{path}' has a different header, so nothing is appended to it: {string.Join("; ", parts)}. " +
                   $"Expected: {string.Join(",", expected)}. Found: {string.Join(",", found)}. " +
                   "Move the file away, or write this run elsewhere with -OutputDirectory.";
        }
    }

    /// <summary>
    /// Appends rows of <typeparamref name="T"/> to a CSV file: header written once (for a new or empty
    /// file), a different existing header refused, a cut last line (power loss) closed off and reported,
    /// each batch flushed to the disk before <see cref="Append"/> returns. Invariant culture, ISO 8601 times.
    /// </summary>
    public sealed class CsvAppender<T> : IDisposable
    {
        private readonly FileStream _stream;
        private readonly StreamWriter _writer;
        private readonly CsvWriter _csv;

        private CsvAppender(string path, FileStream stream, string? cutLine)
        {
            Path = path;
            CutLine = cutLine;
            _stream = stream;
            _writer = new StreamWriter(stream, new UTF8Encoding(false));
            _csv = new CsvWriter(_writer, Configuration());
            _csv.Context.TypeConverterOptionsCache.GetOptions<DateTimeOffset>().Formats = new[] { "o" };
            _csv.Context.TypeConverterOptionsCache.GetOptions<DateTimeOffset?>().Formats = new[] { "o" };
        }

        public string Path { get; }

        /// <summary>The text of a last line that had been cut off before this run, or null.</summary>
        public string? CutLine { get; }

        public static IReadOnlyList<string> Header { get; } = BuildHeader();

        /// <summary>Checks an existing file without opening it for writing: throws <see cref="CsvHeaderMismatchException"/>.</summary>
        public static void CheckHeader(string path)
        {
            if (!File.Exists(path) || new FileInfo(path).Length == 0) return;
            string first;
            using (var reader = new StreamReader(path, Encoding.UTF8, true))
            {
                first = reader.ReadLine() ?? "";
            }
            var found = first.Trim().Split(',').Select(c => c.Trim().Trim('"')).ToList();
            if (!found.SequenceEqual(Header)) throw new CsvHeaderMismatchException(path, Header, found);
        }

        public static CsvAppender<T> Open(string path)
        {
            CheckHeader(path);
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            try
            {
                string? cut = null;
                bool empty = stream.Length == 0;
                if (!empty) cut = ReadCutLine(stream);
                stream.Seek(0, SeekOrigin.End);
                var appender = new CsvAppender<T>(path, stream, cut);
                if (cut is not null) appender._writer.Write("\r\n");
                if (empty)
                {
                    appender._csv.WriteHeader<T>();
                    appender._csv.NextRecord();
                }
                appender.FlushToDisk();
                return appender;
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        public void Append(IEnumerable<T> rows)
        {
            foreach (var row in rows)
            {
                _csv.WriteRecord(row);
                _csv.NextRecord();
            }
            FlushToDisk();
        }

        private void FlushToDisk()
        {
            _csv.Flush();
            _writer.Flush();
            _stream.Flush(flushToDisk: true);
        }

        private static string? ReadCutLine(FileStream stream)
        {
            stream.Seek(-1, SeekOrigin.End);
            if (stream.ReadByte() == '\n') return null;
            // the tail after the last newline is the cut row
            long start = Math.Max(0, stream.Length - 4096);
            stream.Seek(start, SeekOrigin.Begin);
            var buffer = new byte[stream.Length - start];
            int read = 0;
            while (read < buffer.Length)
            {
                int n = stream.Read(buffer, read, buffer.Length - read);
                if (n == 0) break;
                read += n;
            }
            string tail = Encoding.UTF8.GetString(buffer, 0, read);
            int newline = tail.LastIndexOf('\n');
            return newline < 0 ? tail : tail.Substring(newline + 1);
        }

        private static CsvConfiguration Configuration() => new CsvConfiguration(CultureInfo.InvariantCulture);

        private static IReadOnlyList<string> BuildHeader()
        {
            using var text = new StringWriter();
            using (var csv = new CsvWriter(text, Configuration()))
            {
                csv.WriteHeader<T>();
                csv.Flush();
            }
            return text.ToString().Trim().Split(',');
        }

        public void Dispose()
        {
            try { FlushToDisk(); } catch (IOException) { } catch (ObjectDisposedException) { }
            _csv.Dispose();
            _writer.Dispose();
            _stream.Dispose();
        }
    }
}
