using Auspex.Core.Topology;

using Auspex.Scoring;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring.Tests.Reference;

// The straightforward scoring path as it was before the speed work (2026-12-04), kept unchanged as the reference the
// optimised ReferenceLocalityScorer is checked against (ReferenceScorerTests).

/// <summary>
/// Computes <see cref="ProximityEstimate"/>s. Each dependency edge joins two endpoints (a component, or a service =
/// all its components), each a list of replica hosts; its weight is calls/s + bytes/s ÷ <see cref="ScoringOptions.BytesPerCall"/>.
/// For a locality L holding a fraction f of an endpoint's replicas, the edge adds f·w·latency(L, other endpoint),
/// latency to an endpoint being the mean over its replica hosts. A locality with no such traffic gets the
/// fleet-traffic mean: every edge's weight is spread over its replica hosts (half to each end) and the cost is the
/// mass-weighted mean latency from L to those hosts.
/// </summary>
internal static class ReferenceProximityCalculator
{
    public static Dictionary<string, ProximityEstimate> Compute(Topology topology, LatencyMatrix latency, ScoringOptions options, IReadOnlyCollection<string> localities)
    {
        var result = new Dictionary<string, ProximityEstimate>(StringComparer.Ordinal);
        var chains = new Dictionary<string, Locality[]>(StringComparer.Ordinal);
        foreach (var l in topology.Localities)
        {
            chains[l.Id] = l.Parent is { } p && chains.TryGetValue(p, out var pc) ? [.. pc, l] : [l];
        }
        var edges = new List<(string[] A, string[] B, double W)>();
        var endpointCache = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var e in topology.Dependencies.Edges)
        {
            var a = Replicas(topology, e.From, endpointCache, chains);
            var b = Replicas(topology, e.To, endpointCache, chains);
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
        // Replica counts per (locality, edge, side), by walking each replica host's chain.
        var touched = new Dictionary<string, Dictionary<(int Edge, int Side), int>>(StringComparer.Ordinal);
        var mass = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < edges.Count; i++)
        {
            var (a, b, w) = edges[i];
            for (var side = 0; side < 2; side++)
            {
                var hosts = side == 0 ? a : b;
                foreach (var h in hosts)
                {
                    mass[h] = mass.GetValueOrDefault(h) + w / 2 / hosts.Length;
                    foreach (var l in chains[h])
                    {
                        if (!touched.TryGetValue(l.Id, out var d))
                        {
                            touched[l.Id] = d = [];
                        }
                        d[(i, side)] = d.GetValueOrDefault((i, side)) + 1;
                    }
                }
            }
        }
        var fallback = new FleetTraffic(topology, latency, chains, mass);
        foreach (var id in localities)
        {
            if (!chains.TryGetValue(id, out var chain))
            {
                continue;
            }
            if (touched.TryGetValue(id, out var mine))
            {
                double num = 0, den = 0;
                foreach (var ((edge, side), count) in mine)
                {
                    var (a, b, w) = edges[edge];
                    var f = count / (double)(side == 0 ? a.Length : b.Length);
                    var other = side == 0 ? b : a;
                    var lat = 0.0;
                    foreach (var h in other)
                    {
                        lat += latency.Between(chain, chains[h]);
                    }
                    num += f * w * lat / other.Length;
                    den += f * w;
                }
                result[id] = new ProximityEstimate(id, num / den, true, den, ScoreNormalizer.Decay(num / den, options.ReferenceLatencyMs));
            }
            else
            {
                var mean = fallback.MeanLatency(chain);
                result[id] = new ProximityEstimate(id, mean, false, fallback.Total, ScoreNormalizer.Decay(mean, options.ReferenceLatencyMs));
            }
        }
        return result;
    }

    private static string[] Replicas(Topology topology, string endpoint, Dictionary<string, string[]> cache, Dictionary<string, Locality[]> chains)
    {
        if (cache.TryGetValue(endpoint, out var r))
        {
            return r;
        }
        var comps = topology.Components.Where(c => c.Id == endpoint).ToList();
        if (comps.Count == 0)
        {
            comps = topology.Components.Where(c => c.Service == endpoint).ToList();
        }
        return cache[endpoint] = comps.SelectMany(c => c.Placement).Where(chains.ContainsKey).ToArray();
    }

    /// <summary>
    /// Mass-weighted mean latency to the fleet's traffic. When the matrix has no host-level entries, latency from a
    /// locality to a host outside its rack equals latency to that host's rack, so masses are summed per rack and each
    /// rack's sum over the other racks is computed once; otherwise every host is visited.
    /// </summary>
    private sealed class FleetTraffic(Topology topology, LatencyMatrix latency, Dictionary<string, Locality[]> chains, Dictionary<string, double> mass)
    {
        private readonly bool _exact = latency.HasHostEntries(topology);
        private readonly Dictionary<string, double> _rackMass = mass
            .GroupBy(p => chains[p.Key].Length >= 2 ? chains[p.Key][^2].Id : p.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(p => p.Value), StringComparer.Ordinal);
        private readonly Dictionary<string, double> _outside = new(StringComparer.Ordinal);

        public double Total { get; } = mass.Values.Sum();

        public double MeanLatency(Locality[] chain)
        {
            var self = chain[^1];
            if (_exact)
            {
                return mass.Sum(p => p.Value * latency.Between(chain, chains[p.Key])) / Total;
            }
            if (self.Kind == LocalityKind.Host && chain.Length >= 2)
            {
                var rack = chain[^2];
                var mine = mass.GetValueOrDefault(self.Id);
                var rackMass = _rackMass.GetValueOrDefault(rack.Id);
                return (mine * latency.Within(LocalityKind.Host) + (rackMass - mine) * latency.Within(LocalityKind.Rack) + Outside(chain[..^1])) / Total;
            }
            return (Inside(self.Id) * latency.Within(self.Kind) + Outside(chain)) / Total;
        }

        // Mass of the racks inside (or equal to) a non-host locality.
        private double Inside(string id) => _rackMass.Where(p => chains[p.Key].Any(l => l.Id == id)).Sum(p => p.Value);

        // Σ over racks not inside the locality of rack mass × latency(locality, rack); cached per locality.
        private double Outside(Locality[] chain)
        {
            var id = chain[^1].Id;
            if (!_outside.TryGetValue(id, out var v))
            {
                v = 0;
                foreach (var (rack, m) in _rackMass)
                {
                    var rc = chains[rack];
                    if (!rc.Any(l => l.Id == id))
                    {
                        v += m * latency.Between(chain, rc);
                    }
                }
                _outside[id] = v;
            }
            return v;
        }
    }
}
