using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CsvHelper;
using CsvHelper.Configuration;
using Haniwers.Output;

using Haniwers.Configuration;

namespace Haniwers.Analysis
{
    /// <summary>The kinds of scan file this module reads, recognised by content (docs/haniwers-formats.md).</summary>
    public enum ScanFileFormat
    {
        /// <summary>This module's scan_results_ch&lt;N&gt;.csv, or any CSV with Channel, Threshold, Events, DurationSeconds.</summary>
        Haniwers,
        /// <summary>haniwers v1 parallel.csv / serial.csv: timestamp, event_count, ch1, ch2, ch3, top, mid, btm; no header.</summary>
        HaniwersV1Scan,
        /// <summary>haniwers v0 threshold_scan.csv: time, duration, ch, vth, events, tmp, atm, hmd; no header.</summary>
        HaniwersV0Scan,
        /// <summary>Early haniwers v0 threshold_scan.csv: time, duration, ch, vth, events; no header.</summary>
        HaniwersV0ScanShort,
        /// <summary>Late haniwers v0 threshold_scan.csv: timestamp, duration, ch, vth, counts, hit_top, hit_mid, hit_btm, tmp, atm, hmd; no header.</summary>
        HaniwersV0ScanWithHits,
    }

    /// <summary>
    /// Reads scan points from files: this module's scan_results_ch&lt;N&gt;.csv (or anything with the
    /// columns Channel, Threshold, Events, DurationSeconds, such as Export-Csv of the scan objects), a
    /// run folder, or haniwers' own scan files (v1 parallel.csv / serial.csv, v0 threshold_scan.csv),
    /// each recognised by its content; anything else is refused with what it looks like.
    /// </summary>
    public static class ScanFileReader
    {
        private static readonly string[] HaniwersFileNames = { "parallel.csv", "serial.csv", "threshold_scan.csv", "thresholds_scan_serial.csv", "thresholds_scan_parallel.csv" };

        public static IEnumerable<string> FilesIn(string folder)
        {
            var ours = ScanFiles.ResultFileNames.Select(name => Path.Combine(folder, name)).Where(File.Exists).ToList();
            if (ours.Count > 0) return ours;
            var theirs = HaniwersFileNames.Select(f => Path.Combine(folder, f)).Where(File.Exists).ToList();
            if (theirs.Count > 0) return theirs;
            throw new FileNotFoundException($"'{folder}' has no scan_results_ch1..3.csv and no haniwers scan file ({string.Join(", ", HaniwersFileNames)}).", folder);
        }

