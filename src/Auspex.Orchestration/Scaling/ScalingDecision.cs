using Auspex.Core.Series;

namespace Auspex.Orchestration.Scaling;

/// <summary>The kind of a scaling decision.</summary>
public enum ScalingOutcome
{
    /// <summary>Capacity already covers the forecast and hysteresis keeps it.</summary>
    Hold,
    /// <summary>Add units (some possibly deferred until their lead time requires the request).</summary>
    ScaleOut,
    /// <summary>Release units.</summary>
    ScaleIn,
    /// <summary>No mix within the pool's quotas, the request's limits and the budget covers the forecast; the best effort is returned.</summary>
    Infeasible,
    /// <summary>The request could not be decided (see <see cref="ScalingDecision.Reason"/>); nothing changes.</summary>
    Invalid,
}

/// <summary>A change of one tier's units.</summary>
/// <param name="Tier">Tier key.</param>
/// <param name="From">Units now.</param>
/// <param name="To">Units wanted.</param>
/// <param name="NeededAt">When the forecast first needs the extra capacity (scale-out), or the decision time.</param>
/// <param name="RequestAt">When the units must be requested to be ready in time: <paramref name="NeededAt"/> minus the tier's lead time.</param>
/// <param name="Deferred">True when <paramref name="RequestAt"/> is after the next decision, so this run only announces it (a pre-provisioning signal).</param>
public sealed record ScalingAction(string Tier, int From, int To, DateTimeOffset NeededAt, DateTimeOffset RequestAt, bool Deferred)
{
    /// <summary>Units added (positive) or removed (negative).</summary>
    public int Delta => To - From;
}

/// <summary>
/// One decision of the scaling decider (seed 003's OrchestrateResources): how much demand must be covered, with what
/// confidence, by which units on which tiers, at what expected cost, and why.
/// </summary>
public sealed record ScalingDecision
{
    /// <summary>The tenant.</summary>
    public required TenantId Tenant { get; init; }

    /// <summary>The component.</summary>
    public required string Component { get; init; }

    /// <summary>When it was decided.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The kind of decision.</summary>
    public required ScalingOutcome Outcome { get; init; }

    /// <summary>False in forecast-only mode (and for Invalid/Hold): log it, do not execute it.</summary>
    public required bool Act { get; init; }

    /// <summary>The forecast quantile covered.</summary>
    public double Quantile { get; init; }

    /// <summary>The probability, required by the SLA, that capacity left after preemptions still covers the quantile.</summary>
    public double Availability { get; init; }

    /// <summary>Peak of the demand quantile over the window the decision must cover.</summary>
    public double RequiredDemand { get; init; }

    /// <summary>When that peak is forecast.</summary>
    public DateTimeOffset PeakAt { get; init; }

    /// <summary>End of the window covered: now + the decision interval + the longest lead time of the allowed tiers.</summary>
    public DateTimeOffset WindowEnd { get; init; }

    /// <summary>Units per tier key now.</summary>
    public IReadOnlyDictionary<string, int> Current { get; init; } = new Dictionary<string, int>();

    /// <summary>Units per tier key after this run's (non-deferred) actions.</summary>
    public IReadOnlyDictionary<string, int> Target { get; init; } = new Dictionary<string, int>();

    /// <summary>The changes, deferred ones included.</summary>
    public IReadOnlyList<ScalingAction> Actions { get; init; } = [];

    /// <summary>Probability that the target's capacity, after preemptions, covers <see cref="RequiredDemand"/>.</summary>
    public double CoverProbability { get; init; }

    /// <summary>Price per hour of the current units.</summary>
    public double CurrentCostPerHour { get; init; }

    /// <summary>Price per hour of the target units.</summary>
    public double TargetCostPerHour { get; init; }

    /// <summary>Expected cost per hour of the target including preemption replacements and the SLO-breach term.</summary>
    public double ExpectedCostPerHour { get; init; }

    /// <summary>True when the tenant's budget cut the scale-out short.</summary>
    public bool BudgetLimited { get; init; }

    /// <summary>Why, in one or two sentences.</summary>
    public required string Reason { get; init; }
}
