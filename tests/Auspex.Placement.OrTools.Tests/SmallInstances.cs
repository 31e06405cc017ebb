using Auspex.Placement.Global;

namespace Auspex.Placement.OrTools.Tests;

/// <summary>Small random placement problems CP-SAT solves to proven optimality, for checking lower bounds against it.</summary>
internal static class SmallInstances
{
    /// <summary>
    /// Seven hosts of mixed sizes and prices (where the whole-host count and the fractional cover differ), five
    /// components of one or two replicas with day/night CPU profiles, one dependency edge; two slots from <paramref name="t0"/>.
    /// </summary>
    public static GlobalPlacementProblem Heterogeneous(int seed, DateTimeOffset t0)
    {
        var rng = new Random(seed);
        var sizes = new[] { (8.0, 0.6), (16.0, 0.8), (32.0, 1.9) };
        var hosts = Enumerable.Range(0, 7).Select(i =>
        {
            var (cpu, price) = sizes[rng.Next(sizes.Length)];
            return new PlanHost($"h{i}", $"r{i / 3}", $"z{i % 2}", [cpu, 64], price, 0, 0, [true, true]);
        }).ToArray();
        var comps = Enumerable.Range(0, 5).Select(i => new PlanComponent($"c{i}", 1 + rng.Next(2),
            [[1 + 7 * rng.NextDouble(), 2.0], [1 + 7 * rng.NextDouble(), 2.0]], [], null, null)).ToArray();
        return new GlobalPlacementProblem(["cpu", "memory"], [t0, t0.AddHours(12)], hosts, comps, [new PlanEdge(0, 1, 5)]);
    }

    /// <summary>CP-SAT's objective on <paramref name="p"/>, failing the test unless CP-SAT proves it optimal.</summary>
    public static double ProvenOptimum(GlobalPlacementProblem p, GlobalPlacementOptions o)
    {
        var cp = CpSatPlacement.Create().Solve(p, o);
        Assert.True(cp.Status == GlobalSolveStatus.Optimal, $"{cp.Status}: {string.Join("; ", cp.Reasons)}");
        return cp.Metrics!.Objective;
    }
}
