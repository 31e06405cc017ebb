using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Placement.Global;
using static Auspex.Placement.Tests.Fixtures;
using static Auspex.Testing.Builders;

namespace Auspex.Placement.Tests;

public sealed class GlobalProblemsTests
{
    private static GlobalPlacementOptions Options => new() { Slots = 3 };

    [Fact]
    public void FromTopology_SlotDemandIsTheQuantilePeakInsideTheSlotElseTheRequest()
    {
        var t = Grid(components: [new Component("api", "api", ResourceVector.Of((ResourceKind.Cpu, 1), (ResourceKind.Memory, GiB)), 1, ["h111"], [])]);
        // p95 rises 1, 2, 3 cores at 30-minute steps: slot 0 holds steps 0–1 (peak 2), slot 1 holds step 2 (3), slot 2 nothing.
        var f = new Forecast(new SeriesKey("cpu", Labels.Empty), "t", T0, TimeSpan.FromMinutes(30), [0.5, 0.95],
            [new(T0, 0.5, [0.5, 1]), new(T0.AddMinutes(30), 1, [1, 2]), new(T0.AddHours(1), 2, [2, 3])]);
        var p = GlobalProblems.FromTopology(t, [new ComponentDemandForecast("api", ResourceKind.Cpu, f)], T0, Options);
        var api = p.Components.Single();
        Assert.Equal([2.0, 3.0, 1.0], api.Demand.Select(d => d[0]).ToArray());
        Assert.Equal(GiB, api.Demand[0][1]);
        Assert.Equal(["cpu", "memory"], p.Resources);
    }

    [Fact]
    public void FromTopology_MaintenanceMakesHostsUnavailableInOverlappingSlots()
    {
        var m = new MaintenanceWindow("rack11", new TimeRange(T0.AddMinutes(90), T0.AddMinutes(100)), "fw");
        var p = GlobalProblems.FromTopology(Grid(maintenance: [m]), [], T0, Options);
        Assert.Equal([true, false, true], p.Hosts.Single(h => h.Id == "h111").Available);
        Assert.All(p.Hosts.Where(h => h.Rack != "rack11"), h => Assert.All(h.Available, Assert.True));
    }

    [Fact]
    public void FromTopology_HighAvailabilitySloSpreadsOverZonesOtherwiseRacks()
    {
        var comps = new[]
        {
            new Component("db", "db", ResourceVector.Of((ResourceKind.Cpu, 1)), 2, [], []),
            new Component("web", "web", ResourceVector.Of((ResourceKind.Cpu, 1)), 4, [], []),
        };
        var locs = Grid().Localities;
        var t = Topology.Create(TenantId.Default, locs, comps, null, Grid().Tiers, [new Slo("db", 0.9995, null, 0.95)], null, null,
            Policy.Default with { RiskTolerance = 0.8 }).Topology!;
        var p = GlobalProblems.FromTopology(t, [], T0, Options);
        Assert.Equal((1, (int?)null), (p.Components[0].MaxPerZone!.Value, p.Components[0].MaxPerRack));
        Assert.Equal(((int?)null, 1), (p.Components[1].MaxPerZone, p.Components[1].MaxPerRack!.Value));
    }

    [Fact]
    public void Greedy_RespectsCapacityAndSpreadAndReportsMetrics()
    {
        var comps = Enumerable.Range(0, 6).Select(i => new Component($"c{i}", "s", ResourceVector.Of((ResourceKind.Cpu, 1.5), (ResourceKind.Memory, GiB)), 2, [], [])).ToArray();
        var t = Topology.Create(TenantId.Default, Grid().Localities, comps, null, Grid().Tiers).Topology!;
        var p = GlobalProblems.FromTopology(t, [], T0, Options);
        var r = PlacementSolvers.Greedy().Solve(p, Options);
        Assert.True(r.HasPlan, string.Join("; ", r.Reasons));
        Assert.Equal(0, r.Metrics!.OverloadedHostSlots);
        Assert.Equal(0, r.Metrics.SpreadViolations);
        Assert.Equal(6, r.Metrics.HostsUsed); // 12 replicas of 1.5 cores, two per 4-core host
        Assert.True(double.IsNaN(r.Gap));
    }

    [Fact]
    public void Greedy_TooMuchDemand_IsInfeasibleWithReasons()
    {
        var comps = new[] { new Component("huge", "s", ResourceVector.Of((ResourceKind.Cpu, 3)), 12, [], []) };
        var t = Topology.Create(TenantId.Default, Grid().Localities, comps, null, Grid().Tiers).Topology!;
        var r = PlacementSolvers.Greedy().Solve(GlobalProblems.FromTopology(t, [], T0, Options), Options);
        Assert.Equal(GlobalSolveStatus.Infeasible, r.Status);
        Assert.Contains(r.Reasons, x => x.Contains("component huge needs 12 host(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_CountsOverloadsMovesAndCommunicationDistance()
    {
        var p = new GlobalPlacementProblem(["cpu"], [T0],
            [new PlanHost("a", "r1", "z1", [2], 1, 0, 0, [true]), new PlanHost("b", "r2", "z1", [2], 1, 0, 0, [true]), new PlanHost("c", "r3", "z2", [2], 1, 0, 0, [true])],
            [new PlanComponent("x", 1, [[3]], ["b"], null, null), new PlanComponent("y", 1, [[1]], ["c"], null, null)],
            [new PlanEdge(0, 1, 10)]);
        var m = PlanEvaluator.Evaluate(p, new Dictionary<string, IReadOnlyList<string>> { ["x"] = ["a"], ["y"] = ["b"] }, new GlobalPlacementOptions());
        Assert.Equal(1, m.OverloadedHostSlots);
        Assert.Equal(2, m.Moves);
        Assert.Equal(10, m.CommunicationCost); // same zone, different racks: distance 1
        Assert.Equal(2, m.HostsUsed);
    }
}

public sealed class PartitionedSolverTests
{
    [Fact]
    public void Partitioned_KeepsConnectedComponentsTogetherAndEveryConstraint()
    {
        var comps = Enumerable.Range(0, 8).Select(i => new Component($"c{i}", "s", ResourceVector.Of((ResourceKind.Cpu, 1), (ResourceKind.Memory, GiB)), 2, [], [])).ToArray();
        var edges = Enumerable.Range(0, 4).Select(i => new DependencyEdge($"c{2 * i}", $"c{2 * i + 1}", 100, 1e5)).ToArray();
        var t = Topology.Create(TenantId.Default, Grid().Localities, comps, edges, Grid().Tiers).Topology!;
        var options = new GlobalPlacementOptions { Slots = 2 };
        var p = GlobalProblems.FromTopology(t, [], T0, options);
        var r = PlacementSolvers.Partitioned(PlacementSolvers.Greedy(), maxVariablesPerPart: 16).Solve(p, options);
        Assert.True(r.HasPlan, string.Join("; ", r.Reasons));
        Assert.Contains("parts", r.Reasons[0], StringComparison.Ordinal);
        Assert.Equal(0, r.Metrics!.OverloadedHostSlots);
        Assert.Equal(0, r.Metrics.SpreadViolations);
        Assert.All(p.Components, c => Assert.Equal(2, r.Assignment[c.Id].Count));
        Assert.True(double.IsNaN(r.Gap));
    }
}
