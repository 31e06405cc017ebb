using System.Globalization;

namespace Auspex.Storage.PromQl;

/// <summary>
/// Prometheus durations (<c>1h30m</c>, <c>5m</c>, <c>90s</c>, <c>250ms</c>; units y=365d, w, d, h, m, s, ms, each at
/// most once and from largest to smallest) and the time and step parameters of its HTTP API.
/// </summary>
public static class PromDuration
{
    private static readonly (string Unit, long Ms)[] Units =
    [
        ("y", 365L * 24 * 3600 * 1000), ("w", 7L * 24 * 3600 * 1000), ("d", 24L * 3600 * 1000), ("h", 3600L * 1000),
        ("m", 60L * 1000), ("s", 1000), ("ms", 1),
    ];

    /// <summary>Parses a Prometheus duration string such as <c>1h30m</c>; false when it is not one.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        if (text == "0")
        {
            return true;
        }
        long total = 0;
        var i = 0;
        var nextUnit = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            if (i == start || !long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }
            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }
            var unit = text[unitStart..i];
            var u = Array.FindIndex(Units, x => x.Unit == unit);
            if (u < nextUnit)
            {
                return false; // unknown unit, repeated unit, or units out of order
            }
            nextUnit = u + 1;
            try
            {
                total = checked(total + checked(n * Units[u].Ms));
            }
            catch (OverflowException)
            {
                return false;
            }
        }
        if (total > (long)TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }
        duration = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>
    /// A duration parameter of the HTTP API (<c>step</c>): seconds as a number with an optional fraction (<c>15</c>,
    /// <c>0.5</c>) or a duration string (<c>30s</c>, <c>5m</c>, <c>1h</c>), as Prometheus accepts it.
    /// </summary>
    public static bool TryParseParameter(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var secs))
        {
            if (!double.IsFinite(secs) || Math.Abs(secs) > 9.2e9)
            {
                return false;
            }
            duration = TimeSpan.FromMilliseconds(Math.Round(secs * 1000));
            return true;
        }
        return TryParse(text, out duration);
    }

    /// <summary>
    /// A time parameter of the HTTP API: Unix seconds with an optional fraction (<c>1700000000.123</c>) or RFC 3339
    /// (<c>2026-12-04T10:00:00Z</c>, <c>2026-12-04T10:00:00.5+01:00</c>), to millisecond precision.
    /// </summary>
    public static bool TryParseTime(string? text, out DateTimeOffset time)
    {
        time = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var secs))
        {
            if (!double.IsFinite(secs) || secs < -62135596800 || secs > 253402300799)
            {
                return false;
            }
            time = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(secs * 1000));
            return true;
        }
        // RFC 3339 only: a date, 'T', a time and an explicit offset.
        if (text.Length < 20 || (text[10] != 'T' && text[10] != 't')
            || !(text.EndsWith('Z') || text.EndsWith('z') || text[^6] is '+' or '-'))
        {
            return false;
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return false;
        }
        time = DateTimeOffset.FromUnixTimeMilliseconds(parsed.ToUnixTimeMilliseconds());
        return true;
    }

    /// <summary>Formats a duration the way Prometheus does (<c>1h30m</c>, <c>5m</c>, <c>0s</c>).</summary>
    public static string Format(TimeSpan d)
    {
        var ms = (long)d.TotalMilliseconds;
        if (ms == 0)
        {
            return "0s";
        }
        var sb = new System.Text.StringBuilder();
        foreach (var (unit, size) in Units)
        {
            if (ms >= size)
            {
                sb.Append((ms / size).ToString(CultureInfo.InvariantCulture)).Append(unit);
                ms %= size;
            }
        }
        return sb.ToString();
    }
}
