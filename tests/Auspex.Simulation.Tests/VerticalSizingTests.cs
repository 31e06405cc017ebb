using Auspex.Core.Topology;
using Auspex.Simulation.Policies;
using Auspex.Simulation.Traces;
using Auspex.Simulation.World;
using static Auspex.Simulation.Tests.SimTestWorld;

namespace Auspex.Simulation.Tests;

/// <summary>Per-replica limits (vertical sizing): resize lead time, cost and capacity; slack over trace gaps.</summary>
public sealed class VerticalSizingTests
{
    private static readonly WorldOptions World = SimTestWorld.OnDemand;

    private static ReplicaPool TwoReplicas()
    {
        var pool = new ReplicaPool(World, 1);
        pool.SetDesired(new Dictionary<string, int> { ["on-demand"] = 2 });
        pool.Reconcile(T0, instant: true);
        return pool;
    }

    [Fact]
    public void Downsize_ServesAtTheSmallerLimitAtOnce_AndIsChargedAtTheLargerUntilTheLeadTime()
    {
        var pool = TwoReplicas();
        Assert.Equal(16, pool.Servers(T0));
        Assert.True(pool.SetSize(2, T0));
        Assert.False(pool.SetSize(2, T0));
        // In flight: 2 replicas serve min(8, 2) = 2 workers each, and pay for max(8, 2) = 8.
        Assert.Equal(4, pool.Servers(T0));
        Assert.Equal(2, pool.ResizesInFlight(T0));
        pool.Charge(T0, TimeSpan.FromSeconds(30));
        Assert.Equal(2 * 0.10 * 30 / 3600, pool.Cost, 12);
        pool.Charge(T0.AddSeconds(30), TimeSpan.FromSeconds(30));
        Assert.Equal(2 * 0.10 * 60 / 3600, pool.Cost, 12);
        // After the 60 s lead: 2/8 of the price each. One hour at 2 workers: 2 × 0.10 × 2/8 = 0.05.
        Assert.Equal(0, pool.ResizesInFlight(T0.AddSeconds(60)));
        Assert.Equal(4, pool.Servers(T0.AddSeconds(60)));
        pool.Charge(T0.AddSeconds(60), TimeSpan.FromHours(1));
        Assert.Equal(2 * 0.10 * 60 / 3600 + 0.05, pool.Cost, 12);
        Assert.Equal(2 * 60.0 / 3600 + 0.5, pool.SizedReplicaHours, 12);
        Assert.Equal(2 * (60.0 / 3600 + 1), pool.ReplicaHours, 12);
    }

    [Fact]
    public void Upsize_ServesAtTheOldLimitUntilTheLeadTime_ChargedAtTheNewOneFromTheRequest()
    {
        var pool = TwoReplicas();
        pool.SetSize(2, T0);
        var t1 = T0.AddMinutes(10);
        Assert.True(pool.SetSize(6, t1));
        Assert.Equal(4, pool.Servers(t1));
        Assert.Equal(4, pool.Servers(t1.AddSeconds(59)));
        Assert.Equal(12, pool.Servers(t1.AddSeconds(60)));
        pool.Charge(t1, TimeSpan.FromHours(1));
        // Charged at 6/8 from the request: 2 × 0.10 × 0.75 = 0.15 for the hour.
        Assert.Equal(0.15, pool.Cost, 12);
    }

    [Fact]
    public void NewReplicas_LaunchAtTheLimitAskedFor_AndLimitsAreClampedToTheWorldsRange()
    {
        var pool = TwoReplicas();
        pool.SetSize(3, T0);
        pool.SetDesired(new Dictionary<string, int> { ["on-demand"] = 3 });
        pool.Reconcile(T0);
        // Two resized after 60 s (3 workers each); the new one ready after its 3-min lead, already at 3 workers.
        Assert.Equal(6, pool.Servers(T0.AddMinutes(1)));
        Assert.Equal(9, pool.Servers(T0.AddMinutes(3)));
        pool.SetSize(0, T0.AddMinutes(5));
        Assert.Equal(World.MinWorkersPerReplica, pool.Size);
        pool.SetSize(20, T0.AddMinutes(6));
        Assert.Equal(World.WorkersPerReplica, pool.Size);
    }

