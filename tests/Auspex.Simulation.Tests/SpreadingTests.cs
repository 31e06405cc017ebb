using Auspex.Core.Topology;
using Auspex.Simulation.Policies;
using Auspex.Simulation.Traces;
using Auspex.Simulation.World;
using static Auspex.Simulation.Tests.SimTestWorld;

namespace Auspex.Simulation.Tests;

/// <summary>
/// Session 10: the world's per-replica overhead, and <c>auspex-vertical</c>'s spreading keys (vmax, vadd, vtier, vgd),
/// with hand-computed values.
/// </summary>
public sealed class SpreadingTests
{
    private static readonly WorldOptions World = SimTestWorld.OnDemand;

    [Fact]
    public void Overhead_ChargesAFractionOfTheDefaultReplicasPricePerReplicaHour_WhateverItsLimit()
    {
        var pool = new ReplicaPool(World with { ReplicaOverhead = 0.1 }, 1);
        pool.SetDesired(new Dictionary<string, int> { ["on-demand"] = 2 });
        pool.Reconcile(T0, instant: true);
        pool.SetSize(2, T0);
        // After the 60-s resize: 2 replicas × 0.10 × (2/8 + 0.1) = 0.07 for one hour, of which 2 × 0.10 × 0.1 = 0.02 overhead.
        pool.Charge(T0.AddMinutes(1), TimeSpan.FromHours(1));
        Assert.Equal(0.07, pool.Cost, 12);
        Assert.Equal(0.02, pool.OverheadCost, 12);
        Assert.Equal(0.5, pool.SizedReplicaHours, 12);
        // Spot at 0.035/h: one default-size replica pays 0.035 × (1 + 0.1) = 0.0385, of which 0.0035 overhead.
        var spot = new ReplicaPool(World with { ReplicaOverhead = 0.1, Tiers = [new Tier("spot", "simulated", 0.035, 1.0, 0.0, TimeSpan.FromMinutes(3))] }, 1);
        spot.SetDesired(new Dictionary<string, int> { ["spot"] = 1 });
        spot.Reconcile(T0, instant: true);
        spot.Charge(T0, TimeSpan.FromHours(1));
        Assert.Equal(0.0385, spot.Cost, 12);
        Assert.Equal(0.0035, spot.OverheadCost, 12);
        spot.ResetMeasures();
        Assert.Equal(0, spot.OverheadCost);
    }

    [Fact]
    public void Overhead_InTheSimulator_IsReportedApart_OverTheRunAndTheReportedPart_AndZeroReproducesTheOldCost()
    {
        // 1 h at 20 req/s (1,200 per minute; 80 req/s per replica, no rescaling); reported from minute 30.
        var trace = DemandTrace.Create("flat", T0, TimeSpan.FromMinutes(1), Enumerable.Repeat(1200.0, 60).ToList()).Trace!;
        var world = World with { ReplicaCapacity = 80, ReplicaOverhead = 0.1, ReportFrom = TimeSpan.FromMinutes(30) };
        var (r, errors) = Simulator.Run(trace, [new Sized(2, 2), new One()], world);
        Assert.Empty(errors);
        var sized = r!.Policies[0];
        var one = r.Policies[1];
        // Two replicas at 2 workers (launched at that limit): 2 × 0.10 × (0.25 + 0.1) = 0.07; overhead 0.02.
        Assert.Equal(0.07, sized.Cost, 9);
        Assert.Equal(0.02, sized.OverheadCost, 9);
        // One default replica: 0.10 × 1.1 = 0.11; overhead 0.01. Half of it in the reported half hour.
        Assert.Equal(0.11, one.Cost, 9);
        Assert.Equal(0.01, one.OverheadCost, 9);
        Assert.Equal(0.055, r.Reported![1].Cost, 9);
        Assert.Equal(0.005, r.Reported[1].OverheadCost, 9);
        // The overhead is a charge only: capacity, slack and violations are those of the world without it.
        var (plain, _) = Simulator.Run(trace, [new Sized(2, 2), new One()], world with { ReplicaOverhead = 0 });
        Assert.Equal(0.05, plain!.Policies[0].Cost, 9);
        Assert.Equal(0, plain.Policies[0].OverheadCost);
        Assert.Equal(plain.Policies[0].MeanSlack, sized.MeanSlack, 12);
        Assert.Equal(sized.Cost - sized.OverheadCost, plain.Policies[0].Cost, 12);
        Assert.Equal(one.Cost - one.OverheadCost, plain.Policies[1].Cost, 12);
    }