        /// <summary>What a file is, from its content. Throws <see cref="InvalidDataException"/> naming what it looks like instead.</summary>
        public static ScanFileFormat Detect(string path)
        {
            CheckLineLengths(path);
            var rows = FirstRows(path, 200);
            if (rows.Count == 0) throw new InvalidDataException($"'{path}' is empty: there is no scan in it.");
            var first = rows[0];
            if (first.Contains("Channel") && first.Contains("Threshold")) return ScanFileFormat.Haniwers;
            if (!IsTimestamp(first[0]))
                throw new InvalidDataException($"'{path}' is not a scan file this module knows: its first line ({(Platform.NoFollow.IsLink(path) ? "not quoted: the file is a symbolic link" : Excerpt(string.Join(",", first)))}) is neither a Haniwers header (Channel, Threshold, Events, DurationSeconds) nor a haniwers row, which starts with a timestamp.");
            int columns = first.Length;
            if (rows.Any(r => r.Length != columns))
                throw new InvalidDataException($"'{path}' mixes rows of {string.Join(" and ", rows.Select(r => r.Length).Distinct())} fields: no haniwers scan file does; it may hold two formats, or be cut.");
            bool Numbers(int from, int to) => rows.All(r => Enumerable.Range(from, to - from + 1).All(i => IsNumber(r[i])));
            bool Integers(int from, int to) => rows.All(r => Enumerable.Range(from, to - from + 1).All(i => IsInteger(r[i])));
            switch (columns)
            {
                case 5 when Numbers(1, 4) && rows.All(r => IsChannel(r[2])):
                    return ScanFileFormat.HaniwersV0ScanShort;
                case 11 when Numbers(1, 10) && rows.All(r => IsChannel(r[2])):
                    return ScanFileFormat.HaniwersV0ScanWithHits;
                case 8 when LooksLikeEvents(rows):
                    throw new InvalidDataException($"'{path}' looks like a haniwers raw event file (timestamp, top, mid, btm, adc, tmp, atm, hmd: its rows are events, less than half a second apart), not a threshold scan, whose rows are windows: fit a threshold scan's parallel.csv, serial.csv or threshold_scan.csv.");
                case 8 when Numbers(1, 7):
                    // v0: duration, the channel scanned (0..3), its threshold, events, then the means of tmp, atm, hmd
                    if (rows.All(r => Value(r[1]) > 0 && IsChannel(r[2]) && IsDac(r[3]))) return ScanFileFormat.HaniwersV0Scan;
                    // v1: event_count, three thresholds, three hit counts, all whole numbers, hits never above the count
                    if (Integers(1, 7) && rows.All(r => Enumerable.Range(5, 3).All(i => Value(r[i]) <= Value(r[1]))))
                        return ScanFileFormat.HaniwersV1Scan;
                    if (!Integers(5, 7))
                        throw new InvalidDataException($"'{path}' looks like a haniwers raw event file (timestamp, top, mid, btm, adc, tmp, atm, hmd), not a threshold scan: fit a threshold scan's parallel.csv, serial.csv or threshold_scan.csv.");
                    break;
            }
            throw new InvalidDataException($"'{path}' has {columns} fields per row, starting with a timestamp, but matches no haniwers scan file (v1 parallel.csv/serial.csv: 8 whole-number fields after the timestamp; v0 threshold_scan.csv: 5, 8 or 11 fields with the channel third).");
        }

        /// <summary>A scan's rows are windows, seconds apart; a raw file's rows are events, many a second.</summary>
        private static bool LooksLikeEvents(List<string[]> rows)
        {
            var times = rows.Select(r => Time(r[0])).Where(t => t is not null).Select(t => t!.Value).ToList();
            if (times.Count < 3) return false;
            var gaps = times.Zip(times.Skip(1), (a, b) => Math.Abs((b - a).TotalSeconds)).OrderBy(g => g).ToList();
            return gaps[gaps.Count / 2] < 0.5;
        }

        /// <param name="windowSeconds">The window of a haniwers v1 file, which does not record it; rates are then counts per window when 1.</param>
        /// <param name="suppressThreshold">In a haniwers v1 serial.csv, rows where a channel sits at or above this were not scanning it.</param>
        public static List<ScanPoint> Read(string path, double windowSeconds = 1, int suppressThreshold = 1000) => Detect(path) switch
        {
            ScanFileFormat.Haniwers => ReadOurs(path),
            ScanFileFormat.HaniwersV1Scan => ReadV1(path, windowSeconds, suppressThreshold),
            var v0 => ReadV0(path, v0),
        };

