using System;
using System.Globalization;
using Haniwers.Protocol;

namespace Haniwers.DataTaking
{
    /// <summary>
    /// Writes and reads the rows of raw event files (docs/daq.md, "Raw files"). Written as haniwers v1
    /// writes them: <c>timestamp,top,mid,btm,adc,tmp,atm,hmd</c>, the timestamp ISO 8601 with the host's
    /// UTC offset and microseconds, tmp/atm/hmd with two decimals, CRLF. Read: that, haniwers v0's rows
    /// (a space between date and time, decimals as Python prints them), with or without an offset.
    /// Parsing works on the file's bytes and allocates nothing.
    /// </summary>
    public static class RawEventLine
    {
        public const string NewLine = "\r\n";

        /// <summary>The row for one event (with its line end).</summary>
        public static string Format(DateTimeOffset timestamp, in EventFields f) => string.Format(CultureInfo.InvariantCulture,
            "{0:yyyy-MM-ddTHH:mm:ss.ffffffzzz},{1},{2},{3},{4},{5},{6},{7}\r\n",
            timestamp, f.Top, f.Mid, f.Btm, f.Adc, TwoDecimals(f.Temperature), TwoDecimals(f.Pressure), TwoDecimals(f.Humidity));

        /// <summary>Python's f"{x:.2f}": two decimals, and nan for a sensor that failed.</summary>
        private static string TwoDecimals(double value) => double.IsNaN(value) ? "nan" : value.ToString("F2", CultureInfo.InvariantCulture);

        /// <summary>
        /// Parses one row (without its line end; a trailing CR is allowed). False for anything else: a
        /// header, a cut row, a row of another file kind.
        /// </summary>
        public static bool TryParse(ReadOnlySpan<byte> line, out RawEvent row)
        {
            row = default;
            if (line.Length > 0 && line[line.Length - 1] == (byte)'\r') line = line.Slice(0, line.Length - 1);
            int comma = line.IndexOf((byte)',');
            if (comma < 0 || !TryParseTimestamp(line.Slice(0, comma), out row.UtcTicks, out row.OffsetMinutes)) return false;
            var rest = line.Slice(comma + 1);
            return NextInt(ref rest, out row.Fields.Top) && NextInt(ref rest, out row.Fields.Mid) && NextInt(ref rest, out row.Fields.Btm)
                && NextInt(ref rest, out row.Fields.Adc) && NextDouble(ref rest, out row.Fields.Temperature)
                && NextDouble(ref rest, out row.Fields.Pressure) && LastDouble(rest, out row.Fields.Humidity);
        }

        /// <summary>A whole number up to the next comma (one pass, at most 9 digits).</summary>
        private static bool NextInt(ref ReadOnlySpan<byte> rest, out int value)
        {
            value = 0;
            int i = 0;
            for (; i < rest.Length; i++)
            {
                int d = rest[i] - '0';
                if ((uint)d > 9) break;
                value = value * 10 + d;
            }
            if (i == 0 || i > 9 || i >= rest.Length || rest[i] != (byte)',') return false;
            rest = rest.Slice(i + 1);
            return true;
        }

        private static bool NextDouble(ref ReadOnlySpan<byte> rest, out double value)
        {
            int comma = rest.IndexOf((byte)',');
            value = 0;
            if (comma <= 0 || !ParseDouble(rest.Slice(0, comma), out value)) return false;
            rest = rest.Slice(comma + 1);
            return true;
        }

        private static bool LastDouble(ReadOnlySpan<byte> rest, out double value)
        {
            value = 0;
            return rest.Length > 0 && ParseDouble(rest, out value);
        }

        private static readonly double[] PowersOfTen = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };

