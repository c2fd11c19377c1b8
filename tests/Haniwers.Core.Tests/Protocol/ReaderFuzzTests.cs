using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using CsCheck;
using Haniwers.Protocol;
using Haniwers.Transport;
using Xunit;

namespace Haniwers.Tests.Protocol
{
    /// <summary>
    /// Random lines and byte streams through the real reader (StreamLink) and parser: no exception,
    /// and no event counted from anything but a well-formed event line (docs/protocol.md).
    /// </summary>
    public class ReaderFuzzTests
    {
        private const int LinesPerChunk = 1040; // some random lines are blank, and blank lines are not lines
        private const int Chunks = 10_000; // 10 million lines

        /// <summary>An independent statement of the event-line grammar, the test's oracle.</summary>
        private static readonly Regex EventGrammar = new Regex(
            @"^[ \t\r]*([0-9]+)[ \t\r]+([0-9]+)[ \t\r]+([0-9]+)[ \t\r]+([0-9]+)[ \t\r]+([+-]?[0-9.]+)[ \t\r]+([+-]?[0-9.]+)[ \t\r]+([+-]?[0-9.]+)[ \t\r]*$",
            RegexOptions.CultureInvariant);

        private static bool OracleSaysEvent(string line)
        {
            var m = EventGrammar.Match(line);
            if (!m.Success) return false;
            for (int g = 1; g <= 4; g++)
            {
                if (!int.TryParse(m.Groups[g].Value, NumberStyles.None, CultureInfo.InvariantCulture, out _)) return false;
            }
            for (int g = 5; g <= 7; g++)
            {
                string d = m.Groups[g].Value.TrimStart('+', '-');
                int digits = d.Count(char.IsAsciiDigit);
                if (d.Count(c => c == '.') > 1 || digits == 0 || digits > 18) return false;
            }
            return true;
        }

        private static readonly Gen<string> Separator = Gen.OneOf(Gen.Const(" "), Gen.Const("\t"), Gen.Const("  "), Gen.Const(" \t "));

        private static readonly Gen<string> Decimal =
            Gen.Select(Gen.Int[-1, 1], Gen.Int[0, 200_000], Gen.Int[0, 3], (sign, v, places) =>
                (sign < 0 ? "-" : "") + (places == 0 ? v.ToString(CultureInfo.InvariantCulture) : (v / Math.Pow(10, places)).ToString("F" + places, CultureInfo.InvariantCulture)));

        private static readonly Gen<string> ValidEvent =
            Gen.Select(Gen.Int[0, 300].Array[4], Decimal.Array[3], Separator.Array[6], (ints, decimals, seps) =>
            {
                var fields = ints.Select(i => i.ToString(CultureInfo.InvariantCulture)).Concat(decimals).ToArray();
                var sb = new StringBuilder(fields[0]);
                for (int i = 1; i < 7; i++) sb.Append(seps[i - 1]).Append(fields[i]);
                return sb.ToString();
            });

        /// <summary>An event line with one change: a character deleted, inserted or replaced, a field dropped or added.</summary>
        private static readonly Gen<string> MutatedEvent =
            Gen.Select(ValidEvent, Gen.Int[0, 4], Gen.Int[0, 1000], Gen.Char[(char)0, (char)255], (line, op, at, c) =>
            {
                int i = at % (line.Length + 1);
                return op switch
                {
                    0 => i < line.Length ? line.Remove(i, 1) : line + c,
                    1 => line.Insert(i, c.ToString()),
                    2 => i < line.Length ? line.Remove(i, 1).Insert(i, c.ToString()) : line,
                    3 => line.Substring(0, line.LastIndexOf(' ') < 0 ? line.Length : line.LastIndexOf(' ')),
                    _ => line + " 7",
                };
            });

        private static readonly Gen<string> Printable = Gen.String[Gen.Char[' ', '~'], 0, 80];
        private static readonly Gen<string> AnyBytes = Gen.Byte.Array[0, 80].Select(b => Encoding.Latin1.GetString(b).Replace("\n", ""));
        private static readonly Gen<string> Protocolish = Gen.OneOf(Gen.Const("DEBUG dac write ch=1 vth=280"), Gen.Const("{\"type\":\"response\",\"status\":\"ok\",\"channel\":1,\"threshold\":280}"),
            Gen.Const("dame"), Gen.Const("rst:0x1 (POWERON_RESET),boot:0x13"), Gen.Const("12 0 0 455 24.5"), Gen.Const(""), Gen.Const("\r"));

        private static readonly Gen<string> Line = Gen.Frequency((6, ValidEvent), (6, MutatedEvent), (3, Printable), (2, AnyBytes), (1, Protocolish));

