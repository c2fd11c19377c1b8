using System;
using System.IO;
using System.Linq;
using System.Text;

namespace Haniwers.Configuration
{
    /// <summary>
    /// Reads a configuration file's text: UTF-8 (with or without a byte-order mark) or UTF-16/32 with
    /// one. Any other encoding is named as such, with the first byte that is not UTF-8, instead of
    /// being decoded into garbage that fails later with an unrelated message.
    /// </summary>
    public static class ConfigText
    {
        public static string Read(string path) => Read(path, out _);

        /// <param name="byteOrderMark">Whether the file starts with one (haniwers' tomllib refuses such a file).</param>
        public static string Read(string path, out bool byteOrderMark)
        {
            byte[] bytes = File.ReadAllBytes(path);
            byteOrderMark = StartsWith(bytes, 0xEF, 0xBB, 0xBF) || StartsWith(bytes, 0xFF, 0xFE) || StartsWith(bytes, 0xFE, 0xFF);
            if (StartsWith(bytes, 0xEF, 0xBB, 0xBF)) return Strict(path, bytes, 3);
            if (StartsWith(bytes, 0xFF, 0xFE, 0x00, 0x00)) return new UTF32Encoding(false, true, true).GetString(bytes, 4, bytes.Length - 4);
            if (StartsWith(bytes, 0xFF, 0xFE)) return new UnicodeEncoding(false, true, true).GetString(bytes, 2, bytes.Length - 2);
            if (StartsWith(bytes, 0xFE, 0xFF)) return new UnicodeEncoding(true, true, true).GetString(bytes, 2, bytes.Length - 2);
            if (bytes.Length >= 4 && bytes.Count(b => b == 0) * 4 >= bytes.Length)
            {
                throw new ConfigFileException(path,
                    $"'{path}' looks like UTF-16 text without a byte-order mark (every other byte is zero). Save it as UTF-8, which haniwers reads too.");
            }
            return Strict(path, bytes, 0);
        }

        private static string Strict(string path, byte[] bytes, int offset)
        {
            try
            {
                return new UTF8Encoding(false, true).GetString(bytes, offset, bytes.Length - offset);
            }
            catch (DecoderFallbackException ex)
            {
                int index = FirstInvalid(bytes, offset);
                int line = 1 + bytes.Take(index).Count(b => b == (byte)'\n');
                throw new ConfigFileException(path,
                    $"'{path}' is not UTF-8 text: byte 0x{bytes[index]:X2} on line {line} is not valid UTF-8. The file looks saved as Latin-1 or Windows-1252 (as some editors on Windows do). Save it as UTF-8, which haniwers reads too.",
                    line, null, ex);
            }
        }

        /// <summary>The offset of the first byte that does not start or continue a valid UTF-8 sequence.</summary>
        private static int FirstInvalid(byte[] bytes, int offset)
        {
            int i = offset;
            while (i < bytes.Length)
            {
                if (!IsValidUtf8At(bytes, i, out int length)) return i;
                i += length;
            }
            return bytes.Length - 1;
        }

        /// <summary>Whether a valid UTF-8 sequence starts at <paramref name="i"/>; its length in <paramref name="length"/>.</summary>
        private static bool IsValidUtf8At(byte[] b, int i, out int length)
        {
            byte lead = b[i];
            length = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 0;
            if (length == 0 || (length == 2 && lead < 0xC2) || i + length > b.Length) return lead < 0x80;
            for (int k = 1; k < length; k++)
            {
                if ((b[i + k] & 0xC0) != 0x80) return false;
            }
            return true;
        }

        private static bool StartsWith(byte[] bytes, params byte[] prefix) =>
            bytes.Length >= prefix.Length && prefix.Select((p, i) => bytes[i] == p).All(x => x);
    }
}
