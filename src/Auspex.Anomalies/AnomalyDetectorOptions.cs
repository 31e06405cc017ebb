namespace Auspex.Anomalies;

/// <summary>Options shared by every detector. One parameter set serves every series; every default is documented.</summary>
public sealed record AnomalyDetectorOptions
{
    /// <summary>The defaults, chosen without looking at any labelled data.</summary>
    public static AnomalyDetectorOptions Default { get; } = new();

    /// <summary>
    /// Points a detector learns from before it may report anything above 0 (warm-up). Default 150
    /// (12.5 hours of 5-minute samples).
    /// </summary>
    public int WarmupPoints { get; init; } = 150;

    /// <summary>
    /// The a-priori alerting threshold on the score: a point with score ≥ this is an anomaly. Used by
    /// operator feedback and by callers that need a yes/no answer. Default 0.5.
    /// </summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>
    /// Whether univariate detectors pass their raw score through the anomaly-likelihood stage (a rolling
    /// Gaussian of a short versus a long window of raw scores, giving a calibrated probability). Default true.
    /// </summary>
    public bool Likelihood { get; init; } = true;

    /// <summary>Seasonal slots per day used by the seasonal detectors (time-of-day buckets). Default 24.</summary>
    public int SlotsPerDay { get; init; } = 24;

    /// <summary>
    /// After a false-positive mark the detector's tolerance decays back to normal with this half-life in points.
    /// Default 2016 (one week of 5-minute samples).
    /// </summary>
    public int FeedbackHalfLifePoints { get; init; } = 2016;

    /// <summary>Throws when an option is out of range.</summary>
    public AnomalyDetectorOptions Validate()
    {
        if (WarmupPoints < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupPoints), WarmupPoints, "Warm-up must be ≥ 0 points.");
        }
        if (!(Threshold > 0 && Threshold < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "The threshold must lie in (0, 1).");
        }
        if (SlotsPerDay is < 1 or > 1440)
        {
            throw new ArgumentOutOfRangeException(nameof(SlotsPerDay), SlotsPerDay, "Slots per day must lie in [1, 1440].");
        }
        if (FeedbackHalfLifePoints < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(FeedbackHalfLifePoints), FeedbackHalfLifePoints, "The feedback half-life must be ≥ 1 point.");
        }
        return this;
    }
}
