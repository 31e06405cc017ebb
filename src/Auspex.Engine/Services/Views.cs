namespace Auspex.Engine.Services;

/// <summary>A locality's latest score as the API shows it.</summary>
/// <param name="Desirability">0–1, 1 = desirable.</param>
/// <param name="Parts">Part name → its 0–1 value.</param>
/// <param name="Weights">Part name → the weight it had.</param>
/// <param name="Explanations">Part name → why it has its value.</param>
/// <param name="At">When the loop computed it (the loop's clock).</param>
public sealed record ScoreView(
    double Desirability,
    IReadOnlyDictionary<string, double> Parts,
    IReadOnlyDictionary<string, double> Weights,
    IReadOnlyDictionary<string, string> Explanations,
    DateTimeOffset At);

/// <summary>A locality with its latest score (null before the first tick that could score it).</summary>
public sealed record LocalityView(
    string Id,
    string Kind,
    string? Parent,
    string? Tier,
    IReadOnlyDictionary<string, double> Capacity,
    IReadOnlyDictionary<string, string> Labels,
    ScoreView? Score);

/// <summary>A series' identity.</summary>
public sealed record SeriesView(string Id, string Metric, IReadOnlyDictionary<string, string> Labels);

/// <summary>A series with its points as [unix-ms, value] pairs.</summary>
public sealed record SeriesPointsView(string Id, string Metric, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<double[]> Points);

/// <summary>One forecast step.</summary>
public sealed record ForecastPointView(DateTimeOffset At, double Mean, IReadOnlyDictionary<string, double> Quantiles);

/// <summary>A series' latest forecast.</summary>
public sealed record ForecastView(string Series, string Model, DateTimeOffset IssuedAt, double StepSeconds, IReadOnlyList<ForecastPointView> Points);

/// <summary>The loop's state.</summary>
public sealed record LoopStatusView(DateTimeOffset Now, long Ticks, long Failures, DateTimeOffset? LastTickAt, double? LastTickMilliseconds, int LastForecasts, int LastScored, string? LastError, double IntervalSeconds)
{
    /// <summary>The forecast stage's background model-selection queue.</summary>
    public ModelSelectionStatusView? ModelSelection { get; init; }
}

/// <summary>The background model-selection queue (docs/forecasting.md).</summary>
/// <param name="Workers">Background workers (0: selection runs inline in the tick).</param>
/// <param name="Queued">Series waiting for a worker.</param>
/// <param name="Running">Selections in progress.</param>
/// <param name="Completed">Selections finished since the start.</param>
/// <param name="Failed">Selections that found no usable model.</param>
/// <param name="Restored">Selections loaded from the store at start.</param>
/// <param name="LastSeries">Series of the last finished selection.</param>
/// <param name="LastDurationMilliseconds">How long it took.</param>
/// <param name="LastCompletedAt">When it finished.</param>
public sealed record ModelSelectionStatusView(int Workers, int Queued, int Running, long Completed, long Failed, int Restored, string? LastSeries, double? LastDurationMilliseconds, DateTimeOffset? LastCompletedAt);