    [Fact]
    public void Overhead_OutOfRange_IsRefusedByName()
    {
        Assert.Empty(World.Validate());
        Assert.Contains((World with { ReplicaOverhead = -0.1 }).Validate(), e => e.Contains("replica overhead", StringComparison.Ordinal));
        Assert.Contains((World with { ReplicaOverhead = double.NaN }).Validate(), e => e.Contains("replica overhead", StringComparison.Ordinal));
        Assert.Contains((World with { ReplicaOverhead = 11 }).Validate(), e => e.Contains("replica overhead", StringComparison.Ordinal));
    }

    // A steady 100 req/s (11 servers keep the p99 within the 1-s SLO; growth quantile 1 on a flat history), sized at
    // the SLO itself from the load seen (vq), with no guard, no forecast term and no stabilisation.
    private static (int Count, double Limit) Decide(string keys, int ready, int desired)
    {
        var policy = (AuspexPolicy)PolicyCatalog.Create("auspex-vertical:vq=0.99:vfc=0:vstab=0:safety=1:guard=0:tiers=0:sin=0:thr=0" + keys, 100, "naive")!;
        var history = Enumerable.Repeat(100.0, 120).ToList();
        var r = new Dictionary<string, int> { ["on-demand"] = ready };
        var d = new Dictionary<string, int> { ["on-demand"] = desired };
        var none = new Dictionary<string, int> { ["on-demand"] = 0 };
        var now = T0.AddMinutes(120);
        var world = World with { ReplicaCapacity = 80 };
        var result = policy.Decide(new PolicyContext(now, 100, history, T0, TimeSpan.FromMinutes(1), r, none, d, world, new SimulatedClock(now), ready * 2, 2));
        Assert.True(result is not null, $"{policy.LastDecision?.Outcome} {policy.LastDecision?.Reason}");
        return (result!.Values.Sum(), policy.DesiredWorkers!.Value);
    }

    [Fact]
    public void Vmax_PlansTheCountInSmallerReplicas_AndCapsTheLimit()
    {
        // Default size: 11 servers = 1.375 replicas of 8 → 2 replicas at 11 ÷ 2 = 5.5 workers.
        Assert.Equal((2, 5.5), Decide("", 2, 2));
        // vmax=2: 11 servers = 5.5 replicas of 2 → 6; on 2 ready replicas the limit is capped at 2 (not 5.5).
        Assert.Equal(6, Decide(":vmax=2", 2, 2).Count);
        Assert.Equal(2.0, Decide(":vmax=2", 2, 2).Limit);
        // On 6 ready replicas: 11 ÷ 6 = 1.8333… → 1.84 workers (limits in 1/100 worker).
        Assert.Equal((6, 1.84), Decide(":vmax=2", 6, 6));
    }

    [Fact]
    public void Vspare_WithVadd_KeepsTheLimitsWithinVmax_SoTheyStillSurviveLosingOneReplica()
    {
        // vspare=1 on 6 replicas: the limit must cover 11 servers on 5 (2.2 workers), above vmax=2, so it is capped at
        // 2 and 5 × 2 = 10 < 11: losing one replica is not covered.
        Assert.Equal((6, 2.0), Decide(":vmax=2:vspare=1", 6, 6));
        // vadd=1 adds a replica to the planned 6: on 7, the limit covers 11 on 6: 1.84 (6 × 1.84 = 11.04 ≥ 11).
        Assert.Equal((7, 1.84), Decide(":vmax=2:vspare=1:vadd=1", 7, 7));
        // The decider is shown its own count (7 − 1), so the extra replica does not look like surplus: still 7.
        Assert.Equal(7, Decide(":vmax=2:vadd=1", 7, 7).Count);
    }

