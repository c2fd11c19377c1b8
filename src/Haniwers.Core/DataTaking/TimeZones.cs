using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Haniwers.DataTaking
{
    /// <summary>Time zones as users name them: Local, UTC, haniwers' "UTC+09:00", "+09:00", or an IANA or Windows id.</summary>
    public static class TimeZones
    {
        public static TimeZoneInfo Parse(string name)
        {
            string text = name.Trim();
            if (text.Equals("Local", StringComparison.OrdinalIgnoreCase)) return TimeZoneInfo.Local;
            if (text.Equals("UTC", StringComparison.OrdinalIgnoreCase) || text.Equals("Z", StringComparison.OrdinalIgnoreCase)) return TimeZoneInfo.Utc;
            var fixedOffset = Regex.Match(text, @"^(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$", RegexOptions.IgnoreCase);
            if (fixedOffset.Success)
            {
                int hours = int.Parse(fixedOffset.Groups[2].Value, CultureInfo.InvariantCulture);
                int minutes = fixedOffset.Groups[3].Success ? int.Parse(fixedOffset.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
                var offset = new TimeSpan(hours, minutes, 0);
                if (fixedOffset.Groups[1].Value == "-") offset = -offset;
                if (offset.Duration() > TimeSpan.FromHours(14) || minutes > 59) throw new ArgumentException($"'{name}' is not a UTC offset between -14:00 and +14:00.");
                string id = "UTC" + (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
                return TimeZoneInfo.CreateCustomTimeZone(id, offset, id, id);
            }
            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(text);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                throw new ArgumentException($"'{name}' is not a time zone this machine knows. Give Local, UTC, an offset as haniwers writes it (UTC+09:00), or a zone id such as Asia/Tokyo.", ex);
            }
        }
    }
}
