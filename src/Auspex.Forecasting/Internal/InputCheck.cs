using System.Globalization;

namespace Auspex.Forecasting.Internal;

/// <summary>Validation shared by every model; returns a reason string or null.</summary>
internal static class InputCheck
{
    public static string? Series(ReadOnlySpan<double> y)
    {
        if (y.IsEmpty)
        {
            return "empty series";
        }
        for (var i = 0; i < y.Length; i++)
        {
            if (!double.IsFinite(y[i]))
            {
                return string.Create(CultureInfo.InvariantCulture, $"non-finite value {y[i]} at index {i}");
            }
        }
        return null;
    }

    public static string? Request(int horizon, IReadOnlyList<double> levels)
    {
        if (horizon < 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"horizon must be at least 1 (was {horizon})");
        }
        if (levels is null)
        {
            return "levels is null";
        }
        foreach (var level in levels)
        {
            if (!(level > 0 && level < 100))
            {
                return string.Create(CultureInfo.InvariantCulture, $"interval level {level} is outside (0, 100)");
            }
        }
        return null;
    }

    public static bool IsConstant(ReadOnlySpan<double> y)
    {
        for (var i = 1; i < y.Length; i++)
        {
            if (y[i] != y[0])
            {
                return false;
            }
        }
        return true;
    }
}
