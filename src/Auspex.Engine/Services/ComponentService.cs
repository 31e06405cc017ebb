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
    IReadOnlyDictionary<string, double> Risks, IReadOnlyList<string> Reasons, DateTimeOffset? At);

/// <summary>Read side of components and their Health Projection Scores (from the loop's latest scoring report).</summary>
public sealed class ComponentService(TopologyHolder topology, ControlLoop loop)
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
                return new ComponentView(c.Id, c.Service, c.Replicas, h?.Hosts ?? c.Placement, h?.Hps, h?.Probability,
                    h?.Risks ?? new Dictionary<string, double>(), h?.Reasons ?? [], h is null ? null : latest!.At);
            })
            .OrderBy(v => v.Hps ?? double.PositiveInfinity).ThenBy(v => v.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>One component, or null for an unknown id.</summary>
    public ComponentView? Component(string id) => Components().FirstOrDefault(c => c.Id == id);
}
