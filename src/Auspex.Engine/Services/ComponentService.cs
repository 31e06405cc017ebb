using Auspex.Engine.Loop;

namespace Auspex.Engine.Services;

/// <summary>A component with its Health Projection Score as the API shows it.</summary>
/// <param name="Id">Component id.</param>
/// <param name="Service">Its service.</param>
/// <param name="Replicas">Desired replicas.</param>
/// <param name="Hosts">Hosts its replicas run on.</param>
/// <param name="Hps">Health Projection Score 0–100 (lower = more predicted risk); null before the loop scored it.</param>
/// <param name="Probability">Predicted probability it is hit within the risk horizon, 0–1.</param>
/// <param name="Risks">Probability per cause (history, hosts, dependencies, load).</param>
/// <param name="Reasons">One line per cause, largest first.</param>
/// <param name="At">Scoring time (loop clock), null before the first tick.</param>
public sealed record ComponentView(string Id, string Service, int Replicas, IReadOnlyList<string> Hosts, double? Hps, double? Probability,
    IReadOnlyDictionary<string, double> Risks, IReadOnlyList<string> Reasons, DateTimeOffset? At)
{
    /// <summary>Replicas per tier key (<c>provider/name</c>) as the executor left them; empty when not tracked.</summary>
    public IReadOnlyDictionary<string, int> ReplicasByTier { get; init; } = new Dictionary<string, int>();

    /// <summary>The tier holding most of its replicas (its main tier), or null when it has none.</summary>
    public string? Tier { get; init; }
}

/// <summary>
/// Read side of components and their Health Projection Scores (from the loop's latest scoring report), with the
/// replicas per tier the scaling stage's executor reached when one is given.
/// </summary>
public sealed class ComponentService(TopologyHolder topology, ControlLoop loop, Scaling.ScalingService? scaling = null)
{
    /// <summary>Every component of the topology, lowest HPS first (unscored last, then by id).</summary>
    public IReadOnlyList<ComponentView> Components()
    {
        var latest = loop.Latest;
        var health = latest?.Report?.Components.ToDictionary(c => c.Component, StringComparer.Ordinal);
        return topology.Current.Components
            .Select(c =>
            {
                var h = health?.GetValueOrDefault(c.Id);
                var byTier = scaling?.ReplicasByTier(c.Id);
                return new ComponentView(c.Id, c.Service, byTier is null ? c.Replicas : byTier.Values.Sum(), h?.Hosts ?? c.Placement, h?.Hps, h?.Probability,
                    h?.Risks ?? new Dictionary<string, double>(), h?.Reasons ?? [], h is null ? null : latest!.At)
                {
                    ReplicasByTier = byTier ?? new Dictionary<string, int>(),
                    Tier = byTier is { Count: > 0 } ? byTier.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key : c.Tiers.FirstOrDefault(),
                };
            })
            .OrderBy(v => v.Hps ?? double.PositiveInfinity).ThenBy(v => v.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>One component, or null for an unknown id.</summary>
    public ComponentView? Component(string id) => Components().FirstOrDefault(c => c.Id == id);
}
