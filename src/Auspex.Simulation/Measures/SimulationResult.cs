namespace Auspex.Simulation.Measures;

/// <summary>What one policy achieved over a simulated trace.</summary>
/// <param name="Policy">The policy's name.</param>
/// <param name="SloViolationMinutes">Minutes in which the p99 response time exceeded the SLO or requests were dropped.</param>
/// <param name="Cost">Replica-hours × tier price, paid from launch (provisioning included) to removal.</param>
/// <param name="MeanSlack">
/// Autopilot's relative slack, (limit − usage) ÷ limit, averaged over time: the mean over the measured ticks with any
/// ready capacity of (capacity − work served) ÷ capacity, 0–1 (ticks without capacity have no limit and are skipped;
/// ticks where the trace has no data, <see cref="Traces.DemandTrace.IsMissing"/>, have no usage and are left out too —
/// <see cref="MeanSlackAllTicks"/> counts them).
/// </param>
/// <param name="ScalingActions">Ticks at which the policy changed its desired replicas.</param>
/// <param name="Preemptions">Replicas taken away by spot preemption.</param>
/// <param name="Failures">Replicas lost to failures (drawn or replayed).</param>
/// <param name="PreemptionViolationMinutes">Violation minutes that began within one lead time after a preemption (losses attributable to preemption).</param>
/// <param name="DroppedFraction">Fraction of requests dropped (queued longer than the timeout).</param>
/// <param name="ReplicaHours">Replica-hours paid.</param>
/// <param name="PeakReplicas">Most replicas ready at once.</param>
/// <param name="Forecasts">Forecasts the policy made (0 for reactive policies).</param>
public sealed record PolicyResult(
    string Policy,
    double SloViolationMinutes,
    double Cost,
    double MeanSlack,
    int ScalingActions,
    int Preemptions,
    int Failures,
    double PreemptionViolationMinutes,
    double DroppedFraction,
    double ReplicaHours,
    int PeakReplicas,
    int Forecasts)
{
    /// <summary>Slack weighted by capacity, Σ(capacity − served) ÷ Σ capacity (the figure reported before 2026-12-05), 0–1.</summary>
    public double CapacityWeightedSlack { get; init; }

    /// <summary>
    /// The time-averaged slack over every measured tick with capacity, the ticks without trace data included with the
    /// usage the replay gave them (0 for an outage, so 100 % slack there). Equals <see cref="MeanSlack"/> when the trace has no gap.
    /// </summary>
    public double MeanSlackAllTicks { get; init; }

    /// <summary>Measured minutes in which the trace had no data (left out of <see cref="MeanSlack"/>).</summary>
    public double MissingMinutes { get; init; }

    /// <summary>Ticks at which the policy changed its per-replica limit (vertical sizing; also counted in <see cref="ScalingActions"/>).</summary>
    public int Resizes { get; init; }

    /// <summary>Provisioned capacity paid, in default-size replica-hours (replica-hours × limit ÷ the default limit).</summary>
    public double SizedReplicaHours { get; init; }

    /// <summary>
    /// The part of <see cref="Cost"/> charged as per-replica overhead (<see cref="World.WorldOptions.ReplicaOverhead"/>;
    /// 0 when the world has none). It is linear in the overhead, so the cost at another overhead o' is
    /// Cost − OverheadCost × (1 − o' ÷ o).
    /// </summary>
    public double OverheadCost { get; init; }
}

/// <summary>One tick of the timeline: the offered load and each policy's ready capacity (requests/s), in policy order.</summary>
public sealed record TimelinePoint(DateTimeOffset At, double Demand, IReadOnlyList<double> Capacity);

/// <summary>The comparison of every policy over one trace, on one simulated clock.</summary>
/// <param name="Trace">The trace's name.</param>
/// <param name="Start">Simulated start.</param>
/// <param name="End">Simulated end.</param>
/// <param name="Tick">Simulation step.</param>
/// <param name="DemandScale">Factor from the trace's units per second to requests per second of the latency model.</param>
/// <param name="ReplicaRate">Requests/s one replica serves at full use.</param>
/// <param name="PeakDemand">Highest offered load (requests/s).</param>
/// <param name="Policies">One result per policy, in the order asked.</param>
/// <param name="Timeline">Demand and capacity per tick (for plots).</param>
public sealed record SimulationResult(
    string Trace,
    DateTimeOffset Start,
    DateTimeOffset End,
    TimeSpan Tick,
    double DemandScale,
    double ReplicaRate,
    double PeakDemand,
    IReadOnlyList<PolicyResult> Policies,
    IReadOnlyList<TimelinePoint> Timeline)
{
    /// <summary>Start of the reported part when <see cref="World.WorldOptions.ReportFrom"/> was set, else null.</summary>
    public DateTimeOffset? ReportedFrom { get; init; }

    /// <summary>The policies' measures over the reported part only (from <see cref="ReportedFrom"/> to the end), else null.</summary>
    public IReadOnlyList<PolicyResult>? Reported { get; init; }
}

/// <summary>Progress of a simulation: simulated time done out of the total.</summary>
public readonly record struct SimulationProgress(TimeSpan Done, TimeSpan Total);
