using Auspex.Core.Resources;
using Auspex.Core.Topology;

using Auspex.Scoring;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring.Tests.Reference;

// The straightforward scoring path as it was before the speed work (2026-12-04), kept unchanged as the reference the
// optimised ReferenceLocalityScorer is checked against (ReferenceScorerTests).

/// <summary>Prices hosts and rolls the prices up; normalises per locality level (min–max, cheapest = 1).</summary>
internal static class ReferenceCostCalculator
{
    public static Dictionary<string, CostEstimate> Compute(Topology topology, IReadOnlyList<HostForecast> forecasts, ScoringContext context,
        DateTimeOffset at, IReadOnlyCollection<string> localities)
    {
        var power = forecasts.Where(f => f.Resource == ResourceKind.Power && f.Forecast.Points.Count > 0)
            .GroupBy(f => f.Host, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Forecast, StringComparer.Ordinal);
        var hostCost = new Dictionary<string, (double Instance, double Energy, double Cores, string Source)>(StringComparer.Ordinal);
        foreach (var h in topology.Hosts)
        {
            var ids = new List<string>(4);
            for (var l = h; l is not null; l = l.Parent is { } pid ? topology.Find(pid) : null)
            {
                ids.Add(l.Id);
            }
            double? instance = null;
            string? source = null;
            if (context.Prices?.PriceOf(topology, h, at) is { } sheet)
            {
                (instance, source) = (sheet.Price, sheet.Source);
            }
            else if (h.Tier is { } tierName && TierOf(topology, h, tierName) is { } tier)
            {
                (instance, source) = (tier.PricePerHour, $"tier {tier.Name} ({tier.Provider})");
            }
            double? energy = null;
            if (context.Tariff is { } tariff)
            {
                if (power.TryGetValue(h.Id, out var pf))
                {
                    var sum = 0.0;
                    var n = 0;
                    foreach (var p in pf.Points)
                    {
                        if (tariff.PriceAt(ids, p.At) is { } kwh)
                        {
                            sum += Math.Max(0, p.Mean) / 1000 * kwh;
                            n++;
                        }
                    }
                    energy = n > 0 ? sum / n : null;
                }
                else if (context.PowerWatts?.GetValueOrDefault(h.Id) is { } w && w > 0 && tariff.PriceAt(ids, at) is { } kwhNow)
                {
                    energy = w / 1000 * kwhNow;
                }
                if (energy is not null)
                {
                    source = source is null ? "tariff" : source + " + tariff";
                }
            }
            if (instance is null && energy is null)
            {
                continue;
            }
            hostCost[h.Id] = (instance ?? 0, energy ?? 0, h.Capacity[ResourceKind.Cpu], source!);
        }
        // Sum each priced host into itself and every ancestor.
        var sums = new Dictionary<string, (double Inst, double Energy, double Cores, int N, HashSet<string> Sources)>(StringComparer.Ordinal);
        foreach (var (hostId, hc) in hostCost)
        {
            for (var l = topology.Find(hostId); l is not null; l = l.Parent is { } pid ? topology.Find(pid) : null)
            {
                if (!sums.TryGetValue(l.Id, out var acc))
                {
                    acc = (0, 0, 0, 0, new HashSet<string>(StringComparer.Ordinal));
                }
                acc.Sources.Add(hc.Source);
                sums[l.Id] = (acc.Inst + hc.Instance, acc.Energy + hc.Energy, acc.Cores + hc.Cores, acc.N + 1, acc.Sources);
            }
        }
        var raw = new List<(string Id, LocalityKind Kind, CostEstimate Est)>();
        foreach (var id in localities)
        {
            var loc = topology.Find(id);
            if (loc is null || !sums.TryGetValue(id, out var x))
            {
                continue;
            }
            var total = x.Inst + x.Energy;
            var perCore = x.Cores > 0 ? total / x.Cores : total;
            raw.Add((id, loc.Kind, new CostEstimate(id, total, x.Inst, x.Energy, perCore, x.N, x.Sources.Order(StringComparer.Ordinal).ToList(), 0)));
        }
        var result = new Dictionary<string, CostEstimate>(StringComparer.Ordinal);
        foreach (var level in raw.GroupBy(r => r.Kind))
        {
            var list = level.ToList();
            var values = ScoreNormalizer.MinMaxCost(list.Select(r => r.Est.PerCoreHour).ToList());
            for (var i = 0; i < list.Count; i++)
            {
                result[list[i].Id] = list[i].Est with { Value = values[i] };
            }
        }
        return result;
    }

    private static Tier? TierOf(Topology topology, Locality host, string name)
    {
        var candidates = topology.Tiers.Where(t => t.Name == name).ToList();
        if (candidates.Count <= 1)
        {
            return candidates.FirstOrDefault();
        }
        var provider = topology.Ancestors(host.Id).Prepend(host).Select(l => l.Labels["provider"]).OfType<string>().FirstOrDefault();
        return candidates.FirstOrDefault(t => t.Provider == provider) ?? candidates[0];
    }
}
