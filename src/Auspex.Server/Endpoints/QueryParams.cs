using System.Globalization;
using Auspex.Core.Series;
using Auspex.Storage;

namespace Auspex.Server.Endpoints;

/// <summary>Parses the query parameters shared by the read endpoints; every failure names the parameter and why.</summary>
internal static class QueryParams
{
    public static bool TryTime(string? text, string name, DateTimeOffset fallback, out DateTimeOffset at, out string? error)
    {
        error = null;
        at = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var secs) && double.IsFinite(secs) && Math.Abs(secs) < 253402300799)
        {
            at = DateTimeOffset.FromUnixTimeMilliseconds((long)(secs * 1000));
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at))
        {
            return true;
        }
        error = $"parameter '{name}': '{text}' is neither an RFC 3339 time nor Unix seconds";
        return false;
    }

    public static bool TryRange(string? from, string? to, DateTimeOffset now, TimeSpan defaultLength, out TimeRange range, out string? error)
    {
        range = default;
        if (!TryTime(to, "to", now, out var end, out error) || !TryTime(from, "from", end - defaultLength, out var start, out error))
        {
            return false;
        }
        if (end < start)
        {
            error = $"parameter 'to' ({end:O}) is before 'from' ({start:O})";
            return false;
        }
        range = new TimeRange(start, end);
        return true;
    }

    public static bool TryResolution(string? text, out Resolution res, out string? error)
    {
        error = null;
        res = (text ?? "auto").ToLowerInvariant() switch
        {
            "auto" => Resolution.Auto,
            "raw" => Resolution.Raw,
            "5m" => Resolution.FiveMinutes,
            "1h" => Resolution.OneHour,
            _ => (Resolution)(-1),
        };
        if ((int)res == -1)
        {
            error = $"parameter 'resolution': '{text}' is not one of auto, raw, 5m, 1h";
            return false;
        }
        return true;
    }

    public static IReadOnlyList<LabelMatcher>? TryMatch(string? text, out string? error)
    {
        var m = SeriesSelector.TryParse(text, out error);
        if (m is null)
        {
            error = $"parameter 'match': {error}";
        }
        return m;
    }
}
