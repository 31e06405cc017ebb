using Auspex.Simulation.World;

namespace Auspex.Simulation.Policies;

/// <summary>
/// A scaling policy under test: at every tick of the simulated clock it sees what a real controller would see (the
/// load observed so far, never the future) and returns the replicas it wants per tier, or null to leave them as they
/// are. One instance serves one run; it may keep state between ticks.
/// </summary>
public interface IScalingPolicy
{
    /// <summary>The policy's name in tables and plots (e.g. <c>hpa</c>).</summary>
    string Name { get; }

    /// <summary>Decides at <see cref="PolicyContext.Now"/>.</summary>
    IReadOnlyDictionary<string, int>? Decide(PolicyContext context);
}

/// <summary>
/// A policy that also sets the per-replica limit (vertical sizing, like Autopilot's vertical recommender or an
/// in-place pod resize): after each <see cref="IScalingPolicy.Decide"/> the simulator reads
/// <see cref="DesiredWorkers"/> and resizes the pool's replicas to it (clamped to the world's
/// <see cref="WorldOptions.MinWorkersPerReplica"/>..<see cref="WorldOptions.WorkersPerReplica"/>; ready replicas after
/// <see cref="WorldOptions.ResizeLeadTime"/>). Policies that do not implement it run the default replica size.
/// </summary>
public interface IVerticalScalingPolicy : IScalingPolicy
{
    /// <summary>The per-replica limit in workers (fractional, like a CPU limit in millicores) asked for by the last decision, or null to leave it as it is.</summary>
    double? DesiredWorkers { get; }
}

/// <summary>What a policy sees at one tick. Rates are requests per second in the latency model's units.</summary>
/// <param name="Now">The simulated time.</param>
/// <param name="ObservedRate">The offered load averaged over the last tick (what a metrics pipeline reports now).</param>
/// <param name="History">Rates of every completed trace interval so far, oldest first (the last is the latest complete one).</param>
/// <param name="HistoryStart">Start of the first history interval.</param>
/// <param name="HistoryStep">Length of one history interval.</param>
/// <param name="Ready">Ready replicas per tier.</param>
/// <param name="Pending">Replicas launched but not yet ready, per tier.</param>
/// <param name="Desired">The replicas currently asked for, per tier (the scale target's spec).</param>
/// <param name="World">The world's options (replica rate, tiers, SLO, bounds).</param>
/// <param name="Clock">The simulated clock (for components that take a <see cref="TimeProvider"/>).</param>
/// <param name="ReadyServers">Servers (workers) the ready replicas offer now at their limits in force; null = ready replicas × the default size.</param>
/// <param name="Workers">The per-replica limit (workers) asked for now; null = the default size.</param>
/// <param name="Terminating">Ready replicas under a preemption notice (counted in <paramref name="Ready"/>, still serving, gone when the notice runs out; their replacements are already launched). Always 0 without <see cref="WorldOptions.PreemptionNotice"/>.</param>
/// <param name="HistoryMissing">Per <paramref name="History"/> interval, true when the trace has no data there (<see cref="Traces.DemandTrace.IsMissing"/>, e.g. an outage: the rate replays as recorded, usually 0, but is not a measurement); null = every interval has data. The forecasting policies leave these intervals out of their fits.</param>
public sealed record PolicyContext(
    DateTimeOffset Now,
    double ObservedRate,
    IReadOnlyList<double> History,
    DateTimeOffset HistoryStart,
    TimeSpan HistoryStep,
    IReadOnlyDictionary<string, int> Ready,
    IReadOnlyDictionary<string, int> Pending,
    IReadOnlyDictionary<string, int> Desired,
    WorldOptions World,
    TimeProvider Clock,
    int? ReadyServers = null,
    double? Workers = null,
    int Terminating = 0,
    IReadOnlyList<bool>? HistoryMissing = null)
{
    /// <summary>Requests per second the ready replicas serve at full use, at their limits in force.</summary>
    public double ReadyRate => (ReadyServers ?? ReadyTotal * World.WorkersPerReplica) / World.ServiceTime.TotalSeconds;

    /// <summary>Requests per second one replica of performance factor 1 serves at full use.</summary>
    public double ReplicaRate => World.ModelReplicaRate;

    /// <summary>The default (first) tier's name.</summary>
    public string DefaultTier => World.Tiers[0].Name;

    /// <summary>Ready replicas over every tier.</summary>
    public int ReadyTotal => Ready.Values.Sum();

    /// <summary>Pending replicas over every tier.</summary>
    public int PendingTotal => Pending.Values.Sum();

    /// <summary>Desired replicas over every tier.</summary>
    public int DesiredTotal => Desired.Values.Sum();
}
