using Auspex.Orchestration.Scaling;

namespace Auspex.Engine.Scaling;

/// <summary>One step the scaling stage ran on the executor, and how it ended.</summary>
/// <param name="Step">What it does (<c>scale web on aws/spot to 4 replicas</c>).</param>
/// <param name="Status">applied, alreadyInState, dryRun, failed or unsupported.</param>
/// <param name="Detail">The executor's detail (terraform's output, the webhook's answer…).</param>
public sealed record ScalingStepOutcome(string Step, string Status, string Detail);

/// <summary>
/// One scaling decision as the audit/event stream and <c>GET /api/v1/scaling/decisions</c> show it: what demand had
/// to be covered at which quantile, the tier mix chosen, how far ahead it provisions, why, and what the executor did.
/// </summary>
public sealed record ScalingRecord
{
    /// <summary>Increasing number of the record (for paging and the dashboard).</summary>
    public required long Sequence { get; init; }

    /// <summary>The tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Decision time (the loop's clock).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The component.</summary>
    public required string Component { get; init; }

    /// <summary>hold, scaleOut, scaleIn, infeasible or invalid.</summary>
    public required ScalingOutcome Outcome { get; init; }

    /// <summary>Where it came from: <c>loop</c> (the scaling stage), <c>preview</c> or <c>manual</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The stage's mode when it was decided (off, forecastOnly, scaleOutOnly, full).</summary>
    public required string Mode { get; init; }

    /// <summary>True when the decider wanted it carried out (false in forecast-only mode, for holds and invalid requests).</summary>
    public bool Act { get; init; }

    /// <summary>True when steps were run on the executor (not dry runs).</summary>
    public bool Executed { get; init; }

    /// <summary>The executor's name.</summary>
    public required string Executor { get; init; }

    /// <summary>Forecast quantile covered.</summary>
    public double Quantile { get; init; }

    /// <summary>Probability the capacity left after preemptions still covers that quantile (the SLA).</summary>
    public double Availability { get; init; }

    /// <summary>Peak of the demand quantile over the window, in the demand series' unit (CPU cores for host shares).</summary>
    public double RequiredDemand { get; init; }

    /// <summary>Demand one replica serves on a tier of performance 1.0, in the demand's unit.</summary>
    public double CapacityPerReplica { get; init; }

    /// <summary>Required capacity in replicas of performance 1.0: required demand ÷ capacity per replica.</summary>
    public double RequiredCapacity { get; init; }

    /// <summary>When the peak is forecast.</summary>
    public DateTimeOffset PeakAt { get; init; }

    /// <summary>How far ahead it provisions: the longest provisioning lead time of the component's tiers.</summary>
    public TimeSpan LeadTime { get; init; }

    /// <summary>End of the window covered (now + decision interval + lead time).</summary>
    public DateTimeOffset WindowEnd { get; init; }

    /// <summary>Replicas per tier before.</summary>
    public IReadOnlyDictionary<string, int> Current { get; init; } = new Dictionary<string, int>();

    /// <summary>The tier mix: replicas per tier after this decision's (non-deferred) actions.</summary>
    public IReadOnlyDictionary<string, int> TierMix { get; init; } = new Dictionary<string, int>();

    /// <summary>The changes, deferred ones (announced ahead of their lead time) included.</summary>
    public IReadOnlyList<ScalingAction> Actions { get; init; } = [];

    /// <summary>Probability the tier mix covers the required demand after preemptions.</summary>
    public double CoverProbability { get; init; }

    /// <summary>Price per hour before.</summary>
    public double CurrentCostPerHour { get; init; }

    /// <summary>Price per hour of the tier mix.</summary>
    public double TargetCostPerHour { get; init; }

    /// <summary>True when the tenant's budget cut a scale-out short.</summary>
    public bool BudgetLimited { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }

    /// <summary>
    /// Time until the next decision the window covered, in the loop's time: the loop's interval, or longer when its
    /// ticks are further apart (on the demo's accelerated replay a tick's work takes minutes to hours of replay time).
    /// </summary>
    public TimeSpan NextDecisionIn { get; init; }

    /// <summary>Where the demand came from: <c>component</c> (its own series), <c>hostShare</c> (its hosts' CPU forecasts shared by requests) or <c>none</c>.</summary>
    public string DemandKind { get; init; } = "none";

    /// <summary>The demand series sized on, e.g. <c>http_requests_per_second{component="web"}</c>.</summary>
    public string DemandSeries { get; init; } = "";

    /// <summary>Why the component's own series was not used (null when it was).</summary>
    public string? DemandFallback { get; init; }

    /// <summary>The steps run on the executor and how they ended.</summary>
    public IReadOnlyList<ScalingStepOutcome> Steps { get; init; } = [];
}
