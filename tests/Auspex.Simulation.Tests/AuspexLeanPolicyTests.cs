using Auspex.Simulation.Policies;
using Auspex.Simulation.Traces;
using Auspex.Simulation.World;

namespace Auspex.Simulation.Tests;

public sealed class AuspexLeanPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly WorldOptions World = new() { Tiers = [WorldOptions.DefaultTiers[0]] };

    private static PolicyContext Ctx(double observed, int ready, int minutes, SimulatedClock clock)
    {
        var now = T0.AddMinutes(minutes);
        clock.AdvanceTo(now);
        var tiers = new Dictionary<string, int> { ["on-demand"] = ready };
        // An hour of history: far less than the day the forecast needs, so only the floors and the guard size capacity.
        return new(now, observed, Enumerable.Repeat(observed, 60).ToList(), T0.AddMinutes(minutes - 60), TimeSpan.FromMinutes(1),
            tiers, new Dictionary<string, int> { ["on-demand"] = 0 }, tiers, World, clock);
    }

    private static int Total(IReadOnlyDictionary<string, int>? d) => d!.Values.Sum();

    [Fact]
    public void ReactiveGuard_OnObservedOverload_AsksForTheLoadTimesItsHeadroomAtOnce_AndReleasesAfterTheHold()
    {
        // 10 ready replicas serve 800 req/s; 1,600 req/s arrive (200 % utilisation, overload).
        var guarded = new AuspexPolicy(PolicyCatalog.LeanDefaults() with { GuardHeadroom = 2, GuardHold = TimeSpan.FromMinutes(10), ScaleDownStabilisation = TimeSpan.Zero, ScaleInThreshold = 0 });
        var unguarded = new AuspexPolicy(PolicyCatalog.LeanDefaults() with { ReactiveGuard = false, ScaleDownStabilisation = TimeSpan.Zero, ScaleInThreshold = 0 });
        var withGuard = Total(guarded.Decide(Ctx(1600, 10, 0, new SimulatedClock(T0))));
        var without = Total(unguarded.Decide(Ctx(1600, 10, 0, new SimulatedClock(T0))));
        Assert.True(guarded.GuardActive);
        Assert.False(unguarded.GuardActive);
        // Guard: 1,600 × 2 = 3,200 req/s → at least 40 replicas. Without: 1,600 × the default 1.25 buffer = 2,000 → 25–30.
        Assert.InRange(withGuard, 40, 45);
        Assert.InRange(without, 25, 30);
        // The load stays at 1,600 on enough replicas: the guard holds for 10 minutes, then releases.
        var clock = new SimulatedClock(T0);
        var g = new AuspexPolicy(PolicyCatalog.LeanDefaults() with { GuardHeadroom = 2, GuardHold = TimeSpan.FromMinutes(10), ScaleDownStabilisation = TimeSpan.Zero, ScaleInThreshold = 0 });
        g.Decide(Ctx(1600, 10, 0, clock));
        Assert.InRange(Total(g.Decide(Ctx(1600, 42, 5, clock))), 40, 45);
        Assert.True(g.GuardActive);
        Assert.InRange(Total(g.Decide(Ctx(1600, 42, 11, clock))), 25, 30);
        Assert.False(g.GuardActive);
    }

    [Fact]
    public void ReactiveGuard_DoesNotFireBelowItsUtilisation()
    {
        // 30 ready replicas serve 2,400 req/s; 1,600 arrive (67 %): no guard.
        var p = new AuspexPolicy(PolicyCatalog.LeanDefaults() with { GuardHeadroom = 2 });
        p.Decide(Ctx(1600, 30, 0, new SimulatedClock(T0)));
        Assert.False(p.GuardActive);
    }

    [Fact]
    public void Lean_OnAStepUp_RecoversFasterThanWithoutTheGuard()
    {
        // Flat load, then ×3 for an hour: the guarded policy's extra headroom after the first overload shortens the violation.
        var trace = DemandTrace.Create("step", T0, TimeSpan.FromMinutes(1), Enumerable.Range(0, 240).Select(i => i is >= 120 and < 180 ? 600.0 : 200).ToList()).Trace!;
        var world = new WorldOptions { FailureRatePerHour = 0, WarmUp = TimeSpan.Zero, Tiers = [WorldOptions.DefaultTiers[0]] };
        var (r, errors) = Simulator.Run(trace, [
            new AuspexPolicy(PolicyCatalog.LeanDefaults() with { GuardHeadroom = 1.6 }, "guard"),
            new AuspexPolicy(PolicyCatalog.LeanDefaults() with { ReactiveGuard = false }, "no-guard")], world);
        Assert.Empty(errors);
        var guard = r!.Policies[0];
        var none = r.Policies[1];
        Assert.True(guard.SloViolationMinutes > 0, "the 3-minute lead time makes any step up violate");
        Assert.True(guard.SloViolationMinutes <= none.SloViolationMinutes, $"guard {guard.SloViolationMinutes} vs none {none.SloViolationMinutes}");
    }

    [Fact]
    public void Catalog_ParsesLeanParameters_AndNamesTheBadOne()
    {
        var p = PolicyCatalog.Create("auspex-lean:q=0.99:sin=1:tiers=0:sqrt=1", 1000);
        Assert.Equal("auspex-lean:q=0.99:sin=1:tiers=0:sqrt=1", p!.Name);
        Assert.IsType<AuspexPolicy>(p);
        var e = Assert.Throws<ArgumentException>(() => PolicyCatalog.Create("auspex-lean:zz=1", 1000));
        Assert.Contains("zz", e.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<ArgumentException>(() => PolicyCatalog.Create("auspex-lean:q=1.5", 1000));
        Assert.Contains("quantile", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConformalBuffer_CalibratesToTheLoadsOwnSwingAroundTheForecastMean()
    {
        // 100 and 120 per minute alternating for two days: the 5-min means are 108–112, the highest minute in any
        // planned window 120, so the buffer settles near 120 ÷ 112 ≈ 1.07 (not the 1.25 it starts from).
        var trace = DemandTrace.Create("alternating", T0, TimeSpan.FromMinutes(1), Enumerable.Range(0, 2 * 1440).Select(i => i % 2 == 0 ? 100.0 : 120.0).ToList()).Trace!;
        var policy = new AuspexPolicy(PolicyCatalog.LeanDefaults(), "lean");
        var (r, errors) = Simulator.Run(trace, [policy], new WorldOptions { FailureRatePerHour = 0, Tiers = [WorldOptions.DefaultTiers[0]] });
        Assert.Empty(errors);
        Assert.True(policy.Forecasts > 0);
        Assert.InRange(policy.Buffer, 1.03, 1.15);
        Assert.Equal(0, r!.Policies.Single().SloViolationMinutes);
    }
}
