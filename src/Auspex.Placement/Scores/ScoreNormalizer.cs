namespace Auspex.Placement.Scores;

/// <summary>
/// The one normaliser every score plugin uses to map its natural units onto [0, <see cref="MaxScore"/>]
/// (kube-scheduler's framework range), so plugins can be weighted and summed.
/// </summary>
public static class ScoreNormalizer
{
    /// <summary>The top of the normalised range (kube-scheduler's MaxNodeScore).</summary>
    public const double MaxScore = 100;

    /// <summary>
    /// A value on a known scale [<paramref name="min"/>, <paramref name="max"/>] mapped linearly onto [0, 100] and
    /// clamped; NaN maps to 0.
    /// </summary>
    public static double Fixed(double value, double min, double max)
    {
        if (!(max > min) || double.IsNaN(value))
        {
            return 0;
        }
        return Math.Clamp((value - min) / (max - min) * MaxScore, 0, MaxScore);
    }

    /// <summary>
    /// kube-scheduler's DefaultNormalizeScore on doubles: each non-negative value becomes value · 100 / max over the
    /// set (negative values count as 0); <paramref name="reverse"/> then maps s to 100 − s. When every value is 0 all
    /// become 0, or 100 when reversed.
    /// </summary>
    public static void RelativeToMax(Span<double> values, bool reverse)
    {
        var max = 0.0;
        foreach (var v in values)
        {
            if (v > max)
            {
                max = v;
            }
        }
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i] > 0 ? values[i] : 0;
            var s = max > 0 ? Math.Min(MaxScore, v * MaxScore / max) : 0;
            values[i] = reverse ? MaxScore - s : s;
        }
    }

    /// <summary>
    /// Min–max scaling (kube-scheduler's InterPodAffinity normalisation): (v − min) · 100 / (max − min); when every
    /// value is equal all become 0. Works for signed values.
    /// </summary>
    public static void MinMax(Span<double> values)
    {
        if (values.IsEmpty)
        {
            return;
        }
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        var diff = max - min;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = diff > 0 && double.IsFinite(diff) ? Math.Clamp((values[i] - min) * MaxScore / diff, 0, MaxScore) : 0;
        }
    }
}
