using System.Globalization;

namespace Auspex.Forecasting.Batch;

/// <summary>A forecast horizon given either in steps (<c>48</c>) or as a duration (<c>15min</c>, <c>1h</c>, <c>24h</c>, <c>2d</c>).</summary>
public readonly record struct HorizonSpec
{
    private HorizonSpec(int? steps, TimeSpan? duration)
    {
        Steps = steps;
        Duration = duration;
    }

    /// <summary>The horizon in steps, if given that way.</summary>
    public int? Steps { get; }

    /// <summary>The horizon as a duration, if given that way.</summary>
    public TimeSpan? Duration { get; }

    /// <summary>A horizon of <paramref name="steps"/> steps (at least 1).</summary>
    public static HorizonSpec FromSteps(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        return new(steps, null);
    }

    /// <summary>A horizon of <paramref name="duration"/> (positive).</summary>
    public static HorizonSpec FromDuration(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return new(null, duration);
    }

    /// <summary>Parses <c>48</c> (steps) or a number with a unit: s, min (or m), h, d, w.</summary>
    public static bool TryParse(string? text, out HorizonSpec horizon)
    {
        horizon = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        text = text.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var steps))
        {
            if (steps < 1)
            {
                return false;
            }
            horizon = FromSteps(steps);
            return true;
        }
        var i = 0;
        while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '.'))
        {
            i++;
        }
        if (i == 0 || !double.TryParse(text[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            return false;
        }
        TimeSpan? d = text[i..].Trim().ToLowerInvariant() switch
        {
            "s" or "sec" => TimeSpan.FromSeconds(value),
            "m" or "min" => TimeSpan.FromMinutes(value),
            "h" or "hr" => TimeSpan.FromHours(value),
            "d" or "day" or "days" => TimeSpan.FromDays(value),
            "w" or "week" => TimeSpan.FromDays(7 * value),
            _ => null,
        };
        if (d is null)
        {
            return false;
        }
        horizon = FromDuration(d.Value);
        return true;
    }

    /// <summary>The number of steps for a series sampled every <paramref name="step"/> (null for integer-step series).</summary>
    /// <returns>The steps, or null when a duration is asked of a series without time stamps.</returns>
    public int? ToSteps(TimeSpan? step)
    {
        if (Steps is { } s)
        {
            return s;
        }
        if (step is null || step.Value <= TimeSpan.Zero)
        {
            return null;
        }
        return Math.Max(1, (int)Math.Ceiling(Duration!.Value.Ticks / (double)step.Value.Ticks - 1e-9));
    }

    /// <inheritdoc/>
    public override string ToString() => Steps is { } s ? s.ToString(CultureInfo.InvariantCulture) : Duration!.Value.ToString("c", CultureInfo.InvariantCulture);
}
