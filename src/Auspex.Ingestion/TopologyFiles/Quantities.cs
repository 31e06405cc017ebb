using System.Globalization;

namespace Auspex.Ingestion.TopologyFiles;

/// <summary>Parses Kubernetes-style quantities (<c>16Gi</c>, <c>125M</c>, <c>500m</c>) and durations (<c>250ms</c>, <c>1h30m</c>, <c>2d</c>).</summary>
public static class Quantities
{
    private static readonly (string Suffix, double Factor)[] Suffixes =
    [
        ("Ki", 1024d), ("Mi", 1024d * 1024), ("Gi", 1024d * 1024 * 1024), ("Ti", 1024d * 1024 * 1024 * 1024),
        ("Pi", 1024d * 1024 * 1024 * 1024 * 1024), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("m", 1e-3),
    ];

    /// <summary>Parses a quantity; false when it is not a finite non-negative number with an optional known suffix.</summary>
    public static bool TryParseQuantity(string? text, out double value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var t = text.Trim();
        var factor = 1d;
        foreach (var (suffix, f) in Suffixes)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal))
            {
                factor = f;
                t = t[..^suffix.Length];
                break;
            }
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || !double.IsFinite(n) || n < 0)
        {
            return false;
        }
        value = n * factor;
        return true;
    }

    /// <summary>Parses a duration made of number+unit parts (ms, s, m, h, d, w), e.g. <c>1h30m</c>; false when malformed.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var t = text.Trim();
        var i = 0;
        var total = 0d;
        while (i < t.Length)
        {
            var start = i;
            while (i < t.Length && (char.IsAsciiDigit(t[i]) || t[i] == '.'))
            {
                i++;
            }
            if (start == i || !double.TryParse(t.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }
            var unitStart = i;
            while (i < t.Length && char.IsAsciiLetter(t[i]))
            {
                i++;
            }
            var ms = t[unitStart..i] switch
            {
                "ms" => 1d,
                "s" => 1000d,
                "m" => 60_000d,
                "h" => 3_600_000d,
                "d" => 86_400_000d,
                "w" => 604_800_000d,
                _ => double.NaN,
            };
            if (double.IsNaN(ms))
            {
                return false;
            }
            total += n * ms;
        }
        value = TimeSpan.FromMilliseconds(total);
        return true;
    }
}
