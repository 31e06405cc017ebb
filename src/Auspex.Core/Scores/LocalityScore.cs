namespace Auspex.Core.Scores;

/// <summary>One part of a score: its normalised value (0–1, 1 = desirable), its weight, and why it has that value.</summary>
public sealed record ScorePart(double Value, double Weight, string Explanation)
{
    /// <summary>Throws when the value or weight is out of range.</summary>
    public ScorePart Validated() =>
        Value is < 0 or > 1 or double.NaN ? throw new ArgumentOutOfRangeException(nameof(Value), $"score part value {Value} is outside [0, 1]")
        : Weight < 0 || !double.IsFinite(Weight) ? throw new ArgumentOutOfRangeException(nameof(Weight), $"weight {Weight} must be ≥ 0")
        : this;
}

/// <summary>The desirability of a locality at a time: Σ weightᵢ · partᵢ over normalised parts, with its inputs.</summary>
/// <param name="Locality">Locality id.</param>
/// <param name="At">When it was computed (the loop's clock).</param>
/// <param name="Desirability">0–1, 1 = desirable.</param>
/// <param name="Parts">Each part by name (capacity, risk, cost, network…).</param>
public sealed record LocalityScore(string Locality, DateTimeOffset At, double Desirability, IReadOnlyDictionary<string, ScorePart> Parts);
