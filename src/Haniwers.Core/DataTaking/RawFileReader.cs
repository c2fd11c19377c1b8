using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Haniwers.DataTaking
{
    /// <summary>A file is not a raw event file (its first line is neither a raw row nor their header).</summary>
    public sealed class NotRawFileException : Exception
    {
        public NotRawFileException(string path, string firstLine)
            : base($"'{path}' is not a raw event file: its first line is \"{(firstLine.Length <= 80 ? firstLine : firstLine.Substring(0, 77) + "...")}\", not timestamp,top,mid,btm,adc,tmp,atm,hmd.")
        {
            Path = path;
            FirstLine = firstLine;
        }

        public string Path { get; }
        public string FirstLine { get; }
    }

    /// <summary>The kind of a raw file, from its content.</summary>
    public enum RawFileKind
    {
        /// <summary>haniwers v1 or this module: ISO 8601 timestamps with T.</summary>
        HaniwersV1,
        /// <summary>haniwers v0: str() of the timestamp, a space between date and time.</summary>
        HaniwersV0,
    }

    /// <summary>
    /// Reads the rows of one raw event file in order, streaming (docs/daq.md, "Raw files"): a header
    /// row is skipped; a row that does not parse (cut by a crash, another tool's comment) is counted as
    /// malformed, never guessed at. The kind is recognised by the first row, not by the name.
    /// </summary>
    public sealed class RawFileReader : IDisposable
    {
        private readonly FileStream _stream;
        private byte[] _buffer = new byte[1 << 20];
        private int _start, _end;
        private bool _eof;

        public RawFileReader(string path)
        {
            Path = path;
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            try
            {
                Kind = Recognise();
            }
            catch
            {
                _stream.Dispose();
                throw;
            }
        }

        /// <summary>The files of a folder that may hold rows, by name: a run's lock and probe files (.haniwers-*) are not data, and may be held by a run in progress.</summary>
        public static IEnumerable<string> FolderFiles(string folder) =>
            Directory.EnumerateFiles(folder).Where(f => !System.IO.Path.GetFileName(f).StartsWith(".", StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal);

        /// <summary>The UTC time of a file's first row, or null for an empty one. Throws <see cref="NotRawFileException"/> or an I/O error.</summary>
        public static long? FirstRowTicks(string path)
        {
            using var reader = new RawFileReader(path);
            return reader.Next(out var row) ? row.UtcTicks : (long?)null;
        }

        /// <summary>Files in the order of their first rows (then by name), each once: how a run's files are read.</summary>
        public static List<string> InTimeOrder(IEnumerable<(string path, long first)> files) =>
            files.GroupBy(f => f.path).Select(g => g.First()).OrderBy(f => f.first).ThenBy(f => f.path, StringComparer.Ordinal).Select(f => f.path).ToList();

        public string Path { get; }
        public RawFileKind Kind { get; }
        public long Rows { get; private set; }
        public long Malformed { get; private set; }
        /// <summary>The first malformed line, for messages.</summary>
        public string? FirstMalformed { get; private set; }

        /// <summary>
        /// A last line without its line end (a write cut short), which is not a row whatever its fields parse to
        /// (docs/daq.md, "Raw files"): its text (the first 200 characters), or null.
        /// </summary>
        public string? CutLastLine { get; private set; }

        /// <summary>The longest line read as a possible row; a longer one is malformed and skipped without being held (a file of junk keeps memory flat).</summary>
        public const int MaxLineLength = 1 << 16;

        private RawFileKind Recognise()
        {
            bool afterHeader = false;
            while (NextLine(out int offset, out int length))
            {
                var line = new ReadOnlySpan<byte>(_buffer, offset, length);
                if (IsBlank(line)) continue;
                if (RawEventLine.TryParse(line, out _))
                {
                    _start = offset; // read again as the first row
                    return line[10] == (byte)' ' ? RawFileKind.HaniwersV0 : RawFileKind.HaniwersV1;
                }
                string text = Encoding.UTF8.GetString(_buffer, offset, Math.Min(length, 200)).TrimEnd('\r');
                if (afterHeader)
                {
                    _start = offset; // a header and then something else: counted as malformed when read
                    return RawFileKind.HaniwersV1;
                }
                if (!IsHeader(text)) throw new NotRawFileException(Path, text);
                afterHeader = true;
            }
            return RawFileKind.HaniwersV1; // no rows, whatever it is
        }

        private static bool IsBlank(ReadOnlySpan<byte> line) => line.Length == 0 || (line.Length == 1 && line[0] == (byte)'\r');

        /// <summary>haniwers' RAW_COLUMNS as a header row (its v1 reader accepts one), or v0's datetime spelling.</summary>
        private static bool IsHeader(string line)
        {
            string normal = line.Replace(" ", "").ToLowerInvariant();
            return normal == "timestamp,top,mid,btm,adc,tmp,atm,hmd" || normal == "datetime,top,mid,btm,adc,tmp,atm,hmd";
        }

        /// <summary>The next row; false at the end of the file.</summary>
        public bool Next(out RawEvent row)
        {
            while (NextLine(out int offset, out int length))
            {
                var line = new ReadOnlySpan<byte>(_buffer, offset, length);
                if (RawEventLine.TryParse(line, out row))
                {
                    Rows++;
                    return true;
                }
                if (IsBlank(line)) continue;
                Malformed++;
                FirstMalformed ??= Encoding.UTF8.GetString(_buffer, offset, Math.Min(length, 200)).TrimEnd('\r');
            }
            row = default;
            return false;
        }

        /// <summary>The next line in the buffer (without its \n); a last line without one is kept aside as <see cref="CutLastLine"/>.</summary>
        private bool NextLine(out int offset, out int length)
        {
            while (true)
            {
                int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    offset = _start;
                    length = newline - _start;
                    _start = newline + 1;
                    return true;
                }
                if (_eof)
                {
                    if (_end > _start && !IsBlank(new ReadOnlySpan<byte>(_buffer, _start, _end - _start)))
                    {
                        // not a row, counted with the lines that are not (and named for what it is)
                        CutLastLine = Encoding.UTF8.GetString(_buffer, _start, Math.Min(_end - _start, 200)).TrimEnd('\r');
                        Malformed++;
                        FirstMalformed ??= CutLastLine;
                    }
                    _start = _end;
                    offset = length = 0;
                    return false;
                }
                if (_end - _start >= MaxLineLength)
                {
                    SkipLongLine();
                    continue;
                }
                Fill();
            }
        }

        /// <summary>A line longer than <see cref="MaxLineLength"/>: counted as malformed and read past, never held whole.</summary>
        private void SkipLongLine()
        {
            Malformed++;
            FirstMalformed ??= Encoding.UTF8.GetString(_buffer, _start, 200) + $"… (a line of more than {MaxLineLength} bytes)";
            while (true)
            {
                int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    _start = newline + 1;
                    return;
                }
                _start = _end = 0;
                int n = _stream.Read(_buffer, 0, _buffer.Length);
                if (n == 0)
                {
                    _eof = true;
                    return;
                }
                _end = n;
            }
        }

        private void Fill()
        {
            int remaining = _end - _start;
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
                _start = 0;
                _end = remaining;
            }
            int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0) _eof = true;
            _end += n;
        }

        public void Dispose() => _stream.Dispose();
    }
}
