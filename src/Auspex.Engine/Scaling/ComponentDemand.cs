using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Scoring;

namespace Auspex.Engine.Scaling;

/// <summary>
/// A component's demand forecast in CPU cores, made from the loop's host forecasts: each host's forecast CPU use is
/// shared among the components placed on it in proportion to their CPU requests (by replica count when nothing
/// requests CPU), and a component's demand is the sum of its shares over its hosts. Quantiles are summed level by
/// level (comonotonic, the conservative choice, as for the KEDA scaler). The attribution uses the topology's
/// placement, never the replica counts the scaler sets, so scaling cannot feed back into its own demand.
/// </summary>
public static class ComponentDemand
{
    /// <summary>The metric name of the component demand forecasts.</summary>
    public const string Metric = "auspex_component_cpu_demand_cores";

    /// <summary>Each component's demand forecast, or the reason it has none.</summary>
    public static IReadOnlyDictionary<string, (Forecast? Demand, string? Reason)> Build(Topology topology, IReadOnlyList<HostForecast> forecasts)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(forecasts);
        var cpu = forecasts.Where(f => f.Resource == ResourceKind.Cpu && f.Forecast.Points.Count > 0)
            .GroupBy(f => f.Host, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Forecast, StringComparer.Ordinal);
        // Weight of each component on each host: its CPU request per replica there.
        var weights = new Dictionary<string, List<(string Component, double Weight)>>(StringComparer.Ordinal);
        foreach (var c in topology.Components)
        {
            foreach (var h in c.Placement)
            {
                if (!weights.TryGetValue(h, out var list))
                {
                    weights[h] = list = [];
                }
                list.Add((c.Id, c.Requests[ResourceKind.Cpu]));
            }
        }
        var result = new Dictionary<string, (Forecast?, string?)>(StringComparer.Ordinal);
        foreach (var c in topology.Components)
        {
            var parts = new List<(Forecast F, double Share)>();
            foreach (var h in c.Placement.Distinct(StringComparer.Ordinal))
            {
                if (!cpu.TryGetValue(h, out var f) || !weights.TryGetValue(h, out var on))
                {
                    continue;
                }
                var total = on.Sum(x => x.Weight);
                var mine = on.Where(x => x.Component == c.Id).ToList();
                var share = total > 0 ? mine.Sum(x => x.Weight) / total : (double)mine.Count / on.Count;
                if (share > 0)
                {
                    parts.Add((f, share));
                }
            }
            if (parts.Count == 0)
            {
                result[c.Id] = (null, c.Placement.Count == 0
                    ? $"component {c.Id} has no placed replicas, so no host forecast carries its demand"
                    : $"no CPU forecast yet for its hosts ({string.Join(", ", c.Placement.Distinct(StringComparer.Ordinal))})");
                continue;
            }
            result[c.Id] = (Combine(c.Id, parts), null);
        }
        return result;
    }

    private static Forecast Combine(string component, List<(Forecast F, double Share)> parts)
    {
        var grid = parts[0].F;
        var levels = grid.Levels;
        var aligned = parts.Where(p => p.F.Step == grid.Step && p.F.Points[0].At == grid.Points[0].At).ToList();
        var n = aligned.Min(p => p.F.Points.Count);
        var points = new List<ForecastPoint>(n);
        for (var i = 0; i < n; i++)
        {
            var mean = 0.0;
            var q = new double[levels.Count];
            foreach (var (f, share) in aligned)
            {
                mean += share * Math.Max(0, f.Points[i].Mean);
                for (var l = 0; l < levels.Count; l++)
                {
                    q[l] += share * Math.Max(0, f.Quantile(i, levels[l]));
                }
            }
            points.Add(new ForecastPoint(grid.Points[i].At, mean, q));
        }
        return new Forecast(new SeriesKey(Metric, Labels.Of("component", component)), "host-share(" + grid.Model + ")", grid.IssuedAt, grid.Step, levels, points);
    }
}