    [Fact]
    public void FractionalLimits_ServersAreTheFloorOfTheSummedLimits_CostIsProportional()
    {
        var pool = TwoReplicas();
        pool.SetSize(2.4, T0);
        // 2 × 2.4 = 4.8 workers → 4 servers; one hour charged at 2 × 0.10 × 2.4/8 = 0.06 (after the 60 s lead).
        Assert.Equal(4, pool.Servers(T0.AddSeconds(60)));
        pool.Charge(T0.AddSeconds(60), TimeSpan.FromHours(1));
        Assert.Equal(0.06, pool.Cost, 12);
        pool.SetSize(2.5, T0.AddHours(2));
        Assert.Equal(5, pool.Servers(T0.AddHours(2).AddSeconds(60)));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.SetSize(double.NaN, T0.AddHours(3)));
    }

    [Fact]
    public void AResizeAskedDuringAnother_StartsFromTheLimitInForce()
    {
        var pool = TwoReplicas();
        pool.SetSize(2, T0);
        // 30 s later, back to 8: the limit in force is still 8 (the first resize has not applied), so nothing is in flight.
        pool.SetSize(8, T0.AddSeconds(30));
        Assert.Equal(16, pool.Servers(T0.AddSeconds(30)));
        Assert.Equal(0, pool.ResizesInFlight(T0.AddSeconds(30)));
    }

    [Fact]
    public void WorldOptions_ValidateTheLimitRangeAndTheResizeLead()
    {
        Assert.Contains((World with { MinWorkersPerReplica = 0 }).Validate(), e => e.Contains("min workers per replica", StringComparison.Ordinal));
        Assert.Contains((World with { MinWorkersPerReplica = 9 }).Validate(), e => e.Contains("min workers per replica", StringComparison.Ordinal));
        Assert.Contains((World with { ResizeLeadTime = TimeSpan.FromHours(2) }).Validate(), e => e.Contains("resize lead time", StringComparison.Ordinal));
        Assert.Empty(World.Validate());
    }

    [Fact]
    public void Simulator_CapacityAndCostFollowTheLimit_AndTheDefaultSizeIsUnchanged()
    {
        // 1 h at 20 req/s (1,200 per minute; replica capacity 80 req/s, so no rescaling).
        var trace = DemandTrace.Create("flat", T0, TimeSpan.FromMinutes(1), Enumerable.Repeat(1200.0, 60).ToList()).Trace!;
        var world = World with { ReplicaCapacity = 80 };
        var (r, errors) = Simulator.Run(trace, [new Sized(4), new One()], world);
        Assert.Empty(errors);
        var sized = r!.Policies[0];
        var one = r.Policies[1];
        // 4 workers = 40 req/s for 20 req/s: slack 0.5, cost 0.10 × 4/8 × 1 h = 0.05; the first replica launches at its limit (no resize).
        Assert.Equal(0.5, sized.MeanSlack, 9);
        Assert.Equal(0.05, sized.Cost, 9);
        Assert.Equal(0.5, sized.SizedReplicaHours, 9);
        Assert.Equal(1, sized.Resizes);
        Assert.Equal(0, sized.SloViolationMinutes);
        // The default replica: 80 req/s for 20 → slack 0.75, cost 0.10.
        Assert.Equal(0.75, one.MeanSlack, 9);
        Assert.Equal(0.10, one.Cost, 9);
        Assert.Equal(0, one.Resizes);
        // Too small a limit (1 worker = 10 req/s for 20 req/s) overloads: violations every minute.
        var (small, _) = Simulator.Run(trace, [new Sized(1)], world);
        Assert.True(small!.Policies[0].SloViolationMinutes >= 59);
    }

    [Fact]
    public void MeanSlack_LeavesOutTicksWithoutData_AndTheAllTicksFigureCountsThemAsZeroUsage()
    {
        // 30 min at 20 req/s, then a 30-min outage recorded as zeros and marked missing (a zero run of ≥ 10 min).
        var values = Enumerable.Range(0, 60).Select(i => i < 30 ? 1200.0 : 0).ToList();
        var trace = DemandTrace.Create("outage", T0, TimeSpan.FromMinutes(1), values).Trace!.WithZeroRunsAsMissing(TimeSpan.FromMinutes(10));
        Assert.Equal(30, trace.MissingCount);
        var (r, errors) = Simulator.Run(trace, [new One()], World with { ReplicaCapacity = 80 });
        Assert.Empty(errors);
        var p = r!.Policies.Single();
        // With data: 1 − 20/80 = 0.75 on every tick. All ticks: (30 × 0.75 + 30 × 1) / 60 = 0.875.
        Assert.Equal(0.75, p.MeanSlack, 9);
        Assert.Equal(0.875, p.MeanSlackAllTicks, 9);
        Assert.Equal(30, p.MissingMinutes, 9);
        // The gap still costs what is provisioned: 1 h × 0.10.
        Assert.Equal(0.10, p.Cost, 9);
        // Without the mask the two figures agree (0.875).
        var (plain, _) = Simulator.Run(DemandTrace.Create("outage", T0, TimeSpan.FromMinutes(1), values).Trace!, [new One()], World with { ReplicaCapacity = 80 });
        Assert.Equal(0.875, plain!.Policies.Single().MeanSlack, 9);
        Assert.Equal(0.875, plain.Policies.Single().MeanSlackAllTicks, 9);
    }

    [Fact]
    public void ZeroRuns_OnlyRunsAtLeastTheMinimumAreMissing()
    {
        var trace = DemandTrace.Create("z", T0, TimeSpan.FromMinutes(1), [5, 0, 0, 0, 3, 0, 2, 0, 0, 0]).Trace!.WithZeroRunsAsMissing(TimeSpan.FromMinutes(3));
        Assert.Equal([false, true, true, true, false, false, false, true, true, true], Enumerable.Range(0, 10).Select(trace.IsMissing).ToArray());
        Assert.True(trace.Slice(1, 3).IsMissing(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => trace.WithZeroRunsAsMissing(TimeSpan.Zero));
        Assert.NotNull(DemandTrace.Create("bad", T0, TimeSpan.FromMinutes(1), [1, 2], [true]).Error);
    }

    [Fact]
    public void TraceCsv_EmptyAndNaNValuesAndGridGaps_AreInterpolatedAndMarkedMissing()
    {
        const string csv = "ds,y\n2026-01-01T00:00:00Z,10\n2026-01-01T00:01:00Z,\n2026-01-01T00:02:00Z,NaN\n2026-01-01T00:03:00Z,40\n2026-01-01T00:05:00Z,60\n";
        var read = TraceCsv.Read(new StringReader(csv), "gaps.csv");
        Assert.True(read.Ok, string.Join("; ", read.Errors));
        var t = read.Trace!;
        Assert.Equal(6, t.Count);
        Assert.Equal([10.0, 20, 30, 40, 50, 60], t.Values);
        Assert.Equal([false, true, true, false, true, false], Enumerable.Range(0, 6).Select(t.IsMissing).ToArray());
        Assert.Contains(read.Warnings, w => w.Contains("3 missing step", StringComparison.Ordinal) && w.Contains("2 row(s) with an empty or NaN value", StringComparison.Ordinal));
    }

    [Fact]
    public void Catalog_VerticalPreset_AndItsParameters()
    {
        Assert.True(PolicyCatalog.IsKnown("auspex-vertical"));
        Assert.True(PolicyCatalog.IsKnown("auspex-vertical:vspare=1:vstab=2"));
        Assert.False(PolicyCatalog.IsKnown("auspex-verticalx"));
        Assert.IsType<AuspexPolicy>(PolicyCatalog.Create("auspex-vertical:vspare=1:vstab=2", 100));
        Assert.IsType<AuspexPolicy>(PolicyCatalog.Create("auspex-guard:gu=0.85:vert=1", 100));
        var bad = Assert.Throws<ArgumentException>(() => PolicyCatalog.Create("auspex-vertical:vspare=-1", 100));
        Assert.Contains("vertical spare", bad.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentException>(() => PolicyCatalog.Create("auspex-vertical:size=3", 100));
        Assert.Contains("unknown key 'size'", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AuspexVertical_ServesALowLoadOnASmallLimit_WithLessSlackAndCostThanTheDefaultSize()
    {
        // 26 h at a steady 16–24 req/s (a fifth of one replica); the first day is the warm-up.
        var values = Enumerable.Range(0, 26 * 60).Select(i => 1200.0 + 240 * Math.Sin(i * 2 * Math.PI / 60)).ToList();
        var trace = DemandTrace.Create("low", T0, TimeSpan.FromMinutes(1), values).Trace!;
        var world = World with { ReplicaCapacity = 80, WarmUp = TimeSpan.FromDays(1) };
        var opts = new AuspexPolicyOptions { Model = "naive", ReactiveGuard = true, GuardUtilisation = 0.85, UseTiers = false };
        var vertical = new AuspexPolicy(opts with { Vertical = true }, "vertical");
        var (r, errors) = Simulator.Run(trace, [vertical, new AuspexPolicy(opts, "default-size")], world);
        Assert.Empty(errors);
        var v = r!.Policies[0];
        var d = r.Policies[1];
        Assert.True(vertical.DesiredWorkers < world.WorkersPerReplica, $"limit {vertical.DesiredWorkers}");
        Assert.Equal(0, v.SloViolationMinutes);
        Assert.True(v.MeanSlack < d.MeanSlack - 0.2, $"slack {v.MeanSlack} vs {d.MeanSlack}");
        Assert.True(v.Cost < d.Cost * 0.8, $"cost {v.Cost} vs {d.Cost}");
    }

    [Fact]
    public void AuspexVertical_WithholdsScaleInWhileTheRemainingReplicasMustGrow_ThenScalesIn()
    {
        // 4 replicas at 2 workers (8 servers, 80 req/s) for 60 req/s: the decider wants fewer replicas, which must be
        // larger; the count waits until the larger limit is in force, so capacity never dips.
        var world = World with { ReplicaCapacity = 80 };
        var policy = new AuspexPolicy(new AuspexPolicyOptions { Model = "naive", UseTiers = false, Vertical = true, ScaleDownStabilisation = TimeSpan.Zero, ScaleInThreshold = 0, VerticalStabilisation = TimeSpan.Zero }, "v");
        var history = Enumerable.Repeat(60.0, 30).ToList();
        var four = new Dictionary<string, int> { ["on-demand"] = 4 };
        var none = new Dictionary<string, int> { ["on-demand"] = 0 };
        var now = T0.AddMinutes(30);
        var clock = new SimulatedClock(now);
        PolicyContext Ctx(DateTimeOffset at, double workers)
        {
            clock.AdvanceTo(at);
            return new(at, 60, history, T0, TimeSpan.FromMinutes(1), four, none, four, world, clock, (int)Math.Floor(4 * workers + 1e-9), workers);
        }
        var first = policy.Decide(Ctx(now, 2));
        Assert.True(first is null, $"first {policy.LastDecision?.Outcome} {policy.LastDecision?.Reason}");
        Assert.True(policy.DesiredWorkers is not null, $"{policy.LastDecision?.Outcome} {policy.LastDecision?.Reason}");
        var grown = policy.DesiredWorkers!.Value;
        Assert.True(grown > 2, $"limit {grown}");
        // Once the larger limit is in force, the count goes down and the limit covers the need on fewer replicas.
        var second = policy.Decide(Ctx(now.AddSeconds(75), grown));
        Assert.NotNull(second);
        Assert.True(second!.Values.Sum() < 4, $"replicas {second.Values.Sum()}");
        Assert.True(second.Values.Sum() * policy.DesiredWorkers!.Value >= 60 * 0.1, "the replicas left serve at least the load now");
    }
}
