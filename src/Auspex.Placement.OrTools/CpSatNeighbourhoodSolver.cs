using System.Diagnostics;
using System.Globalization;
using Auspex.Placement.Global;
using Google.OrTools.Sat;

namespace Auspex.Placement.OrTools;

/// <summary>Packing heuristic + large-neighbourhood search with CP-SAT on a few hosts at a time.</summary>
internal sealed class CpSatNeighbourhoodSolver(int hostsPerNeighbourhood) : IPlacementSolver
{
    public string Name => "packing+cp-sat-lns";

    public GlobalPlacementResult Solve(GlobalPlacementProblem problem, GlobalPlacementOptions options, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        if (PlanEvaluator.CheckBeforeSolve(Name, problem, options, clock) is { } infeasible)
        {
            return infeasible;
        }
        var state = new PackingState(problem, options);
        var failure = state.Construct();
        if (failure is not null)
        {
            return PlanEvaluator.NoPlan(Name, GlobalSolveStatus.Unknown, clock.Elapsed, [failure]);
        }
        var limit = options.TimeLimit * 0.97;
        bool More() => clock.Elapsed < limit && !cancellationToken.IsCancellationRequested;
        // Cheap moves first (until they stop closing hosts, at most 70 % of the budget), then CP-SAT on neighbourhoods.
        var greedyUntil = TimeSpan.FromTicks(limit.Ticks * 7 / 10);
        var closedGreedy = state.Improve(() => clock.Elapsed < greedyUntil && More());
        var rng = new Random(options.Seed);
        var closedRecreate = state.RuinAndRecreate(() => clock.Elapsed < greedyUntil && More(), rng);
        int tried = 0, improved = 0, closedLns = 0;
        var stale = new HashSet<string>(StringComparer.Ordinal);
        while (More())
        {
            var open = Enumerable.Range(0, state.HostCount).Where(state.IsOpen).OrderBy(state.HostUtilisation).ToList();
            if (open.Count < 2)
            {
                break;
            }
            // The emptiest host not yet proved stuck, with the hosts that have the most room: in its zone first, then anywhere.
            var pick = -1;
            List<int>? hood = null;
            for (var i = 0; i < Math.Min(open.Count, 64) && hood is null; i++)
            {
                var h0 = open[i];
                var sameZone = open.Where(h => h != h0 && state.Zone(h) == state.Zone(h0)).Take(hostsPerNeighbourhood / 2);
                var rest = open.Where(h => h != h0).Take(hostsPerNeighbourhood * 3).OrderBy(_ => rng.Next());
                var candidate = new[] { h0 }.Concat(sameZone).Concat(rest).Distinct().Take(hostsPerNeighbourhood).Order().ToList();
                var key = string.Join(',', candidate);
                if (stale.Add(key))
                {
                    pick = h0;
                    hood = candidate;
                }
            }
            if (hood is null)
            {
                break;
            }
            tried++;
            var saved = Repack(state, hood, options, limit - clock.Elapsed, cancellationToken);
            if (saved > 0)
            {
                improved++;
                closedLns += saved;
                stale.Clear();
            }
            _ = pick;
        }
        var assignment = state.Assignment();
        var metrics = PlanEvaluator.Evaluate(problem, assignment, options);
        var bound = PlacementBounds.Lower(problem, options);
        var gap = metrics.Objective > 0 ? Math.Max(0, (metrics.Objective - bound.Value) / metrics.Objective) : 0;
        return new(Name, GlobalSolveStatus.Feasible, assignment, metrics, bound.Value, gap, clock.Elapsed,
            [string.Create(CultureInfo.InvariantCulture, $"packed {state.Bundles} bundles; local search closed {closedGreedy} host(s); ruin and recreate {closedRecreate} in {state.Attempts} attempts; CP-SAT repacked {tried} neighbourhoods of {hostsPerNeighbourhood} hosts, {improved} into fewer hosts ({closedLns} closed)"), bound.Explanation]);
    }

