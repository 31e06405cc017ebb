using Auspex.Ingestion.TopologyFiles;
using Auspex.Placement.Global;
using Auspex.Placement.OrTools;
using Auspex.Testing;

namespace Auspex.Placement.OrTools.Tests;

public sealed class ConfigurationBoundTests
{
    private static readonly DateTimeOffset T0 = new(2013, 8, 12, 0, 0, 0, TimeSpan.Zero);

    private static GlobalPlacementOptions Options(double seconds = 10) =>
        new() { Slots = 2, TimeLimit = TimeSpan.FromSeconds(seconds), Workers = 1, RelativeGapLimit = 0 };

    [Fact]
    public void Bound_CountsWhatFitsOneHost_WhereTheFleetTotalDoesNot()
    {
        // Three replicas of 6 cores on 10-core hosts: the fleet's total (18) fits 2 hosts, but no host holds two.
        var hosts = Enumerable.Range(0, 4).Select(i => new PlanHost($"h{i}", $"r{i}", "z", [10, 64], 1, 0, 0, [true, true])).ToArray();
        var comps = Enumerable.Range(0, 3).Select(i => new PlanComponent($"c{i}", 1, [[6.0, 1.0], [6.0, 1.0]], [], null, null)).ToArray();
        var p = new GlobalPlacementProblem(["cpu", "memory"], [T0, T0.AddHours(12)], hosts, comps, []);
        var o = Options();
        var simple = PlacementBounds.Lower(p, o);
        var strong = ConfigurationBound.Compute(p, o, TimeSpan.FromSeconds(10));
        Assert.Equal(2, simple.HostCost, 9);
        Assert.Equal(3, strong.HostCost, 6);
        Assert.Contains("configuration LP", strong.Explanation, StringComparison.Ordinal);
        var cp = CpSatPlacement.Create().Solve(p, o);
        Assert.Equal(GlobalSolveStatus.Optimal, cp.Status);
        Assert.True(strong.Value <= cp.Metrics!.Objective + 1e-9, $"bound {strong.Value} above the optimum {cp.Metrics.Objective}");
    }

