namespace Auspex.Core.Topology;

/// <summary>A service-level objective of a component or service.</summary>
/// <param name="Target">Component or service id.</param>
/// <param name="Availability">Target availability in (0, 1], e.g. 0.999.</param>
/// <param name="LatencyP99">Target 99th-percentile latency, when set.</param>
/// <param name="ForecastQuantile">The forecast quantile capacity must cover, e.g. 0.95.</param>
public sealed record Slo(string Target, double Availability, TimeSpan? LatencyP99, double ForecastQuantile);

/// <summary>The weights of the desirability score's parts. Each must be ≥ 0; they are normalised to sum to one.</summary>
public sealed record ScoringWeights(double Capacity, double Risk, double Cost, double Network)
{
    /// <summary>The default: capacity matters most.</summary>
    public static ScoringWeights Default { get; } = new(0.4, 0.3, 0.15, 0.15);

    /// <summary>The weights as a dictionary keyed by part name.</summary>
    public IReadOnlyDictionary<string, double> AsParts() => new Dictionary<string, double>
    {
        ["capacity"] = Capacity, ["risk"] = Risk, ["cost"] = Cost, ["network"] = Network,
    };

    /// <summary>Returns the reason these weights are invalid, or null.</summary>
    public string? Validate() =>
        new[] { Capacity, Risk, Cost, Network }.Any(w => !double.IsFinite(w) || w < 0) ? "weights must be finite and ≥ 0"
        : Capacity + Risk + Cost + Network <= 0 ? "at least one weight must be > 0"
        : null;
}

/// <summary>Weights in force during a daily window (UTC hours, [FromHour, ToHour), wrapping past midnight).</summary>
public sealed record WeightWindow(int FromHour, int ToHour, ScoringWeights Weights)
{
    /// <summary>True when the hour of <paramref name="at"/> (UTC) falls in the window.</summary>
    public bool Covers(DateTimeOffset at)
    {
        var h = at.UtcDateTime.Hour;
        return FromHour <= ToHour ? h >= FromHour && h < ToHour : h >= FromHour || h < ToHour;
    }
}

/// <summary>Override of the desirability score for compliance or testing.</summary>
/// <param name="Locality">The locality the rule applies to.</param>
/// <param name="Mode">force: always choose it for matching workloads; forbid: never.</param>
/// <param name="Selector">Which components (by service id, '*' for all).</param>
/// <param name="Reason">Why, shown in every decision it affects.</param>
public sealed record PlacementOverride(string Locality, OverrideMode Mode, string Selector, string Reason);

/// <summary>Override modes.</summary>
public enum OverrideMode
{
    /// <summary>Only this locality is allowed.</summary>
    Force,
    /// <summary>This locality is never allowed.</summary>
    Forbid,
}

/// <summary>System-level policy: scoring weights and their schedule, overrides, risk tolerance.</summary>
/// <param name="Weights">Default weights.</param>
/// <param name="Schedule">Windows whose weights replace the default (first match wins).</param>
/// <param name="Overrides">Placement overrides.</param>
/// <param name="RiskTolerance">Seed 002's risk tolerance in [0, 1]: higher means fewer proactive moves.</param>
/// <param name="AlertBelowDesirability">Alert when a locality's desirability falls below this (0–1).</param>
public sealed record Policy(
    ScoringWeights Weights,
    IReadOnlyList<WeightWindow> Schedule,
    IReadOnlyList<PlacementOverride> Overrides,
    double RiskTolerance,
    double AlertBelowDesirability)
{
    /// <summary>The default policy.</summary>
    public static Policy Default { get; } = new(ScoringWeights.Default, [], [], 0.5, 0.3);

    /// <summary>The weights in force at <paramref name="at"/>.</summary>
    public ScoringWeights WeightsAt(DateTimeOffset at) =>
        Schedule.FirstOrDefault(w => w.Covers(at))?.Weights ?? Weights;
}
