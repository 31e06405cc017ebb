using System.Diagnostics;
using System.Globalization;
using Auspex.Placement.Global;
using Google.OrTools.Sat;

namespace Auspex.Placement.OrTools;

internal sealed class CpSatPlacementSolver : IPlacementSolver
{
    /// <summary>Objective units per price-per-hour unit.</summary>
    private const double ObjectiveScale = 1000;

    /// <summary>Integer units per resource: the largest capacity maps to this.</summary>
    private const double ResourceScale = 1_000_000;

    public string Name => "cp-sat";

    public GlobalPlacementResult Solve(GlobalPlacementProblem problem, GlobalPlacementOptions options, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        if (PlanEvaluator.CheckBeforeSolve(Name, problem, options, clock) is { } infeasible)
        {
            return infeasible;
        }

        int nh = problem.Hosts.Count, nc = problem.Components.Count, ns = problem.SlotCount, nr = problem.Resources.Count;
        var greedy = PlacementSolvers.Greedy().Solve(problem, options, cancellationToken);
        var hints = greedy.HasPlan ? greedy.Assignment : problem.Components.ToDictionary(c => c.Id, c => c.Current, StringComparer.Ordinal);
        var model = new CpModel();
        var objective = LinearExpr.NewBuilder();
        var cpu = PlanEvaluator.CpuIndex(problem);
        var hostIndex = PlanEvaluator.HostIndex(problem);

        // x[c][h]: a replica of c runs on h. Only hosts open for the whole horizon and big enough get a variable.
        var x = new BoolVar?[nc, nh];
        var open = problem.Hosts.Select(h => h.Available.All(a => a)).ToArray();
        for (var c = 0; c < nc; c++)
        {
            var comp = problem.Components[c];
            var row = new List<BoolVar>();
            var current = new HashSet<int>(comp.Current.Where(hostIndex.ContainsKey).Select(id => hostIndex[id]));
            var meanCpu = cpu >= 0 ? PlanEvaluator.MeanCpu(comp, cpu) : 0;
            for (var h = 0; h < nh; h++)
            {
                if (!open[h] || !PlanEvaluator.Fits(comp, problem.Hosts[h], ns, nr))
                {
                    continue;
                }
                var v = model.NewBoolVar(string.Create(CultureInfo.InvariantCulture, $"x_{c}_{h}"));
                x[c, h] = v;
                row.Add(v);
                var coef = Scale(options.EnergyWeight * problem.Hosts[h].WattsPerCore * meanCpu) - (current.Contains(h) ? Scale(options.MoveWeight) : 0);
                if (coef != 0)
                {
                    objective.AddTerm(v, coef);
                }
            }
            model.AddLinearConstraint(LinearExpr.Sum(row), comp.Replicas, comp.Replicas);
            objective.Add(Scale(options.MoveWeight) * Math.Min(current.Count, comp.Replicas));
        }

        // u[h]: the host is used; capacity constraints per slot and resource switch off unused hosts.
        var u = new BoolVar[nh];
        var resourceScale = new double[nr];
        for (var r = 0; r < nr; r++)
        {
            // Millicores and KiB keep the usual quantities exact (an exact fit stays a fit); other resources map the
            // largest capacity to a million units.
            var max = problem.Hosts.Max(h => h.Capacity[r]);
            resourceScale[r] = problem.Resources[r] switch
            {
                "cpu" => 1000,
                "memory" => 1.0 / 1024,
                _ => max > 0 ? ResourceScale / max : 1,
            };
        }
        for (var h = 0; h < nh; h++)
        {
            var host = problem.Hosts[h];
            u[h] = model.NewBoolVar(string.Create(CultureInfo.InvariantCulture, $"u_{h}"));
            objective.AddTerm(u[h], Scale(options.CostWeight * host.PricePerHour + options.EnergyWeight * host.IdleWatts));
            var comps = Enumerable.Range(0, nc).Where(c => x[c, h] is not null).ToArray();
            if (comps.Length == 0)
            {
                continue;
            }
            for (var r = 0; r < nr; r++)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                for (var s = 0; s < ns; s++)
                {
                    var coefs = comps.Select(c => (long)Math.Round(problem.Components[c].Demand[s][r] * resourceScale[r])).ToArray();
                    if (coefs.All(k => k == 0) || !seen.Add(string.Join(',', coefs)))
                    {
                        continue;
                    }
                    var b = LinearExpr.NewBuilder();
                    for (var i = 0; i < comps.Length; i++)
                    {
                        if (coefs[i] != 0)
                        {
                            b.AddTerm(x[comps[i], h]!, coefs[i]);
                        }
                    }
                    // Each rounded demand may be half a unit high: allow that much so plans that fit exactly stay feasible.
                    b.AddTerm(u[h], -((long)Math.Round(host.Capacity[r] * resourceScale[r]) + (comps.Length + 1) / 2));
                    model.Add(b <= 0);
                }
            }
        }

