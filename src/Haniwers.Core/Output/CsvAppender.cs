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
        private readonly DurableFile _file;
        // rows are formatted into memory first, so the file gets each batch in one write or not at all;
        // one CsvWriter for the appender's life (a new one per batch would rebuild its record writers)
        private readonly StringWriter _text = new StringWriter(CultureInfo.InvariantCulture);
        private readonly CsvWriter _csv;

        private CsvAppender(DurableFile file)
        {
            _file = file;
            _csv = new CsvWriter(_text, Configuration());
            _csv.Context.TypeConverterOptionsCache.GetOptions<DateTimeOffset>().Formats = new[] { "o" };
            _csv.Context.TypeConverterOptionsCache.GetOptions<DateTimeOffset?>().Formats = new[] { "o" };
            // text copied from input (a run id, a device's answer, a warning) is never run by a spreadsheet
            _csv.Context.TypeConverterCache.AddConverter<string>(new SpreadsheetText());
        }

        public string Path => _file.Path;

        /// <summary>The file's length: every byte of it is on the disk.</summary>
        public long Length => _file.Length;

        public static IReadOnlyList<string> Header { get; } = BuildHeader();

        /// <summary>Checks an existing file without opening it for writing: throws <see cref="CsvHeaderMismatchException"/>.</summary>
        public static void CheckHeader(string path)
        {
            // a link is not read: what it points to is not this module's to quote (docs/platforms.md, "Links in a run folder")
            RunFolderRecovery.RefuseLinks(new[] { path });
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
            var file = DurableFile.Open(path);
            try
            {
                var appender = new CsvAppender<T>(file);
                if (file.Length == 0) appender.WriteWhole(Encoding.UTF8.GetBytes(string.Join(",", Header) + "\r\n"), "writing the header of");
                return appender;
            }
            catch
            {
                file.Dispose();
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

        private void WriteWhole(byte[] bytes, string doing) => _file.Append(bytes, bytes.Length, doing);

        /// <summary>Cuts the file back to <paramref name="length"/> (a step rolled back); a failure leaves it for the next opener's recovery.</summary>
        public void TruncateTo(long length) => _file.TruncateTo(length);

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

        /// <summary>Closes the file, failing when the system reports an error at its close (<see cref="DurableFile.Close"/>).</summary>
        public void Close()
        {
            _csv.Dispose();
            _file.Close("closing");
        }

        public void Dispose()
        {
            _csv.Dispose();
            _file.Dispose();
        }
    }
}