        /// <summary>
        /// A decimal number. The common short form (at most 15 digits, no exponent) is exact as
        /// digits / 10^k (both exactly representable, one correctly rounded division); anything else
        /// goes to double.Parse.
        /// </summary>
        private static bool ParseDouble(ReadOnlySpan<byte> text, out double value)
        {
            if (text.Length == 3 && (text[0] | 0x20) == 'n' && (text[1] | 0x20) == 'a' && (text[2] | 0x20) == 'n')
            {
                value = double.NaN; // a failed sensor, as haniwers writes it
                return true;
            }
            int i = 0;
            bool negative = false;
            if (text[0] == (byte)'-') { negative = true; i = 1; }
            long mantissa = 0;
            int digits = 0, decimals = -1;
            for (; i < text.Length; i++)
            {
                byte c = text[i];
                if (c == (byte)'.' && decimals < 0) { decimals = 0; continue; }
                int d = c - '0';
                if ((uint)d > 9 || digits >= 15) return ParseSlow(text, out value);
                mantissa = mantissa * 10 + d;
                digits++;
                if (decimals >= 0) decimals++;
            }
            if (digits == 0) { value = 0; return false; }
            value = decimals > 0 ? mantissa / PowersOfTen[decimals] : mantissa;
            if (negative) value = -value;
            return true;
        }

        private static bool ParseSlow(ReadOnlySpan<byte> text, out double value)
        {
            value = 0;
            if (text.Length > 64) return false;
            var chars = new char[text.Length];
            for (int i = 0; i < text.Length; i++) chars[i] = (char)text[i];
            return double.TryParse(new string(chars), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value) && !double.IsInfinity(value);
        }

        /// <summary>
        /// yyyy-MM-dd, T or a space, HH:mm:ss, optionally .f to .fffffff, optionally Z or ±HH:MM (or ±HHMM).
        /// </summary>
        public static bool TryParseTimestamp(ReadOnlySpan<byte> t, out long utcTicks, out short? offsetMinutes)
        {
            utcTicks = 0;
            offsetMinutes = null;
            if (t.Length < 19 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':') return false;
            if (!Digits(t, 0, 4, out int year) || !Digits(t, 5, 2, out int month) || !Digits(t, 8, 2, out int day)
                || !Digits(t, 11, 2, out int hour) || !Digits(t, 14, 2, out int minute) || !Digits(t, 17, 2, out int second)) return false;
            if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
            long ticks = DayTicks(year, month, day) + hour * TimeSpan.TicksPerHour + minute * TimeSpan.TicksPerMinute + second * TimeSpan.TicksPerSecond;
            int i = 19;
            if (i < t.Length && t[i] == '.')
            {
                i++;
                long fraction = 0;
                int n = 0;
                for (; i < t.Length && (uint)(t[i] - '0') <= 9; i++, n++)
                {
                    if (n < 7) fraction = fraction * 10 + (t[i] - '0');
                }
                if (n == 0) return false;
                for (int k = n; k < 7; k++) fraction *= 10;
                ticks += fraction;
            }
            if (i < t.Length)
            {
                if (t[i] == 'Z' && i == t.Length - 1) offsetMinutes = 0;
                else if (t[i] == '+' || t[i] == '-')
                {
                    int sign = t[i] == '-' ? -1 : 1;
                    var zone = t.Slice(i + 1);
                    int offHours, offMinutes;
                    if (zone.Length == 5 && zone[2] == ':' && Digits(zone, 0, 2, out offHours) && Digits(zone, 3, 2, out offMinutes)) { }
                    else if (zone.Length == 4 && Digits(zone, 0, 2, out offHours) && Digits(zone, 2, 2, out offMinutes)) { }
                    else if (zone.Length == 2 && Digits(zone, 0, 2, out offHours)) offMinutes = 0;
                    else return false;
                    if (offHours > 14 || offMinutes > 59) return false;
                    offsetMinutes = (short)(sign * (offHours * 60 + offMinutes));
                }
                else return false;
            }
            utcTicks = ticks - (offsetMinutes ?? 0) * TimeSpan.TicksPerMinute;
            return true;
        }

        [ThreadStatic] private static int _cachedDay;
        [ThreadStatic] private static long _cachedDayTicks;

        private static long DayTicks(int year, int month, int day)
        {
            int key = year * 10000 + month * 100 + day;
            if (key != _cachedDay)
            {
                _cachedDayTicks = new DateTime(year, month, day).Ticks;
                _cachedDay = key;
            }
            return _cachedDayTicks;
        }

        private static bool Digits(ReadOnlySpan<byte> t, int start, int count, out int value)
        {
            value = 0;
            for (int i = start; i < start + count; i++)
            {
                int d = t[i] - '0';
                if ((uint)d > 9) return false;
                value = value * 10 + d;
            }
            return true;
        }
    }
}
