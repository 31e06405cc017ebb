using Auspex.Placement.Global;

namespace Auspex.Placement.Tests;

public sealed class SameDemandSwapTests
{
    private static readonly DateTimeOffset T0 = new(2013, 8, 12, 0, 0, 0, TimeSpan.Zero);

    private static GlobalPlacementOptions Options() =>
        new() { Slots = 2, TimeLimit = TimeSpan.FromSeconds(2), Workers = 1, EnergyWeight = 0, MoveWeight = 0 };

    private static PlanComponent Comp(string id, int replicas, double cpu0, double cpu1, int? maxPerZone = null) =>
        new(id, replicas, [[cpu0, 1.0], [cpu1, 1.0]], [], maxPerZone, null);

    /// <summary>Hosts h0..h4: h0 in rack r0, h1 in r0, h2 and h3 in r1 (zone z0 holds r0 and r1), h4 in r2 (zone z1).</summary>
    private static GlobalPlacementProblem Problem(IReadOnlyList<PlanComponent> comps, IReadOnlyList<PlanEdge> edges)
    {
        string[] racks = ["r0", "r0", "r1", "r1", "r2"];
        var hosts = Enumerable.Range(0, 5).Select(i => new PlanHost($"h{i}", racks[i], racks[i] == "r2" ? "z1" : "z0", [10, 100], 1, 0, 0, [true, true])).ToArray();
        return new(["cpu", "memory"], [T0, T0.AddHours(12)], hosts, comps, edges);
    }

    private static double[] Loads(PackingState s) =>
        Enumerable.Range(0, s.HostCount).SelectMany(h => Enumerable.Range(0, s.SlotCount).SelectMany(t => Enumerable.Range(0, s.ResourceCount).Select(r => s.Load(h, t, r)))).ToArray();

    [Fact]
    public void Swap_MovesAReplicaNextToItsPeer_ByTradingPlacesWithALikeReplica_LoadsUnchanged()
    {
        // api (3, 2 cores) talks to db on h2 (rack r1); x has api's demand and sits on h3 in r1; y (other demand) on h1.
        var p = Problem([Comp("api", 1, 3, 2), Comp("db", 1, 4, 4), Comp("x", 1, 3, 2), Comp("y", 1, 3, 1)], [new PlanEdge(0, 1, 100)]);
        var s = new PackingState(p, Options());
        s.Place(0, 0, 0);
        s.Place(1, 0, 2);
        s.Place(2, 0, 3);
        s.Place(3, 0, 1);
        var loads = Loads(s);
        var before = PlanEvaluator.Evaluate(p, s.Assignment(), Options());
        Assert.Equal(100, before.CommunicationCost); // api in r0, db in r1: same zone, distance 1

        var swaps = s.SwapSameDemand(() => true);

        var after = PlanEvaluator.Evaluate(p, s.Assignment(), Options());
        Assert.Equal(1, swaps);
        Assert.Equal(["h3"], s.Assignment()["api"]);
        Assert.Equal(["h0"], s.Assignment()["x"]);
        Assert.Equal(["h1"], s.Assignment()["y"]); // unlike demand: never swapped
        Assert.Equal(0, after.CommunicationCost);
        Assert.Equal(loads, Loads(s));
        Assert.Equal(before.HostsUsed, after.HostsUsed);
        Assert.Equal(0, after.OverloadedHostSlots);
        Assert.True(after.Objective < before.Objective);
    }

    [Fact]
    public void Swap_KeepsTheSpreadLimits_AndSkipsASwapThatWouldBreakThem()
    {
        // api (2 replicas, at most 1 per zone) on h4 (z1) and h0 (z0); db on h2 (r1, z0); x (api's demand) on h3 (r1, z0).
        // Moving api's z1 replica to h3 would put both in z0, so only the z0 replica (on h0) may trade with x.
        var p = Problem([Comp("api", 2, 3, 2, maxPerZone: 1), Comp("db", 1, 4, 4), Comp("x", 1, 3, 2)], [new PlanEdge(0, 1, 100)]);
        var s = new PackingState(p, Options());
        s.Place(0, 0, 4);
        s.Place(0, 1, 0);
        s.Place(1, 0, 2);
        s.Place(2, 0, 3);

        s.SwapSameDemand(() => true);

        var after = PlanEvaluator.Evaluate(p, s.Assignment(), Options());
        Assert.Equal(["h4", "h3"], s.Assignment()["api"]);
        Assert.Equal(["h0"], s.Assignment()["x"]);
        Assert.Equal(0, after.SpreadViolations);
        Assert.Equal(0, after.CommunicationCost);
    }

    [Fact]
    public void Swap_StopsWhenTold_AndDoesNothingWithoutLikeReplicas()
    {
        var p = Problem([Comp("api", 1, 3, 2), Comp("db", 1, 4, 4)], [new PlanEdge(0, 1, 100)]);
        var s = new PackingState(p, Options());
        s.Place(0, 0, 0);
        s.Place(1, 0, 4);
        Assert.Equal(0, s.SwapSameDemand(() => true));
        Assert.Equal(["h0"], s.Assignment()["api"]);
    }
}
