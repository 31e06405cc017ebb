using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Topology;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring;

/// <summary>Prices hosts and rolls the prices up; normalises per locality level (min–max, cheapest = 1).</summary>
internal static class CostCalculator
{
    /// <summary>
    /// Per locality position, the sums of its priced hosts (independent of which localities are scored): each priced
    /// host is added to itself and its ancestors in host order (the same sums in the same order as ever), its price
    /// source kept as a bit of a per-locality set (sources are interned once per pass).
    /// </summary>
    internal static Sums PriceHosts(FleetIndex index, ForecastColumns columns, ForecastColumns.Placement placement, ScoringContext context, DateTimeOffset at)
    {
        var topology = index.Topology;
        var tiers = new Dictionary<string, Tier?>(StringComparer.Ordinal);
        var tierSources = new Dictionary<Tier, (string Plain, string WithTariff)>(ReferenceEqualityComparer.Instance);
        var prices = new TariffMemo(context.Tariff);
        var sums = new Sum[index.Localities.Length];
        var interned = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (var li in index.Hosts)
        {
            var h = index.Localities[li];
            var chain = index.Chains[li];
            double? instance = null;
            string? source = null;
            Tier? tier = null;
            if (context.Prices?.PriceOf(topology, h, at) is { } sheet)
            {
                (instance, source) = (sheet.Price, sheet.Source);
            }
            else if (h.Tier is { } tierName && TierFor(topology, h, tierName, tiers) is { } t)
            {
                tier = t;
                instance = t.PricePerHour;
            }
            double? energy = null;
            if (context.Tariff is { } tariff)
            {
                List<string>? ids = null;
                var banded = prices.Banded(chain);
                var (pc, ps) = placement.PowerOf[li];
                if (pc >= 0)
                {
                    var col = columns.Columns[pc];
                    var from = col.OffsetArray[ps];
                    var to = col.OffsetArray[ps + 1];
                    var mean = col.MeanArray;
                    var times = col.AtArray;
                    var sum = 0.0;
                    var n = 0;
                    for (var r = from; r < to; r++)
                    {
                        var kwh = banded ? tariff.PriceAt(ids ??= NearestFirst(chain), times[r]) : prices.ByHour(tariff, times[r]);
                        if (kwh is { } price)
                        {
                            sum += Math.Max(0, mean[r]) / 1000 * price;
                            n++;
                        }
                    }
                    energy = n > 0 ? sum / n : null;
                }
                else if (context.PowerWatts?.GetValueOrDefault(h.Id) is { } w && w > 0 && tariff.PriceAt(ids ??= NearestFirst(chain), at) is { } kwhNow)
                {
                    energy = w / 1000 * kwhNow;
                }
            }
            if (instance is null && energy is null)
            {
                continue;
            }
            if (tier is not null)
            {
                if (!tierSources.TryGetValue(tier, out var ts))
                {
                    var plain = $"tier {tier.Name} ({tier.Provider})";
                    tierSources[tier] = ts = (plain, plain + " + tariff");
                }
                source = energy is null ? ts.Plain : ts.WithTariff;
            }
            else if (energy is not null)
            {
                source = source is null ? "tariff" : source + " + tariff";
            }
            if (!interned.TryGetValue(source!, out var sid))
            {
                interned[source!] = sid = names.Count;
                names.Add(source!);
            }
            var (inst, en, cores) = (instance ?? 0, energy ?? 0, index.CapacityOf(li, ResourceKind.Cpu));
            // Sum the host into itself and every ancestor.
            var positions = index.ChainPositions[li];
            for (var k = chain.Length - 1; k >= 0; k--)
            {
                ref var acc = ref sums[positions[k]];
                acc.Inst += inst;
                acc.Energy += en;
                acc.Cores += cores;
                acc.N++;
                if (sid < 64)
                {
                    acc.Mask |= 1UL << sid;
                }
                else if (acc.More is null)
                {
                    acc.More = [sid];
                }
                else if (!acc.More.Contains(sid))
                {
                    acc.More.Add(sid);
                }
            }
        }
        return new Sums(sums, [.. names]);
    }

    private static List<string> NearestFirst(Locality[] chain)
    {
        var ids = new List<string>(chain.Length);
        for (var k = chain.Length - 1; k >= 0; k--)
        {
            ids.Add(chain[k].Id);
        }
        return ids;
    }

    /// <summary>Cost rows of <paramref name="positions"/>, normalised per level among them (min–max, cheapest = 1).</summary>
    internal static CostRows Normalise(FleetIndex index, Sums sums, IReadOnlyList<int> positions)
    {
        var n = index.Localities.Length;
        var perCore = new double[n];
        var value = new double[n];
        var order = new List<int>(positions.Count);
        var kinds = new List<LocalityKind>();
        foreach (var li in positions)
        {
            ref var x = ref sums.Values[li];
            if (x.N == 0)
            {
                continue;
            }
            var total = x.Inst + x.Energy;
            perCore[li] = x.Cores > 0 ? total / x.Cores : total;
            order.Add(li);
            if (!kinds.Contains(index.Localities[li].Kind))
            {
                kinds.Add(index.Localities[li].Kind);
            }
        }
        // Grouped by level in the order levels first appear (what GroupBy gave), each level in position order.
        var grouped = new List<int>(order.Count);
        foreach (var kind in kinds)
        {
            var level = new List<int>();
            foreach (var li in order)
            {
                if (index.Localities[li].Kind == kind)
                {
                    level.Add(li);
                }
            }
            var values = ScoreNormalizer.MinMaxCost(level.ConvertAll(li => perCore[li]));
            for (var i = 0; i < level.Count; i++)
            {
                value[level[i]] = values[i];
            }
            grouped.AddRange(level);
        }
        return new CostRows(sums, perCore, value, grouped);
    }

    /// <summary>Host price sums per locality position, and the interned source names.</summary>
    internal sealed record Sums(Sum[] Values, string[] Sources);

    /// <summary>Normalised cost per locality position; <see cref="Order"/> lists the priced ones (grouped by level).</summary>
    internal sealed class CostRows(Sums sums, double[] perCore, double[] value, List<int> order)
    {
        public List<int> Order { get; } = order;

        public bool Has(int li) => sums.Values[li].N > 0;

        public double PerCoreHour(int li) => perCore[li];

        public double Value(int li) => value[li];

        public CostEstimate Record(string id, int li)
        {
            ref var x = ref sums.Values[li];
            var total = x.Inst + x.Energy;
            var sources = new List<string>();
            for (var b = 0; b < 64 && b < sums.Sources.Length; b++)
            {
                if ((x.Mask & (1UL << b)) != 0)
                {
                    sources.Add(sums.Sources[b]);
                }
            }
            if (x.More is { } more)
            {
                sources.AddRange(more.Select(s => sums.Sources[s]));
            }
            if (sources.Count > 1)
            {
                sources.Sort(StringComparer.Ordinal);
            }
            return new CostEstimate(id, total, x.Inst, x.Energy, perCore[li], x.N, sources, value[li]);
        }
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

        /// <summary>Whether any locality of the chain has bands of its own (then its price is looked up in full).</summary>
        public bool Banded(Locality[] chain)
        {
            foreach (var l in chain)
            {
                if (_banded.Contains(l.Id))
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>The price of the <c>*</c> bands at <paramref name="at"/>, once per UTC hour.</summary>
        public double? ByHour(PowerTariff t, DateTimeOffset at)
        {
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
        public ulong Mask;
        public List<int>? More;
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
