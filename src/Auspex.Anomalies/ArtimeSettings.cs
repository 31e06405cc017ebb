namespace Auspex.Anomalies;

/// <summary>
/// Settings of the <see cref="AnomalyDetectors.Artime"/> detector. The defaults are those of the published
/// method (Hampton's ARTime for NAB) for a series of unknown length: a 750-point probationary period and a
/// value range learnt from the data seen so far.
/// </summary>
public sealed record ArtimeSettings
{
    /// <summary>The defaults (750-point probation, range from the data).</summary>
    public static ArtimeSettings Default { get; } = new();

    /// <summary>
    /// Points the detector only learns from before it scores anything (ARTime's probationary period; NAB's is
    /// 15 % of a file's length, at most 750). It also fixes the downsampling step (probation ÷ 104, at least 1).
    /// Default 750. Range [32, 5000].
    /// </summary>
    public int ProbationaryPoints { get; init; } = 750;

    /// <summary>
    /// The series' minimum, when known in advance (NAB gives every detector the file's minimum and maximum).
    /// Null (the default): the range of the probationary points, widened whenever a later value leaves it.
    /// </summary>
    public double? InputMin { get; init; }

    /// <summary>The series' maximum when known in advance; see <see cref="InputMin"/>.</summary>
    public double? InputMax { get; init; }

    /// <summary>
    /// Without a known range: the probation range is widened by this fraction of itself on each side before the
    /// first normalisation (0 = exactly the probation's minimum and maximum). Default 0.5, chosen on NAB's
    /// development half only among 0, 0.25, 0.5 and 1 (bench/RESULTS.md).
    /// </summary>
    public double RangeMargin { get; init; } = 0.5;

    /// <summary>
    /// The most fuzzy-ART categories kept per series (memory bound; the saved state is about 270 bytes per category).
    /// Default 256: on NAB's development half the smallest of 64, 128, 256 and 512 that scores no lower than 512, both
    /// streaming and with the whole-file inputs (bench/RESULTS.md, "Round 2"). Range [16, 65536].
    /// </summary>
    public int MaxCategories { get; init; } = 256;

    /// <summary>
    /// Settings for scoring a complete, already recorded series offline, as NAB runs every detector: the series'
    /// own minimum and maximum, and ARTime's probationary rule (15 % of the length below 5,000 points, else 750;
    /// made even; at least 32). A live stream cannot know these; use <see cref="Default"/> there.
    /// </summary>
    /// <exception cref="ArgumentException">No values, or a non-finite one.</exception>
    public static ArtimeSettings ForWholeSeries(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0 || values.Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("ARTime's whole-series settings need at least one value, all finite.", nameof(values));
        }
        var p = values.Count < 5000 ? (int)Math.Floor(0.15 * values.Count) : 750;
        p -= p % 2;
        return new ArtimeSettings { ProbationaryPoints = Math.Max(32, p), InputMin = values.Min(), InputMax = values.Max(), RangeMargin = 0 };
    }

    /// <summary>Throws when a setting is out of range.</summary>
    public ArtimeSettings Validate()
    {
        if (ProbationaryPoints is < 32 or > 5000)
        {
            throw new ArgumentOutOfRangeException(nameof(ProbationaryPoints), ProbationaryPoints, "ARTime's probationary period must lie in [32, 5000] points.");
        }
        if (InputMin.HasValue != InputMax.HasValue)
        {
            throw new ArgumentException("ARTime needs both InputMin and InputMax, or neither.", nameof(InputMin));
        }
        if (InputMin is { } lo && InputMax is { } hi && !(double.IsFinite(lo) && double.IsFinite(hi) && lo <= hi))
        {
            throw new ArgumentOutOfRangeException(nameof(InputMin), $"[{lo}, {hi}]", "ARTime's input range must be finite with InputMin ≤ InputMax.");
        }
        if (!(RangeMargin >= 0 && RangeMargin <= 10))
        {
            throw new ArgumentOutOfRangeException(nameof(RangeMargin), RangeMargin, "ARTime's range margin must lie in [0, 10].");
        }
        if (MaxCategories is < 16 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCategories), MaxCategories, "ARTime's category cap must lie in [16, 65536].");
        }
        return this;
    }
}
