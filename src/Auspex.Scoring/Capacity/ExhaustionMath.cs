using Auspex.Core.Forecasts;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring;

/// <summary>
/// The formulas behind the Capacity Exhaustion Score, public so they can be checked against known values.
/// </summary>
public static class ExhaustionMath
{
    /// <summary>
    /// P(X ≥ <paramref name="capacity"/>) for one forecast step, read from the step's quantiles: the CDF is linear
    /// between stored levels, and beyond the outermost levels a normal tail is fitted to the two outermost quantiles.
    /// A step whose quantiles are all equal is a point mass (probability 1 when it reaches capacity, else 0).
    /// </summary>
    public static double ExceedProbability(IReadOnlyList<double> levels, IReadOnlyList<double> quantiles, double capacity)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(quantiles);
        var k = Math.Min(levels.Count, quantiles.Count);
        if (k == 0 || double.IsNaN(capacity))
        {
            return double.NaN;
        }
        if (quantiles[0] == quantiles[k - 1])
        {
            return quantiles[0] >= capacity ? 1 : 0;
        }
        if (capacity < quantiles[0])
        {
            return 1 - Tail(levels[0], quantiles[0], levels[1], quantiles[1], capacity, lower: true, null);
        }
        if (capacity > quantiles[k - 1])
        {
            return 1 - Tail(levels[k - 2], quantiles[k - 2], levels[k - 1], quantiles[k - 1], capacity, lower: false, null);
        }
        for (var i = 0; i < k - 1; i++)
        {
            if (capacity <= quantiles[i + 1])
            {
                var span = quantiles[i + 1] - quantiles[i];
                var f = span <= 0 ? levels[i + 1] : levels[i] + (capacity - quantiles[i]) / span * (levels[i + 1] - levels[i]);
                return ScoreNormalizer.Clamp01(1 - f);
            }
        }
        return 0;
    }

    /// <summary>As <see cref="ExceedProbability(IReadOnlyList{double}, IReadOnlyList{double}, double)"/> with the normal scores of the levels precomputed.</summary>
    internal static double ExceedProbability(IReadOnlyList<double> levels, double[] z, IReadOnlyList<double> quantiles, double capacity)
    {
        var k = Math.Min(levels.Count, quantiles.Count);
        if (k >= 2 && capacity > quantiles[k - 1] && quantiles[0] != quantiles[k - 1])
        {
            return 1 - Tail(levels[k - 2], quantiles[k - 2], levels[k - 1], quantiles[k - 1], capacity, lower: false, (z[k - 2], z[k - 1]));
        }
        return ExceedProbability(levels, quantiles, capacity);
    }

    /// <summary>Normal scores of quantile levels (clamped away from 0 and 1).</summary>
    internal static double[] LevelScores(IReadOnlyList<double> levels) =>
        levels.Select(l => SpecialFunctions.NormalQuantile(Math.Clamp(l, 1e-9, 1 - 1e-9))).ToArray();

    // CDF at x outside the stored levels, from a normal through two quantiles.
    private static double Tail(double l0, double v0, double l1, double v1, double x, bool lower, (double Z0, double Z1)? zs)
    {
        var z0 = zs?.Z0 ?? SpecialFunctions.NormalQuantile(Math.Clamp(l0, 1e-9, 1 - 1e-9));
        var z1 = zs?.Z1 ?? SpecialFunctions.NormalQuantile(Math.Clamp(l1, 1e-9, 1 - 1e-9));
        var sigma = (v1 - v0) / (z1 - z0);
        if (!(sigma > 0) || !double.IsFinite(sigma))
        {
            // Flat tail: all remaining mass sits at the outermost quantile.
            return lower ? (x < v0 ? 0 : l0) : (x > v1 ? 1 : l1);
        }
        return lower ? SpecialFunctions.NormalCdf(z0 + (x - v0) / sigma) : SpecialFunctions.NormalCdf(z1 + (x - v1) / sigma);
    }

    /// <summary>P(X ≥ capacity) for a normal with this mean and standard deviation (a point mass when sd is 0).</summary>
    public static double ExceedProbabilityNormal(double mean, double sd, double capacity) =>
        sd > 0 ? 1 - SpecialFunctions.NormalCdf((capacity - mean) / sd) : mean >= capacity ? 1 : 0;

    /// <summary>
    /// Time to exhaustion from per-step exceedance probabilities, assuming forecast errors are fully correlated over
    /// the horizon (a bad run stays bad): P(exhausted by step i) = max over steps j ≤ i of pⱼ. Returns the probability
    /// of exhaustion within the horizon, the expected time to first exhaustion capped at the horizon (restricted mean,
    /// measured from <paramref name="at"/>), and the first step by which exhaustion is at least 50 % likely.
    /// </summary>
    public static (double Probability, TimeSpan Expected, DateTimeOffset? LikelyBy) TimeToExhaustion(
        IReadOnlyList<double> stepProbabilities, IReadOnlyList<DateTimeOffset> stepTimes, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(stepProbabilities);
        ArgumentNullException.ThrowIfNull(stepTimes);
        var n = Math.Min(stepProbabilities.Count, stepTimes.Count);
        if (n == 0)
        {
            return (0, TimeSpan.Zero, null);
        }
        double cumulative = 0, expectedSeconds = 0;
        DateTimeOffset? likely = null;
        for (var i = 0; i < n; i++)
        {
            var p = ScoreNormalizer.Clamp01(stepProbabilities[i]);
            if (p > cumulative)
            {
                expectedSeconds += (p - cumulative) * Math.Max(0, (stepTimes[i] - at).TotalSeconds);
                cumulative = p;
            }
            if (likely is null && cumulative >= 0.5)
            {
                likely = stepTimes[i];
            }
        }
        var horizon = Math.Max(0, (stepTimes[n - 1] - at).TotalSeconds);
        expectedSeconds += (1 - cumulative) * horizon;
        return (cumulative, TimeSpan.FromSeconds(expectedSeconds), likely);
    }

    /// <summary>
    /// The normalised capacity value: the headroom score (headroom / comfortable headroom, clamped) capped by the
    /// chance of not running out, 1 − probability. More predicted load never raises it.
    /// </summary>
    public static double Value(double headroom, double comfortableHeadroom, double probabilityWithinHorizon) =>
        Math.Min(ScoreNormalizer.Linear(headroom, 0, comfortableHeadroom), ScoreNormalizer.Invert(probabilityWithinHorizon));

    /// <summary>The standard deviation a forecast step implies at a quantile with normal score z &gt; 0: (Q − mean) / z.</summary>
    internal static double ImpliedSd(Forecast f, int step, double quantile, double z) =>
        z > 0 ? Math.Max(0, f.Quantile(step, quantile) - f.Points[step].Mean) / z : 0;
}