        /// <summary>What may end a chunk: nothing, a megabyte line, a run of CRs, NULs, invalid UTF-8, or a cut line.</summary>
        private static readonly Gen<byte[]> Tail = Gen.Frequency(
            (6, Gen.Const(Array.Empty<byte>())),
            (1, Gen.Const(Encoding.ASCII.GetBytes("10 5 0 823 24.50 100204.50 34.50" + new string(' ', 1_000_000) + "1\n"))),
            (1, Gen.Const(Enumerable.Repeat((byte)'\r', 20_000).Append((byte)'\n').ToArray())),
            (1, Gen.Const(new byte[5000].Append((byte)'\n').ToArray())),
            (1, Gen.Const(new byte[] { 0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x82, 0xF0, 0x28, 0x8C, 0xBC, (byte)'\n' })),
            (1, Gen.Const(Encoding.ASCII.GetBytes("10 5 0 823 24.50 100204.50"))));

        private sealed class BytesStream : IOpenedStream
        {
            private readonly MemoryStream _bytes;
            public BytesStream(byte[] bytes) => _bytes = new MemoryStream(bytes, writable: false);
            public int Read(byte[] buffer)
            {
                int n = _bytes.Read(buffer, 0, buffer.Length);
                if (n == 0) throw new EndOfStreamException();
                return n;
            }
            public void Write(byte[] data) { }
            public void DiscardPending() { }
            public void Dispose() => _bytes.Dispose();
        }

        /// <summary>The complete lines of a byte stream as the protocol defines them, with whether each is too long.</summary>
        private static List<(string text, bool tooLong)> ExpectedLines(byte[] bytes)
        {
            var lines = new List<(string, bool)>();
            string all = Encoding.Latin1.GetString(bytes);
            int start = 0;
            for (int nl = all.IndexOf('\n'); nl >= 0; start = nl + 1, nl = all.IndexOf('\n', start))
            {
                string raw = all.Substring(start, nl - start);
                bool tooLong = raw.Length > ProtocolText.MaxLineLength;
                string text = raw.EndsWith('\r') ? raw.Substring(0, raw.Length - 1) : raw;
                if (text.Length > 0 || tooLong) lines.Add((text, tooLong));
            }
            return lines; // a last line without its end is not a line yet
        }

        [Fact]
        public void TenMillionRandomLinesAndByteStreamsCountNoEventFromMalformedInput()
        {
            long linesChecked = 0, eventsCounted = 0;
            var chunk = Gen.Select(Line.Array[LinesPerChunk], Tail, (lines, tail) =>
                Encoding.Latin1.GetBytes(string.Join("\n", lines) + "\n").Concat(tail).ToArray());
            chunk.Sample(bytes =>
            {
                var expected = ExpectedLines(bytes);
                using var link = new StreamLink("fuzz", _ => new BytesStream(bytes), BootText.IsBootLine);
                link.Open(CancellationToken.None);
                var tally = new LineTally();
                int index = 0;
                try
                {
                    while (link.TryReadLine(TimeSpan.MaxValue, CancellationToken.None, out var line))
                    {
                        var (text, tooLong) = expected[index++];
                        Assert.Equal(tooLong, line.TooLong);
                        if (!tooLong) Assert.Equal(text, line.Text);
                        var kind = tally.Add(line, out var fields);
                        Assert.Equal(!tooLong && OracleSaysEvent(text), kind == LineKind.Event);
                        if (kind == LineKind.Event)
                        {
                            var parts = Regex.Split(text.Trim(' ', '\t', '\r'), "[ \t\r]+");
                            Assert.Equal(int.Parse(parts[0], CultureInfo.InvariantCulture), fields.Top);
                            Assert.Equal(int.Parse(parts[3], CultureInfo.InvariantCulture), fields.Adc);
                            Assert.Equal(double.Parse(parts[6], CultureInfo.InvariantCulture), fields.Humidity, 9);
                        }
                    }
                }
                catch (LinkLostException)
                {
                    // the end of the stream: the only exception the reader may give
                }
                Assert.Equal(0, link.Counters.DroppedLines);
                Assert.Equal(expected.Count, index);
                Assert.Equal(expected.Count(l => !l.tooLong && OracleSaysEvent(l.text)), tally.Events);
                Interlocked.Add(ref linesChecked, index);
                Interlocked.Add(ref eventsCounted, tally.Events);
            }, iter: Chunks, seed: "0N0XIzNsQ0O2");
            Assert.True(linesChecked >= 10_000_000, $"{linesChecked} lines checked");
            Assert.True(eventsCounted > 1_000_000, "the generators make well-formed events too");
        }
    }
}
