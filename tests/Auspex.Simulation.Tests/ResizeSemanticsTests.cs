using Auspex.Core.Topology;
using Auspex.Simulation.Measures;
using Auspex.Simulation.Policies;
using Auspex.Simulation.Traces;
using Auspex.Simulation.World;

namespace Auspex.Simulation.Tests;

/// <summary>
/// Session 10: what a new limit asked while a resize is in flight does (<see cref="WorldOptions.ResizeSemantics"/>) and
/// what a replica serves meanwhile (<see cref="WorldOptions.ResizeServing"/>). Two ready replicas, a 60-s resize lead,
/// on-demand 0.10/h per default-size (8-worker) replica; every timeline starts at a limit of 4 in force (8 servers).
/// </summary>
public sealed class ResizeSemanticsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = T0.AddMinutes(10);

    private static readonly WorldOptions World = new()
    {
        FailureRatePerHour = 0,
        WarmUp = TimeSpan.Zero,
        ResizeLeadTime = TimeSpan.FromSeconds(60),
        Tiers = [new Tier("on-demand", "simulated", 0.10, 1.0, 0.0, TimeSpan.FromMinutes(3))],
    };

    private static WorldOptions Latest(ResizeServing serving = ResizeServing.Smaller) =>
        World with { ResizeSemantics = ResizeSemantics.LatestSpec, ResizeServing = serving };

    /// <summary>Two ready replicas with a limit of 4 in force at <see cref="T1"/> (asked at T0, landed at T0 + 60 s).</summary>
    private static ReplicaPool AtFour(WorldOptions world)
    {
        var pool = new ReplicaPool(world, 1);
        pool.SetDesired(new Dictionary<string, int> { ["on-demand"] = 2 });
        pool.Reconcile(T0, instant: true);
        pool.SetSize(4, T0);
        Assert.Equal(8, pool.Servers(T1));
        Assert.Equal(0, pool.ResizesInFlight(T1));
        return pool;
    }

    /// <summary>The per-replica limit charged for 15 s from <paramref name="t"/> (the cost ÷ (2 replicas × 0.10/h ÷ 8 workers), to 9 decimals).</summary>
    private static double ChargedWorkers(ReplicaPool pool, DateTimeOffset t)
    {
        var before = pool.Cost;
        pool.Charge(t, TimeSpan.FromSeconds(15));
        return Math.Round((pool.Cost - before) / (2 * 0.10 * 15 / 3600) * 8, 9);
    }

    [Fact]
    public void Defaults_AreTheModelOfEveryEarlierSession()
    {
        Assert.Equal(ResizeSemantics.Restart, new WorldOptions().ResizeSemantics);
        Assert.Equal(ResizeServing.Smaller, new WorldOptions().ResizeServing);
        Assert.Empty(Latest(ResizeServing.InForce).Validate());
        Assert.Contains(new WorldOptions { ResizeSemantics = (ResizeSemantics)7 }.Validate(), e => e.Contains("resize semantics", StringComparison.Ordinal));
        Assert.Contains(new WorldOptions { ResizeServing = (ResizeServing)7 }.Validate(), e => e.Contains("resize serving", StringComparison.Ordinal));
    }

    [Fact]
    public void IncreaseThenBiggerIncrease_LatestSpecLandsTheBiggerAtTheFirstAsksTime_RestartPushesItBack()
    {
        // 4 → 6 at T1, → 8 at T1 + 30 s.
        var latest = AtFour(Latest());
        var restart = AtFour(World);
        foreach (var pool in new[] { latest, restart })
        {
            Assert.True(pool.SetSize(6, T1));
            Assert.Equal(6, ChargedWorkers(pool, T1));
            Assert.True(pool.SetSize(8, T1.AddSeconds(30)));
            Assert.Equal(8, pool.Servers(T1.AddSeconds(30)));
            Assert.Equal(8, ChargedWorkers(pool, T1.AddSeconds(30)));
            Assert.Equal(8, pool.Servers(T1.AddSeconds(59)));
        }
        // LatestSpec: the actuation due at T1 + 60 s applies 8 (16 servers); nothing is left in flight.
        Assert.Equal(16, latest.Servers(T1.AddSeconds(60)));
        Assert.Equal(0, latest.ResizesInFlight(T1.AddSeconds(60)));
        // Restart: the 6 was cancelled and the 8 lands a full lead after its ask, at T1 + 90 s.
        Assert.Equal(8, restart.Servers(T1.AddSeconds(60)));
        Assert.Equal(2, restart.ResizesInFlight(T1.AddSeconds(89)));
        Assert.Equal(16, restart.Servers(T1.AddSeconds(90)));
    }

    [Fact]
    public void IncreaseThenDecrease_LatestSpecLandsTheDecreaseAtTheFirstAsksTime()
    {
        // 4 → 8 at T1, → 2 at T1 + 30 s.
        var latest = AtFour(Latest());
        var restart = AtFour(World);
        var inForce = AtFour(Latest(ResizeServing.InForce));
        foreach (var pool in new[] { latest, restart, inForce })
        {
            pool.SetSize(8, T1);
            Assert.Equal(8, pool.Servers(T1.AddSeconds(15)));
            Assert.Equal(8, ChargedWorkers(pool, T1.AddSeconds(15)));
            pool.SetSize(2, T1.AddSeconds(30));
            // Charged for the larger of the limit in force (4) and the one asked (2).
            Assert.Equal(4, ChargedWorkers(pool, T1.AddSeconds(30)));
        }
        // Serving the smaller: the decrease bites at the ask (2 × 2 = 4 servers); the limit in force: 4 × 2 until it lands.
        Assert.Equal(4, latest.Servers(T1.AddSeconds(30)));
        Assert.Equal(4, restart.Servers(T1.AddSeconds(30)));
        Assert.Equal(8, inForce.Servers(T1.AddSeconds(59)));
        // LatestSpec lands at T1 + 60 s: charged 2 from then; Restart only at T1 + 90 s.
        Assert.Equal(2, ChargedWorkers(latest, T1.AddSeconds(60)));
        Assert.Equal(4, inForce.Servers(T1.AddSeconds(60)));
        Assert.Equal(2, ChargedWorkers(inForce, T1.AddSeconds(60)));
        Assert.Equal(4, ChargedWorkers(restart, T1.AddSeconds(75)));
        Assert.Equal(2, ChargedWorkers(restart, T1.AddSeconds(90)));
    }

    [Fact]
    public void DecreaseThenIncrease_LatestSpecLandsTheIncreaseAtTheDecreasesTime()
    {
        // 4 → 2 at T1, → 6 at T1 + 30 s.
        var latest = AtFour(Latest());
        var restart = AtFour(World);
        var inForce = AtFour(Latest(ResizeServing.InForce));
        foreach (var pool in new[] { latest, restart, inForce })
        {
            pool.SetSize(2, T1);
            Assert.Equal(4, ChargedWorkers(pool, T1));
            // Between the two asks: the smaller (2 × 2) or the limit in force (4 × 2).
            Assert.Equal(pool == inForce ? 8 : 4, pool.Servers(T1.AddSeconds(15)));
            pool.SetSize(6, T1.AddSeconds(30));
            // In force 4, asked 6: serving 4 × 2 either way, charged 6.
            Assert.Equal(8, pool.Servers(T1.AddSeconds(30)));
            Assert.Equal(6, ChargedWorkers(pool, T1.AddSeconds(30)));
        }
        Assert.Equal(12, latest.Servers(T1.AddSeconds(60)));
        Assert.Equal(12, inForce.Servers(T1.AddSeconds(60)));
        Assert.Equal(8, restart.Servers(T1.AddSeconds(60)));
        Assert.Equal(12, restart.Servers(T1.AddSeconds(90)));
    }

    [Fact]
    public void AnAskEqualToTheLimitInForce_CancelsThePendingResize_AndTheNextAskStartsAFreshLead()
    {
        foreach (var world in new[] { Latest(), World })
        {
            // 4 → 8 at T1, back to 4 at T1 + 30 s: nothing in flight, charged 4, and nothing lands at T1 + 60 s.
            var pool = AtFour(world);
            pool.SetSize(8, T1);
            Assert.True(pool.SetSize(4, T1.AddSeconds(30)));
            Assert.Equal(0, pool.ResizesInFlight(T1.AddSeconds(30)));
            Assert.Equal(4, ChargedWorkers(pool, T1.AddSeconds(30)));
            Assert.Equal(8, pool.Servers(T1.AddSeconds(60)));
            // 6 at T1 + 45 s: nothing was pending, so it lands a full lead later (T1 + 105 s) in both semantics.
            pool.SetSize(6, T1.AddSeconds(45));
            Assert.Equal(8, pool.Servers(T1.AddSeconds(104)));
            Assert.Equal(12, pool.Servers(T1.AddSeconds(105)));
        }
    }

    [Fact]
    public void NotReadyReplicas_TakeTheNewestLimitAtOnce_InBothSemantics()
    {
        foreach (var world in new[] { Latest(), World })
        {
            var pool = AtFour(world);
            pool.SetDesired(new Dictionary<string, int> { ["on-demand"] = 3 });
            pool.Reconcile(T1);
            pool.SetSize(6, T1.AddSeconds(15));
            pool.SetSize(7, T1.AddSeconds(30));
            // The two ready replicas land 7 at T1 + 75 s (LatestSpec) or T1 + 90 s (Restart); the new one, ready at
            // T1 + 3 min, starts at 7: 3 × 7 = 21 servers.
            Assert.Equal(world.ResizeSemantics == ResizeSemantics.LatestSpec ? 14 : 8, pool.Servers(T1.AddSeconds(75)));
            Assert.Equal(21, pool.Servers(T1.AddMinutes(3)));
        }
    }

    /// <summary>A vertical policy asking a scripted limit at fixed times (2 replicas throughout).</summary>
    private sealed class Script(params (double Minute, double Workers)[] asks) : IVerticalScalingPolicy
    {
        public string Name => "script";

        public double? DesiredWorkers { get; private set; }

        public IReadOnlyDictionary<string, int>? Decide(PolicyContext context)
        {
            var minute = (context.Now - T0).TotalMinutes;
            DesiredWorkers = asks.Last(a => a.Minute <= minute + 1e-9).Workers;
            return new Dictionary<string, int> { ["on-demand"] = 2 };
        }
    }

    private static SimulationResult Run(WorldOptions world)
    {
        // 5 req/s for 30 min (ReplicaCapacity 80 keeps a per-minute trace's values unscaled: value ÷ 60 req/s).
        var trace = DemandTrace.Create("flat", T0, TimeSpan.FromMinutes(1), Enumerable.Repeat(300.0, 30).ToList()).Trace!;
        // A limit raised every tick from minute 10: 3, 4, 5, 6 (asked at 10:00, 10:15, 10:30, 10:45), then kept.
        var (r, errors) = Simulator.Run(trace, [new Script((0, 2), (10, 3), (10.25, 4), (10.5, 5), (10.75, 6))], world with { ReplicaCapacity = 80 });
        Assert.Empty(errors);
        return r!;
    }

    [Fact]
    public void Simulator_RisingAsksEveryTick_StayAtTheOldLimitUnderRestart_AndLandAfterOneLeadUnderLatestSpec()
    {
        double Capacity(SimulationResult r, double minute) => r.Timeline.Single(x => x.At == T0.AddMinutes(minute)).Capacity[0];
        var byDefault = Run(World);
        var restart = Run(World with { ResizeSemantics = ResizeSemantics.Restart, ResizeServing = ResizeServing.Smaller });
        var latest = Run(Latest());
        // The default is Restart + Smaller, to the digit.
        Assert.Equal(restart.Policies[0], byDefault.Policies[0]);
        Assert.Equal(restart.Timeline.Select(x => x.Capacity[0]), byDefault.Timeline.Select(x => x.Capacity[0]));
        // Restart: 2 × 2 workers (40 req/s) until the last ask's lead ends at 11:45, then 2 × 6 (120 req/s).
        Assert.Equal(40, Capacity(restart, 11.5), 9);
        Assert.Equal(120, Capacity(restart, 11.75), 9);
        // LatestSpec: the actuation due at 11:00 (the first ask + 60 s) applies the newest limit, 6.
        Assert.Equal(40, Capacity(latest, 10.75), 9);
        Assert.Equal(120, Capacity(latest, 11), 9);
        // Charged at 6 from 10:45 in both; LatestSpec also pays 3, 4, 5 over 10:00–10:45 while Restart pays the same
        // asks (each the larger limit): equal cost, 45 more seconds of capacity under LatestSpec.
        Assert.Equal(restart.Policies[0].Cost, latest.Policies[0].Cost, 12);
        // Five resizes asked: the four raises and the first ask at T0 (8 → 2, before any replica exists).
        Assert.Equal(5, restart.Policies[0].Resizes);
        Assert.Equal(5, latest.Policies[0].Resizes);
    }

    [Fact]
    public void Oracle_WithoutTheHold_UnderLatestSpec_CoversEveryTick_AndRaisesLater()
    {
        // 5 req/s until minute 60, 400 until 90, then 5 (OracleBoundTests' step): 2 and 41 servers.
        var world = Latest() with { WarmUp = TimeSpan.FromMinutes(30), ReplicaCapacity = 80 };
        var values = Enumerable.Repeat(300.0, 60).Concat(Enumerable.Repeat(24000.0, 30)).Concat(Enumerable.Repeat(300.0, 30)).ToList();
        var trace = DemandTrace.Create("steps", T0, TimeSpan.FromMinutes(1), values).Trace!;
        var (r, errors) = Simulator.Run(trace, [new OraclePolicy(), new OraclePolicy(new OracleOptions { InFlightHold = false }, "oracle:hold=0")], world);
        Assert.Empty(errors);
        double Capacity(int p, double minute) => r!.Timeline.Single(x => x.At == T0.AddMinutes(minute)).Capacity[p];
        foreach (var x in r!.Timeline)
        {
            var needed = x.Demand == 5 ? 20 : 410;
            Assert.True(x.Capacity[1] >= needed, $"{x.At:HH:mm:ss}: capacity {x.Capacity[1]} < {needed}");
        }
        Assert.Equal(0, r.Policies[1].SloViolationMinutes);
        // With the hold the limit for minute 60 is asked at 58:15 (two leads less a tick ahead) and lands at 59:15;
        // without it, at 59:00 (the first tick whose one-lead window reaches minute 60), landing at 60:00.
        Assert.Equal(60, Capacity(0, 59.25), 9);
        Assert.Equal(20, Capacity(1, 59.25), 9);
        Assert.Equal(20, Capacity(1, 59.75), 9);
        Assert.Equal(410, Capacity(1, 60), 9);
        Assert.Equal(20, Capacity(1, 90), 9);
        // The ready replica and the 5 launched at minute 57 (pending replicas take the limit at once) are charged 41/6
        // instead of 2 workers from 59:00 instead of 58:15: 6 × 0.10 × (41/6 − 2)/8 × 45/3600 less cost.
        Assert.Equal(6 * 0.10 * (41 / 6.0 - 2) / 8 * 45 / 3600, r.Policies[0].Cost - r.Policies[1].Cost, 9);
        Assert.Equal("oracle:hold=0", PolicyCatalog.Create("oracle:hold=0", 100)!.Name);
        Assert.Contains("hold", Assert.Throws<ArgumentException>(() => PolicyCatalog.Create("oracle:nohold=1", 100)).Message, StringComparison.Ordinal);
    }
}
