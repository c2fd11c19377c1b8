namespace Haniwers.Protocol
{
    /// <summary>What a line from the device is.</summary>
    public enum LineKind
    {
        Blank,
        Event,
        Debug,
        Json,
        /// <summary>A single word: a binary-firmware answer (1, 2, 3, dame), an echo byte, or boot text.</summary>
        Token,
        /// <summary>Anything else: counted, reported at verbose level, never counted as an event.</summary>
        Malformed,
        /// <summary>Text a board prints when it starts (<see cref="BootText"/>): seen mid-run, the board reset.</summary>
        Boot,
    }

    /// <summary>
    /// Parses event lines (top mid btm adc tmp atm hmd) by hand: invariant '.' decimals whatever the
    /// culture, fields separated by any run of spaces or tabs, a trailing \r tolerated, no allocation.
    /// </summary>
    public static class EventLineParser
    {
        /// <summary>
        /// A received line as a window or an event reader sees it: a line longer than the protocol
        /// allows is malformed whatever it starts with; boot text is told apart from other words.
        /// </summary>
        public static LineKind Classify(in Transport.ReceivedLine line, out EventFields fields)
        {
            if (line.TooLong)
            {
                fields = default;
                return LineKind.Malformed;
            }
            var kind = Classify(line.Text, out fields);
            if ((kind == LineKind.Token || kind == LineKind.Malformed) && BootText.IsBootLine(line.Text.Trim())) return LineKind.Boot;
            return kind;
        }

        public static LineKind Classify(string line, out EventFields fields)
        {
            fields = default;
            int i = SkipBlanks(line, 0);
            int end = line.Length;
            while (end > i && IsBlank(line[end - 1])) end--;
            if (i >= end) return LineKind.Blank;
            char first = line[i];
            if (first == '{') return LineKind.Json;
            if (first == 'D' && string.CompareOrdinal(line, i, "DEBUG", 0, 5) == 0) return LineKind.Debug;
            if (TryParse(line, out fields)) return LineKind.Event;
            for (int j = i; j < end; j++)
            {
                if (IsBlank(line[j])) return LineKind.Malformed;
            }
            return LineKind.Token;
        }

        /// <summary>True when the line is a well-formed seven-field event line.</summary>
        public static bool TryParse(string line, out EventFields fields)
        {
            fields = default;
            int i = 0;
            if (!Integer(line, ref i, out fields.Top)) return false;
            if (!Integer(line, ref i, out fields.Mid)) return false;
            if (!Integer(line, ref i, out fields.Btm)) return false;
            if (!Integer(line, ref i, out fields.Adc)) return false;
            if (!Decimal(line, ref i, out fields.Temperature)) return false;
            if (!Decimal(line, ref i, out fields.Pressure)) return false;
            if (!Decimal(line, ref i, out fields.Humidity)) return false;
            i = SkipBlanks(line, i);
            return i == line.Length;
        }

        private static bool IsBlank(char c) => c == ' ' || c == '\t' || c == '\r';

        private static int SkipBlanks(string s, int i)
        {
            while (i < s.Length && IsBlank(s[i])) i++;
            return i;
        }

        // A field must be followed by a blank or the end of the line.
        private static bool EndOfField(string s, int i) => i == s.Length || IsBlank(s[i]);

        private static bool Integer(string s, ref int i, out int value)
        {
            value = 0;
            i = SkipBlanks(s, i);
            int start = i;
            long v = 0;
            while (i < s.Length)
            {
                int d = s[i] - '0';
                if ((uint)d > 9) break;
                v = v * 10 + d;
                if (v > int.MaxValue) return false;
                i++;
            }
            if (i == start || !EndOfField(s, i)) return false;
            value = (int)v;
            return true;
        }

        private static readonly double[] PowersOfTen =
            { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18 };

        private static bool Decimal(string s, ref int i, out double value)
        {
            value = 0;
            i = SkipBlanks(s, i);
            // a sensor that failed: the Arduino prints nan (docs/protocol.md); the event is kept, the value is not a number
            if (i + 3 <= s.Length && string.Compare(s, i, "nan", 0, 3, System.StringComparison.OrdinalIgnoreCase) == 0 && EndOfField(s, i + 3))
            {
                value = double.NaN;
                i += 3;
                return true;
            }
            bool negative = false;
            if (i < s.Length && (s[i] == '-' || s[i] == '+'))
            {
                negative = s[i] == '-';
                i++;
            }
            long mantissa = 0;
            int digits = 0, fraction = 0;
            bool point = false;
            while (i < s.Length)
            {
                char c = s[i];
                if (c == '.' && !point)
                {
                    point = true;
                }
                else
                {
                    int d = c - '0';
                    if ((uint)d > 9) break;
                    if (digits >= 18) return false; // more precision than any sensor has
                    mantissa = mantissa * 10 + d;
                    digits++;
                    if (point) fraction++;
                }
                i++;
            }
            if (digits == 0 || !EndOfField(s, i)) return false;
            // one division: correctly rounded while the mantissa has at most 15 digits, as sensor values do
            value = mantissa / PowersOfTen[fraction];
            if (negative) value = -value;
            return true;
        }
    }
}