    [Fact]
    public void Bound_SeesUnlikeDailyProfiles_ThatTheFractionalCoverMisses()
    {
        // Day-heavy replicas (7 by day, 1 by night) and flat ones (4, 4) on 10-core hosts: by day the fleet needs
        // 4 × 7 + 4 × 4 = 44 cores → 5 hosts, but a day-heavy replica shares its host with nothing (7 + 7, 7 + 4 > 10),
        // so the configuration LP counts 4 hosts for them and 2 for the flat ones (4 + 4 ≤ 10).
        var hosts = Enumerable.Range(0, 10).Select(i => new PlanHost($"h{i}", $"r{i}", "z", [10, 64], 1, 0, 0, [true, true])).ToArray();
        var comps = Enumerable.Range(0, 4).Select(i => new PlanComponent($"day{i}", 1, [[7.0, 1.0], [1.0, 1.0]], [], null, null))
            .Concat(Enumerable.Range(0, 4).Select(i => new PlanComponent($"flat{i}", 1, [[4.0, 1.0], [4.0, 1.0]], [], null, null))).ToArray();
        var p = new GlobalPlacementProblem(["cpu", "memory"], [T0, T0.AddHours(12)], hosts, comps, []);
        var o = Options(20);
        var simple = PlacementBounds.Lower(p, o);
        var strong = ConfigurationBound.Compute(p, o, TimeSpan.FromSeconds(10));
        var cp = CpSatPlacement.Create().Solve(p, o);
        Assert.Equal(GlobalSolveStatus.Optimal, cp.Status);
        Assert.Equal(5, simple.HostCost, 9);
        Assert.Equal(6, cp.Metrics!.HostsUsed);
        Assert.Equal(6, strong.HostCost, 6);
        Assert.True(strong.Value <= cp.Metrics.Objective + 1e-9, $"bound {strong.Value} above the optimum {cp.Metrics.Objective}");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void Bound_IsBelowCpSatsProvenOptimum_OnSmallHeterogeneousProblems(int seed)
    {
        // The instances of the PlacementBounds.Lower validity test: mixed host sizes and prices, day/night profiles.
        var p = SmallInstances.Heterogeneous(seed, T0);
        var o = Options(20);
        var optimum = SmallInstances.ProvenOptimum(p, o);
        var bound = ConfigurationBound.Compute(p, o, TimeSpan.FromSeconds(10));
        Assert.True(bound.Value >= PlacementBounds.Lower(p, o).Value - 1e-9);
        Assert.True(bound.Value <= optimum + 1e-9, $"bound {bound.Value} ({bound.Explanation}) above the optimum {optimum}");
    }

    [Fact]
    public void LpPacking_GivesAValidPlan_NoWorseThanGreedy()
    {
        var rng = new Random(3);
        var hosts = Enumerable.Range(0, 60).Select(i => new PlanHost($"h{i:D3}", $"r{i / 5}", $"z{i % 4}", [16, 64], 1, 0, 0, [true, true])).ToArray();
        var comps = Enumerable.Range(0, 90).Select(i => new PlanComponent($"c{i}", 2, [[1 + 5 * rng.NextDouble(), 2.0], [1 + 5 * rng.NextDouble(), 2.0]], [], 1, null)).ToArray();
        var edges = Enumerable.Range(0, 45).Select(i => new PlanEdge(2 * i, 2 * i + 1, 10 + i)).ToArray();
        var p = new GlobalPlacementProblem(["cpu", "memory"], [T0, T0.AddHours(12)], hosts, comps, edges);
        var o = new GlobalPlacementOptions { Slots = 2, TimeLimit = TimeSpan.FromSeconds(3), Workers = 1, EnergyWeight = 0, MoveWeight = 0 };
        var greedy = PlacementSolvers.Greedy().Solve(p, o);
        var lp = CpSatPlacement.CreateLpPacking().Solve(p, o);
        Assert.True(lp.HasPlan, string.Join("; ", lp.Reasons));
        Assert.Equal(0, lp.Metrics!.OverloadedHostSlots);
        Assert.Equal(0, lp.Metrics.SpreadViolations);
        Assert.All(p.Components, c => Assert.Equal(2, lp.Assignment[c.Id].Distinct().Count()));
        Assert.True(lp.Metrics.Objective <= greedy.Metrics!.Objective + 1e-9, $"lp-packing {lp.Metrics.Objective} greedy {greedy.Metrics.Objective}");
        Assert.True(PlacementBounds.Lower(p, o).Value <= lp.Metrics.Objective);
    }

    [Fact]
    public void Bound_UsesNoMoreHostsOfATypeThanExist()
    {
        // Six 6-core replicas, one per 10-core host: 2 cheap hosts (price 1) and 10 dear ones (price 3). Without a limit
        // per host type the LP would put all six on cheap hosts (6); there are only 2: 2 × 1 + 4 × 3 = 14, CP-SAT's optimum.
        var hosts = Enumerable.Range(0, 12).Select(i => new PlanHost($"h{i:D2}", $"r{i}", "z", [10, 64], i < 2 ? 1 : 3, 0, 0, [true, true])).ToArray();
        var comps = Enumerable.Range(0, 6).Select(i => new PlanComponent($"c{i}", 1, [[6.0, 1.0], [6.0, 1.0]], [], null, null)).ToArray();
        var p = new GlobalPlacementProblem(["cpu", "memory"], [T0, T0.AddHours(12)], hosts, comps, []);
        var o = new GlobalPlacementOptions { Slots = 2, TimeLimit = TimeSpan.FromSeconds(10), Workers = 1, RelativeGapLimit = 0, EnergyWeight = 0, MoveWeight = 0 };
        var strong = ConfigurationBound.Compute(p, o, TimeSpan.FromSeconds(10));
        Assert.Equal(14, strong.HostCost, 6);
        var cp = CpSatPlacement.Create().Solve(p, o);
        Assert.Equal(GlobalSolveStatus.Optimal, cp.Status);
        Assert.Equal(14, cp.Metrics!.Objective, 6);
    }

    [Fact]
    public void LpPacking_ReportsTheConfigurationLpBound_WhenPricingProvesIt_AndItIsStronger()
    {
        // Three replicas of 6 cores on 10-core hosts: the fractional cover says 2 hosts; the configuration LP, with
        // CP-SAT proving that no configuration holds two, says 3, and 3 hosts is the optimum: gap 0.
        var hosts = Enumerable.Range(0, 4).Select(i => new PlanHost($"h{i}", $"r{i}", "z", [10, 64], 1, 0, 0, [true, true])).ToArray();
        var comps = Enumerable.Range(0, 3).Select(i => new PlanComponent($"c{i}", 1, [[6.0, 1.0], [6.0, 1.0]], [], null, null)).ToArray();
        var p = new GlobalPlacementProblem(["cpu", "memory"], [T0, T0.AddHours(12)], hosts, comps, []);
        var o = new GlobalPlacementOptions { Slots = 2, TimeLimit = TimeSpan.FromSeconds(3), Workers = 1, EnergyWeight = 0, MoveWeight = 0 };
        var r = CpSatPlacement.CreateLpPacking().Solve(p, o);
        Assert.True(r.HasPlan, string.Join("; ", r.Reasons));
        Assert.Equal(3, r.Metrics!.HostsUsed);
        Assert.Equal(2, PlacementBounds.Lower(p, o).Value, 9);
        Assert.Equal(3, r.BestBound, 6);
        Assert.Equal(0, r.Gap, 6);
        Assert.Contains(r.Reasons, x => x.Contains("configuration LP", StringComparison.Ordinal) && x.Contains("lower bound 3", StringComparison.Ordinal));
    }

    [Fact]
    public void LpPacking_SwapsLikeReplicas_AndReportsTheCommunication_ItEndsWith()
    {
        // 40 chatty pairs over two demand profiles on 8-core hosts in 10 racks: rounding ignores the pairs, the swaps
        // bring some together; the communication the reasons give at the end is the plan's.
        var rng = new Random(5);
        var hosts = Enumerable.Range(0, 60).Select(i => new PlanHost($"h{i:D3}", $"r{i / 6}", $"z{i / 30}", [8, 64], 1, 0, 0, [true, true])).ToArray();
        var comps = Enumerable.Range(0, 80).Select(i => new PlanComponent($"c{i}", 2, i % 2 == 0 ? [[3.0, 2.0], [1.0, 2.0]] : [[1.0, 2.0], [3.0, 2.0]], [], null, 1)).ToArray();
        var edges = Enumerable.Range(0, 40).Select(i => new PlanEdge(2 * i, (2 * i + 1 + 2 * rng.Next(39)) % 80, 10 + i)).ToArray();
        var p = new GlobalPlacementProblem(["cpu", "memory"], [T0, T0.AddHours(12)], hosts, comps, edges);
        var o = new GlobalPlacementOptions { Slots = 2, TimeLimit = TimeSpan.FromSeconds(2), Workers = 1, EnergyWeight = 0, MoveWeight = 0 };
        var r = new LpPackingSolver(0.5) { CommunicationSwaps = true }.Solve(p, o);
        Assert.True(r.HasPlan, string.Join("; ", r.Reasons));
        Assert.Equal(0, r.Metrics!.OverloadedHostSlots);
        Assert.Equal(0, r.Metrics.SpreadViolations);
        var swaps = Assert.Single(r.Reasons, x => x.Contains("same-demand replica swap", StringComparison.Ordinal));
        var m = System.Text.RegularExpressions.Regex.Match(swaps, @"^(\d+) same-demand replica swap\(s\) .*communication ([\d.]+) after rounding, ([\d.]+) at the end$");
        Assert.True(m.Success, swaps);
        Assert.True(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, swaps); // random peers: rounding leaves some apart
        Assert.Equal(r.Metrics.CommunicationCost * o.CommunicationWeight, double.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), 0.051);
    }

    [Fact]
    public void Catalog_WithOrTools_OffersCpSat_AndNamesTheValidSolversForAnUnknownOne()
    {
        var catalog = PlacementSolverCatalog.Default().AddOrToolsSolver();
        Assert.Equal(["packing", "greedy", "cpsat"], catalog.Names);
        Assert.Equal("solver: 'annealing' is not one of packing, greedy, cpsat", catalog.Check("annealing"));
        Assert.Null(catalog.Check("cpsat"));
        Assert.Throws<ArgumentException>(() => catalog.Create("annealing"));
        // cpsat on the sample fleet: small enough for CP-SAT whole.
        var topology = TopologyFile.Load(RepoPaths.Samples("fleet", "topology.yaml")).Topology!;
        var o = new GlobalPlacementOptions { Slots = 4, TimeLimit = TimeSpan.FromSeconds(5), Workers = 1 };
        var problem = GlobalProblems.FromTopology(topology, [], T0, o);
        var r = catalog.Create("cpsat").Solve(problem, o);
        Assert.Equal("cp-sat", r.Solver);
        Assert.True(r.HasPlan, string.Join("; ", r.Reasons));
        Assert.Equal(0, r.Metrics!.OverloadedHostSlots);
    }
}
