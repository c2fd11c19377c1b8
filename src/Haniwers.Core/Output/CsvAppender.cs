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
                   "Move the file away, or write this run into another folder.";
        }
    }

    /// <summary>
    /// Appends rows of <typeparamref name="T"/> to a CSV file: header written once (for a new or empty
    /// file), a different existing header refused, each batch on the disk before <see cref="Append"/>
    /// returns. A batch is written whole or not at all: on a failed write the file is cut back to
    /// where it was. Invariant culture, ISO 8601 times. The folder is repaired before files are opened
    /// (<see cref="RunFolderRecovery"/>), so an appender always starts on a complete line.
    /// </summary>
    public sealed class CsvAppender<T> : IDisposable
    {
        private readonly FileStream _stream;
        // rows are formatted into memory first, so the file gets each batch in one write or not at all;
        // one CsvWriter for the appender's life (a new one per batch would rebuild its record writers)
        private readonly StringWriter _text = new StringWriter(CultureInfo.InvariantCulture);
        private readonly CsvWriter _csv;
        private bool _broken;

        private CsvAppender(string path, FileStream stream)
        {
            Path = path;
            _stream = stream;
            _csv = new CsvWriter(_text, Configuration());
            _csv.Context.TypeConverterOptionsCache.GetOptions<DateTimeOffset>().Formats = new[] { "o" };
            _csv.Context.TypeConverterOptionsCache.GetOptions<DateTimeOffset?>().Formats = new[] { "o" };
        }

        public string Path { get; }

        /// <summary>The file's length: every byte of it is on the disk.</summary>
        public long Length => _stream.Length;

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

        /// <summary>Opens (or creates, with its header) a file; an I/O failure is an <see cref="OutputException"/>.</summary>
        public static CsvAppender<T> Open(string path)
        {
            CheckHeader(path);
            FileStream stream;
            try
            {
                // no buffer of its own: what Append wrote is in the OS, and Flush(true) puts it on the disk
                stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw OutputException.From(ex, path, "opening");
            }
            try
            {
                stream.Seek(0, SeekOrigin.End);
                var appender = new CsvAppender<T>(path, stream);
                if (stream.Length == 0) appender.WriteWhole(Encoding.UTF8.GetBytes(string.Join(",", Header) + "\r\n"), "writing the header of");
                return appender;
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        /// <summary>Writes the rows and puts them on the disk; on failure the file is as it was and <see cref="OutputException"/> says why.</summary>
        public void Append(IEnumerable<T> rows)
        {
            var buffer = _text.GetStringBuilder();
            buffer.Clear();
            foreach (var row in rows)
            {
                _csv.WriteRecord(row);
                _csv.NextRecord();
            }
            _csv.Flush();
            WriteWhole(Encoding.UTF8.GetBytes(buffer.ToString()), "writing a row to");
        }

        private void WriteWhole(byte[] bytes, string doing)
        {
            if (_broken) throw new OutputException(OutputProblem.IoError, Path, $"'{Path}' is not written to after an earlier failure.");
            long before = _stream.Length;
            try
            {
                _stream.Write(bytes, 0, bytes.Length);
                _stream.Flush(flushToDisk: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                try
                {
                    _stream.SetLength(before); // shrinking needs no space: the file ends where it did
                    _stream.Seek(before, SeekOrigin.Begin);
                    _stream.Flush(flushToDisk: true);
                }
                catch (Exception inner) when (inner is IOException or UnauthorizedAccessException)
                {
                    _broken = true; // the next run's recovery cuts the file back (docs/crash-protocol.md)
                }
                throw OutputException.From(ex, Path, doing);
            }
        }

        /// <summary>Cuts the file back to <paramref name="length"/> (a step rolled back); a failure leaves it for the next opener's recovery.</summary>
        public void TruncateTo(long length)
        {
            try
            {
                if (_stream.Length > length)
                {
                    _stream.SetLength(length);
                    _stream.Flush(flushToDisk: true);
                }
                _stream.Seek(0, SeekOrigin.End);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _broken = true;
            }
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
            _csv.Dispose();
            _stream.Dispose();
        }
    }
}
