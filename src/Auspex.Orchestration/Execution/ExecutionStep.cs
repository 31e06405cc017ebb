using System.Text.Json.Serialization;

namespace Auspex.Orchestration.Execution;

/// <summary>
/// One desired-state change an executor carries out. Steps name the state to reach (replicas = 5, node cordoned),
/// never a delta, so running a step twice is the same as running it once. Serialised as JSON with a <c>kind</c>
/// discriminator so plans survive in the state store.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ScaleStep), "scale")]
[JsonDerivedType(typeof(PoolSizeStep), "pool-size")]
[JsonDerivedType(typeof(CordonStep), "cordon")]
[JsonDerivedType(typeof(DrainStep), "drain")]
[JsonDerivedType(typeof(LabelStep), "label")]
[JsonDerivedType(typeof(TaintStep), "taint")]
[JsonDerivedType(typeof(AffinityStep), "affinity")]
[JsonDerivedType(typeof(MoveStep), "move")]
[JsonDerivedType(typeof(ReplicaStep), "replica")]
[JsonDerivedType(typeof(TrafficStep), "traffic")]
[JsonDerivedType(typeof(GateStep), "gate")]
public abstract record ExecutionStep
{
    /// <summary>The thing changed (component id or node name), for the audit log and idempotency keys.</summary>
    public abstract string Target { get; }

    /// <summary>One line a person reads: what this step does.</summary>
    public abstract string Describe();
}

/// <summary>Sets the replicas of a component on a tier (a Deployment/StatefulSet per tier on Kubernetes).</summary>
/// <param name="Component">Component id.</param>
/// <param name="Tier">Tier key (<c>provider/name</c>), or empty when the component has a single workload.</param>
/// <param name="Replicas">Replicas to reach (≥ 0).</param>
public sealed record ScaleStep(string Component, string Tier, int Replicas) : ExecutionStep
{
    /// <inheritdoc />
    public override string Target => Component;

    /// <inheritdoc />
    public override string Describe() => Tier.Length == 0
        ? $"scale {Component} to {Replicas} replicas"
        : $"scale {Component} on {Tier} to {Replicas} replicas";
}

/// <summary>Sets the number of units (nodes, instances) of a tier's pool: an infrastructure change (IaC, webhook).</summary>
/// <param name="Tier">Tier key.</param>
/// <param name="Units">Units to reach (≥ 0).</param>
public sealed record PoolSizeStep(string Tier, int Units) : ExecutionStep
{
    /// <inheritdoc />
    public override string Target => Tier;

    /// <inheritdoc />
    public override string Describe() => $"size pool {Tier} to {Units} units";
}

/// <summary>Marks a node (un)schedulable.</summary>
/// <param name="Node">Node name.</param>
/// <param name="Unschedulable">True to cordon, false to uncordon.</param>
public sealed record CordonStep(string Node, bool Unschedulable) : ExecutionStep
{
    /// <inheritdoc />
    public override string Target => Node;

    /// <inheritdoc />
    public override string Describe() => Unschedulable ? $"cordon node {Node}" : $"uncordon node {Node}";
}

/// <summary>Cordons a node and evicts its pods (honouring PodDisruptionBudgets on Kubernetes).</summary>
/// <param name="Node">Node name.</param>
public sealed record DrainStep(string Node) : ExecutionStep
{
    /// <inheritdoc />
    public override string Target => Node;

    /// <inheritdoc />
    public override string Describe() => $"drain node {Node}";
}

/// <summary>Sets or removes a node label (e.g. <c>auspex.io/desirability=82</c>).</summary>
/// <param name="Node">Node name.</param>
/// <param name="Key">Label key.</param>
/// <param name="Value">Value, or null to remove the label.</param>
public sealed record LabelStep(string Node, string Key, string? Value) : ExecutionStep
{
    /// <inheritdoc />
    public override string Target => Node;

    /// <inheritdoc />
    public override string Describe() => Value is null ? $"remove label {Key} from node {Node}" : $"label node {Node} {Key}={Value}";
}

/// <summary>Sets or removes a node taint.</summary>
/// <param name="Node">Node name.</param>
/// <param name="Key">Taint key.</param>
/// <param name="Value">Taint value ("" allowed).</param>
/// <param name="Effect">NoSchedule, PreferNoSchedule or NoExecute.</param>
/// <param name="Present">True to set the taint, false to remove it.</param>
public sealed record TaintStep(string Node, string Key, string Value, string Effect, bool Present) : ExecutionStep
{
    /// <inheritdoc />
    public override string Target => Node;

    /// <inheritdoc />
    public override string Describe() => Present ? $"taint node {Node} {Key}={Value}:{Effect}" : $"remove taint {Key}:{Effect} from node {Node}";
}

