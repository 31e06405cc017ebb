using System.Globalization;
using Auspex.Core.Topology;

namespace Auspex.Simulation.World;

/// <summary>
/// The simulated world: how much one replica serves, how latency follows load, the tiers replicas come from (price,
/// lead time, preemption), failures, and the SLO. Every default is documented and <see cref="Validate"/> checks them.
/// </summary>
public sealed record WorldOptions
{
    /// <summary>Concurrent requests one replica serves (servers per replica in the M/G/c model). Default 8.</summary>
    public int WorkersPerReplica { get; init; } = 8;

    /// <summary>Mean service time of one request. Default 100 ms, so a replica serves 80 requests/s at full use.</summary>
    public TimeSpan ServiceTime { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Coefficient of variation of the service time (1 = exponential, M/M/c). Default 1.</summary>
    public double ServiceTimeCv { get; init; } = 1;

    /// <summary>The latency SLO: the p99 response time must stay at or below this. Default 1 s.</summary>
    public TimeSpan LatencyP99Target { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Requests queued longer than this are dropped (a client timeout). Default 30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Demand units per second one replica serves at full use, in the trace's own units. Null (the default) rescales
    /// the trace so that its peak needs <see cref="PeakReplicas"/> replicas at full use.
    /// </summary>
    public double? ReplicaCapacity { get; init; }

    /// <summary>Replicas the trace's peak needs at full use when <see cref="ReplicaCapacity"/> is null. Default 40.</summary>
    public int PeakReplicas { get; init; } = 40;

    /// <summary>The tiers replicas come from; the first is the default tier of the reactive policies.</summary>
    public IReadOnlyList<Tier> Tiers { get; init; } = DefaultTiers;

    /// <summary>Replica failures per replica-hour drawn at random (0 = none). Default 0.001 (MTBF 1,000 h).</summary>
    public double FailureRatePerHour { get; init; } = 0.001;

    /// <summary>Failures to replay instead of (or on top of) drawn ones: each takes one replica down at that offset from the trace start.</summary>
    public IReadOnlyList<TimeSpan> ReplayedFailures { get; init; } = [];

    /// <summary>
    /// Smallest per-replica limit, in workers (servers), a vertically sizing policy may set; the largest is
    /// <see cref="WorkersPerReplica"/> (the default replica size every other policy runs). Default 1 (1/8 of a replica).
    /// </summary>
    public int MinWorkersPerReplica { get; init; } = 1;

    /// <summary>
    /// How long an in-place resize of a running replica's limit takes to apply (like Kubernetes' in-place pod resize:
    /// the kubelet's sync and the cgroup update, assuming the node has room; conservative — a current kubelet changes
    /// the cgroup within one pod sync, under a second, docs/simulation.md "In-place resize"). While a resize is in flight
    /// the replica serves as <see cref="ResizeServing"/> says (by default the smaller of its old and new limit) and is
    /// charged for the larger. Default 1 min.
    /// </summary>
    public TimeSpan ResizeLeadTime { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// What a new limit asked while a resize is in flight does (session 10). Default
    /// <see cref="World.ResizeSemantics.Restart"/>: the earlier ask is cancelled and the newest one's full lead starts
    /// (every run before session 10). <see cref="World.ResizeSemantics.LatestSpec"/> is Kubernetes' kubelet: the
    /// actuation already coming applies the newest spec at its own time (docs/simulation.md, "In-place resize").
    /// </summary>
    public ResizeSemantics ResizeSemantics { get; init; } = ResizeSemantics.Restart;

    /// <summary>
    /// What a replica serves while a resize is in flight (session 10). Default <see cref="World.ResizeServing.Smaller"/>:
    /// the smaller of the limit in force and the one asked (a decrease bites at the ask; every run before session 10).
    /// <see cref="World.ResizeServing.InForce"/> is the kubelet's: the limit in force (the cgroup's) until the resize
    /// lands, in both directions. Either way the replica is charged for the larger until then.
    /// </summary>
    public ResizeServing ResizeServing { get; init; } = ResizeServing.Smaller;

    /// <summary>
    /// Warning a preempted replica gets before it goes (session 8): when above zero, a preemption drawn at a tick is an
    /// interruption notice — the replica keeps serving (and being paid) for this long, then terminates — and the pool
    /// launches its replacement at the notice, as an AWS auto-scaling group with capacity rebalancing or Karpenter does
    /// on EC2's two-minute Spot interruption notice (Azure's and GCP's preemption notices are 30 s). Policies see the
    /// replicas under notice in <c>PolicyContext.Terminating</c>. Default zero: the replica goes at the draw and is
    /// replaced on the next reconcile, as every run before session 8.
    /// </summary>
    public TimeSpan PreemptionNotice { get; init; }

    /// <summary>
    /// How a trace is rescaled to the model's rate (session 8). Default <see cref="TraceRescaling.Proportional"/>: every
    /// interval × the factor, as every run before session 8.
    /// </summary>
    public TraceRescaling Rescaling { get; init; } = TraceRescaling.Proportional;

    /// <summary>
    /// Half-width, in trace intervals, of the centred window whose mean is the local level of
    /// <see cref="TraceRescaling.Superposition"/> (session 10). Default 5 (11 intervals), as every run since session 8.
    /// The level is scaled by k and only the deviation from it by √k, so the level's own sampling noise is scaled by k as
    /// if it were common to all k copies: on NASA (29 requests a minute, k ≈ 1,157) an 11-minute level carries most of
    /// the rescaled trace's minute-to-minute growth. A wider window keeps less of that noise and blurs more of the
    /// slower changes into the √k part; bench `--superposition-window N` shows the sensitivity.
    /// </summary>
    public int SuperpositionHalfWindow { get; init; } = 5;

    /// <summary>
    /// Per-replica overhead (session 10): a fixed charge per launched replica-hour, as a fraction of a default-size
    /// replica's price on its tier — what every pod costs whatever its limit (a sidecar, the runtime's base memory, the
    /// node's per-pod reservation). A replica then pays its tier's price × (limit ÷ the default limit + this), so
    /// spreading the load over many small replicas is not free. Default 0: a replica pays for its limit only, as every
    /// run before session 10.
    /// </summary>
    public double ReplicaOverhead { get; init; }

    /// <summary>The simulation step (and the HPA's sync period). Default 15 s.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The start of the trace every policy runs through but that is not measured (history for the forecasting
    /// policies, as a real installation has; the reactive ones need none). Default 1 day; zero measures everything.
    /// </summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Offset from the trace start of the reported part of an honest tuning protocol: when set, the result also holds
    /// every policy's measures from this offset to the end (<c>SimulationResult.Reported</c>), beside the measures
    /// over the whole run after the warm-up. Must not be before the warm-up's end. Default null (none).
    /// </summary>
    public TimeSpan? ReportFrom { get; init; }

    /// <summary>Seed of every random draw (failures, preemptions). Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Smallest and largest replica count any policy may ask for. Defaults 1 and 1,000.</summary>
    public int MinReplicas { get; init; } = 1;

    /// <summary>Largest replica count any policy may ask for. Default 1,000.</summary>
    public int MaxReplicas { get; init; } = 1000;

    /// <summary>
    /// Default tiers: <c>on-demand</c> 0.10/h, 3 min to a ready replica (node provisioning and pod start), no
    /// preemption; <c>spot</c> 0.035/h (65 % off), same lead time, 2 % preemption chance per hour. Prices are per
    /// replica-hour in the installation's currency; they are examples, not quotes.
    /// </summary>
    public static IReadOnlyList<Tier> DefaultTiers { get; } =
    [
        new Tier("on-demand", "simulated", 0.10, 1.0, 0.0, TimeSpan.FromMinutes(3)),
        new Tier("spot", "simulated", 0.035, 1.0, 0.02, TimeSpan.FromMinutes(3)),
    ];

    /// <summary>Requests per second one replica serves at full use, in the latency model's own units.</summary>
    public double ModelReplicaRate => WorkersPerReplica / ServiceTime.TotalSeconds;

    /// <summary>Returns every problem with these options, or an empty list.</summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (WorkersPerReplica is < 1 or > 10_000)
        {
            e.Add($"workers per replica must be in 1..10000, got {WorkersPerReplica}");
        }
        if (ServiceTime <= TimeSpan.Zero)
        {
            e.Add("service time must be positive");
        }
        if (!double.IsFinite(ServiceTimeCv) || ServiceTimeCv < 0)
        {
            e.Add("service time cv must be finite and ≥ 0");
        }
        if (LatencyP99Target <= TimeSpan.Zero)
        {
            e.Add("latency p99 target must be positive");
        }
        else if (ServiceTime > TimeSpan.Zero && QueueModel.ServiceQuantile(ServiceTime.TotalSeconds, 0.99) > LatencyP99Target.TotalSeconds)
        {
            e.Add(string.Create(CultureInfo.InvariantCulture, $"latency p99 target {LatencyP99Target.TotalMilliseconds} ms is below the p99 of the service time alone ({QueueModel.ServiceQuantile(ServiceTime.TotalSeconds, 0.99) * 1000:0} ms)"));
        }
        if (Timeout <= TimeSpan.Zero)
        {
            e.Add("timeout must be positive");
        }
        if (ReplicaCapacity is { } rc && (!double.IsFinite(rc) || rc <= 0))
        {
            e.Add("replica capacity must be finite and > 0");
        }
        if (PeakReplicas is < 1 or > 100_000)
        {
            e.Add($"peak replicas must be in 1..100000, got {PeakReplicas}");
        }
        if (Tiers.Count == 0)
        {
            e.Add("at least one tier is needed");
        }
        e.AddRange(Tiers.Select(t => t.Validate()).OfType<string>());
        if (Tiers.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dup)
        {
            e.Add($"tier '{dup.Key}' is defined twice");
        }
        if (!double.IsFinite(FailureRatePerHour) || FailureRatePerHour is < 0 or > 1)
        {
            e.Add("failure rate per hour must be in [0, 1]");
        }
        if (ReplayedFailures.Any(f => f < TimeSpan.Zero))
        {
            e.Add("replayed failure offsets must not be negative");
        }
        if (WarmUp < TimeSpan.Zero)
        {
            e.Add("warm-up must not be negative");
        }
        if (ReportFrom is { } rf && rf < WarmUp)
        {
            e.Add($"report-from ({rf.TotalHours:0.##} h) must not be before the end of the warm-up ({WarmUp.TotalHours:0.##} h)");
        }
        if (MinWorkersPerReplica < 1 || MinWorkersPerReplica > WorkersPerReplica)
        {
            e.Add($"min workers per replica must be in 1..workers per replica ({WorkersPerReplica}), got {MinWorkersPerReplica}");
        }
        if (ResizeLeadTime < TimeSpan.Zero || ResizeLeadTime > TimeSpan.FromHours(1))
        {
            e.Add("resize lead time must be between 0 and 1 h");
        }
        if (PreemptionNotice < TimeSpan.Zero || PreemptionNotice > TimeSpan.FromHours(1))
        {
            e.Add("preemption notice must be between 0 and 1 h");
        }
        if (!Enum.IsDefined(ResizeSemantics))
        {
            e.Add($"unknown resize semantics {(int)ResizeSemantics}");
        }
        if (!Enum.IsDefined(ResizeServing))
        {
            e.Add($"unknown resize serving {(int)ResizeServing}");
        }
        if (!Enum.IsDefined(Rescaling))
        {
            e.Add($"unknown trace rescaling {(int)Rescaling}");
        }
        if (SuperpositionHalfWindow is < 1 or > 10_000)
        {
            e.Add($"superposition half-window must be 1..10000 intervals, got {SuperpositionHalfWindow}");
        }
        if (!double.IsFinite(ReplicaOverhead) || ReplicaOverhead is < 0 or > 10)
        {
            e.Add(string.Create(CultureInfo.InvariantCulture, $"replica overhead must be in [0, 10] (a fraction of a default-size replica's price), got {ReplicaOverhead}"));
        }
        if (Tick < TimeSpan.FromSeconds(1) || Tick > TimeSpan.FromHours(1))
        {
            e.Add("tick must be between 1 s and 1 h");
        }
        if (MinReplicas < 0 || MaxReplicas < Math.Max(1, MinReplicas) || MaxReplicas > 100_000)
        {
            e.Add($"replica bounds must satisfy 0 ≤ min ≤ max ≤ 100000 and max ≥ 1, got {MinReplicas}..{MaxReplicas}");
        }
        return e;
    }
}

/// <summary>How <see cref="Simulator"/> turns a trace's values into the model's request rate when the trace is rescaled.</summary>
public enum TraceRescaling
{
    /// <summary>Every interval × the factor k: the trace's relative interval-to-interval noise is kept as it is.</summary>
    Proportional,

    /// <summary>
    /// The trace as k independent copies of its users (for count traces, e.g. requests per minute, rescaled by k &gt; 1):
    /// the local level m (centred mean of 11 intervals by default, <see cref="WorldOptions.SuperpositionHalfWindow"/>) × k plus the interval's deviation from it × √k, floored at 0. A sum
    /// of k independent copies has k times the mean and k times the variance (√k times the deviation), where ×k
    /// assumes every user acts in lockstep (k² times the variance). Slow changes (time of day, surges longer than the
    /// window) scale by k as before. Factors ≤ 1 scale proportionally.
    /// </summary>
    Superposition,
}


/// <summary>What <see cref="WorldOptions.ResizeLeadTime"/>'s pending resize does when a new limit is asked before it lands.</summary>
public enum ResizeSemantics
{
    /// <summary>
    /// The earlier ask is cancelled and the newest one lands a full resize lead after it: asks every tick keep the old
    /// limit in force (the model of sessions 6–9).
    /// </summary>
    Restart,

    /// <summary>
    /// Like the kubelet, which drives a pod towards its latest desired resources: the newest ask replaces the target of
    /// the pending resize without moving its time (it lands at the first pending ask + the lead, with the newest limit);
    /// an ask equal to the limit in force cancels it, and an ask with nothing pending starts a new lead.
    /// </summary>
    LatestSpec,
}

/// <summary>What a replica with a resize in flight serves (it is charged for the larger limit either way).</summary>
public enum ResizeServing
{
    /// <summary>The smaller of the limit in force and the one asked: a decrease bites at the ask (sessions 6–9).</summary>
    Smaller,

    /// <summary>The limit in force until the resize lands, in both directions: the container's cgroup keeps its old limit until the kubelet actuates the new one.</summary>
    InForce,
}