        // Availability: spread limits per zone or rack.
        var zones = problem.Hosts.Select((h, i) => (h.Zone, i)).GroupBy(p => p.Zone, StringComparer.Ordinal).Select(g => g.Select(p => p.i).ToArray()).ToArray();
        var racks = problem.Hosts.Select((h, i) => (h.Rack, i)).GroupBy(p => p.Rack, StringComparer.Ordinal).Select(g => g.Select(p => p.i).ToArray()).ToArray();
        for (var c = 0; c < nc; c++)
        {
            var comp = problem.Components[c];
            foreach (var (limit, groups) in new[] { (comp.MaxPerZone, zones), (comp.MaxPerRack, racks) })
            {
                if (limit is not { } max)
                {
                    continue;
                }
                foreach (var g in groups)
                {
                    var vars = g.Select(h => x[c, h]).OfType<BoolVar>().ToArray();
                    if (vars.Length > max)
                    {
                        model.AddLinearConstraint(LinearExpr.Sum(vars), 0, max);
                    }
                }
            }
        }

        // Communication: distance 2 − [some zone holds both] − [some rack holds both], weighted by calls/s.
        var presence = new Dictionary<(int C, bool Rack, int G), BoolVar>();
        BoolVar Presence(int c, bool rack, int g)
        {
            if (!presence.TryGetValue((c, rack, g), out var p))
            {
                p = model.NewBoolVar("p");
                var members = (rack ? racks : zones)[g].Select(h => x[c, h]).OfType<BoolVar>().ToArray();
                model.Add(LinearExpr.Sum(members) >= p);
                presence[(c, rack, g)] = p;
            }
            return p;
        }
        var shares = new List<(int Edge, bool Rack, BoolVar Share, List<(int G, BoolVar Both)> Parts)>();
        for (var e = 0; e < problem.Edges.Count; e++)
        {
            var edge = problem.Edges[e];
            var w = Scale(options.CommunicationWeight * edge.Weight);
            if (w == 0)
            {
                continue;
            }
            objective.Add(2 * w);
            foreach (var rack in new[] { false, true })
            {
                var groups = rack ? racks : zones;
                var share = model.NewBoolVar("share");
                var parts = new List<(int, BoolVar)>();
                for (var g = 0; g < groups.Length; g++)
                {
                    if (!groups[g].Any(h => x[edge.From, h] is not null) || !groups[g].Any(h => x[edge.To, h] is not null))
                    {
                        continue;
                    }
                    var both = model.NewBoolVar("both");
                    model.AddImplication(both, Presence(edge.From, rack, g));
                    model.AddImplication(both, Presence(edge.To, rack, g));
                    parts.Add((g, both));
                }
                model.Add(LinearExpr.Sum(parts.Select(p => p.Item2)) >= share);
                objective.AddTerm(share, -w);
                shares.Add((e, rack, share, parts));
            }
        }
        model.Minimize(objective);

