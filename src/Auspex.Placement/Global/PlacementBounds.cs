using System.Globalization;

namespace Auspex.Placement.Global;

/// <summary>A valid lower bound on the objective of every plan without an overloaded host-slot, and how it was built.</summary>
/// <param name="Value">The bound, in the objective's units.</param>
/// <param name="HostCost">Its host part (price + idle energy of the hosts that must be open).</param>
/// <param name="Explanation">One line saying what the bound counts and what it leaves at zero.</param>
public sealed record PlacementBound(double Value, double HostCost, string Explanation);

/// <summary>Lower bounds for <see cref="GlobalPlacementProblem"/> that hold for the whole problem (not per part).</summary>
public static class PlacementBounds
{
    /// <summary>
    /// A lower bound on <see cref="PlanEvaluator"/>'s objective over all plans in which no host is overloaded at any
    /// slot (so only hosts available the whole horizon carry replicas):
    /// <list type="bullet">
    /// <item>hosts: for every slot and resource, the open hosts' capacity must cover the total demand at the quantile;
    /// the cheapest fractional cover (hosts by cost per unit of that resource; price + idle energy) bounds the host cost
    /// from below, and the bound is the largest over slots and resources. When every usable host has the same cost and
    /// capacity, the count is rounded up (hosts are whole);</item>
    /// <item>energy per core: every replica's mean cpu at the lowest watts-per-core of a usable host;</item>
    /// <item>communication and moves: 0 (both can be 0 in some plan as far as this bound knows).</item>
    /// </list>
    /// This is the bound to report a heuristic's gap against when CP-SAT cannot solve the whole problem; a bound
    /// proved for one part of a decomposition is not a bound for the whole.
    /// </summary>
    public static PlacementBound Lower(GlobalPlacementProblem problem, GlobalPlacementOptions options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        int ns = problem.SlotCount, nr = problem.Resources.Count;
        var usable = problem.Hosts.Where(h => h.Available.All(a => a)).ToList();
        if (usable.Count == 0 || problem.Components.All(c => c.Replicas == 0))
        {
            return new(0, 0, "lower bound 0 (no usable host or nothing to place)");
        }
        double Cost(PlanHost h) => options.CostWeight * h.PricePerHour + options.EnergyWeight * h.IdleWatts;
        var identical = usable.All(h => Cost(h) == Cost(usable[0]) && h.Capacity.SequenceEqual(usable[0].Capacity));
        var hostBound = 0.0;
        var binding = "";
        for (var r = 0; r < nr; r++)
        {
            var byRatio = usable.Where(h => h.Capacity[r] > 0).OrderBy(h => Cost(h) / h.Capacity[r]).ToList();
            for (var s = 0; s < ns; s++)
            {
                var demand = 0.0;
                foreach (var c in problem.Components)
                {
                    demand += c.Replicas * c.Demand[s][r];
                }
                double cost;
                if (identical && usable[0].Capacity[r] > 0)
                {
                    cost = Math.Ceiling(demand / usable[0].Capacity[r] - 1e-9) * Cost(usable[0]);
                }
                else
                {
                    cost = 0;
                    var left = demand;
                    foreach (var h in byRatio)
                    {
                        if (left <= 0)
                        {
                            break;
                        }
                        var take = Math.Min(1, left / h.Capacity[r]);
                        cost += take * Cost(h);
                        left -= take * h.Capacity[r];
                    }
                }
                if (cost > hostBound)
                {
                    hostBound = cost;
                    binding = string.Create(CultureInfo.InvariantCulture, $"{problem.Resources[r]} at slot {s} ({demand:0.##})");
                }
            }
        }
        // Spread: a component with replicas limited per zone needs that many zones, each with an open host.
        var minHosts = problem.Components.Max(c => c.Replicas);
        var cheapest = usable.Min(Cost);
        hostBound = Math.Max(hostBound, minHosts * cheapest);
        var cpu = PlanEvaluator.CpuIndex(problem);
        var energy = 0.0;
        if (cpu >= 0)
        {
            var wpc = usable.Min(h => h.WattsPerCore);
            energy = options.EnergyWeight * wpc * problem.Components.Sum(c => c.Replicas * PlanEvaluator.MeanCpu(c, cpu));
        }
        var value = hostBound + energy;
        var how = identical ? "whole identical hosts" : "fractional cheapest cover";
        return new(value, hostBound, string.Create(CultureInfo.InvariantCulture,
            $"lower bound {value:0.###}: hosts {hostBound:0.###} ({how} of the binding demand, {binding}) + energy per core {energy:0.###}; communication and moves counted as 0"));
    }
}
