using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Engine.Configuration;
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

    /// <summary>The component-level CPU series used, when ingested, for components <c>orchestration.scaling.demand</c> does not list.</summary>
    public const string ComponentCpuMetric = "auspex_component_cpu_used_cores";

    /// <summary>
    /// Each component's demand as the scaling stage sizes it: its own series' forecast (the metric
    /// <c>orchestration.scaling.demand</c> names for it with its <c>per_replica</c>, else
    /// <see cref="ComponentCpuMetric"/> with <c>requests.cpu × target_utilisation</c> per replica), summed over the
    /// series labelled with the component; otherwise its hosts' CPU forecasts shared by requests, with the reason
    /// its own series was not used.
    /// </summary>
    public static IReadOnlyDictionary<string, DemandSource> Resolve(Topology topology, IReadOnlyList<HostForecast> hostForecasts,
        IReadOnlyList<Forecast> componentForecasts, ScalingStageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(hostForecasts);
        ArgumentNullException.ThrowIfNull(componentForecasts);
        ArgumentNullException.ThrowIfNull(settings);
        var shares = Build(topology, hostForecasts);
        var own = componentForecasts.Where(f => f.Points.Count > 0 && f.Series.Labels["component"] is { Length: > 0 })
            .GroupBy(f => (Component: f.Series.Labels["component"]!, f.Series.Metric))
            .ToDictionary(g => g.Key, g => g.ToList());
        var result = new Dictionary<string, DemandSource>(StringComparer.Ordinal);
        foreach (var c in topology.Components)
        {
            var cpu = c.Requests[ResourceKind.Cpu];
            string metric;
            double perReplica;
            string? configured = null;
            if (settings.Demand.TryGetValue(c.Id, out var d))
            {
                (metric, perReplica, configured) = (d.Metric, d.PerReplica, "orchestration.scaling.demand");
            }
            else
            {
                (metric, perReplica) = (ComponentCpuMetric, cpu * settings.TargetUtilisation);
            }
            string why;
            if (own.TryGetValue((c.Id, metric), out var series))
            {
                if (perReplica > 0)
                {
                    var combined = series.Count == 1 ? series[0] : Sum(c.Id, metric, series);
                    result[c.Id] = new DemandSource(combined, perReplica, "component", $"{metric}{{component=\"{c.Id}\"}}", null, null);
                    continue;
                }
                why = $"its own series {metric}{{component=\"{c.Id}\"}} is forecast, but the component requests no CPU, so one replica's share of it is unknown (set orchestration.scaling.demand.{c.Id}.per_replica)";
            }
            else
            {
                var others = own.Keys.Where(k => k.Component == c.Id).Select(k => k.Metric).ToList();
                why = configured is not null
                    ? $"no forecast yet of its own series {metric}{{component=\"{c.Id}\"}} ({configured})"
                    : $"no component series {metric}{{component=\"{c.Id}\"}} ingested";
                if (others.Count > 0 && configured is null)
                {
                    why += $"; {string.Join(", ", others)} is forecast but not configured (orchestration.scaling.demand.{c.Id}: {{metric, per_replica}})";
                }
            }
            var (share, reason) = shares.GetValueOrDefault(c.Id);
            if (share is null)
            {
                result[c.Id] = new DemandSource(null, 0, "none", "", why, reason ?? "no demand forecast");
                continue;
            }
            if (!(cpu > 0))
            {
                result[c.Id] = new DemandSource(null, 0, "none", "", why, $"component {c.Id} requests no CPU, so its replicas cannot be sized from CPU demand");
                continue;
            }
            result[c.Id] = new DemandSource(share, cpu * settings.TargetUtilisation, "hostShare", Metric + $"{{component=\"{c.Id}\"}}",
                why + "; demand is its hosts' CPU forecasts shared by requests", null);
        }
        return result;
    }

    private static Forecast Sum(string component, string metric, List<Forecast> series)
    {
        var f = Combine(component, series.Select(x => (x, 1.0)).ToList());
        return new Forecast(new SeriesKey(metric, Labels.Of("component", component)), "sum(" + series[0].Model + ")", f.IssuedAt, f.Step, f.Levels, f.Points);
    }

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

/// <summary>Where a component's demand comes from, as the scaling stage sized it.</summary>
/// <param name="Demand">The demand forecast, or null when there is none.</param>
/// <param name="CapacityPerReplica">Demand one replica serves at performance 1.0 (in the demand's unit).</param>
/// <param name="Kind"><c>component</c> (its own series), <c>hostShare</c> (its hosts' CPU forecasts shared by requests) or <c>none</c>.</param>
/// <param name="Series">The series sized on, e.g. <c>http_requests_per_second{component="web"}</c>.</param>
/// <param name="Fallback">Why its own series was not used (null when it was).</param>
/// <param name="Reason">Why there is no demand at all (null when there is).</param>
public sealed record DemandSource(Forecast? Demand, double CapacityPerReplica, string Kind, string Series, string? Fallback, string? Reason);
