using Auspex.Placement.Global;

namespace Auspex.Placement.Tests;

public sealed class PackingSolverTests
{
    private static readonly DateTimeOffset T0 = new(2013, 8, 12, 0, 0, 0, TimeSpan.Zero);

    private static GlobalPlacementOptions Options() =>
        new() { Slots = 2, TimeLimit = TimeSpan.FromSeconds(2), Workers = 1, EnergyWeight = 0, MoveWeight = 0 };

    private static PlanHost Host(string id, string rack, string zone, double cpu = 10, double price = 1) =>
        new(id, rack, zone, [cpu, 100], price, 0, 0, [true, true]);

    private static PlanComponent Comp(string id, int replicas, double cpuSlot0, double cpuSlot1, int? maxPerZone = null) =>
        new(id, replicas, [[cpuSlot0, 1.0], [cpuSlot1, 1.0]], [], maxPerZone, null);

    private static GlobalPlacementProblem Problem(IEnumerable<PlanHost> hosts, IEnumerable<PlanComponent> comps, IEnumerable<PlanEdge>? edges = null) =>
        new(["cpu", "memory"], [T0, T0.AddHours(12)], hosts.ToArray(), comps.ToArray(), (edges ?? []).ToArray());

    [Fact]
    public void Solve_ComplementaryProfiles_ShareHosts_AndReachTheBound()
    {
        // 10 day-heavy and 10 night-heavy components of 6 + 2 cores on 10-core hosts: paired, 10 hosts carry all
        // 20 (8 cores per host and slot); the bound: 80 cores per slot / 10 = 8 hosts, so the plan is 2 hosts above it.
        var hosts = Enumerable.Range(0, 20).Select(i => Host($"h{i:D2}", $"r{i / 5}", $"z{i / 10}"));
        var comps = Enumerable.Range(0, 10).Select(i => Comp($"day{i}", 1, 6, 2))
            .Concat(Enumerable.Range(0, 10).Select(i => Comp($"night{i}", 1, 2, 6)));
        var p = Problem(hosts, comps);
        var r = PlacementSolvers.Packing().Solve(p, Options());
        Assert.True(r.HasPlan, string.Join("; ", r.Reasons));
        Assert.Equal(0, r.Metrics!.OverloadedHostSlots);
        Assert.Equal(10, r.Metrics.HostsUsed);
        var bound = PlacementBounds.Lower(p, Options());
        Assert.Equal(8, bound.HostCost, 9); // 80 cores per slot on 10-core hosts
        Assert.True(bound.Value <= r.Metrics.Objective + 1e-9);
        Assert.Equal(r.BestBound, bound.Value, 9);
        Assert.InRange(r.Gap, 0, 1);
    }

    [Fact]
    public void Solve_ChattyGroup_ReplicasTogetherPerZone_NoCommunication_SpreadKept()
    {
        var hosts = Enumerable.Range(0, 12).Select(i => Host($"h{i:D2}", $"r{i / 2}", $"z{i / 4}"));
        var comps = new[] { Comp("api", 2, 2, 2, maxPerZone: 1), Comp("cache", 2, 1, 1, maxPerZone: 1), Comp("db", 2, 3, 3, maxPerZone: 1), Comp("batch", 1, 9, 9) };
        var p = Problem(hosts, comps, [new PlanEdge(0, 1, 500), new PlanEdge(1, 2, 200)]);
        var r = PlacementSolvers.Packing().Solve(p, Options());
        Assert.True(r.HasPlan);
        Assert.Equal(0, r.Metrics!.CommunicationCost);
        Assert.Equal(0, r.Metrics.SpreadViolations);
        Assert.Equal(0, r.Metrics.OverloadedHostSlots);
        Assert.Equal(3, r.Metrics.HostsUsed); // two bundles of 6 cores + the 9-core batch
        foreach (var c in p.Components)
        {
            Assert.Equal(c.Replicas, r.Assignment[c.Id].Distinct().Count());
        }
    }

