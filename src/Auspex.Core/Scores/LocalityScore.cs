namespace Auspex.Core.Scores;

/// <summary>
/// Builds the explanation of a score part on demand (see <see cref="ScorePart.Deferred"/>): a scorer that produces
/// thousands of parts per pass keeps the numbers behind each and writes the sentence only when someone reads it.
/// </summary>
public interface IScoreExplainer
{
    /// <summary>The explanation of the part the scorer registered under <paramref name="key"/>; the same text every call.</summary>
    string Explain(int key);
}

/// <summary>One part of a score: its normalised value (0–1, 1 = desirable), its weight, and why it has that value.</summary>
/// <remarks>
/// The explanation is either given (the primary constructor) or built on first read from an <see cref="IScoreExplainer"/>
/// (<see cref="Deferred"/>) and then kept. Either way the part reads, compares, prints and serialises the same: equality
/// and the hash are over (Value, Weight, Explanation).
/// </remarks>
public sealed record ScorePart
{
    private string? _explanation;
    private IScoreExplainer? _explainer;
    private readonly int _key;

    /// <summary>A part with its explanation.</summary>
    public ScorePart(double Value, double Weight, string Explanation)
    {
        this.Value = Value;
        this.Weight = Weight;
        _explanation = Explanation;
    }

    private ScorePart(double value, double weight, IScoreExplainer explainer, int key)
    {
        Value = value;
        Weight = weight;
        _explainer = explainer;
        _key = key;
    }

    /// <summary>A part whose explanation is written by <paramref name="explainer"/> when first read.</summary>
    public static ScorePart Deferred(double value, double weight, IScoreExplainer explainer, int key)
    {
        ArgumentNullException.ThrowIfNull(explainer);
        return new ScorePart(value, weight, explainer, key);
    }

    /// <summary>Normalised value, 0–1, 1 = desirable.</summary>
    public double Value { get; init; }

    /// <summary>Weight of the part in the desirability.</summary>
    public double Weight { get; init; }

    /// <summary>Why the part has its value (built on first read for a deferred part; concurrent first reads build the same text).</summary>
    public string Explanation
    {
        get
        {
            if (Volatile.Read(ref _explanation) is { } text)
            {
                return text;
            }
            if (Volatile.Read(ref _explainer) is not { } explainer)
            {
                // Another thread wrote it (the text is published before the explainer is let go).
                return Volatile.Read(ref _explanation)!;
            }
            text = explainer.Explain(_key);
            Volatile.Write(ref _explanation, text);
            // Let go of the explainer (and the pass's numbers behind it) once the text is kept.
            Volatile.Write(ref _explainer, null);
            return text;
        }
        init
        {
            _explanation = value;
            _explainer = null;
        }
    }

    /// <summary>Deconstructs into (Value, Weight, Explanation).</summary>
    public void Deconstruct(out double Value, out double Weight, out string Explanation)
    {
        Value = this.Value;
        Weight = this.Weight;
        Explanation = this.Explanation;
    }

    /// <summary>Equal when value, weight and explanation are.</summary>
    public bool Equals(ScorePart? other) =>
        other is not null && (ReferenceEquals(this, other)
            || (Value.Equals(other.Value) && Weight.Equals(other.Weight) && string.Equals(Explanation, other.Explanation, StringComparison.Ordinal)));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Value, Weight, Explanation);

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Value = ").Append(Value.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append(", Weight = ").Append(Weight.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append(", Explanation = ").Append(Explanation);
        return true;
    }

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
