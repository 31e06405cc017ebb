using Auspex.Placement.Global;
using Auspex.Placement.OrTools;

namespace Auspex.Placement.OrTools.Tests;

public sealed class CpSatNeighbourhoodSolverTests
{
    private static readonly DateTimeOffset T0 = new(2013, 8, 12, 0, 0, 0, TimeSpan.Zero);

    private static GlobalPlacementOptions Options(double seconds = 3) =>
        new() { Slots = 2, TimeLimit = TimeSpan.FromSeconds(seconds), Workers = 1, EnergyWeight = 0, MoveWeight = 0 };

    private static GlobalPlacementProblem Random(int hosts, int comps, int seed)
    {
        var rng = new Random(seed);
        var h = Enumerable.Range(0, hosts).Select(i => new PlanHost($"h{i:D3}", $"r{i / 5}", $"z{i % 4}", [16, 64], 1, 0, 0, [true, true])).ToArray();
        var c = Enumerable.Range(0, comps).Select(i =>
        {
            var day = 1 + 5 * rng.NextDouble();
            var night = 1 + 5 * rng.NextDouble();
            return new PlanComponent($"c{i}", 2, [[day, 2.0], [night, 2.0]], [], 1, null);
        }).ToArray();
        var e = Enumerable.Range(0, comps / 2).Select(i => new PlanEdge(2 * i, 2 * i + 1, 10 + i)).ToArray();
        return new(["cpu", "memory"], [T0, T0.AddHours(12)], h, c, e);
    }

    [Fact]
    public void Solve_NoWorseThanTheGreedyHeuristic_ValidPlan_GapAgainstTheWholeProblemsBound()
    {
        // Both packing and the hybrid search until their time limit, so which of the two ends lower depends on the
        // machine's load; the greedy heuristic (CP-SAT's warm start) is deterministic.
        var p = Random(60, 90, 3);
        var pack = PlacementSolvers.Greedy().Solve(p, Options());
        var hybrid = CpSatPlacement.CreateNeighbourhoodSearch().Solve(p, Options());
        Assert.True(hybrid.HasPlan, string.Join("; ", hybrid.Reasons));
        Assert.Equal(0, hybrid.Metrics!.OverloadedHostSlots);
        Assert.Equal(0, hybrid.Metrics.SpreadViolations);
        Assert.True(hybrid.Metrics.Objective <= pack.Metrics!.Objective + 1e-9, $"hybrid {hybrid.Metrics.Objective} greedy {pack.Metrics.Objective}");
        foreach (var c in p.Components)
        {
            Assert.Equal(2, hybrid.Assignment[c.Id].Distinct().Count());
        }
        var bound = PlacementBounds.Lower(p, Options());
        Assert.Equal(bound.Value, hybrid.BestBound, 9);
        Assert.True(bound.Value <= hybrid.Metrics.Objective);
        Assert.Contains(hybrid.Reasons, r => r.Contains("CP-SAT repacked", StringComparison.Ordinal));
    }

    [Fact]
    public void Bound_IsBelowCpSatsOptimum_OnASmallProblem()
    {
        var p = Random(8, 6, 1);
        var o = Options(10);
        o.RelativeGapLimit = 0;
        var cp = CpSatPlacement.Create().Solve(p, o);
        Assert.True(cp.HasPlan, string.Join("; ", cp.Reasons));
        Assert.True(PlacementBounds.Lower(p, o).Value <= cp.Metrics!.Objective + 1e-9);
    }

    [Fact]
    public void Solve_Infeasible_SaysWhy()
    {
        var p = new GlobalPlacementProblem(["cpu"], [T0], [new PlanHost("h", "r", "z", [1], 1, 0, 0, [true])], [new PlanComponent("big", 1, [[4.0]], [], null, null)], []);
        var r = CpSatPlacement.CreateNeighbourhoodSearch().Solve(p, Options());
        Assert.Equal(GlobalSolveStatus.Infeasible, r.Status);
        Assert.NotEmpty(r.Reasons);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void Bound_IsBelowCpSatsProvenOptimum_OnSmallHeterogeneousProblems(int seed)
    {
        // Mixed host sizes and prices (where the whole-host count and the fractional cover differ) and complementary
        // day/night profiles; CP-SAT proves the optimum, and the bound must not exceed it.
        var p = SmallInstances.Heterogeneous(seed, T0);
        var o = Options(20);
        o.RelativeGapLimit = 0;
        var optimum = SmallInstances.ProvenOptimum(p, o);
        var bound = PlacementBounds.Lower(p, o);
        Assert.True(bound.Value <= optimum + 1e-9, $"bound {bound.Value} ({bound.Explanation}) above the optimum {optimum}");
    }
}