        // Warm start: the greedy plan, or the current placement.
        if (hints is not null)
        {
            var hintSets = new HashSet<int>[nc];
            for (var c = 0; c < nc; c++)
            {
                hintSets[c] = hints.TryGetValue(problem.Components[c].Id, out var hs) ? hs.Where(hostIndex.ContainsKey).Select(id => hostIndex[id]).ToHashSet() : [];
                for (var h = 0; h < nh; h++)
                {
                    if (x[c, h] is { } v)
                    {
                        model.AddHint(v, hintSets[c].Contains(h));
                    }
                }
            }
            for (var h = 0; h < nh; h++)
            {
                model.AddHint(u[h], hintSets.Any(s => s.Contains(h)));
            }
            foreach (var ((c, rack, g), p) in presence)
            {
                model.AddHint(p, (rack ? racks : zones)[g].Any(hintSets[c].Contains));
            }
            foreach (var (e, rack, share, parts) in shares)
            {
                var edge = problem.Edges[e];
                var any = false;
                foreach (var (g, both) in parts)
                {
                    var members = (rack ? racks : zones)[g];
                    var v = !any && members.Any(hintSets[edge.From].Contains) && members.Any(hintSets[edge.To].Contains);
                    any |= v;
                    model.AddHint(both, v);
                }
                model.AddHint(share, any);
            }
        }

        using var solver = new CpSolver
        {
            StringParameters = string.Create(CultureInfo.InvariantCulture,
                $"max_time_in_seconds:{Math.Max(0.01, options.TimeLimit.TotalSeconds - clock.Elapsed.TotalSeconds):0.###} num_workers:{options.Workers} random_seed:{options.Seed} relative_gap_limit:{options.RelativeGapLimit}"),
        };
        using var registration = cancellationToken.Register(solver.StopSearch);
        var status = solver.Solve(model);
        if (status is CpSolverStatus.Optimal or CpSolverStatus.Feasible)
        {
            var assignment = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            for (var c = 0; c < nc; c++)
            {
                var list = new List<string>();
                for (var h = 0; h < nh; h++)
                {
                    if (x[c, h] is { } v && solver.BooleanValue(v))
                    {
                        list.Add(problem.Hosts[h].Id);
                    }
                }
                assignment[problem.Components[c].Id] = list;
            }
            var obj = solver.ObjectiveValue;
            var bound = solver.BestObjectiveBound;
            var gap = Math.Abs(obj) < 1e-9 ? 0 : Math.Max(0, (obj - bound) / Math.Abs(obj));
            var metrics = PlanEvaluator.Evaluate(problem, assignment, options);
            return new(Name, status == CpSolverStatus.Optimal ? GlobalSolveStatus.Optimal : GlobalSolveStatus.Feasible,
                assignment, metrics, bound / ObjectiveScale, gap, clock.Elapsed, []);
        }
        if (status == CpSolverStatus.Infeasible)
        {
            return PlanEvaluator.NoPlan(Name, GlobalSolveStatus.Infeasible, clock.Elapsed,
                ["CP-SAT proved that no assignment satisfies capacity in every slot, the spread limits and maintenance together"]);
        }
        if (greedy.HasPlan && status != CpSolverStatus.ModelInvalid)
        {
            // CP-SAT found nothing better in time: return the warm start, with whatever bound the search proved.
            var bound = solver.BestObjectiveBound / ObjectiveScale;
            var obj = greedy.Metrics!.Objective;
            var known = double.IsFinite(bound) && Math.Abs(bound) < 1e15;
            return new(Name, GlobalSolveStatus.Feasible, greedy.Assignment, greedy.Metrics, known ? bound : double.NaN,
                known && obj > 0 ? Math.Max(0, (obj - bound) / obj) : double.NaN, clock.Elapsed,
                [string.Create(CultureInfo.InvariantCulture, $"CP-SAT found no plan within {options.TimeLimit.TotalSeconds:0.##} s; this is the greedy warm start")]);
        }
        return PlanEvaluator.NoPlan(Name, GlobalSolveStatus.Unknown, clock.Elapsed,
            [status == CpSolverStatus.ModelInvalid
                ? "CP-SAT rejected the model: " + solver.SolutionInfo()
                : string.Create(CultureInfo.InvariantCulture, $"no plan found within {options.TimeLimit.TotalSeconds:0.##} s; raise the time limit or use the greedy heuristic")]);
    }

    private static long Scale(double v) => (long)Math.Round(v * ObjectiveScale, MidpointRounding.AwayFromZero);
}