    [Fact]
    public void Vtier_RunsEveryReplicaOnTheTierNamedByIndex()
    {
        var world = new WorldOptions { FailureRatePerHour = 0, WarmUp = TimeSpan.Zero, ReplicaCapacity = 80 };
        var history = Enumerable.Repeat(100.0, 120).ToList();
        var none = world.Tiers.ToDictionary(t => t.Name, _ => 0);
        var now = T0.AddMinutes(120);
        IReadOnlyDictionary<string, int>? Run(string name) => PolicyCatalog.Create(name, 100, "naive")!
            .Decide(new PolicyContext(now, 100, history, T0, TimeSpan.FromMinutes(1), none, none, none, world, new SimulatedClock(now)));
        var spot = Run("auspex-vertical:vtier=1")!;
        Assert.Equal(0, spot["on-demand"]);
        Assert.True(spot["spot"] >= 2, $"spot {spot["spot"]}");
        var onDemand = Run("auspex-vertical:vtier=0")!;
        Assert.Equal(0, onDemand["spot"]);
        Assert.True(onDemand["on-demand"] >= 2);
        var bad = Assert.Throws<ArgumentException>(() => Run("auspex-vertical:vtier=2"));
        Assert.Contains("tier index 2", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vgd_LearnsTheGrowthQuantileOnALongerHistory()
    {
        // Three days at 100 req/s, with one jump to 130 on the first day (older than the default 2-day growth history).
        // vq=1 takes the largest ratio max(next 2 min) ÷ now: 1 over the last two days, 1.3 over three. 100 req/s needs
        // 11 servers (5.5 workers on 2 replicas); 130 needs 14 (7 workers).
        var values = Enumerable.Repeat(100.0, 3 * 1440).ToArray();
        values[100] = 130;
        var two = new Dictionary<string, int> { ["on-demand"] = 2 };
        var none = new Dictionary<string, int> { ["on-demand"] = 0 };
        var now = T0.AddDays(3);
        var world = World with { ReplicaCapacity = 80 };
        double Limit(string keys)
        {
            var policy = PolicyCatalog.Create("auspex-vertical:vq=1:vfc=0:vstab=0:safety=1:guard=0:tiers=0:thr=1" + keys, 130, "naive")!;
            policy.Decide(new PolicyContext(now, 100, values, T0, TimeSpan.FromMinutes(1), two, none, two, world, new SimulatedClock(now), 4, 2));
            return ((AuspexPolicy)policy).DesiredWorkers!.Value;
        }
        Assert.Equal(5.5, Limit(""));
        Assert.Equal(7.0, Limit(":vgd=3"));
    }

    [Fact]
    public void Catalog_SpreadingKeys_AndTheirErrors()
    {
        Assert.Equal("auspex-vertical:vmax=2:vspare=1:vadd=1:vtier=1:vgd=7", PolicyCatalog.Create("auspex-vertical:vmax=2:vspare=1:vadd=1:vtier=1:vgd=7", 100)!.Name);
        static string Error(string name) => Assert.Throws<ArgumentException>(() => PolicyCatalog.Create(name, 100)).Message;
        Assert.Contains("vmax", Error("auspex-vertical:vmax=0"), StringComparison.Ordinal);
        Assert.Contains("vadd must be a whole number", Error("auspex-vertical:vadd=1.5"), StringComparison.Ordinal);
        Assert.Contains("vadd", Error("auspex-vertical:vadd=-1"), StringComparison.Ordinal);
        Assert.Contains("vtier must be a whole tier index", Error("auspex-vertical:vtier=0.5"), StringComparison.Ordinal);
        Assert.Contains("vtier", Error("auspex-vertical:vtier=-1"), StringComparison.Ordinal);
        Assert.Contains("vgd must be a number of days", Error("auspex-vertical:vgd=0"), StringComparison.Ordinal);
        Assert.Contains("vmax, vadd, vtier, vgd", Error("auspex-vertical:vmin=1"), StringComparison.Ordinal);
        // A limit outside the world's range is named at the first decision.
        var big = PolicyCatalog.Create("auspex-vertical:vmax=9", 100, "naive")!;
        var trace = DemandTrace.Create("flat", T0, TimeSpan.FromMinutes(1), Enumerable.Repeat(1200.0, 10).ToList()).Trace!;
        var e = Assert.Throws<ArgumentException>(() => Simulator.Run(trace, [big], World with { ReplicaCapacity = 80 }));
        Assert.Contains("outside the world's limits 1..8", e.Message, StringComparison.Ordinal);
    }
}
