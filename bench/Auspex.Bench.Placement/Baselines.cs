using Auspex.Placement.Global;
using Auspex.Placement.Scores;

namespace Auspex.Bench.Placement;

/// <summary>Baselines that do not know forecasts: kube-scheduler's default scoring and first-fit-decreasing.</summary>
internal static class Baselines
{
    /// <summary>
    /// kube-scheduler's default resource scoring, greedy, one replica at a time in component order: fit on requests
    /// (the mean demand), score LeastAllocated + BalancedAllocation on requests, take the best; one replica per host
    /// and the problem's spread limits are kept (as required anti-affinity and topology spread would).
    /// </summary>
    public static Dictionary<string, IReadOnlyList<string>>? KubernetesDefault(GlobalPlacementProblem p, double[][] requests)
    {
        int nh = p.Hosts.Count, nr = p.Resources.Count;
        var alloc = new double[nh, nr];
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        Span<double> req = stackalloc double[nr];
        Span<double> cap = stackalloc double[nr];
        double[] w = Enumerable.Repeat(1.0, nr).ToArray();
        for (var c = 0; c < p.Components.Count; c++)
        {
            var comp = p.Components[c];
            var placed = new List<int>();
            for (var k = 0; k < comp.Replicas; k++)
            {
                var best = -1;
                var bestScore = double.NegativeInfinity;
                for (var h = 0; h < nh; h++)
                {
                    var host = p.Hosts[h];
                    if (!host.Available.All(a => a) || placed.Contains(h) || !SpreadOk(p, comp, placed, h))
                    {
                        continue;
                    }
                    var fits = true;
                    for (var r = 0; r < nr; r++)
                    {
                        req[r] = alloc[h, r] + requests[c][r];
                        cap[r] = host.Capacity[r];
                        fits &= req[r] <= cap[r];
                    }
                    if (!fits)
                    {
                        continue;
                    }
                    var score = KubeResourceScores.LeastAllocated(req, cap, w) + KubeResourceScores.BalancedAllocation(req, cap);
                    if (score > bestScore)
                    {
                        best = h;
                        bestScore = score;
                    }
                }
                if (best < 0)
                {
                    return null;
                }
                placed.Add(best);
                for (var r = 0; r < nr; r++)
                {
                    alloc[best, r] += requests[c][r];
                }
            }
            result[comp.Id] = placed.Select(h => p.Hosts[h].Id).ToArray();
        }
        return result;
    }

    /// <summary>First-fit-decreasing on the peak predicted demand (replicas largest first, hosts in a fixed order).</summary>
    public static Dictionary<string, IReadOnlyList<string>>? FirstFitDecreasing(GlobalPlacementProblem p)
    {
        int nh = p.Hosts.Count, nr = p.Resources.Count, ns = p.SlotCount;
        var load = new double[nh, ns, nr];
        var meanCap = Enumerable.Range(0, nr).Select(r => p.Hosts.Average(h => h.Capacity[r])).ToArray();
        var order = Enumerable.Range(0, p.Components.Count)
            .OrderByDescending(c => p.Components[c].Demand.Max(d => d.Select((v, r) => v / meanCap[r]).Max()))
            .ToArray();
        var placed = p.Components.Select(_ => new List<int>()).ToArray();
        foreach (var c in order)
        {
            var comp = p.Components[c];
            for (var k = 0; k < comp.Replicas; k++)
            {
                var chosen = -1;
                for (var h = 0; h < nh && chosen < 0; h++)
                {
                    if (!p.Hosts[h].Available.All(a => a) || placed[c].Contains(h) || !SpreadOk(p, comp, placed[c], h))
                    {
                        continue;
                    }
                    var fits = true;
                    for (var s = 0; s < ns && fits; s++)
                    {
                        for (var r = 0; r < nr; r++)
                        {
                            fits &= load[h, s, r] + comp.Demand[s][r] <= p.Hosts[h].Capacity[r] * (1 + 1e-6);
                        }
                    }
                    if (fits)
                    {
                        chosen = h;
                    }
                }
                if (chosen < 0)
                {
                    return null;
                }
                placed[c].Add(chosen);
                for (var s = 0; s < ns; s++)
                {
                    for (var r = 0; r < nr; r++)
                    {
                        load[chosen, s, r] += comp.Demand[s][r];
                    }
                }
            }
        }
        return p.Components.Select((comp, c) => (comp.Id, placed[c])).ToDictionary(x => x.Id, x => (IReadOnlyList<string>)x.Item2.Select(h => p.Hosts[h].Id).ToArray(), StringComparer.Ordinal);
    }

    private static bool SpreadOk(GlobalPlacementProblem p, PlanComponent comp, List<int> placed, int h)
    {
        var host = p.Hosts[h];
        if (comp.MaxPerZone is { } mz && placed.Count(x => p.Hosts[x].Zone == host.Zone) >= mz)
        {
            return false;
        }
        return comp.MaxPerRack is not { } mr || placed.Count(x => p.Hosts[x].Rack == host.Rack) < mr;
    }
}
