namespace Auspex.Placement.Global;

/// <summary>A host as the global optimiser sees it.</summary>
/// <param name="Id">Host id.</param>
/// <param name="Rack">Rack id (a failure domain), or the host id when it has no rack.</param>
/// <param name="Zone">Zone id (a failure domain), or the host id when it has no zone.</param>
/// <param name="Capacity">Capacity per resource, in the order of <see cref="GlobalPlacementProblem.Resources"/>.</param>
/// <param name="PricePerHour">What running the host costs per hour (its tier price).</param>
/// <param name="IdleWatts">Power drawn when the host is on but idle.</param>
/// <param name="WattsPerCore">Extra power per busy core.</param>
/// <param name="Available">Per time slot: false when the host is in maintenance (nothing may be placed on it then).</param>
public sealed record PlanHost(
    string Id, string Rack, string Zone, IReadOnlyList<double> Capacity,
    double PricePerHour, double IdleWatts, double WattsPerCore, IReadOnlyList<bool> Available);

/// <summary>A component whose replicas the optimiser places.</summary>
/// <param name="Id">Component id.</param>
/// <param name="Replicas">How many replicas to place.</param>
/// <param name="Demand">Per time slot, per resource: one replica's predicted demand at the planning quantile.</param>
/// <param name="Current">Hosts the replicas run on now (for moves and warm start).</param>
/// <param name="MaxPerZone">At most this many replicas in one zone (availability SLO), or null for no limit.</param>
/// <param name="MaxPerRack">At most this many replicas in one rack, or null for no limit.</param>
public sealed record PlanComponent(
    string Id, int Replicas, IReadOnlyList<IReadOnlyList<double>> Demand, IReadOnlyList<string> Current,
    int? MaxPerZone, int? MaxPerRack);

/// <summary>Traffic between two components (indices into <see cref="GlobalPlacementProblem.Components"/>).</summary>
/// <param name="From">Caller index.</param>
/// <param name="To">Callee index.</param>
/// <param name="Weight">Calls per second.</param>
public sealed record PlanEdge(int From, int To, double Weight);

/// <summary>
/// Seed 001's global problem: assign every replica of every component to a host so that, in every time slot,
/// each host's predicted demand at the quantile fits its capacity per resource, replicas are spread over failure
/// domains as the availability SLOs ask, hosts in maintenance stay empty, and cost + energy + communication +
/// moves is smallest. One replica per host per component.
/// </summary>
/// <param name="Resources">Resource names, in the order of every capacity and demand vector (e.g. cpu, memory).</param>
/// <param name="SlotStarts">Start of each time slot (the scenario's horizon).</param>
/// <param name="Hosts">Hosts.</param>
/// <param name="Components">Components.</param>
/// <param name="Edges">Dependencies with traffic.</param>
public sealed record GlobalPlacementProblem(
    IReadOnlyList<string> Resources,
    IReadOnlyList<DateTimeOffset> SlotStarts,
    IReadOnlyList<PlanHost> Hosts,
    IReadOnlyList<PlanComponent> Components,
    IReadOnlyList<PlanEdge> Edges)
{
    /// <summary>Number of time slots.</summary>
    public int SlotCount => SlotStarts.Count;

    /// <summary>Returns every structural problem (wrong vector lengths, unknown hosts…); empty when well formed.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in Hosts)
        {
            if (!ids.Add(h.Id))
            {
                errors.Add($"host {h.Id} appears twice");
            }
            if (h.Capacity.Count != Resources.Count)
            {
                errors.Add($"host {h.Id}: {h.Capacity.Count} capacities for {Resources.Count} resources");
            }
            if (h.Available.Count != SlotCount)
            {
                errors.Add($"host {h.Id}: availability for {h.Available.Count} slots, expected {SlotCount}");
            }
        }
        foreach (var c in Components)
        {
            if (c.Replicas < 0)
            {
                errors.Add($"component {c.Id}: negative replicas");
            }
            if (c.Demand.Count != SlotCount || c.Demand.Any(d => d.Count != Resources.Count || d.Any(v => !double.IsFinite(v) || v < 0)))
            {
                errors.Add($"component {c.Id}: demand must hold {SlotCount} slots × {Resources.Count} finite, non-negative values");
            }
        }
        foreach (var e in Edges.Where(e => e.From < 0 || e.To < 0 || e.From >= Components.Count || e.To >= Components.Count || e.From == e.To || !(e.Weight >= 0)))
        {
            errors.Add($"edge {e.From}->{e.To} is invalid");
        }
        return errors;
    }
}
