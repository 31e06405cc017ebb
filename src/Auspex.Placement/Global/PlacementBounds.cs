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
    /// capacity, the count is rounded up (hosts are whole); with any hosts, the open set needs at least k hosts, k the
    /// fewest of the largest capacities covering the slot's demand (and at least the largest replica count), so it costs
    /// at least the k cheapest hosts — the larger of the two counts;</item>
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
        // Whole hosts: the open hosts' capacity must cover every slot's demand of every resource, so at least as many
        // hosts as the fewest (largest) whose capacities add up to it; a component's replicas need distinct hosts.
        // Any such set costs at least the sum of that many cheapest host costs (costs are ≥ 0).
        var minHosts = problem.Components.Max(c => c.Replicas);
        var countBinding = minHosts > 0 ? "one host per replica of the largest component" : "";
        for (var r = 0; r < nr; r++)
        {
            var caps = usable.Select(h => h.Capacity[r]).OrderDescending().ToArray();
            for (var s = 0; s < ns; s++)
            {
                var demand = 0.0;
                foreach (var c in problem.Components)
                {
                    demand += c.Replicas * c.Demand[s][r];
                }
                int k = 0;
                for (var sum = 0.0; k < caps.Length && sum < demand * (1 - 1e-12) - 1e-9; k++)
                {
                    sum += caps[k];
                }
                if (k > minHosts)
                {
                    minHosts = k;
                    countBinding = string.Create(CultureInfo.InvariantCulture, $"{problem.Resources[r]} at slot {s} needs ≥ {k} whole hosts");
                }
            }
        }
        var costs = usable.Select(Cost).Order().ToArray();
        var wholeHosts = costs.Take(Math.Min(minHosts, costs.Length)).Sum();
        if (wholeHosts > hostBound + 1e-12)
        {
            hostBound = wholeHosts;
            binding = $"the {minHosts} cheapest hosts: {countBinding}";
        }
        var cpu = PlanEvaluator.CpuIndex(problem);
        var energy = 0.0;
        if (cpu >= 0)
        {
            var wpc = usable.Min(h => h.WattsPerCore);
            energy = options.EnergyWeight * wpc * problem.Components.Sum(c => c.Replicas * PlanEvaluator.MeanCpu(c, cpu));
        }
        var value = hostBound + energy;
        var how = identical ? "whole identical hosts" : binding.StartsWith("the ", StringComparison.Ordinal) ? "whole-host count" : "fractional cheapest cover";
        return new(value, hostBound, string.Create(CultureInfo.InvariantCulture,
            $"lower bound {value:0.###}: hosts {hostBound:0.###} ({how} of the binding demand, {binding}) + energy per core {energy:0.###}; communication and moves counted as 0"));
    }
}