    /// <summary>Repacks the replicas on <paramref name="hood"/> into as few of those hosts as CP-SAT finds; returns hosts closed.</summary>
    private static int Repack(PackingState st, List<int> hood, GlobalPlacementOptions o, TimeSpan left, CancellationToken ct)
    {
        var p = st.Problem;
        int ns = st.SlotCount, nr = st.ResourceCount, m = hood.Count;
        var items = hood.SelectMany(h => st.ItemsOn(h)).ToList();
        if (items.Count == 0)
        {
            return 0;
        }
        var model = new CpModel();
        var x = new BoolVar[items.Count, m];
        var y = new BoolVar[m];
        for (var j = 0; j < m; j++)
        {
            y[j] = model.NewBoolVar($"y{j}");
        }
        for (var i = 0; i < items.Count; i++)
        {
            var row = new BoolVar[m];
            for (var j = 0; j < m; j++)
            {
                x[i, j] = row[j] = model.NewBoolVar($"x{i}_{j}");
                model.AddImplication(x[i, j], y[j]);
                model.AddHint(x[i, j], st.HostOf(items[i].C, items[i].K) == hood[j]);
            }
            model.AddExactlyOne(row);
        }
        // Capacity per host, slot and resource; demands rounded up and capacities down, so a fit here is a fit.
        for (var r = 0; r < nr; r++)
        {
            var scale = 1e6 / Math.Max(1e-12, hood.Max(h => st.Capacity(h, r)));
            for (var s = 0; s < ns; s++)
            {
                var dem = items.Select(it => (long)Math.Ceiling(st.Demand(it.C, s, r) * scale)).ToArray();
                if (dem.All(d => d == 0))
                {
                    continue;
                }
                for (var j = 0; j < m; j++)
                {
                    var cap = (long)Math.Floor(st.Capacity(hood[j], r) * scale / (1 + 1e-9));
                    var e = LinearExpr.NewBuilder();
                    for (var i = 0; i < items.Count; i++)
                    {
                        e.AddTerm(x[i, j], dem[i]);
                    }
                    model.Add(e <= cap);
                }
            }
        }
        // One replica per host; spread limits counting the component's replicas outside the neighbourhood.
        foreach (var g in items.Select((it, i) => (it.C, i)).GroupBy(t => t.C))
        {
            var idx = g.Select(t => t.i).ToArray();
            var comp = p.Components[g.Key];
            if (idx.Length > 1)
            {
                for (var j = 0; j < m; j++)
                {
                    model.AddAtMostOne(idx.Select(i => x[i, j]));
                }
            }
            var outside = Enumerable.Range(0, comp.Replicas).Select(k => st.HostOf(g.Key, k)).Where(h => h >= 0 && !hood.Contains(h)).ToList();
            if (comp.MaxPerZone is { } mz)
            {
                foreach (var zg in Enumerable.Range(0, m).GroupBy(j => st.Zone(hood[j])))
                {
                    var already = outside.Count(h => st.Zone(h) == zg.Key);
                    model.Add(LinearExpr.Sum(idx.SelectMany(i => zg.Select(j => x[i, j]))) <= mz - already);
                }
            }
            if (comp.MaxPerRack is { } mr)
            {
                foreach (var rg in Enumerable.Range(0, m).GroupBy(j => st.Rack(hood[j])))
                {
                    var already = outside.Count(h => st.Rack(h) == rg.Key);
                    model.Add(LinearExpr.Sum(idx.SelectMany(i => rg.Select(j => x[i, j]))) <= mr - already);
                }
            }
        }
        // Fewer hosts than now, cheapest set: host cost only (communication is checked after, on the real objective).
        model.Add(LinearExpr.Sum(y) <= m - 1);
        var obj = LinearExpr.NewBuilder();
        for (var j = 0; j < m; j++)
        {
            obj.AddTerm(y[j], (long)Math.Round(st.HostCost(hood[j]) * 1000));
        }
        model.Minimize(obj);
        using var solver = new CpSolver
        {
            StringParameters = string.Create(CultureInfo.InvariantCulture,
                $"max_time_in_seconds:{Math.Clamp(left.TotalSeconds, 0.01, 1.0):0.###} num_workers:{o.Workers} random_seed:{o.Seed} stop_after_first_solution:true"),
        };
        using var registration = ct.Register(solver.StopSearch);
        var status = solver.Solve(model);
        if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible))
        {
            return 0;
        }
        // Apply, then keep only if the objective (host cost + communication) went down.
        var comps = items.Select(it => it.C).Distinct().ToArray();
        var before = comps.Sum(st.Comm) + hood.Sum(st.HostCost);
        var old = items.Select(it => st.HostOf(it.C, it.K)).ToArray();
        foreach (var it in items)
        {
            st.Remove(it.C, it.K);
        }
        for (var i = 0; i < items.Count; i++)
        {
            for (var j = 0; j < m; j++)
            {
                if (solver.BooleanValue(x[i, j]))
                {
                    st.Place(items[i].C, items[i].K, hood[j]);
                    break;
                }
            }
        }
        var after = comps.Sum(st.Comm) + hood.Where(st.IsOpen).Sum(st.HostCost);
        if (after < before - 1e-9)
        {
            return hood.Count(h => !st.IsOpen(h));
        }
        foreach (var it in items)
        {
            st.Remove(it.C, it.K);
        }
        for (var i = 0; i < items.Count; i++)
        {
            st.Place(items[i].C, items[i].K, old[i]);
        }
        return 0;
    }
}
