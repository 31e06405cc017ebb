namespace Auspex.Placement.Global;

/// <summary>Measures any assignment of a problem the same way, so solvers and baselines compare side by side.</summary>
public static class PlanEvaluator
{
    /// <summary>The metrics and weighted objective of <paramref name="assignment"/> (component id → hosts).</summary>
    public static PlanMetrics Evaluate(GlobalPlacementProblem problem, IReadOnlyDictionary<string, IReadOnlyList<string>> assignment, GlobalPlacementOptions options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(assignment);
        ArgumentNullException.ThrowIfNull(options);
        var hostIndex = HostIndex(problem);
        int nh = problem.Hosts.Count, ns = problem.SlotCount, nr = problem.Resources.Count;
        var load = new double[nh * ns * nr];
        var used = new bool[nh];
        var cpu = CpuIndex(problem);
        double energy = 0;
        var moves = 0;
        var spread = 0;
        var racks = new HashSet<string>[problem.Components.Count];
        var zones = new HashSet<string>[problem.Components.Count];
        for (var c = 0; c < problem.Components.Count; c++)
        {
            var comp = problem.Components[c];
            racks[c] = new(StringComparer.Ordinal);
            zones[c] = new(StringComparer.Ordinal);
            var hosts = assignment.GetValueOrDefault(comp.Id) ?? [];
            var perRack = new Dictionary<string, int>(StringComparer.Ordinal);
            var perZone = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var id in hosts)
            {
                if (!hostIndex.TryGetValue(id, out var h))
                {
                    continue;
                }
                var host = problem.Hosts[h];
                used[h] = true;
                racks[c].Add(host.Rack);
                zones[c].Add(host.Zone);
                perRack[host.Rack] = perRack.GetValueOrDefault(host.Rack) + 1;
                perZone[host.Zone] = perZone.GetValueOrDefault(host.Zone) + 1;
                for (var s = 0; s < ns; s++)
                {
                    for (var r = 0; r < nr; r++)
                    {
                        load[(h * ns + s) * nr + r] += comp.Demand[s][r];
                    }
                }
                if (cpu >= 0)
                {
                    energy += host.WattsPerCore * MeanCpu(comp, cpu);
                }
            }
            var kept = hosts.Count(comp.Current.Contains);
            moves += Math.Max(0, Math.Min(comp.Current.Count, comp.Replicas) - kept);
            if ((comp.MaxPerRack is { } mr && perRack.Values.Any(v => v > mr)) || (comp.MaxPerZone is { } mz && perZone.Values.Any(v => v > mz)))
            {
                spread++;
            }
        }
        var overloaded = 0;
        double cost = 0;
        for (var h = 0; h < nh; h++)
        {
            var host = problem.Hosts[h];
            if (used[h])
            {
                cost += host.PricePerHour;
                energy += host.IdleWatts;
            }
            for (var s = 0; s < ns; s++)
            {
                for (var r = 0; r < nr; r++)
                {
                    var l = load[(h * ns + s) * nr + r];
                    if (l > host.Capacity[r] * (1 + 1e-6) || (l > 0 && !host.Available[s]))
                    {
                        overloaded++;
                        break;
                    }
                }
            }
        }
        double comm = 0;
        foreach (var e in problem.Edges)
        {
            comm += e.Weight * Distance(racks[e.From], zones[e.From], racks[e.To], zones[e.To]);
        }
        var objective = options.CostWeight * cost + options.EnergyWeight * energy + options.CommunicationWeight * comm + options.MoveWeight * moves;
        return new PlanMetrics(used.Count(u => u), cost, energy, comm, moves, overloaded, spread, objective);
    }

    /// <summary>0 when some rack holds replicas of both, 1 when only some zone does, 2 otherwise (also when one side is unplaced).</summary>
    internal static int Distance(HashSet<string> racksA, HashSet<string> zonesA, HashSet<string> racksB, HashSet<string> zonesB) =>
        racksA.Overlaps(racksB) ? 0 : zonesA.Overlaps(zonesB) ? 1 : 2;

    /// <summary>A replica's mean cpu demand over the slots (0 without slots).</summary>
    public static double MeanCpu(PlanComponent c, int cpu) => c.Demand.Count == 0 ? 0 : c.Demand.Average(d => d[cpu]);

    /// <summary>The index of the "cpu" resource, or -1.</summary>
    public static int CpuIndex(GlobalPlacementProblem p) => p.Resources.ToList().FindIndex(r => string.Equals(r, "cpu", StringComparison.Ordinal));

    /// <summary>Host id → index into <see cref="GlobalPlacementProblem.Hosts"/>.</summary>
    public static Dictionary<string, int> HostIndex(GlobalPlacementProblem p)
    {
        var d = new Dictionary<string, int>(p.Hosts.Count, StringComparer.Ordinal);
        for (var i = 0; i < p.Hosts.Count; i++)
        {
            d[p.Hosts[i].Id] = i;
        }
        return d;
    }

    /// <summary>
    /// The start every solver shares: null arguments throw, invalid options throw (<see cref="GlobalPlacementOptions.Validate"/>),
    /// and a problem that <see cref="Precheck"/> rejects gives the Infeasible result with its reasons; null when the
    /// solve can go on.
    /// </summary>
    internal static GlobalPlacementResult? CheckBeforeSolve(string solver, GlobalPlacementProblem problem, GlobalPlacementOptions options, System.Diagnostics.Stopwatch clock)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var pre = Precheck(problem);
        return pre.Count > 0 ? NoPlan(solver, GlobalSolveStatus.Infeasible, clock.Elapsed, pre) : null;
    }

    /// <summary>A result without a plan (infeasible, or no plan found), with its reasons.</summary>
    internal static GlobalPlacementResult NoPlan(string solver, GlobalSolveStatus status, TimeSpan wallTime, IReadOnlyList<string> reasons) =>
        new(solver, status, new Dictionary<string, IReadOnlyList<string>>(), null, double.NaN, double.NaN, wallTime, reasons);

    /// <summary>
    /// Reasons the problem cannot be solved that are visible without search: a replica bigger than every host
    /// available for the whole horizon, more demand in a slot than capacity, or more replicas than the spread allows.
    /// </summary>
    public static IReadOnlyList<string> Precheck(GlobalPlacementProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var reasons = new List<string>(problem.Validate());
        if (reasons.Count > 0)
        {
            return reasons;
        }
        var open = problem.Hosts.Where(h => h.Available.All(a => a)).ToList();
        int ns = problem.SlotCount, nr = problem.Resources.Count;
        foreach (var c in problem.Components.Where(c => c.Replicas > 0))
        {
            var fitting = open.Count(h => Fits(c, h, ns, nr));
            if (fitting < c.Replicas)
            {
                var (s, r) = Peak(c, ns, nr);
                reasons.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"component {c.Id} needs {c.Replicas} host(s) that each fit one replica ({problem.Resources[r]} {c.Demand[s][r]:0.###} at slot {s}) for the whole horizon; only {fitting} do"));
                continue;
            }
            if (c.MaxPerZone is { } mz)
            {
                var zones = open.Where(h => Fits(c, h, ns, nr)).Select(h => h.Zone).Distinct(StringComparer.Ordinal).Count();
                if (zones * mz < c.Replicas)
                {
                    reasons.Add($"component {c.Id}: {c.Replicas} replicas at most {mz} per zone need {(c.Replicas + mz - 1) / mz} zones; {zones} have room");
                }
            }
            if (c.MaxPerRack is { } mrk)
            {
                var racks = open.Where(h => Fits(c, h, ns, nr)).Select(h => h.Rack).Distinct(StringComparer.Ordinal).Count();
                if (racks * mrk < c.Replicas)
                {
                    reasons.Add($"component {c.Id}: {c.Replicas} replicas at most {mrk} per rack need {(c.Replicas + mrk - 1) / mrk} racks; {racks} have room");
                }
            }
        }
        for (var s = 0; s < ns; s++)
        {
            for (var r = 0; r < nr; r++)
            {
                var demand = problem.Components.Sum(c => c.Replicas * c.Demand[s][r]);
                var cap = problem.Hosts.Where(h => h.Available.All(a => a)).Sum(h => h.Capacity[r]);
                if (demand > cap)
                {
                    reasons.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"slot {s}: total {problem.Resources[r]} demand {demand:0.###} exceeds the capacity of hosts available all horizon {cap:0.###}"));
                }
            }
        }
        return reasons;
    }

    /// <summary>True when one replica of <paramref name="c"/> alone fits host <paramref name="h"/> in every slot.</summary>
    public static bool Fits(PlanComponent c, PlanHost h, int ns, int nr)
    {
        for (var s = 0; s < ns; s++)
        {
            for (var r = 0; r < nr; r++)
            {
                if (c.Demand[s][r] > h.Capacity[r])
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static (int Slot, int Resource) Peak(PlanComponent c, int ns, int nr)
    {
        (int, int) best = (0, 0);
        var max = -1.0;
        for (var s = 0; s < ns; s++)
        {
            for (var r = 0; r < nr; r++)
            {
                if (c.Demand[s][r] > max)
                {
                    max = c.Demand[s][r];
                    best = (s, r);
                }
            }
        }
        return best;
    }
}
