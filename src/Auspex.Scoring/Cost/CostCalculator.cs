using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Topology;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring;

/// <summary>Prices hosts and rolls the prices up; normalises per locality level (min–max, cheapest = 1).</summary>
internal static class CostCalculator
{
    public static Dictionary<string, CostEstimate> Compute(Topology topology, IReadOnlyList<HostForecast> forecasts, ScoringContext context,
        DateTimeOffset at, IReadOnlyCollection<string> localities) =>
        Compute(FleetIndex.For(topology), forecasts, context, at, localities);

    /// <summary>
    /// As the overload over a topology, on its index: each priced host is added to itself and its ancestors in host
    /// order (the same sums in the same order as before), sources kept per locality as a short distinct list.
    /// </summary>
    public static Dictionary<string, CostEstimate> Compute(FleetIndex index, IReadOnlyList<HostForecast> forecasts, ScoringContext context,
        DateTimeOffset at, IReadOnlyCollection<string> localities) =>
        Normalise(index, PriceHosts(index, forecasts, context, at), localities);

    /// <summary>Per locality position, the sums of its priced hosts (independent of which localities are scored).</summary>
    internal static Sum[] PriceHosts(FleetIndex index, IReadOnlyList<HostForecast> forecasts, ScoringContext context, DateTimeOffset at)
    {
        var topology = index.Topology;
        var power = new Dictionary<string, Forecast>(StringComparer.Ordinal);
        foreach (var f in forecasts)
        {
            if (f.Resource == ResourceKind.Power && f.Forecast.Points.Count > 0)
            {
                power.TryAdd(f.Host, f.Forecast);
            }
        }
        var tiers = new Dictionary<string, Tier?>(StringComparer.Ordinal);
        var prices = new TariffMemo(context.Tariff);
        var sums = new Sum[index.Localities.Length];
        foreach (var li in index.Hosts)
        {
            var h = index.Localities[li];
            var chain = index.Chains[li];
            double? instance = null;
            string? source = null;
            if (context.Prices?.PriceOf(topology, h, at) is { } sheet)
            {
                (instance, source) = (sheet.Price, sheet.Source);
            }
            else if (h.Tier is { } tierName && TierFor(topology, h, tierName, tiers) is { } tier)
            {
                (instance, source) = (tier.PricePerHour, $"tier {tier.Name} ({tier.Provider})");
            }
            double? energy = null;
            if (context.Tariff is { } tariff)
            {
                // Nearest first: the host, its rack, zone, region.
                var ids = new List<string>(chain.Length);
                for (var k = chain.Length - 1; k >= 0; k--)
                {
                    ids.Add(chain[k].Id);
                }
                if (power.TryGetValue(h.Id, out var pf))
                {
                    var sum = 0.0;
                    var n = 0;
                    foreach (var p in pf.Points)
                    {
                        if (prices.PriceAt(tariff, ids, p.At) is { } kwh)
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
            var (inst, en, cores) = (instance ?? 0, energy ?? 0, h.Capacity[ResourceKind.Cpu]);
            // Sum the host into itself and every ancestor.
            for (var k = chain.Length - 1; k >= 0; k--)
            {
                ref var acc = ref sums[index.ChainPositions[li][k]];
                acc.Inst += inst;
                acc.Energy += en;
                acc.Cores += cores;
                acc.N++;
                if (acc.Sources is null)
                {
                    acc.Sources = [source!];
                }
                else if (!acc.Sources.Contains(source!))
                {
                    acc.Sources.Add(source!);
                }
            }
        }
        return sums;
    }

    /// <summary>Cost estimates of <paramref name="localities"/>, normalised per level among them.</summary>
    internal static Dictionary<string, CostEstimate> Normalise(FleetIndex index, Sum[] sums, IReadOnlyCollection<string> localities)
    {
        var raw = new List<(string Id, LocalityKind Kind, CostEstimate Est)>();
        foreach (var id in localities)
        {
            if (!index.Position.TryGetValue(id, out var li) || sums[li].N == 0)
            {
                continue;
            }
            var x = sums[li];
            var total = x.Inst + x.Energy;
            var perCore = x.Cores > 0 ? total / x.Cores : total;
            var sources = x.Sources!.Count == 1 ? x.Sources : x.Sources.Order(StringComparer.Ordinal).ToList();
            raw.Add((id, index.Localities[li].Kind, new CostEstimate(id, total, x.Inst, x.Energy, perCore, x.N, sources, 0)));
        }
        var result = new Dictionary<string, CostEstimate>(raw.Count, StringComparer.Ordinal);
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

    /// <summary>
    /// PowerTariff.PriceAt for hosts none of whose localities has a band of its own: their price is that of the
    /// <c>*</c> bands, which depends only on the UTC hour, so it is looked up once per hour.
    /// </summary>
    private sealed class TariffMemo(PowerTariff? tariff)
    {
        private readonly HashSet<string> _banded = tariff is null ? [] : tariff.Bands.Select(b => b.Locality).ToHashSet(StringComparer.Ordinal);
        private readonly double?[] _byHour = new double?[24];
        private readonly bool[] _known = new bool[24];

        public double? PriceAt(PowerTariff t, List<string> nearestFirst, DateTimeOffset at)
        {
            foreach (var id in nearestFirst)
            {
                if (_banded.Contains(id))
                {
                    return t.PriceAt(nearestFirst, at);
                }
            }
            var hour = at.UtcDateTime.Hour;
            if (!_known[hour])
            {
                _byHour[hour] = t.PriceAt([], at);
                _known[hour] = true;
            }
            return _byHour[hour];
        }
    }

    internal struct Sum
    {
        public double Inst;
        public double Energy;
        public double Cores;
        public int N;
        public List<string>? Sources;
    }

    // TierOf, remembered per tier name when the name is unambiguous (then the host's provider does not matter).
    private static Tier? TierFor(Topology topology, Locality host, string name, Dictionary<string, Tier?> unambiguous)
    {
        if (unambiguous.TryGetValue(name, out var known))
        {
            return known;
        }
        var count = 0;
        Tier? first = null;
        foreach (var t in topology.Tiers)
        {
            if (t.Name == name)
            {
                first ??= t;
                count++;
            }
        }
        if (count <= 1)
        {
            unambiguous[name] = first;
            return first;
        }
        return TierOf(topology, host, name);
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