/// <summary>One preferred node-affinity term: nodes whose label <paramref name="Key"/> is one of <paramref name="Values"/> get <paramref name="Weight"/>.</summary>
/// <param name="Key">Node label key.</param>
/// <param name="Values">Accepted values.</param>
/// <param name="Weight">Weight 1–100.</param>
public sealed record AffinityTerm(string Key, IReadOnlyList<string> Values, int Weight);

/// <summary>Replaces a component's preferred node affinity (Auspex-managed terms only).</summary>
/// <param name="Component">Component id.</param>
/// <param name="Terms">The preferred terms; empty removes them.</param>
public sealed record AffinityStep(string Component, IReadOnlyList<AffinityTerm> Terms) : ExecutionStep
{
    /// <inheritdoc />
    public override string Target => Component;

    /// <inheritdoc />
    public override string Describe() => Terms.Count == 0
        ? $"clear preferred affinity of {Component}"
        : $"prefer for {Component}: " + string.Join("; ", Terms.Select(t => $"{t.Key} in ({string.Join(",", t.Values)}) weight {t.Weight}"));
}

/// <summary>Moves one replica of a component from one host to another (a migration step).</summary>
/// <param name="Component">Component id.</param>
/// <param name="From">Source host.</param>
/// <param name="To">Destination host.</param>
public sealed record MoveStep(string Component, string From, string To) : ExecutionStep
{
    /// <inheritdoc />
    public override string Target => Component;

    /// <inheritdoc />
    public override string Describe() => $"move one replica of {Component} from {From} to {To}";
}

/// <summary>Starts (present) or removes (absent) a replica of a component on a host — a migration's provision and decommission.</summary>
/// <param name="Component">Component id.</param>
/// <param name="Host">Host id or node name.</param>
/// <param name="Present">True to have a replica there, false to have none.</param>
public sealed record ReplicaStep(string Component, string Host, bool Present) : ExecutionStep
{
    /// <inheritdoc />
    public override string Target => Component;

    /// <inheritdoc />
    public override string Describe() => Present ? $"start a replica of {Component} on {Host}" : $"remove the replica of {Component} on {Host}";
}

/// <summary>Sets the share of a component's traffic the replica on a host receives.</summary>
/// <param name="Component">Component id.</param>
/// <param name="Host">Host id.</param>
/// <param name="Percent">Share in [0, 100].</param>
public sealed record TrafficStep(string Component, string Host, double Percent) : ExecutionStep
{
    /// <inheritdoc />
    public override string Target => Component;

    /// <inheritdoc />
    public override string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"send {Percent:0.#}% of {Component}'s traffic to {Host}");
}

/// <summary>How a health check folds the samples of its window.</summary>
public enum HealthAggregation
{
    /// <summary>Mean of every sample of every matching series.</summary>
    Mean,
    /// <summary>Largest sample.</summary>
    Max,
    /// <summary>Latest sample of each series, the largest of them.</summary>
    Last,
}

/// <summary>A health check on live metrics: the aggregate of the selector's samples over the window must stay at or below (or at or above) a threshold.</summary>
/// <param name="Name">Name shown in the plan and the audit log (e.g. "web p99 latency").</param>
/// <param name="Selector">Series selector in PromQL syntax, e.g. <c>http_latency_p99_seconds{service="web"}</c>.</param>
/// <param name="Aggregation">How the window's samples are folded.</param>
/// <param name="Threshold">The limit.</param>
/// <param name="AtMost">True: healthy while the value ≤ threshold (latency, errors); false: while ≥ threshold (throughput, ready replicas).</param>
/// <param name="Window">How far back from now to read.</param>
/// <param name="FailOnNoData">True (the default): no samples in the window fails the check.</param>
public sealed record HealthCheck(string Name, string Selector, HealthAggregation Aggregation, double Threshold, bool AtMost, TimeSpan Window, bool FailOnNoData = true);

/// <summary>
/// A health gate inside a plan: wait <paramref name="Soak"/> after the previous steps, then evaluate every check on live
/// metrics; any failure is an SLO breach and rolls the plan back. Run by the plan runner, never by an executor.
/// </summary>
/// <param name="Soak">How long to watch before judging.</param>
/// <param name="Checks">The checks; none means the gate only waits.</param>
public sealed record GateStep(TimeSpan Soak, IReadOnlyList<HealthCheck> Checks) : ExecutionStep
{
    /// <inheritdoc />
    public override string Target => "gate";

    /// <inheritdoc />
    public override string Describe() => Checks.Count == 0
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"wait {Soak.TotalSeconds:0}s")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"wait {Soak.TotalSeconds:0}s, then check {string.Join(", ", Checks.Select(c => c.Name))}");
}
