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
