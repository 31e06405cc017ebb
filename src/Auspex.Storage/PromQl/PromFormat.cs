using System.Globalization;
using System.Text;

namespace Auspex.Storage.PromQl;

/// <summary>Numbers as Prometheus' HTTP API writes them.</summary>
public static class PromFormat
{
    /// <summary>
    /// A sample value as Go's <c>strconv.FormatFloat(v, 'f', -1, 64)</c>: the shortest digits that round-trip, never
    /// in exponent form; <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>.
    /// </summary>
    public static string Value(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }
        if (double.IsPositiveInfinity(v))
        {
            return "+Inf";
        }
        if (double.IsNegativeInfinity(v))
        {
            return "-Inf";
        }
        var r = v.ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOf('E', StringComparison.Ordinal);
        if (e < 0)
        {
            return r;
        }
        var negative = r[0] == '-';
        var mantissa = r[(negative ? 1 : 0)..e];
        var exp = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var point = (dot < 0 ? mantissa.Length : dot) + exp;
        var sb = new StringBuilder(negative ? "-" : "");
        if (point <= 0)
        {
            sb.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            sb.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }
        return sb.ToString();
    }

    /// <summary>A timestamp as Prometheus writes it: Unix seconds, with up to three decimals only when the milliseconds are not zero.</summary>
    public static string Timestamp(long unixMs)
    {
        var sb = new StringBuilder();
        if (unixMs < 0)
        {
            sb.Append('-');
            unixMs = -unixMs;
        }
        sb.Append((unixMs / 1000).ToString(CultureInfo.InvariantCulture));
        var frac = unixMs % 1000;
        if (frac != 0)
        {
            sb.Append('.').Append(frac.ToString("000", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
