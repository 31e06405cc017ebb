using Auspex.Core.Topology;

namespace Auspex.Scoring;

/// <summary>
/// Computes <see cref="ProximityEstimate"/>s. Each dependency edge joins two endpoints (a component, or a service =
/// all its components), each a list of replica hosts; its weight is calls/s + bytes/s ÷ <see cref="ScoringOptions.BytesPerCall"/>.
/// For a locality L holding a fraction f of an endpoint's replicas, the edge adds f·w·latency(L, other endpoint),
/// latency to an endpoint being the mean over its replica hosts. A locality with no such traffic gets the
/// fleet-traffic mean: Σ w·(latency(L, A) + latency(L, B)) / 2Σw.
/// </summary>
internal static class ProximityCalculator
{
    public static Dictionary<string, ProximityEstimate> Compute(Topology topology, LatencyMatrix latency, ScoringOptions options, IReadOnlyCollection<string> localities)
    {
        var result = new Dictionary<string, ProximityEstimate>(StringComparer.Ordinal);
        var edges = new List<(string[] A, string[] B, double W)>();
        foreach (var e in topology.Dependencies.Edges)
        {
            var a = Replicas(topology, e.From);
            var b = Replicas(topology, e.To);
            var w = e.CallsPerSecond + e.BytesPerSecond / options.BytesPerCall;
            if (a.Length > 0 && b.Length > 0 && w > 0)
            {
                edges.Add((a, b, w));
            }
        }
        if (edges.Count == 0)
        {
            return result;
        }
        foreach (var id in localities)
        {
            var inside = topology.HostsUnder(id).Select(h => h.Id).ToHashSet(StringComparer.Ordinal);
            var cache = new Dictionary<string, double>(StringComparer.Ordinal);
            double Lat(string host)
            {
                if (!cache.TryGetValue(host, out var v))
                {
                    cache[host] = v = latency.Between(topology, id, host);
                }
                return v;
            }
            double MeanLat(string[] hosts) => hosts.Average(Lat);
            double num = 0, den = 0;
            foreach (var (a, b, w) in edges)
            {
                var fa = a.Count(inside.Contains) / (double)a.Length;
                var fb = b.Count(inside.Contains) / (double)b.Length;
                if (fa > 0)
                {
                    num += fa * w * MeanLat(b);
                    den += fa * w;
                }
                if (fb > 0)
                {
                    num += fb * w * MeanLat(a);
                    den += fb * w;
                }
            }
            var own = den > 0;
            if (!own)
            {
                foreach (var (a, b, w) in edges)
                {
                    num += w * (MeanLat(a) + MeanLat(b)) / 2;
                    den += w;
                }
            }
            var mean = num / den;
            result[id] = new ProximityEstimate(id, mean, own, den, ScoreNormalizer.Decay(mean, options.ReferenceLatencyMs));
        }
        return result;
    }

    private static string[] Replicas(Topology topology, string endpoint)
    {
        var comps = topology.Components.Where(c => c.Id == endpoint).ToList();
        if (comps.Count == 0)
        {
            comps = topology.Components.Where(c => c.Service == endpoint).ToList();
        }
        return comps.SelectMany(c => c.Placement).ToArray();
    }
}
