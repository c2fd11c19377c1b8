using System;
using System.Text.RegularExpressions;

namespace Haniwers.Protocol
{
    /// <summary>
    /// Recognises the text a board prints when it starts (docs/protocol.md, "Boot text"): the ESP32 ROM
    /// loader's lines, the firmware's banner. Seen in the middle of a run it means the board reset and
    /// every threshold is back at its power-on value.
    /// </summary>
    public static class BootText
    {
        private static readonly Regex Pattern = new Regex(
            @"^(ets [A-Z][a-z]{2} |rst:0x|boot:0x|load:0x|entry 0x|ESP-ROM:|configsip:|mode:(DIO|QIO|DOUT|QOUT)|.*\bbooting\b|.*\bfirmware\b.*\bv\d)",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>True when <paramref name="line"/> is part of a boot banner. Event lines never are.</summary>
        public static bool IsBootLine(string line)
        {
            if (line.Length == 0 || char.IsDigit(line[0]) || line[0] == '{') return false;
            if (line.StartsWith("DEBUG", StringComparison.Ordinal)) return false;
            return Pattern.IsMatch(line);
        }
    }
}
