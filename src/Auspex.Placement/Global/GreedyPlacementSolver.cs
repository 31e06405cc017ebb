using System.Diagnostics;

namespace Auspex.Placement.Global;

/// <summary>The registration point of the solvers that need no third-party package.</summary>
public static class PlacementSolvers
{
    /// <summary>
    /// The fast heuristic for instances too large to solve whole: components largest first, each replica to the
    /// host that raises the objective least (opening a host, energy, communication with replicas already placed,
    /// a move) among those where it fits in every slot and keeps the spread. Also the warm start of CP-SAT.
    /// </summary>
    public static IPlacementSolver Greedy() => new GreedyPlacementSolver();

    /// <summary>
    /// The heuristic for large instances (thousands of hosts): dependency groups packed as bundles (replica k of every
    /// component of a group together), best fit at the quantile in every slot, then local search that empties hosts
    /// until <see cref="GlobalPlacementOptions.TimeLimit"/>. Reports its gap against <see cref="PlacementBounds.Lower"/>.
    /// </summary>
    public static IPlacementSolver Packing() => new PackingPlacementSolver();

    /// <summary>
    /// Decomposes problems with more than <paramref name="maxVariablesPerPart"/> (component, host) pairs into parts
    /// solved one by one by <paramref name="inner"/> (POP-style: dependency-connected component groups balanced over
    /// parts, hosts of every zone in every part); smaller problems go to <paramref name="inner"/> whole.
    /// </summary>
    public static IPlacementSolver Partitioned(IPlacementSolver inner, long maxVariablesPerPart = 20_000)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxVariablesPerPart, 1);
        return new PartitionedPlacementSolver(inner, maxVariablesPerPart);
    }
}

internal sealed class GreedyPlacementSolver : IPlacementSolver
{
    public string Name => "greedy";

    public GlobalPlacementResult Solve(GlobalPlacementProblem problem, GlobalPlacementOptions options, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        if (PlanEvaluator.CheckBeforeSolve(Name, problem, options, clock) is { } infeasible)
        {
            return infeasible;
        }
        var (assignment, failure) = Place(problem, options, cancellationToken);
        if (failure is not null)
        {
            return PlanEvaluator.NoPlan(Name, GlobalSolveStatus.Unknown, clock.Elapsed, [failure]);
        }
        var metrics = PlanEvaluator.Evaluate(problem, assignment, options);
        return new(Name, GlobalSolveStatus.Feasible, assignment, metrics, double.NaN, double.NaN, clock.Elapsed, []);
    }

