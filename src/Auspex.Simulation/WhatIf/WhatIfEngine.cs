using System.Diagnostics;
using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Core.Topology;
using Auspex.Scoring;
using Auspex.Simulation.Shadow;
using Auspex.Simulation.World;

namespace Auspex.Simulation.WhatIf;

/// <summary>
/// Plays a <see cref="WhatIfScenario"/> on the live and the shadow infrastructure: transforms the topology (capacity,
/// prices, maintenance), the forecasts and the live values (traffic, failed localities whose load moves to their
/// surviving neighbours), then scores both states with the loop's own <see cref="LocalityScorer"/>, rebuilds the shadow
/// with <see cref="ShadowBuilder"/>, and predicts each latency SLO with the <see cref="QueueModel"/>.
/// </summary>
public static class WhatIfEngine
{
    private static readonly ResourceKind[] LoadKinds = [ResourceKind.Cpu, ResourceKind.NetworkIn, ResourceKind.NetworkOut, ResourceKind.StorageThroughput];

    /// <summary>Evaluates the scenario; returns the result, or the scenario's problems.</summary>
    public static (WhatIfResult? Result, IReadOnlyList<string> Errors) Evaluate(Topology topology, IReadOnlyList<HostForecast> forecasts, LiveValues live,
        DateTimeOffset at, WhatIfScenario scenario, ShadowOptions options, LocalityScorer scorer, ScoringContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(forecasts);
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(scorer);
        var errors = scenario.Validate(topology);
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        var sw = Stopwatch.StartNew();
        context ??= ScoringContext.Empty;
        var notes = new List<string>();
        var horizonEnd = at + (options.Horizon ?? TimeSpan.FromHours(1));

        // Baseline.
        var baseState = Evaluate(topology, forecasts, live, at, options, scorer, context, new HashSet<string>(StringComparer.Ordinal),
            new HashSet<string>(StringComparer.Ordinal), 1);

        // Scenario topology: scaled capacity, prices, extra maintenance.
        var factor = scenario.ScalingFactor ?? 1;
        var prices = scenario.TierPrices ?? new Dictionary<string, double>();
        var extraMaintenance = (scenario.Maintenance ?? []).Select(m => new MaintenanceWindow(m.Locality!, new Core.Series.TimeRange(m.From!.Value, m.To!.Value), "what-if")).ToList();
        var changed = Topology.Create(topology.Tenant,
            topology.Localities.Select(l => l.Kind == LocalityKind.Host ? l with { Capacity = l.Capacity.Times(factor) } : l),
            topology.Components, topology.Dependencies.Edges,
            topology.Tiers.Select(t => prices.TryGetValue(t.Name, out var p) ? t with { PricePerHour = p } : t),
            topology.Slos, [.. topology.Maintenance, .. extraMaintenance], topology.Failures, topology.Policy);
        if (changed.Topology is null)
        {
            return (null, changed.Errors);
        }
        var t1 = changed.Topology;
        var failed = new HashSet<string>((scenario.Fail ?? []).SelectMany(id => t1.HostsUnder(id)).Select(h => h.Id), StringComparer.Ordinal);
        var downLive = new HashSet<string>(failed, StringComparer.Ordinal);
        var downShadow = new HashSet<string>(failed, StringComparer.Ordinal);
        foreach (var w in extraMaintenance)
        {
            foreach (var h in t1.HostsUnder(w.Locality))
            {
                if (w.When.Start <= at && at < w.When.End)
                {
                    downLive.Add(h.Id);
                }
                if (w.When.Start < horizonEnd && w.When.End > at)
                {
                    downShadow.Add(h.Id);
                }
            }
        }
        var traffic = scenario.TrafficMultiplier ?? 1;
        var f1 = Redistribute(t1, forecasts.Select(f => LoadKinds.Contains(f.Resource) ? f with { Forecast = Scale(f.Forecast, traffic) } : f).ToList(), downShadow, notes, "shadow");
        var l1 = new LiveValues();
        foreach (var (h, r, v) in live.All)
        {
            l1.Set(h, r, LoadKinds.Contains(r) ? v * traffic : v);
        }
        l1 = RedistributeLive(t1, l1, downLive, notes);
        var ctx1 = failed.Count == 0 ? context : context with
        {
            ExtraFailures = [.. context.ExtraFailures, .. (scenario.Fail ?? []).Select(id => new FailureEvent(id, at, "what-if", null))],
        };
        var scenState = Evaluate(t1, f1, l1, at, options, scorer, ctx1, downLive, downShadow, factor);
        if (traffic != 1)
        {
            notes.Add("traffic multiplies cpu, network and storage throughput; memory is left as it is");
        }
        var localities = topology.Localities.Select(l => new WhatIfLocality(l.Id, l.KindName, failed.Contains(l.Id) || (l.Kind != LocalityKind.Host && t1.HostsUnder(l.Id).All(h => failed.Contains(h.Id))),
            baseState.Locality(l.Id), scenState.Locality(l.Id))).ToList();
        return (new WhatIfResult(at, sw.Elapsed.TotalMilliseconds, baseState.Side, scenState.Side, localities, notes.Distinct().ToList()), []);
    }

