using Auspex.Core.Topology;
using Auspex.Simulation.Policies;
using Auspex.Simulation.Traces;
using Auspex.Simulation.World;

namespace Auspex.Simulation.Tests;

/// <summary>Session 8's world options: a spot preemption notice, and rescaling a count trace as independent copies of its users.</summary>
public sealed class PreemptionNoticeAndRescalingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // A spot tier certain to be preempted within any interval (probability 1 per hour), 3 min to a new replica.
    private static readonly WorldOptions World = new()
    {
        FailureRatePerHour = 0,
        WarmUp = TimeSpan.Zero,
        Tiers = [new Tier("spot", "simulated", 0.035, 1.0, 1.0, TimeSpan.FromMinutes(3))],
    };

    private static ReplicaPool OneSpotReplica(WorldOptions world)
    {
        var pool = new ReplicaPool(world, 1);
        pool.SetDesired(new Dictionary<string, int> { ["spot"] = 1 });
        pool.Reconcile(T0, instant: true);
        return pool;
    }

    [Fact]
    public void WithoutNotice_APreemptedReplicaGoesAtTheDraw_AndIsReplacedAfterTheLeadTime()
    {
        var pool = OneSpotReplica(World);
        var t1 = T0.AddSeconds(15);
        pool.Disrupt(T0, T0, t1);
        Assert.Equal(1, pool.Preemptions);
        Assert.Equal(0, pool.Servers(t1));
        Assert.Equal(0, pool.Terminating(t1));
        pool.Reconcile(t1);
        Assert.Equal(1, pool.Pending(t1)["spot"]);
        Assert.Equal(8, pool.Servers(t1.AddMinutes(3)));
    }

    [Fact]
    public void WithANotice_TheReplicaServesUntilItRunsOut_AndItsReplacementLaunchesAtTheNotice()
    {
        var pool = OneSpotReplica(World with { PreemptionNotice = TimeSpan.FromMinutes(2) });
        var t1 = T0.AddSeconds(15);
        pool.Disrupt(T0, T0, t1);
        // Under notice: still serving, not yet counted as preempted, visible as terminating.
        Assert.Equal(0, pool.Preemptions);
        Assert.Equal(8, pool.Servers(t1));
        Assert.Equal(1, pool.Terminating(t1));
        Assert.Equal(1, pool.Ready(t1)["spot"]);
        // The replacement launches now (the replica under notice does not count toward the desired one).
        pool.Reconcile(t1);
        Assert.Equal(1, pool.Pending(t1)["spot"]);
        // A replica under notice draws nothing more; it goes when the notice runs out (t1 + 2 min).
        pool.Disrupt(T0, t1, t1.AddSeconds(15));
        Assert.Equal(0, pool.Preemptions);
        Assert.Equal(8, pool.Servers(t1.AddSeconds(15)));
        pool.Disrupt(T0, t1.AddSeconds(105), t1.AddSeconds(120));
        Assert.Equal(1, pool.Preemptions);
        Assert.Equal(0, pool.Terminating(t1.AddSeconds(120)));
        Assert.Equal(0, pool.Servers(t1.AddSeconds(120)));
        // The replacement is ready 3 min after the notice: 1 min without capacity instead of 3.
        Assert.Equal(8, pool.Servers(t1.AddMinutes(3)));
        // During the notice both the replica under notice and its launched replacement are paid.
        var paid = OneSpotReplica(World with { PreemptionNotice = TimeSpan.FromMinutes(2) });
        paid.Disrupt(T0, T0, t1);
        paid.Reconcile(t1);
        paid.Charge(t1, TimeSpan.FromMinutes(1));
        Assert.Equal(2 * 0.035 / 60, paid.Cost, 12);
    }

    [Fact]
    public void WorldOptions_ValidateTheNotice()
    {
        Assert.Contains(World.With(TimeSpan.FromSeconds(-1)).Validate(), e => e.Contains("preemption notice", StringComparison.Ordinal));
        Assert.Contains(World.With(TimeSpan.FromHours(2)).Validate(), e => e.Contains("preemption notice", StringComparison.Ordinal));
        Assert.Empty(World.With(TimeSpan.FromMinutes(2)).Validate());
        Assert.Contains((World with { Rescaling = (TraceRescaling)7 }).Validate(), e => e.Contains("rescaling", StringComparison.Ordinal));
    }

    [Fact]
    public void AuspexVertical_SizesTheLimitOnTheReplicasNotUnderNotice()
    {
        // 3 ready replicas for 100 req/s, one under notice: the limit must cover the load on the other two.
        var world = new WorldOptions { FailureRatePerHour = 0, WarmUp = TimeSpan.Zero, ReplicaCapacity = 80, Tiers = [new Tier("on-demand", "simulated", 0.10, 1.0, 0.0, TimeSpan.FromMinutes(3))] };
        var history = Enumerable.Repeat(100.0, 30).ToList();
        var three = new Dictionary<string, int> { ["on-demand"] = 3 };
        var none = new Dictionary<string, int> { ["on-demand"] = 0 };
        var now = T0.AddMinutes(30);
        double Limit(int terminating)
        {
            var policy = new AuspexPolicy(new AuspexPolicyOptions { Model = "naive", UseTiers = false, Vertical = true }, "v");
            var clock = new SimulatedClock(now);
            policy.Decide(new PolicyContext(now, 100, history, T0, TimeSpan.FromMinutes(1), three, none, three, world, clock, 24, 8, terminating));
            return policy.DesiredWorkers!.Value;
        }
        var all = Limit(0);
        var two = Limit(1);
        Assert.True(all < 8, $"limit {all}");
        // Same need on 2 replicas instead of 3: 3/2 of the limit, rounded up to 1/100 of a worker (or the full size).
        Assert.InRange(two, Math.Min(8, all * 1.5 - 0.02), Math.Min(8, all * 1.5 + 0.02));
    }

    [Fact]
    public void AuspexVertical_Vtot_StabilisesTheTotalNeed_SoReplicasThatBecomeReadyShareIt()
    {
        // Same load on 3 then (30 s later) 4 ready replicas. Stabilising the per-replica limit keeps the 3-replica
        // limit on all 4 for the window; stabilising the total need shares it over the 4 (3/4 of the limit).
        var world = new WorldOptions { FailureRatePerHour = 0, WarmUp = TimeSpan.Zero, ReplicaCapacity = 80, Tiers = [new Tier("on-demand", "simulated", 0.10, 1.0, 0.0, TimeSpan.FromMinutes(3))] };
        var history = Enumerable.Repeat(100.0, 30).ToList();
        var none = new Dictionary<string, int> { ["on-demand"] = 0 };
        var now = T0.AddMinutes(30);
        (double Three, double Four) Limits(bool total)
        {
            Assert.IsType<AuspexPolicy>(PolicyCatalog.Create(total ? "auspex-vertical:vtot=1" : "auspex-vertical:vtot=0", 100));
            var policy = new AuspexPolicy(new AuspexPolicyOptions { Model = "naive", UseTiers = false, Vertical = true, ScaleInThreshold = 1, VerticalStabiliseTotal = total }, "v");
            var clock = new SimulatedClock(now);
            var three = new Dictionary<string, int> { ["on-demand"] = 3 };
            var four = new Dictionary<string, int> { ["on-demand"] = 4 };
            policy.Decide(new PolicyContext(now, 100, history, T0, TimeSpan.FromMinutes(1), three, none, three, world, clock, 24, 8));
            var first = policy.DesiredWorkers!.Value;
            clock.AdvanceTo(now.AddSeconds(30));
            policy.Decide(new PolicyContext(now.AddSeconds(30), 100, history, T0, TimeSpan.FromMinutes(1), four, none, four, world, clock, (int)(4 * first), first));
            return (first, policy.DesiredWorkers!.Value);
        }
        var perReplica = Limits(false);
        var total = Limits(true);
        Assert.True(perReplica.Three < 8, $"limit {perReplica.Three}");
        Assert.Equal(perReplica.Three, total.Three);
        Assert.Equal(perReplica.Three, perReplica.Four);
        Assert.True(Math.Abs(total.Four - perReplica.Three * 0.75) <= 0.02, $"3 replicas {perReplica.Three}, then 4: {perReplica.Four} per replica vs {total.Four} total-stabilised");
    }

    [Fact]
    public void AuspexVertical_Vlev_TakesTheGrowthQuantileAtTheLevelSeenNow()
    {
        // 100 quiet minutes alternating 10/15 req/s (growth ratios up to 1.5), then 100 busy minutes at a steady
        // 1,000 req/s (ratio 1). At 1,000 req/s the level-conditional quantile sees only the busy minutes.
        var world = new WorldOptions { FailureRatePerHour = 0, WarmUp = TimeSpan.Zero, ReplicaCapacity = 80, Tiers = [new Tier("on-demand", "simulated", 0.10, 1.0, 0.0, TimeSpan.FromMinutes(3))] };
        var history = Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? 10.0 : 15.0).Concat(Enumerable.Repeat(1000.0, 100)).ToList();
        var twenty = new Dictionary<string, int> { ["on-demand"] = 20 };
        var none = new Dictionary<string, int> { ["on-demand"] = 0 };
        var now = T0.AddMinutes(200);
        double Limit(bool byLevel)
        {
            Assert.IsType<AuspexPolicy>(PolicyCatalog.Create(byLevel ? "auspex-vertical:vq=0.99:vlev=1" : "auspex-vertical:vq=0.99:vlev=0", 100));
            var policy = new AuspexPolicy(new AuspexPolicyOptions { Model = "naive", UseTiers = false, Vertical = true, ScaleInThreshold = 1, VerticalGrowthQuantile = 0.99, VerticalForecast = false, VerticalGrowthByLevel = byLevel }, "v");
            policy.Decide(new PolicyContext(now, 1000, history, T0, TimeSpan.FromMinutes(1), twenty, none, twenty, world, new SimulatedClock(now), 160, 8));
            return policy.DesiredWorkers!.Value;
        }
        var all = Limit(false);
        var atLevel = Limit(true);
        // The busy minutes alone: growth 1, so the limit covers 1,000 req/s; with the quiet minutes, 1.5 × that.
        Assert.True(atLevel < all * 0.75, $"level-conditional {atLevel} vs all {all}");
        Assert.True(atLevel * 20 * 10 >= 1000, $"the limit {atLevel} still serves the load seen now on 20 replicas");
    }

    [Fact]
    public void Superposition_ScalesTheLocalLevelByKAndTheDeviationBySqrtK()
    {
        // 11 one-minute counts: 10 everywhere but 20 in the middle; k = 4.
        var values = Enumerable.Repeat(10.0, 11).ToArray();
        values[5] = 20;
        var trace = DemandTrace.Create("counts", T0, TimeSpan.FromMinutes(1), values).Trace!;
        var proportional = Simulator.Rates(trace, 4, TraceRescaling.Proportional);
        Assert.Equal(80.0 / 60, proportional[5], 12);
        Assert.Equal(40.0 / 60, proportional[0], 12);
        var sup = Simulator.Rates(trace, 4, TraceRescaling.Superposition);
        // Middle: level = 120/11 over the centred 11 intervals; 4 × 120/11 + 2 × (20 − 120/11) = 680/11 per minute.
        Assert.Equal(680.0 / 11 / 60, sup[5], 12);
        // First: window 0..5 (6 intervals, mean 70/6): 4 × 70/6 + 2 × (10 − 70/6) = 20 + 140/6 per minute.
        Assert.Equal((20 + 140.0 / 6) / 60, sup[0], 12);
        // The total stays close (not exact: the level is a moving mean); a constant trace is scaled exactly by k.
        var flat = DemandTrace.Create("flat", T0, TimeSpan.FromMinutes(1), Enumerable.Repeat(10.0, 20).ToArray()).Trace!;
        Assert.All(Simulator.Rates(flat, 4, TraceRescaling.Superposition), r => Assert.Equal(40.0 / 60, r, 12));
        // Factors up to 1 scale proportionally; large dips are floored at 0.
        Assert.Equal(Simulator.Rates(trace, 0.5, TraceRescaling.Proportional), Simulator.Rates(trace, 0.5, TraceRescaling.Superposition));
        var dip = DemandTrace.Create("dip", T0, TimeSpan.FromMinutes(1), [100, 100, 100, 100, 100, 0, 100, 100, 100, 100, 100]).Trace!;
        var d = Simulator.Rates(dip, 100, TraceRescaling.Superposition);
        // level 1000/11: 100 × 1000/11 + 10 × (0 − 1000/11) = 90000/11 per minute (proportional rescaling gives 0).
        Assert.Equal(90000.0 / 11 / 60, d[5], 9);
    }

    [Fact]
    public void Superposition_HalfWindow_SetsTheLocalLevel_AndIsValidated()
    {
        // The same 11 counts (20 in the middle), k = 4, level over ±1 interval: (10 + 20 + 10)/3 = 40/3.
        var values = Enumerable.Repeat(10.0, 11).ToArray();
        values[5] = 20;
        var trace = DemandTrace.Create("counts", T0, TimeSpan.FromMinutes(1), values).Trace!;
        var narrow = Simulator.Rates(trace, 4, TraceRescaling.Superposition, 1);
        Assert.Equal((4 * 40.0 / 3 + 2 * (20 - 40.0 / 3)) / 60, narrow[5], 12);
        // Interval 4: window 3..5, the same level, deviation 10 − 40/3.
        Assert.Equal((4 * 40.0 / 3 + 2 * (10 - 40.0 / 3)) / 60, narrow[4], 12);
        // Interval 2: window 1..3 all 10: exactly 4 × 10.
        Assert.Equal(40.0 / 60, narrow[2], 12);
        // The default is the 11-interval window of session 8.
        Assert.Equal(Simulator.Rates(trace, 4, TraceRescaling.Superposition), Simulator.Rates(trace, 4, TraceRescaling.Superposition, 5));
        Assert.Equal(5, new WorldOptions().SuperpositionHalfWindow);
        Assert.Throws<ArgumentOutOfRangeException>(() => Simulator.Rates(trace, 4, TraceRescaling.Superposition, 0));
        Assert.Contains((World with { SuperpositionHalfWindow = 0 }).Validate(), e => e.Contains("superposition half-window", StringComparison.Ordinal));
    }

    [Fact]
    public void Superposition_KeepsTheMeanAndCutsTheRelativeNoiseOfPoissonCounts()
    {
        // Poisson-like counts around 20 per minute over 2 h, rescaled so the peak needs 40 replicas.
        var rng = new Random(3);
        var values = Enumerable.Range(0, 120).Select(_ => (double)Poisson(rng, 20)).ToList();
        var trace = DemandTrace.Create("noisy", T0, TimeSpan.FromMinutes(1), values).Trace!;
        var world = new WorldOptions { FailureRatePerHour = 0, WarmUp = TimeSpan.FromMinutes(10) };
        var scale = Simulator.ScaleFor(trace, world);
        Assert.True(scale > 1);
        var p = Simulator.Rates(trace, scale, TraceRescaling.Proportional);
        var s = Simulator.Rates(trace, scale, TraceRescaling.Superposition);
        static double Cv(double[] x) => Math.Sqrt(x.Select(v => (v - x.Average()) * (v - x.Average())).Average()) / x.Average();
        Assert.True(Cv(s) < Cv(p) / 2, $"cv {Cv(s)} vs {Cv(p)}");
        Assert.InRange(s.Average(), p.Average() * 0.98, p.Average() * 1.02);
    }

    private static int Poisson(Random rng, double mean)
    {
        var l = Math.Exp(-mean);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= rng.NextDouble();
        }
        while (p > l);
        return k - 1;
    }
}

internal static class WorldOptionsTestExtensions
{
    public static WorldOptions With(this WorldOptions w, TimeSpan notice) => w with { PreemptionNotice = notice };
}
