using Auspex.Core.Topology;
using Auspex.Simulation.Policies;
using Auspex.Simulation.Traces;
using Auspex.Simulation.World;

namespace Auspex.Simulation.Tests;

/// <summary>
/// Session 9: the SLO-aware clairvoyant bound (<see cref="OraclePolicy"/>) and the in-flight rule it led to for
/// <c>auspex-vertical</c> (<c>vhold=1</c>). Hand-computed with the world's queue: 8 workers × 100 ms per replica,
/// p99 ≤ 1 s (the service time's p99 is 0.1 × ln 100 = 0.46 s, so 0.54 s of waiting is allowed); Erlang C gives
/// 2 servers for 5 req/s (1 server: ρ = 0.5, C = 0.5, wait p99 ln(50)/5 = 0.78 s, total 1.24 s; 2 servers: C = 0.1,
/// wait ln(10)/15 = 0.15 s, total 0.61 s), 11 for 100 req/s, 14 for 130 req/s and 41 for 400 req/s (40 would be ρ = 1).
/// </summary>
public sealed class OracleBoundTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // One on-demand tier (0.10/h, 3 min to a new replica), resize in 60 s, no failures; trace values are requests per
    // minute and ReplicaCapacity 80 keeps them unscaled (rate = value ÷ 60 req/s).
    private static readonly WorldOptions World = new()
    {
        FailureRatePerHour = 0,
        WarmUp = TimeSpan.FromMinutes(30),
        ReplicaCapacity = 80,
        ResizeLeadTime = TimeSpan.FromSeconds(60),
        Tiers = [new Tier("on-demand", "simulated", 0.10, 1.0, 0.0, TimeSpan.FromMinutes(3))],
    };

    private static DemandTrace Trace(params (int Minutes, double PerSecond)[] parts) =>
        DemandTrace.Create("steps", T0, TimeSpan.FromMinutes(1), parts.SelectMany(p => Enumerable.Repeat(p.PerSecond * 60, p.Minutes)).ToList()).Trace!;

    [Fact]
    public void ServersNeeded_IsTheWorldsQueueInverse()
    {
        var oracle = new OraclePolicy();
        oracle.SeeFuture([0, 5, 20, 100, 130, 400], T0, TimeSpan.FromMinutes(1));
        int[] expected = [1, 2, 3, 11, 14, 41];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], oracle.ServersNeeded(T0.AddMinutes(i), World));
        }
        // After the trace's end: the last interval.
        Assert.Equal(41, oracle.ServersNeeded(T0.AddHours(1), World));
        // At 0.5 × the SLO (a p99 of 0.5 s: 0.04 s of waiting) 5 req/s needs 3 servers: with 2 the p99 is 0.61 s; with
        // 3 (a = 0.5, Erlang C = 0.0152, wait ln(1.52)/25 = 0.017 s) it is 0.477 s.
        var safe = new OraclePolicy(new OracleOptions { SloSafety = 0.5 });
        safe.SeeFuture([5], T0, TimeSpan.FromMinutes(1));
        Assert.Equal(3, safe.ServersNeeded(T0, World));
    }

    [Fact]
    public void SteadyLoad_RunsTheFewestServers_WithTheirQueueingSlackAndCost()
    {
        // 5 req/s for an hour: 1 replica at a 2-worker limit. Slack 1 − 0.5 erlang ÷ 2 = 75 %; cost over the 30
        // measured minutes 0.10 × 2/8 × 0.5 h = 0.0125. At 400 req/s: 6 replicas at 41/6 workers, slack 1/41, cost
        // 0.10 × 41/8 × 0.5 h = 0.25625.
        foreach (var (rate, slack, cost, replicas) in new[] { (5.0, 0.75, 0.0125, 1), (400.0, 1 / 41.0, 0.25625, 6) })
        {
            var (r, errors) = Simulator.Run(Trace((60, rate)), [new OraclePolicy()], World);
            Assert.Empty(errors);
            var p = r!.Policies[0];
            Assert.Equal(0, p.SloViolationMinutes);
            Assert.Equal(slack, p.MeanSlack, 9);
            Assert.Equal(cost, p.Cost, 9);
            Assert.Equal(replicas, p.PeakReplicas);
        }
    }

    [Fact]
    public void Spare_SharesTheLimitsOverOneMoreReplica_AtTheSameCostAndSlack()
    {
        // 400 req/s on 7 replicas at 41/7 workers: still 41 servers, so the same slack and (after the warm-up) cost.
        var (r, _) = Simulator.Run(Trace((60, 400)), [new OraclePolicy(), (OraclePolicy)PolicyCatalog.Create("oracle:spare=1", 400)!], World);
        Assert.Equal(7, r!.Policies[1].PeakReplicas);
        Assert.Equal(r.Policies[0].MeanSlack, r.Policies[1].MeanSlack, 9);
        Assert.Equal(0.25625, r.Policies[1].Cost, 9);
    }

    [Fact]
    public void SurviveLoss_AbsorbsAnUnannouncedFailure_ForOneReplicasShareOfSlack()
    {
        // 400 req/s (40 erlangs, 41 servers), one replica fails at minute 45 (no notice). Without loss=1: 6 replicas at
        // 41/6 workers; 5 are left with 34 servers for 40 erlangs until a resize lands, so minutes are violated. With
        // loss=1: 7 replicas at 41/6 workers (47 servers, slack 1 − 40/47, cost 0.10 × 7 × 41/6 ÷ 8 × 0.5 h until the
        // failure), and the 6 left still hold 41 servers: no violation.
        var world = World with { ReplayedFailures = [TimeSpan.FromMinutes(45)] };
        var (r, errors) = Simulator.Run(Trace((60, 400)), [new OraclePolicy(), PolicyCatalog.Create("oracle:loss=1", 400)!], world);
        Assert.Empty(errors);
        Assert.True(r!.Policies[0].SloViolationMinutes > 0, $"{r.Policies[0].SloViolationMinutes}");
        Assert.Equal(1, r.Policies[0].Failures);
        var robust = r.Policies[1];
        Assert.Equal(1, robust.Failures);
        Assert.Equal(0, robust.SloViolationMinutes);
        Assert.Equal(7, robust.PeakReplicas);
        var before = r.Timeline.Where(x => x.At < T0.AddMinutes(45)).Select(x => x.Capacity[1]).Distinct().Single();
        Assert.Equal(470, before, 9);
        Assert.True(r.Timeline.All(x => x.Capacity[1] >= 410), "the replicas left cover 41 servers at every tick");
        var (steady, _) = Simulator.Run(Trace((60, 400)), [PolicyCatalog.Create("oracle:loss=1", 400)!], World);
        Assert.Equal(1 - 40 / 47.0, steady!.Policies[0].MeanSlack, 9);
        Assert.Equal(0.10 * 7 * 41 / 6.0 / 8 * 0.5, steady.Policies[0].Cost, 9);
    }

    [Fact]
    public void StepUpAndDown_IsCoveredAtEveryTick_WithinTheLeadTimes_AndDecreasesAtOnce()
    {
        // 5 req/s until minute 60, 400 req/s until minute 90, then 5 req/s again.
        var trace = Trace((60, 5), (30, 400), (30, 5));
        var (r, errors) = Simulator.Run(trace, [new OraclePolicy()], World);
        Assert.Empty(errors);
        Assert.Equal(0, r!.Policies[0].SloViolationMinutes);
        double Capacity(double minute) => r.Timeline.Single(x => x.At == T0.AddMinutes(minute)).Capacity[0];
        foreach (var x in r.Timeline)
        {
            var needed = x.Demand switch { 5 => 20, 400 => 410, _ => throw new InvalidOperationException() };
            Assert.True(x.Capacity[0] >= needed, $"{x.At:HH:mm:ss}: capacity {x.Capacity[0]} < {needed}");
        }
        // Far from the step: exactly the fewest servers (2 and 41 → 20 and 410 req/s).
        Assert.Equal(20, Capacity(50), 9);
        Assert.Equal(410, Capacity(75), 9);
        Assert.Equal(20, Capacity(110), 9);
        // The 5 replicas launched at minute 57 (3 min ahead) are ready at minute 60; the limit asked at 58:15 (the
        // first tick whose window of two resize leads less a tick reaches minute 60) is 41/6 workers, in force on the
        // ready replica from 59:15: 6 servers there, 41 at minute 60.
        Assert.Equal(20, Capacity(59), 9);
        Assert.Equal(60, Capacity(59.25), 9);
        Assert.Equal(410, Capacity(60), 9);
        // A decrease serves at once: 1 replica at 2 workers from the first quiet tick.
        Assert.Equal(410, Capacity(89.75), 9);
        Assert.Equal(20, Capacity(90), 9);
    }

    [Fact]
    public void WithoutTheFuture_TheOracleRefusesToDecide()
    {
        var oracle = new OraclePolicy();
        var none = new Dictionary<string, int> { ["on-demand"] = 0 };
        var e = Assert.Throws<InvalidOperationException>(() => oracle.Decide(new PolicyContext(T0, 5, [], T0, TimeSpan.FromMinutes(1), none, none, none, World, new SimulatedClock(T0))));
        Assert.Contains("future", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_ParsesTheOraclesKeys_AndNamesBadOnes()
    {
        Assert.True(PolicyCatalog.IsKnown("oracle"));
        Assert.True(PolicyCatalog.IsKnown("oracle:tier=1:safety=0.8:stab=5:spare=1"));
        Assert.Equal("oracle:tier=1:safety=0.8:stab=5:spare=1", PolicyCatalog.Create("oracle:tier=1:safety=0.8:stab=5:spare=1", 100)!.Name);
        Assert.Contains("unknown key 'foo'", Assert.Throws<ArgumentException>(() => PolicyCatalog.Create("oracle:foo=1", 100)).Message, StringComparison.Ordinal);
        Assert.Contains("whole tier index", Assert.Throws<ArgumentException>(() => PolicyCatalog.Create("oracle:tier=0.5", 100)).Message, StringComparison.Ordinal);
        Assert.Contains("SLO safety", Assert.Throws<ArgumentException>(() => PolicyCatalog.Create("oracle:safety=0", 100)).Message, StringComparison.Ordinal);
        // A tier the world does not have is named at the first decision.
        var bad = PolicyCatalog.Create("oracle:tier=3", 100)!;
        Assert.Contains("tier index 3", Assert.Throws<InvalidOperationException>(() => Simulator.Run(Trace((60, 5)), [bad], World)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vhold_AsksNoNewLimitWhileAnIncreaseIsInFlight()
    {
        // 2 ready replicas at 2 workers. At 100 req/s the limit must cover 11 servers: 5.5 workers (an increase, in
        // flight for 60 s). 15 s later the load is 130 req/s (14 servers: 7 workers). Without the hold the policy asks
        // 7 at once, which restarts the resize lead (the old 2-worker limit stays in force until 75 s); with it, 5.5
        // stays asked until the increase lands at 60 s, and then 7 is asked.
        var world = World with { WarmUp = TimeSpan.Zero };
        var history = Enumerable.Repeat(100.0, 60).ToList();
        var two = new Dictionary<string, int> { ["on-demand"] = 2 };
        var none = new Dictionary<string, int> { ["on-demand"] = 0 };
        var now = T0.AddMinutes(60);
        (double First, double InFlight, double Landed) Limits(bool hold)
        {
            var policy = new AuspexPolicy(new AuspexPolicyOptions
            {
                Model = "naive", UseTiers = false, Vertical = true, ScaleInThreshold = 1, VerticalGrowthQuantile = 0.99, VerticalForecast = false,
                VerticalStabilisation = TimeSpan.Zero, SloSafety = 1, ReactiveGuard = false, VerticalInFlightHold = hold,
            }, "v");
            var clock = new SimulatedClock(now);
            policy.Decide(new PolicyContext(now, 100, history, T0, TimeSpan.FromMinutes(1), two, none, two, world, clock, 4, 2));
            var first = policy.DesiredWorkers!.Value;
            clock.AdvanceTo(now.AddSeconds(15));
            policy.Decide(new PolicyContext(now.AddSeconds(15), 130, history, T0, TimeSpan.FromMinutes(1), two, none, two, world, clock, 4, first));
            var inFlight = policy.DesiredWorkers!.Value;
            clock.AdvanceTo(now.AddSeconds(60));
            policy.Decide(new PolicyContext(now.AddSeconds(60), 130, history, T0, TimeSpan.FromMinutes(1), two, none, two, world, clock, (int)Math.Floor(2 * inFlight), inFlight));
            return (first, inFlight, policy.DesiredWorkers!.Value);
        }
        Assert.Equal((5.5, 7.0, 7.0), Limits(false));
        Assert.Equal((5.5, 5.5, 7.0), Limits(true));
        Assert.Contains("vhold", Assert.Throws<ArgumentException>(() => PolicyCatalog.Create("auspex-vertical:nohold=1", 100)).Message, StringComparison.Ordinal);
        Assert.Equal("auspex-vertical:vhold=1", PolicyCatalog.Create("auspex-vertical:vhold=1", 100)!.Name);
    }
}