    private sealed record State(WhatIfSide Side, ShadowSnapshot Shadow, ShadowSnapshot LiveShadow, IReadOnlyDictionary<string, double> Scores)
    {
        public WhatIfLocalityState Locality(string id)
        {
            var s = Shadow.Nodes.FirstOrDefault(n => n.Id == id);
            return new WhatIfLocalityState(s?.LiveUtilisation, s?.PredictedUtilisation, Scores.TryGetValue(id, out var d) ? d : null);
        }
    }

    private static State Evaluate(Topology t, IReadOnlyList<HostForecast> forecasts, LiveValues live, DateTimeOffset at, ShadowOptions options,
        LocalityScorer scorer, ScoringContext context, HashSet<string> downLive, HashSet<string> downShadow, double factor)
    {
        var shadowForecasts = forecasts.Where(f => !downShadow.Contains(f.Host)).ToList();
        var liveForecasts = Flat(forecasts, live, at, options).Where(f => !downLive.Contains(f.Host)).ToList();
        var shadowScores = scorer.Score(t, shadowForecasts, at, context);
        var liveScores = scorer.Score(t, liveForecasts, at, context);
        var shadow = ShadowBuilder.Build(t, shadowForecasts, live, shadowScores, at, options);
        var liveAsShadow = ShadowBuilder.Build(t, liveForecasts, live, liveScores, at, options);
        var cost = t.Hosts.Sum(h => h.Tier is { } tn && t.FindTier(tn) is { } tier ? tier.PricePerHour : 0) * factor;
        WhatIfSummary Summary(IReadOnlyList<LocalityScore> scores, ShadowSnapshot snap, HashSet<string> down, bool useLive)
        {
            var hosts = snap.Nodes.Where(n => n.Kind == "host" && !down.Contains(n.Id)).Select(n => useLive ? n.LiveUtilisation : n.PredictedUtilisation).OfType<double>().ToList();
            var d = scores.Where(s => !down.Contains(s.Locality)).Select(s => s.Desirability).ToList();
            var slos = PredictSlos(t, snap, down, useLive);
            return new WhatIfSummary(d.Count > 0 ? d.Average() : null, d.Count > 0 ? d.Min() : null, hosts.Count > 0 ? hosts.Max() : null,
                hosts.Count(u => u >= options.WarningUtilisation), hosts.Count(u => u >= options.CriticalUtilisation), cost, slos, slos.Count(s => s.Violated));
        }
        var side = new WhatIfSide(Summary(liveScores, shadow, downLive, useLive: true), Summary(shadowScores, shadow, downShadow, useLive: false));
        return new State(side, shadow, liveAsShadow, shadowScores.GroupBy(s => s.Locality, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Desirability, StringComparer.Ordinal));
    }

    /// <summary>Each latency SLO on the busiest live host its component runs on: M/M/c with c = the host's cores and a service time of a tenth of the target.</summary>
    private static List<SloPrediction> PredictSlos(Topology t, ShadowSnapshot snap, HashSet<string> down, bool useLive)
    {
        var list = new List<SloPrediction>();
        var nodes = snap.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        foreach (var slo in t.Slos.Where(s => s.LatencyP99 is not null))
        {
            var target = slo.LatencyP99!.Value.TotalSeconds;
            var hosts = t.Components.Where(c => c.Id == slo.Target || c.Service == slo.Target).SelectMany(c => c.Placement).Distinct(StringComparer.Ordinal)
                .Where(h => !down.Contains(h)).ToList();
            double? worstU = null;
            double? worstP99 = null;
            foreach (var h in hosts)
            {
                if (!nodes.TryGetValue(h, out var n) || !n.Capacity.TryGetValue("cpu", out var cores) || cores <= 0)
                {
                    continue;
                }
                var used = (useLive ? n.Live : n.Predicted).GetValueOrDefault("cpu", double.NaN);
                if (double.IsNaN(used))
                {
                    continue;
                }
                var u = used / cores;
                var c = Math.Max(1, (int)Math.Round(cores));
                var s = target / 10;
                var p99 = u >= 1 ? double.PositiveInfinity : QueueModel.ResponseQuantile(u * c / s, c, s);
                if (worstP99 is null || p99 > worstP99)
                {
                    worstP99 = p99;
                    worstU = u;
                }
            }
            var violated = worstP99 is null ? hosts.Count == 0 : worstP99 > target;
            list.Add(new SloPrediction(slo.Target, target * 1000, worstP99 is { } w && double.IsFinite(w) ? w * 1000 : null, worstU, violated));
        }
        return list;
    }

