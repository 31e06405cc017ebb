using Auspex.Core.Topology;

namespace Auspex.Scoring;

/// <summary>
/// Inputs to scoring beyond the topology and the forecasts. Everything is optional: a part whose inputs are missing
/// is left out of the desirability and the weights of the present parts renormalised.
/// </summary>
public sealed record ScoringContext
{
    /// <summary>No extra inputs.</summary>
    public static ScoringContext Empty { get; } = new();

    /// <summary>A failure-rate model fitted elsewhere (e.g. nightly on long history). When null, one is fitted from the topology's failures (cached per topology and hour).</summary>
    public FailureRateModel? FailureModel { get; init; }

    /// <summary>Start of the failure history the topology's records cover. Default: the earliest record, or <see cref="ScoringOptions.DefaultObservationWindow"/> before the scoring time.</summary>
    public DateTimeOffset? FailuresObservedSince { get; init; }

    /// <summary>Failure records beyond those in the topology (e.g. from the state store).</summary>
    public IReadOnlyList<FailureEvent> ExtraFailures { get; init; } = [];

    /// <summary>Highest recent anomaly score (0–1) per host id.</summary>
    public IReadOnlyDictionary<string, double>? AnomalyScores { get; init; }

    /// <summary>Temperature (°C) per host id, used when no temperature forecast is given.</summary>
    public IReadOnlyDictionary<string, double>? Temperatures { get; init; }

    /// <summary>Power draw (W) per host id, used when no power forecast is given.</summary>
    public IReadOnlyDictionary<string, double>? PowerWatts { get; init; }

    /// <summary>Per-host hourly prices (OpenCost-style sheet). Tier prices from the topology are the fallback.</summary>
    public PriceSheet? Prices { get; init; }

    /// <summary>Time-of-day electricity prices; without one, energy is not priced.</summary>
    public PowerTariff? Tariff { get; init; }

    /// <summary>Latency between localities; null uses <see cref="LatencyMatrix.DefaultsOnly"/>.</summary>
    public LatencyMatrix? Latency { get; init; }
}
