namespace Auspex.Scoring;

/// <summary>
/// The one normaliser every score part goes through: natural units in, 0–1 out, 1 = desirable. Every function is
/// total (NaN maps to 0, the undesirable end, so missing or broken inputs never look good) and monotone in its
/// input; property tests hold them to that.
/// </summary>
public static class ScoreNormalizer
{
    /// <summary>Clamps to [0, 1]; NaN becomes 0.</summary>
    public static double Clamp01(double value) => double.IsNaN(value) ? 0 : Math.Clamp(value, 0, 1);

    /// <summary>
    /// Maps <paramref name="value"/> linearly so that <paramref name="worst"/> gives 0 and <paramref name="best"/>
    /// gives 1, clamped outside. Either order works: worst &gt; best describes a cost (lower is better). When
    /// worst equals best the result is 1 at or beyond best and 0 otherwise.
    /// </summary>
    public static double Linear(double value, double worst, double best)
    {
        if (double.IsNaN(value) || double.IsNaN(worst) || double.IsNaN(best))
        {
            return 0;
        }
        if (worst == best)
        {
            return (best >= worst ? value >= best : value <= best) ? 1 : 0;
        }
        return Clamp01((value - worst) / (best - worst));
    }

    /// <summary>A probability of something bad turned into desirability: 1 − p, clamped.</summary>
    public static double Invert(double probability) => double.IsNaN(probability) ? 0 : 1 - Clamp01(probability);

    /// <summary>
    /// A non-negative cost turned into desirability by hyperbolic decay: <c>reference / (reference + cost)</c>. A
    /// cost of 0 scores 1, a cost equal to <paramref name="reference"/> scores 0.5, and the score never reaches 0.
    /// </summary>
    public static double Decay(double cost, double reference)
    {
        if (double.IsNaN(cost) || !(reference > 0))
        {
            return 0;
        }
        return cost <= 0 ? 1 : double.IsPositiveInfinity(cost) ? 0 : Clamp01(reference / (reference + cost));
    }

    /// <summary>
    /// Min–max normalisation of a set of costs (lower is better): the cheapest scores 1, the dearest 0. When every
    /// cost is equal, all score 1. NaN costs score 0.
    /// </summary>
    public static double[] MinMaxCost(IReadOnlyList<double> costs)
    {
        ArgumentNullException.ThrowIfNull(costs);
        var finite = costs.Where(double.IsFinite).ToList();
        var result = new double[costs.Count];
        if (finite.Count == 0)
        {
            return result;
        }
        var min = finite.Min();
        var max = finite.Max();
        for (var i = 0; i < costs.Count; i++)
        {
            result[i] = !double.IsFinite(costs[i]) ? (double.IsNegativeInfinity(costs[i]) ? 1 : 0)
                : max == min ? 1 : Linear(costs[i], max, min);
        }
        return result;
    }

    /// <summary>
    /// The weighted mean Σ wᵢ·vᵢ / Σ wᵢ of normalised values, clamped to [0, 1]. When every weight is 0 it is the
    /// plain mean; with no values it is 0.
    /// </summary>
    public static double WeightedMean(IEnumerable<(double Value, double Weight)> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        double sw = 0, swv = 0, sv = 0;
        var n = 0;
        foreach (var (v, w) in parts)
        {
            var value = Clamp01(v);
            var weight = double.IsFinite(w) && w > 0 ? w : 0;
            sw += weight;
            swv += weight * value;
            sv += value;
            n++;
        }
        return n == 0 ? 0 : sw <= 0 ? Clamp01(sv / n) : Clamp01(swv / sw);
    }
}