    /// <summary>Flat forecasts holding each live value over the forecast's timeline (so the scorer sees "now, unchanged").</summary>
    private static IEnumerable<HostForecast> Flat(IReadOnlyList<HostForecast> forecasts, LiveValues live, DateTimeOffset at, ShadowOptions options)
    {
        foreach (var f in forecasts)
        {
            if (live.Get(f.Host, f.Resource) is not { } v)
            {
                continue;
            }
            var points = f.Forecast.Points.Select(p => new ForecastPoint(p.At, v, p.Quantiles.Select(_ => v).ToArray())).ToList();
            if (points.Count == 0)
            {
                points.Add(new ForecastPoint(at, v, f.Forecast.Levels.Select(_ => v).ToArray()));
            }
            yield return f with { Forecast = f.Forecast with { Points = points } };
        }
    }

    private static Forecast Scale(Forecast f, double m) =>
        m == 1 ? f : f with { Points = f.Points.Select(p => new ForecastPoint(p.At, p.Mean * m, p.Quantiles.Select(q => q * m).ToArray())).ToList() };

    /// <summary>Moves each down host's forecast onto the surviving hosts of its nearest enclosing locality, by capacity (quantiles added: a conservative, comonotone sum).</summary>
    private static List<HostForecast> Redistribute(Topology t, List<HostForecast> forecasts, HashSet<string> down, List<string> notes, string side)
    {
        if (down.Count == 0)
        {
            return forecasts;
        }
        var byKey = forecasts.GroupBy(f => (f.Host, f.Resource)).ToDictionary(g => g.Key, g => g.First());
        foreach (var f in forecasts.Where(f => down.Contains(f.Host) && f.Resource.IsCapacity()))
        {
            var targets = Survivors(t, f.Host, f.Resource, down).Where(h => byKey.ContainsKey((h.Id, f.Resource))).ToList();
            var total = targets.Sum(h => h.Capacity[f.Resource]);
            if (targets.Count == 0 || total <= 0)
            {
                notes.Add($"{side}: the {f.Resource.Key()} load of {f.Host} has nowhere to go (no surviving host with a forecast) and is lost");
                continue;
            }
            foreach (var h in targets)
            {
                var k = (h.Id, f.Resource);
                byKey[k] = byKey[k] with { Forecast = Add(byKey[k].Forecast, f.Forecast, h.Capacity[f.Resource] / total) };
            }
        }
        return byKey.Values.Where(f => !down.Contains(f.Host)).ToList();
    }

    private static LiveValues RedistributeLive(Topology t, LiveValues live, HashSet<string> down, List<string> notes)
    {
        if (down.Count == 0)
        {
            return live;
        }
        var result = new LiveValues();
        var all = live.All.ToList();
        foreach (var (h, r, v) in all.Where(x => !down.Contains(x.Host)))
        {
            result.Set(h, r, v);
        }
        foreach (var (h, r, v) in all.Where(x => down.Contains(x.Host) && x.Resource.IsCapacity()))
        {
            var targets = Survivors(t, h, r, down).Where(s => result.Get(s.Id, r) is not null).ToList();
            var total = targets.Sum(s => s.Capacity[r]);
            if (targets.Count == 0 || total <= 0)
            {
                notes.Add($"live: the {r.Key()} load of {h} has nowhere to go (no surviving host) and is lost");
                continue;
            }
            foreach (var s in targets)
            {
                result.Set(s.Id, r, result.Get(s.Id, r)!.Value + v * s.Capacity[r] / total);
            }
        }
        return result;
    }

    private static List<Locality> Survivors(Topology t, string host, ResourceKind r, HashSet<string> down)
    {
        foreach (var anc in t.Ancestors(host))
        {
            var alive = t.HostsUnder(anc.Id).Where(h => !down.Contains(h.Id) && h.Capacity[r] > 0).ToList();
            if (alive.Count > 0)
            {
                return alive;
            }
        }
        return [];
    }

    private static Forecast Add(Forecast a, Forecast b, double w)
    {
        var n = Math.Min(a.Points.Count, b.Points.Count);
        var points = new List<ForecastPoint>(a.Points.Count);
        for (var i = 0; i < a.Points.Count; i++)
        {
            var p = a.Points[i];
            if (i >= n || p.Quantiles.Count != b.Points[i].Quantiles.Count)
            {
                points.Add(p);
                continue;
            }
            var q = b.Points[i];
            points.Add(new ForecastPoint(p.At, p.Mean + w * q.Mean, p.Quantiles.Select((x, j) => x + w * q.Quantiles[j]).ToArray()));
        }
        return a with { Points = points };
    }
}
