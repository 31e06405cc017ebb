namespace Auspex.Engine.Anomalies;

/// <summary>
/// One anomaly incident on one series: consecutive points scoring at or above the alert threshold, merged while
/// they are less than <see cref="AnomalyPipelineOptions.MergeGap"/> apart. The multivariate detector of a host
/// reports under <see cref="AnomalyEvent.MultivariateMetric"/>.
/// </summary>
/// <param name="Id">Stable id (<c>an-</c> and 16 hex digits derived from the series and the start).</param>
/// <param name="Series">The scored series' key, e.g. <c>auspex_host_cpu_used_cores{host="h1"}</c>, or <c>multivariate{host="h1"}</c>.</param>
/// <param name="Metric">The scored metric, or <see cref="MultivariateMetric"/>.</param>
/// <param name="Host">The host (locality id) the series belongs to.</param>
/// <param name="Start">The first anomalous point.</param>
/// <param name="End">The last anomalous point so far.</param>
/// <param name="PeakAt">The time of the highest score.</param>
/// <param name="PeakScore">The highest score, in [0, 1].</param>
/// <param name="PeakValue">The value at the peak (for the multivariate detector: the robust Mahalanobis distance).</param>
/// <param name="Reason">The detector's reason at the peak.</param>
/// <param name="Points">Anomalous points merged into the event.</param>
/// <param name="FalsePositive">True once an operator marked it as a false positive.</param>
/// <param name="MarkedBy">The API key name that marked it, if any.</param>
/// <param name="MarkedAt">When it was marked, if it was.</param>
public sealed record AnomalyEvent(
    string Id,
    string Series,
    string Metric,
    string Host,
    DateTimeOffset Start,
    DateTimeOffset End,
    DateTimeOffset PeakAt,
    double PeakScore,
    double PeakValue,
    string Reason,
    int Points,
    bool FalsePositive = false,
    string? MarkedBy = null,
    DateTimeOffset? MarkedAt = null)
{
    /// <summary>The <see cref="Metric"/> of events raised by a host's multivariate detector.</summary>
    public const string MultivariateMetric = "multivariate";
}

/// <summary>The outcome of marking an anomaly event as a false positive.</summary>
public enum FalsePositiveOutcome
{
    /// <summary>The event was marked now and its series' detector adapted.</summary>
    Marked,

    /// <summary>The event had already been marked; nothing changed.</summary>
    AlreadyMarked,

    /// <summary>No event has that id.</summary>
    NotFound,
}

/// <summary>The result of <see cref="AnomalyService.MarkFalsePositiveAsync"/>: the outcome and the event (null when not found).</summary>
public sealed record FalsePositiveResult(FalsePositiveOutcome Outcome, AnomalyEvent? Event);

/// <summary>Tuning of the anomaly pipeline (events, retraining signals). Every default is documented in docs/anomalies.md.</summary>
public sealed record AnomalyPipelineOptions
{
    /// <summary>The defaults.</summary>
    public static AnomalyPipelineOptions Default { get; } = new();

    /// <summary>A point scoring at or above this is anomalous (an event). Default 0.5, the detectors' calibrated alert line.</summary>
    public double Threshold { get; init; } = Auspex.Anomalies.AnomalyDetectorOptions.Default.Threshold;

    /// <summary>Anomalous points of one series closer than this belong to one event. Default 30 minutes.</summary>
    public TimeSpan MergeGap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A series whose score reaches half the threshold on at least <see cref="BurstPoints"/> points within
    /// <see cref="BurstWindow"/> (and at least one full anomaly among them) is flagged for forecast retraining.
    /// Default 3 points.
    /// </summary>
    public int BurstPoints { get; init; } = 3;

    /// <summary>See <see cref="BurstPoints"/>. Default 1 hour.</summary>
    public TimeSpan BurstWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Events kept (in memory and in the state store); the oldest are dropped beyond it. Default 5,000.</summary>
    public int MaxEvents { get; init; } = 5000;

    /// <summary>Throws when an option is out of range.</summary>
    public AnomalyPipelineOptions Validate()
    {
        if (!(Threshold > 0 && Threshold < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "The anomaly threshold must lie in (0, 1).");
        }
        if (MergeGap < TimeSpan.Zero || BurstWindow <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MergeGap), "MergeGap must be ≥ 0 and BurstWindow > 0.");
        }
        if (BurstPoints < 1 || MaxEvents < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BurstPoints), "BurstPoints and MaxEvents must be ≥ 1.");
        }
        return this;
    }
}