    internal static (Dictionary<string, IReadOnlyList<string>> Assignment, string? Failure) Place(GlobalPlacementProblem p, GlobalPlacementOptions o, CancellationToken ct)
    {
        int nh = p.Hosts.Count, ns = p.SlotCount, nr = p.Resources.Count, nc = p.Components.Count;
        var load = new double[nh * ns * nr];
        var used = new bool[nh];
        var cpu = PlanEvaluator.CpuIndex(p);
        var hostIndex = PlanEvaluator.HostIndex(p);
        var open = p.Hosts.Select(h => h.Available.All(a => a)).ToArray();
        var placed = new List<int>[nc];
        var rackCount = new Dictionary<string, int>[nc];
        var zoneCount = new Dictionary<string, int>[nc];
        for (var c = 0; c < nc; c++)
        {
            placed[c] = [];
            rackCount[c] = new(StringComparer.Ordinal);
            zoneCount[c] = new(StringComparer.Ordinal);
        }
        var neighbours = new List<(int Peer, double Weight)>[nc];
        for (var c = 0; c < nc; c++)
        {
            neighbours[c] = [];
        }
        foreach (var e in p.Edges)
        {
            neighbours[e.From].Add((e.To, e.Weight));
            neighbours[e.To].Add((e.From, e.Weight));
        }
        var meanCapacity = new double[nr];
        for (var r = 0; r < nr; r++)
        {
            meanCapacity[r] = Math.Max(1e-12, p.Hosts.Average(h => h.Capacity[r]));
        }
        double Size(PlanComponent c)
        {
            var m = 0.0;
            for (var s = 0; s < ns; s++)
            {
                for (var r = 0; r < nr; r++)
                {
                    m = Math.Max(m, c.Demand[s][r] / meanCapacity[r]);
                }
            }
            return m;
        }
        // Largest first; among equals, the most talkative first so their peers can follow them.
        var order = Enumerable.Range(0, nc)
            .OrderByDescending(c => Size(p.Components[c]))
            .ThenByDescending(c => neighbours[c].Sum(n => n.Weight))
            .ThenBy(c => p.Components[c].Id, StringComparer.Ordinal)
            .ToArray();
        foreach (var c in order)
        {
            ct.ThrowIfCancellationRequested();
            var comp = p.Components[c];
            var current = new HashSet<int>(comp.Current.Where(hostIndex.ContainsKey).Select(id => hostIndex[id]));
            var meanCpu = cpu >= 0 ? PlanEvaluator.MeanCpu(comp, cpu) : 0;
            for (var k = 0; k < comp.Replicas; k++)
            {
                var best = -1;
                var bestCost = double.PositiveInfinity;
                var bestSlack = double.PositiveInfinity;
                for (var h = 0; h < nh; h++)
                {
                    var host = p.Hosts[h];
                    if (!open[h] || placed[c].Contains(h))
                    {
                        continue;
                    }
                    if (comp.MaxPerRack is { } mr && rackCount[c].GetValueOrDefault(host.Rack) >= mr)
                    {
                        continue;
                    }
                    if (comp.MaxPerZone is { } mz && zoneCount[c].GetValueOrDefault(host.Zone) >= mz)
                    {
                        continue;
                    }
                    var fits = true;
                    var slack = 0.0;
                    for (var s = 0; s < ns && fits; s++)
                    {
                        for (var r = 0; r < nr; r++)
                        {
                            var after = load[(h * ns + s) * nr + r] + comp.Demand[s][r];
                            if (after > host.Capacity[r] * (1 + 1e-9))
                            {
                                fits = false;
                                break;
                            }
                            slack = Math.Max(slack, 1 - after / Math.Max(host.Capacity[r], 1e-12));
                        }
                    }
                    if (!fits)
                    {
                        continue;
                    }
                    var cost = (used[h] ? 0 : o.CostWeight * host.PricePerHour + o.EnergyWeight * host.IdleWatts)
                        + o.EnergyWeight * host.WattsPerCore * meanCpu
                        - (current.Contains(h) ? o.MoveWeight : 0);
                    foreach (var (peer, w) in neighbours[c])
                    {
                        if (placed[peer].Count == 0)
                        {
                            continue;
                        }
                        // Change in distance level if this replica joins the component's racks/zones.
                        var before = Level(p, placed[c], placed[peer]);
                        var after = Level(p, [.. placed[c], h], placed[peer]);
                        cost += o.CommunicationWeight * w * (after - before);
                    }
                    if (cost < bestCost - 1e-12 || (Math.Abs(cost - bestCost) <= 1e-12 && slack < bestSlack))
                    {
                        best = h;
                        bestCost = cost;
                        bestSlack = slack;
                    }
                }
                if (best < 0)
                {
                    return (new(), $"greedy found no host for replica {k + 1} of {comp.Id} (capacity, spread or maintenance); the exact solver may still succeed");
                }
                placed[c].Add(best);
                used[best] = true;
                var bh = p.Hosts[best];
                rackCount[c][bh.Rack] = rackCount[c].GetValueOrDefault(bh.Rack) + 1;
                zoneCount[c][bh.Zone] = zoneCount[c].GetValueOrDefault(bh.Zone) + 1;
                for (var s = 0; s < ns; s++)
                {
                    for (var r = 0; r < nr; r++)
                    {
                        load[(best * ns + s) * nr + r] += comp.Demand[s][r];
                    }
                }
            }
        }
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        for (var c = 0; c < nc; c++)
        {
            result[p.Components[c].Id] = placed[c].Select(h => p.Hosts[h].Id).ToArray();
        }
        return (result, null);
    }

    private static int Level(GlobalPlacementProblem p, List<int> a, List<int> b)
    {
        var level = 2;
        foreach (var x in a)
        {
            foreach (var y in b)
            {
                if (p.Hosts[x].Rack == p.Hosts[y].Rack)
                {
                    return 0;
                }
                if (p.Hosts[x].Zone == p.Hosts[y].Zone)
                {
                    level = 1;
                }
            }
        }
        return level;
    }
}
