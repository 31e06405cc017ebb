using System.Globalization;

namespace Auspex.Kubernetes.Extender;

/// <summary>Parses Kubernetes resource quantities ("500m", "1.5", "128Mi", "1G", "2e3") into base units.</summary>
public static class KubeQuantity
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a quantity.</summary>
    public static bool TryParse(string? text, out double value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var s = text.Trim();
        double factor = 1;
        string number = s;
        (string Suffix, double Factor)[] suffixes =
        [
            ("Ki", 1024.0), ("Mi", 1024.0 * 1024), ("Gi", 1024.0 * 1024 * 1024), ("Ti", 1024.0 * 1024 * 1024 * 1024),
            ("Pi", Math.Pow(1024, 5)), ("Ei", Math.Pow(1024, 6)),
            ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18),
        ];
        foreach (var (suffix, f) in suffixes)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal) && s.Length > suffix.Length && (char.IsDigit(s[^(suffix.Length + 1)]) || s[^(suffix.Length + 1)] == '.'))
            {
                factor = f;
                number = s[..^suffix.Length];
                break;
            }
        }
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < 0)
        {
            return false;
        }
        value = v * factor;
        return true;
    }
}
