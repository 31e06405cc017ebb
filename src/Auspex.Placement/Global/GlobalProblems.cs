using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;

namespace Auspex.Placement.Global;

/// <summary>The forecast of one replica's usage of one resource for a component, as data.</summary>
/// <param name="Component">Component id.</param>
/// <param name="Resource">The resource.</param>
/// <param name="Forecast">Predicted usage per replica.</param>
public sealed record ComponentDemandForecast(string Component, ResourceKind Resource, Forecast Forecast);

/// <summary>Builds the global problem (the scenario) from a topology, forecasts and planned maintenance.</summary>
public static class GlobalProblems
{
    private static readonly ResourceKind[] Kinds = [ResourceKind.Cpu, ResourceKind.Memory];

    /// <summary>
    /// The scenario from <paramref name="start"/> over <see cref="GlobalPlacementOptions.Slots"/> slots: per slot and
    /// resource, each replica's demand is the highest forecast quantile inside the slot, or its request when there is
    /// no forecast for it; a host is unavailable in any slot a maintenance window of it or its ancestors overlaps.
    /// Replicated components spread over zones when their SLO availability is ≥ 0.999 or the policy's risk
    /// tolerance is at most <see cref="GlobalPlacementOptions.ZoneSpreadAtOrBelowRiskTolerance"/>; over racks otherwise.
    /// </summary>
    public static GlobalPlacementProblem FromTopology(Topology topology, IEnumerable<ComponentDemandForecast> demand, DateTimeOffset start, GlobalPlacementOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(demand);
        options ??= new GlobalPlacementOptions();
        options.Validate();
        var slots = Enumerable.Range(0, options.Slots).Select(i => start + options.SlotLength * i).ToArray();
        var ranges = slots.Select(s => new TimeRange(s, s + options.SlotLength)).ToArray();

        var hosts = topology.Hosts.Select(h =>
        {
            var tier = h.Tier is null ? null : topology.FindTier(h.Tier);
            var maint = topology.MaintenanceOf(h.Id).ToList();
            return new PlanHost(
                h.Id,
                topology.AncestorAt(h.Id, LocalityKind.Rack)?.Id ?? h.Id,
                topology.AncestorAt(h.Id, LocalityKind.Zone)?.Id ?? h.Id,
                Kinds.Select(k => h.Capacity[k]).ToArray(),
                tier?.PricePerHour ?? 0,
                options.DefaultIdleWatts,
                options.DefaultWattsPerCore,
                ranges.Select(r => !maint.Any(m => m.When.Overlaps(r))).ToArray());
        }).ToList();
        var zoneCount = hosts.Select(h => h.Zone).Distinct(StringComparer.Ordinal).Count();
        var rackCount = hosts.Select(h => h.Rack).Distinct(StringComparer.Ordinal).Count();

        var forecasts = demand.ToLookup(d => (d.Component, d.Resource));
        var components = topology.Components.Select(c =>
        {
            var perSlot = ranges.Select(r => (IReadOnlyList<double>)Kinds.Select(k => SlotDemand(forecasts[(c.Id, k)].FirstOrDefault()?.Forecast, r, options.Quantile, c.Requests[k])).ToArray()).ToArray();
            int? maxZone = null, maxRack = null;
            if (c.Replicas >= 2)
            {
                var slo = topology.Slos.Where(s => s.Target == c.Id || s.Target == c.Service).Select(s => s.Availability).DefaultIfEmpty(0).Max();
                if (slo >= 0.999 || topology.Policy.RiskTolerance <= options.ZoneSpreadAtOrBelowRiskTolerance)
                {
                    maxZone = Ceil(c.Replicas, Math.Min(c.Replicas, zoneCount));
                }
                else
                {
                    maxRack = Ceil(c.Replicas, Math.Min(c.Replicas, rackCount));
                }
            }
            return new PlanComponent(c.Id, c.Replicas, perSlot, c.Placement, maxZone, maxRack);
        }).ToList();

        var index = components.Select((c, i) => (c.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        var byService = topology.Components.GroupBy(c => c.Service, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(c => index[c.Id]).ToArray(), StringComparer.Ordinal);
        int[] Resolve(string id) => index.TryGetValue(id, out var i) ? [i] : byService.GetValueOrDefault(id, []);
        var edges = new Dictionary<(int, int), double>();
        foreach (var e in topology.Dependencies.Edges)
        {
            foreach (var a in Resolve(e.From))
            {
                foreach (var b in Resolve(e.To).Where(b => b != a))
                {
                    var key = a < b ? (a, b) : (b, a);
                    edges[key] = edges.GetValueOrDefault(key) + e.CallsPerSecond;
                }
            }
        }
        return new GlobalPlacementProblem(
            Kinds.Select(k => k.Key()).ToArray(), slots, hosts, components,
            edges.OrderBy(p => p.Key).Select(p => new PlanEdge(p.Key.Item1, p.Key.Item2, p.Value)).ToArray());
    }

    private static int Ceil(int a, int b) => b <= 0 ? a : (a + b - 1) / b;

    private static double SlotDemand(Forecast? f, TimeRange slot, double q, double request)
    {
        if (f is null)
        {
            return request;
        }
        var max = double.NaN;
        for (var i = 0; i < f.Points.Count; i++)
        {
            if (slot.Contains(f.Points[i].At))
            {
                var v = Math.Max(0, f.Quantile(i, q));
                max = double.IsNaN(max) ? v : Math.Max(max, v);
            }
        }
        return double.IsNaN(max) ? request : max;
    }
}