    [Fact]
    public void Solve_NeverOverloads_AndBeatsOrMatchesFirstFitOnRandomInstances()
    {
        var rng = new Random(5);
        for (var round = 0; round < 5; round++)
        {
            var hosts = Enumerable.Range(0, 40).Select(i => Host($"h{i:D2}", $"r{i / 4}", $"z{i % 3}", cpu: i % 2 == 0 ? 16 : 8, price: i % 2 == 0 ? 0.8 : 0.45));
            var comps = Enumerable.Range(0, 60).Select(i => Comp($"c{i}", 1 + i % 2, 0.5 + 4 * rng.NextDouble(), 0.5 + 4 * rng.NextDouble(), maxPerZone: 1)).ToList();
            var p = Problem(hosts, comps);
            var r = PlacementSolvers.Packing().Solve(p, Options());
            Assert.True(r.HasPlan, string.Join("; ", r.Reasons));
            Assert.Equal(0, r.Metrics!.OverloadedHostSlots);
            Assert.Equal(0, r.Metrics.SpreadViolations);
            Assert.True(PlacementBounds.Lower(p, Options()).Value <= r.Metrics.Objective + 1e-9);
        }
    }

    [Fact]
    public void Solve_Infeasible_SaysWhy()
    {
        var p = Problem([Host("h1", "r1", "z1", cpu: 4)], [Comp("big", 1, 8, 8)]);
        var r = PlacementSolvers.Packing().Solve(p, Options());
        Assert.Equal(GlobalSolveStatus.Infeasible, r.Status);
        Assert.Contains(r.Reasons, x => x.Contains("big", StringComparison.Ordinal));
    }

    [Fact]
    public void Solve_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => PlacementSolvers.Packing().Solve(null!, Options()));
        Assert.Throws<ArgumentNullException>(() => PlacementBounds.Lower(null!, Options()));
    }

    [Fact]
    public void Bound_HeterogeneousHosts_IsTheCheapestFractionalCover()
    {
        // 12 cores of demand; 16-core hosts at 0.8 (0.05/core) and 8-core hosts at 0.6 (0.075/core): 12 × 0.05 = 0.6.
        var p = Problem([Host("big", "r1", "z1", cpu: 16, price: 0.8), Host("small", "r1", "z1", cpu: 8, price: 0.6)], [Comp("a", 1, 12, 12)]);
        var b = PlacementBounds.Lower(p, Options());
        Assert.Equal(0.6, b.HostCost, 9);
        Assert.Contains("fractional", b.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Bound_NothingToPlace_IsZero() =>
        Assert.Equal(0, PlacementBounds.Lower(Problem([Host("h", "r", "z")], []), Options()).Value);

    [Fact]
    public void Bound_HeterogeneousHosts_CountsWholeHosts_WhenThatIsHigher()
    {
        // 20 cores: the fractional cover is 16 × 0.05 + 4 × 0.075 = 1.1, but no single host holds 20 cores, so at least
        // two hosts are open and they cost at least the two cheapest (0.6 + 0.6 = 1.2). The optimum is big + small, 1.4.
        var p = Problem([Host("big", "r1", "z1", cpu: 16, price: 0.8), Host("s1", "r1", "z1", cpu: 8, price: 0.6), Host("s2", "r1", "z1", cpu: 8, price: 0.6)],
            [Comp("a", 1, 6, 6), Comp("b", 1, 6, 6), Comp("c", 1, 8, 8)]);
        var b = PlacementBounds.Lower(p, Options());
        Assert.Equal(1.2, b.HostCost, 9);
        Assert.Contains("whole-host count", b.Explanation, StringComparison.Ordinal);
        var r = PlacementSolvers.Packing().Solve(p, Options());
        Assert.True(r.HasPlan, string.Join("; ", r.Reasons));
        Assert.Equal(1.4, r.Metrics!.Objective, 9);
        Assert.True(b.Value <= r.Metrics.Objective + 1e-9);
    }
}

