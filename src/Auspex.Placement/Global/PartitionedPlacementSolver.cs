using System.Diagnostics;
using System.Globalization;

namespace Auspex.Placement.Global;

/// <summary>
/// POP-style decomposition for instances too large to solve whole: components are grouped by connected parts of the
/// dependency graph (chatty pairs stay together), the groups dealt to k parts balancing peak demand, hosts dealt
/// round-robin per zone so every part has every zone, and each part solved by the inner solver with its share of
/// the time limit. The merged plan is measured on the whole problem; the parts' bounds are not a bound of the whole,
/// so no gap is reported.
/// </summary>
internal sealed class PartitionedPlacementSolver(IPlacementSolver inner, long maxVariablesPerPart) : IPlacementSolver
{
    public string Name => $"partitioned({inner.Name})";

    public GlobalPlacementResult Solve(GlobalPlacementProblem problem, GlobalPlacementOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        int nc = problem.Components.Count, nh = problem.Hosts.Count;
        var k = (int)Math.Clamp(Math.Ceiling(Math.Sqrt((double)nc * nh / maxVariablesPerPart)), 1, Math.Max(1, Math.Min(nc, nh)));
        if (k == 1)
        {
            return inner.Solve(problem, options, cancellationToken);
        }
        if (PlanEvaluator.CheckBeforeSolve(Name, problem, options, clock) is { } infeasible)
        {
            return infeasible;
        }

        // Connected groups of components (union–find over edges).
        var parent = Enumerable.Range(0, nc).ToArray();
        int Find(int x) => parent[x] == x ? x : parent[x] = Find(parent[x]);
        foreach (var e in problem.Edges)
        {
            parent[Find(e.From)] = Find(e.To);
        }
        // A component's weight: replicas × its peak demand as a share of total capacity, on its tightest resource.
        var totals = Enumerable.Range(0, problem.Resources.Count).Select(r => Math.Max(1e-12, problem.Hosts.Sum(h => h.Capacity[r]))).ToArray();
        double Peak(int c) => problem.Components[c].Replicas * problem.Components[c].Demand.Max(d => d.Select((v, r) => v / totals[r]).DefaultIfEmpty(0).Max());
        var groups = Enumerable.Range(0, nc).GroupBy(Find).Select(g => g.ToArray()).OrderByDescending(g => g.Sum(Peak)).ToList();
        var partComps = Enumerable.Range(0, k).Select(_ => new List<int>()).ToArray();
        var load = new double[k];
        foreach (var g in groups)
        {
            var p = Array.IndexOf(load, load.Min());
            partComps[p].AddRange(g);
            load[p] += g.Sum(Peak);
        }
        var partHosts = Enumerable.Range(0, k).Select(_ => new List<int>()).ToArray();
        var next = 0;
        foreach (var zone in Enumerable.Range(0, nh).GroupBy(h => problem.Hosts[h].Zone, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            foreach (var h in zone.OrderBy(h => problem.Hosts[h].Id, StringComparer.Ordinal))
            {
                partHosts[next++ % k].Add(h);
            }
        }

        var merged = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var notes = new List<string>();
        var anyOptimal = true;
        for (var p = 0; p < k; p++)
        {
            var remaining = options.TimeLimit - clock.Elapsed;
            var share = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, remaining.Ticks / (k - p)));
            var index = partComps[p].Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
            var sub = new GlobalPlacementProblem(problem.Resources, problem.SlotStarts,
                partHosts[p].Select(h => problem.Hosts[h]).ToArray(),
                partComps[p].Select(c => problem.Components[c]).ToArray(),
                problem.Edges.Where(e => index.ContainsKey(e.From) && index.ContainsKey(e.To))
                    .Select(e => new PlanEdge(index[e.From], index[e.To], e.Weight)).ToArray());
            var subOptions = Clone(options, share);
            var r = inner.Solve(sub, subOptions, cancellationToken);
            if (!r.HasPlan)
            {
                // A part that cannot be solved: fall back to the greedy heuristic on the whole problem.
                var whole = PlacementSolvers.Greedy().Solve(problem, options, cancellationToken);
                return whole with
                {
                    Solver = Name,
                    WallTime = clock.Elapsed,
                    Reasons = [.. r.Reasons.Select(x => $"part {p + 1}/{k}: {x}"), "fell back to the greedy heuristic on the whole problem", .. whole.Reasons],
                };
            }
            anyOptimal &= r.Status == GlobalSolveStatus.Optimal;
            foreach (var (id, hosts) in r.Assignment)
            {
                merged[id] = hosts;
            }
        }
        notes.Add(string.Create(CultureInfo.InvariantCulture, $"solved as {k} parts of about {nc / k} components × {nh / k} hosts; parts {(anyOptimal ? "all optimal" : "not all proven optimal")}; no bound for the whole problem"));
        var metrics = PlanEvaluator.Evaluate(problem, merged, options);
        return new(Name, GlobalSolveStatus.Feasible, merged, metrics, double.NaN, double.NaN, clock.Elapsed, notes);
    }

    private static GlobalPlacementOptions Clone(GlobalPlacementOptions o, TimeSpan limit) => new()
    {
        Quantile = o.Quantile,
        SlotLength = o.SlotLength,
        Slots = o.Slots,
        CostWeight = o.CostWeight,
        EnergyWeight = o.EnergyWeight,
        DefaultIdleWatts = o.DefaultIdleWatts,
        DefaultWattsPerCore = o.DefaultWattsPerCore,
        CommunicationWeight = o.CommunicationWeight,
        MoveWeight = o.MoveWeight,
        ZoneSpreadAtOrBelowRiskTolerance = o.ZoneSpreadAtOrBelowRiskTolerance,
        TimeLimit = limit,
        RelativeGapLimit = o.RelativeGapLimit,
        Workers = o.Workers,
        Seed = o.Seed,
    };
}
