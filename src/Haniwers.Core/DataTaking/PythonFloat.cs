using System;
using System.Globalization;
using System.Text;

namespace Haniwers.DataTaking
{
    /// <summary>
    /// A double as Python's repr() writes it (what pandas' to_csv writes without float_format): the
    /// shortest digits that read back to the same double, fixed notation for exponents -4..15 with at
    /// least one decimal ("24.0"), else d.ddde±XX; NaN as an empty field.
    /// </summary>
    public static class PythonFloat
    {
        public static string Repr(double value)
        {
            if (double.IsNaN(value)) return "";
            if (double.IsPositiveInfinity(value)) return "inf";
            if (double.IsNegativeInfinity(value)) return "-inf";
            if (value == 0) return BitConverter.DoubleToInt64Bits(value) < 0 ? "-0.0" : "0.0";
            // .NET Core 3.0 and later: "R" gives the shortest round-trip digits, as Python's repr does
            string r = value.ToString("R", CultureInfo.InvariantCulture);
            bool negative = r[0] == '-';
            if (negative) r = r.Substring(1);
            int e = r.IndexOfAny(new[] { 'E', 'e' });
            string mantissa = e < 0 ? r : r.Substring(0, e);
            int exponent = e < 0 ? 0 : int.Parse(r.Substring(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            int point = mantissa.IndexOf('.');
            string digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
            int pointPosition = (point < 0 ? mantissa.Length : point) + exponent; // digits before the decimal point
            int leadingZeros = 0;
            while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0') leadingZeros++;
            digits = digits.Substring(leadingZeros);
            pointPosition -= leadingZeros;
            digits = digits.TrimEnd('0');
            if (digits.Length == 0) digits = "0";
            int decimalExponent = pointPosition - 1; // value = d.ddd × 10^decimalExponent
            var text = new StringBuilder(negative ? "-" : "");
            if (decimalExponent >= -5 + 1 && decimalExponent < 16)
            {
                if (pointPosition <= 0) text.Append("0.").Append('0', -pointPosition).Append(digits);
                else if (pointPosition >= digits.Length) text.Append(digits).Append('0', pointPosition - digits.Length).Append(".0");
                else text.Append(digits, 0, pointPosition).Append('.').Append(digits, pointPosition, digits.Length - pointPosition);
            }
            else
            {
                text.Append(digits[0]);
                if (digits.Length > 1) text.Append('.').Append(digits, 1, digits.Length - 1);
                text.Append('e').Append(decimalExponent < 0 ? '-' : '+').Append(Math.Abs(decimalExponent).ToString("00", CultureInfo.InvariantCulture));
            }
            return text.ToString();
        }
    }
}
