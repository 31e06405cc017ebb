using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Core.Topology;
using Auspex.Scoring;

namespace Auspex.Simulation.Shadow;

/// <summary>Live (observed) values per host and resource.</summary>
public sealed class LiveValues
{
    private readonly Dictionary<(string Host, ResourceKind Resource), double> _values = [];

    /// <summary>Sets a host's latest value of a resource.</summary>
    public void Set(string host, ResourceKind resource, double value) => _values[(host, resource)] = value;

    /// <summary>The host's latest value of a resource, or null.</summary>
    public double? Get(string host, ResourceKind resource) => _values.TryGetValue((host, resource), out var v) ? v : null;

    /// <summary>Every (host, resource, value).</summary>
    public IEnumerable<(string Host, ResourceKind Resource, double Value)> All => _values.Select(p => (p.Key.Host, p.Key.Resource, p.Value));
}

/// <summary>
/// Builds the shadow infrastructure: the live topology with, per locality and resource, the live value beside the
/// forecast quantile's peak over the horizon (hosts from their forecasts, higher levels summed), the utilisation
/// of the tightest resource, alert levels from the thresholds, and the largest live-vs-shadow differences.
/// </summary>
public static class ShadowBuilder
{
    /// <summary>Builds the shadow at <paramref name="at"/>.</summary>
    public static ShadowSnapshot Build(Topology topology, IReadOnlyList<HostForecast> forecasts, LiveValues live, IReadOnlyList<LocalityScore> scores,
        DateTimeOffset at, ShadowOptions options, IReadOnlyList<ProvisioningItem>? queue = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(forecasts);
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(options);
        var horizonEnd = options.Horizon is { } h ? at + h : DateTimeOffset.MaxValue;
        var predictedHost = new Dictionary<(string, ResourceKind), (double Peak, DateTimeOffset? Warn, DateTimeOffset? Crit)>();
        foreach (var f in forecasts)
        {
            if (!f.Resource.IsCapacity() || f.Forecast.Points.Count == 0)
            {
                continue;
            }
            var cap = topology.Find(f.Host)?.Capacity[f.Resource] ?? 0;
            var peak = double.NegativeInfinity;
            DateTimeOffset? warn = null, crit = null;
            for (var i = 0; i < f.Forecast.Points.Count && f.Forecast.Points[i].At <= horizonEnd; i++)
            {
                var v = Math.Max(0, f.Forecast.Quantile(i, options.Quantile));
                peak = Math.Max(peak, v);
                if (cap > 0 && warn is null && v >= options.WarningUtilisation * cap)
                {
                    warn = f.Forecast.Points[i].At;
                }
                if (cap > 0 && crit is null && v >= options.CriticalUtilisation * cap)
                {
                    crit = f.Forecast.Points[i].At;
                }
            }
            if (double.IsFinite(peak))
            {
                predictedHost[(f.Host, f.Resource)] = (peak, warn, crit);
            }
        }
        var desirability = scores.GroupBy(s => s.Locality, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Desirability, StringComparer.Ordinal);
        var nodes = new List<ShadowNode>();
        var diffs = new List<ShadowDiff>();
        var alerts = new List<ShadowAlert>();
        foreach (var l in topology.Localities)
        {
            var hosts = topology.HostsUnder(l.Id).ToList();
            var capacity = new Dictionary<string, double>(StringComparer.Ordinal);
            var liveV = new Dictionary<string, double>(StringComparer.Ordinal);
            var pred = new Dictionary<string, double>(StringComparer.Ordinal);
            double? liveU = null, predU = null;
            string? tightest = null;
            double tightestLive = double.NaN;
            foreach (var kind in ResourceKinds.All.Where(k => k.IsCapacity()))
            {
                var cap = hosts.Sum(x => x.Capacity[kind]);
                double? lv = null, pv = null;
                foreach (var x in hosts)
                {
                    if (live.Get(x.Id, kind) is { } v)
                    {
                        lv = (lv ?? 0) + v;
                    }
                    if (predictedHost.TryGetValue((x.Id, kind), out var p))
                    {
                        pv = (pv ?? 0) + p.Peak;
                    }
                }
                if (cap <= 0 && lv is null && pv is null)
                {
                    continue;
                }
                var key = kind.Key();
                if (cap > 0)
                {
                    capacity[key] = cap;
                }
                if (lv is { } lvv)
                {
                    liveV[key] = lvv;
                    if (cap > 0)
                    {
                        liveU = Math.Max(liveU ?? 0, lvv / cap);
                    }
                }
                if (pv is { } pvv)
                {
                    pred[key] = pvv;
                    if (cap > 0 && (predU is null || pvv / cap > predU))
                    {
                        predU = pvv / cap;
                        tightest = key;
                        tightestLive = lv is { } x2 ? x2 / cap : double.NaN;
                    }
                }
                if (lv is { } a && pv is { } b && cap > 0)
                {
                    diffs.Add(new ShadowDiff(l.Id, key, a, b, b - a, (b - a) / cap));
                }
            }
            var level = predU is { } u ? u >= options.CriticalUtilisation ? ShadowLevel.Critical : u >= options.WarningUtilisation ? ShadowLevel.Warning : ShadowLevel.Ok : ShadowLevel.Ok;
            if (level != ShadowLevel.Ok && tightest is not null)
            {
                DateTimeOffset? crosses = null;
                if (l.Kind == LocalityKind.Host && ResourceKinds.TryParse(tightest, out var tk) && predictedHost.TryGetValue((l.Id, tk), out var ph))
                {
                    crosses = level == ShadowLevel.Critical ? ph.Crit : ph.Warn;
                }
                alerts.Add(new ShadowAlert(l.Id, l.KindName, tightest, level, predU!.Value, double.IsNaN(tightestLive) ? null : tightestLive,
                    level == ShadowLevel.Critical ? options.CriticalUtilisation : options.WarningUtilisation, crosses));
            }
            nodes.Add(new ShadowNode(l.Id, l.KindName, l.Parent, l.Tier, capacity, liveV, pred, liveU, predU, level, desirability.TryGetValue(l.Id, out var d) ? d : null));
        }
        var horizonSeconds = options.Horizon?.TotalSeconds ?? forecasts.Select(f => f.Forecast.Points.Count == 0 ? 0 : (f.Forecast.Points[^1].At - at).TotalSeconds).DefaultIfEmpty(0).Max();
        return new ShadowSnapshot(at, horizonSeconds, options.Quantile, options.WarningUtilisation, options.CriticalUtilisation, nodes,
            diffs.OrderByDescending(d => Math.Abs(d.ChangeOfCapacity)).ThenBy(d => d.Locality, StringComparer.Ordinal).Take(options.MaxDiffs).ToList(),
            alerts.OrderByDescending(a => a.Severity).ThenByDescending(a => a.PredictedUtilisation).ToList(),
            queue ?? []);
    }
}