        private static List<ScanPoint> ReadOurs(string path)
        {
            var points = new List<ScanPoint>();
            using var reader = new StreamReader(path);
            using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { MissingFieldFound = null, BadDataFound = null });
            csv.Read();
            csv.ReadHeader();
            foreach (var column in new[] { "Channel", "Threshold", "Events", "DurationSeconds" })
            {
                if (!csv.HeaderRecord!.Contains(column)) throw new InvalidDataException($"'{path}' has no {column} column.");
            }
            bool hasRun = csv.HeaderRecord!.Contains("RunId");
            bool hasTime = csv.HeaderRecord!.Contains("Timestamp");
            while (csv.Read())
            {
                // a row without its line end was cut short (a power loss), whatever its fields parse to: not read (CutLine tells)
                if (!csv.Parser.RawRecord.EndsWith("\n", StringComparison.Ordinal)) break;
                // a cut row (power loss) has empty or missing fields: it becomes NaN and the fit drops it with a warning
                points.Add(new ScanPoint(
                    csv.TryGetField<int>("Channel", out var channel) ? channel : 0,
                    csv.TryGetField<double>("Threshold", out var threshold) ? threshold : double.NaN,
                    csv.TryGetField<double>("Events", out var events) ? events : double.NaN,
                    csv.TryGetField<double>("DurationSeconds", out var duration) ? duration : double.NaN,
                    hasRun ? csv.GetField("RunId") : null,
                    hasTime && DateTimeOffset.TryParse(csv.GetField("Timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time : (DateTimeOffset?)null));
            }
            return points.Where(p => ConfigValidator.IsChannel(p.Channel)).ToList();
        }

        /// <summary>
        /// v1: each row is one window; channel N's point is (chN, its layer's hits). A file holds every
        /// run appended: a run ends where a scanned channel's threshold stops rising, and is named after
        /// the file and its first timestamp. A cut row (too few fields) becomes points the fit drops.
        /// </summary>
        private static List<ScanPoint> ReadV1(string path, double window, int suppressThreshold)
        {
            var points = new List<ScanPoint>();
            var runs = new RunSplitter(Path.GetFileName(path));
            foreach (var row in Rows(path))
            {
                var time = Time(row[0]);
                if (row.Length != 8)
                {
                    foreach (int channel in ConfigValidator.Channels) points.Add(new ScanPoint(channel, double.NaN, double.NaN, window, runs.Current, time));
                    continue;
                }
                var scanned = ConfigValidator.Channels.Where(ch => Value(row[1 + ch]) < suppressThreshold).ToList(); // a serial scan held the others quiet
                string run = runs.Next(time, scanned.Select(ch => (ch, Value(row[1 + ch]))));
                foreach (int channel in scanned) points.Add(new ScanPoint(channel, Value(row[1 + channel]), Value(row[4 + channel]), window, run, time));
            }
            return points;
        }

        /// <summary>v0: each row is one window of the channel in its third field (0: all, a parallel scan); its length is the second.</summary>
        private static List<ScanPoint> ReadV0(string path, ScanFileFormat format)
        {
            int columns = format == ScanFileFormat.HaniwersV0ScanShort ? 5 : format == ScanFileFormat.HaniwersV0Scan ? 8 : 11;
            var points = new List<ScanPoint>();
            var runs = new RunSplitter(Path.GetFileName(path));
            foreach (var row in Rows(path))
            {
                var time = Time(row[0]);
                if (row.Length != columns || row.Length < 5)
                {
                    if (row.Length >= 3 && Value(row[2]) is double ch && ch >= 1 && ch <= ConfigValidator.ChannelCount) points.Add(new ScanPoint((int)ch, double.NaN, double.NaN, 1, runs.Current, time));
                    continue;
                }
                double duration = Value(row[1]), threshold = Value(row[3]);
                int channel = (int)Value(row[2]);
                var channels = channel == 0 ? ConfigValidator.Channels : new[] { channel };
                string run = runs.Next(time, channels.Select(ch => (ch, threshold)));
                foreach (int ch in channels)
                {
                    // the late form counts hits per layer; the others count every event of the window, the other channels held quiet
                    double events = format == ScanFileFormat.HaniwersV0ScanWithHits ? Value(row[4 + ch]) : Value(row[4]);
                    if (format != ScanFileFormat.HaniwersV0ScanWithHits && channel == 0) continue; // no per-layer counts: not attributable
                    points.Add(new ScanPoint(ch, threshold, events, duration, run, time));
                }
            }
            return points;
        }

        /// <summary>
        /// Tells the runs of a file that haniwers appended to: within a run every scanned channel's
        /// threshold rises; a threshold that does not means a new run began.
        /// </summary>
        private sealed class RunSplitter
        {
            private readonly string _file;
            private readonly Dictionary<int, double> _last = new Dictionary<int, double>();

            public RunSplitter(string file)
            {
                _file = file;
                Current = file;
            }

            public string Current { get; private set; }

            public string Next(DateTimeOffset? time, IEnumerable<(int channel, double threshold)> scanned)
            {
                var list = scanned.ToList();
                bool restart = _last.Count == 0 || list.Any(s => _last.TryGetValue(s.channel, out var last) && s.threshold <= last);
                if (restart)
                {
                    _last.Clear();
                    Current = time is DateTimeOffset t ? $"{_file}@{t:yyyy-MM-ddTHH:mm:ss}" : $"{_file}#{++_count}";
                }
                foreach (var (channel, threshold) in list) _last[channel] = threshold;
                return Current;
            }

            private int _count;
        }

        private static DateTimeOffset? Time(string field) =>
            DateTimeOffset.TryParse(field, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var t) ? t : (DateTimeOffset?)null;

        private static IEnumerable<string[]> Rows(string path) =>
            WholeLines(path).Where(l => l.Trim().Length > 0).Select(Split);

        private static List<string[]> FirstRows(string path, int count) =>
            WholeLines(path).Where(l => l.Trim().Length > 0).Take(count).Select(Split).ToList();

        /// <summary>The file's lines that end with a line end: a last line without one was cut short and is not data.</summary>
        private static IEnumerable<string> WholeLines(string path)
        {
            bool cut = EndsCut(path);
            string? previous = null;
            foreach (var line in File.ReadLines(path))
            {
                if (previous is not null) yield return previous;
                previous = line;
            }
            if (previous is not null && !cut) yield return previous;
        }

        /// <summary>
        /// The number of the file's last line when it has no line end (a write cut short: docs/formats.md), else null.
        /// Readers leave that line out, whatever its fields parse to.
        /// </summary>
        public static long? CutLine(string path)
        {
            if (!EndsCut(path)) return null;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long lines = 1;
            var buffer = new byte[1 << 16];
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
                for (int i = 0; i < n; i++) if (buffer[i] == '\n') lines++;
            return lines;
        }

        /// <summary>The longest line a scan file can have: a haniwers v0 row with hits is about 120 characters, this module's about 200.</summary>
        public const int MaxLineLength = 4096;

        /// <summary>
        /// Refuses a file with a line longer than <see cref="MaxLineLength"/> (a file that is not a scan, or junk) before any
        /// line of it is read into memory: the check streams the file in blocks, so memory stays flat however long the line.
        /// </summary>
        private static void CheckLineLengths(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            var buffer = new byte[1 << 16];
            long line = 1, length = 0;
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    if (buffer[i] == '\n')
                    {
                        line++;
                        length = 0;
                    }
                    else if (++length > MaxLineLength)
                    {
                        throw new InvalidDataException($"'{path}' is not a scan file: its line {line} is longer than {MaxLineLength} characters (no scan file's line is longer than a few hundred). Nothing of it was read.");
                    }
                }
            }
        }

        /// <summary>Whether the file's last byte is not a line end (its last line was cut short); read from the end, not the whole file.</summary>
        private static bool EndsCut(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length == 0) return false;
            stream.Seek(-1, SeekOrigin.End);
            return stream.ReadByte() != '\n';
        }

        /// <summary>A line of an unknown file as a message may show it: 80 characters at most, control characters and other unprintables as '?' (a binary file's bytes would drive the terminal).</summary>
        internal static string Excerpt(string text)
        {
            var shown = new string(text.Take(80).Select(c => char.IsControl(c) || c == '\uFFFD' || char.IsSurrogate(c) ? '?' : c).ToArray());
            return text.Length > 80 ? shown + "…" : shown;
        }

        private static string[] Split(string line) => line.Split(',').Select(f => f.Trim().Trim('"')).ToArray();

        private static bool IsTimestamp(string field) =>
            DateTimeOffset.TryParse(field, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out _);

        private static bool IsNumber(string field) => double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        private static bool IsInteger(string field) => long.TryParse(field, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);
        private static double Value(string field) => double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
        private static bool IsChannel(string field) => IsInteger(field) && Value(field) >= 0 && Value(field) <= ConfigValidator.ChannelCount;
        private static bool IsDac(string field) => IsInteger(field) && Value(field) >= 1 && Value(field) <= 1023;
    }
}
