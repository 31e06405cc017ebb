using Auspex.Core.Series;
using Auspex.Orchestration.Pool;
using Auspex.Orchestration.Scaling;
using static Auspex.Orchestration.Tests.Fixtures;

namespace Auspex.Orchestration.Tests.Scaling;

public sealed class ScalingDeciderTests
{
    // Demand 1000 with a ±10% band: q0.95 interpolates to 1000 + 0.45/0.475 × 100 ≈ 1094.7, i.e. 11 units of 100.
    private const double Q95Of1000 = 1000 + 0.45 / 0.475 * 100;

    [Fact]
    public void Decide_RequiredCapacity_IsTheSloQuantileDividedByPerformance()
    {
        var (decider, _) = Decider(new TierPool([Standard()]));
        var d = decider.Decide(Request(Demand(0.1, 1000, 1000, 1000)));
        Assert.Equal(ScalingOutcome.ScaleOut, d.Outcome);
        Assert.Equal(Q95Of1000, d.RequiredDemand, 6);
        Assert.Equal(11, d.Target["aws/standard"]);
        Assert.True(d.Act);
        Assert.Equal(1, d.CoverProbability);

        var median = decider.Decide(Request(Demand(0.1, 1000, 1000, 1000)) with { Quantile = 0.5 });
        Assert.Equal(10, median.Target["aws/standard"]);

        var (fast, _) = Decider(new TierPool([HighPerformance(price: 0.4), Standard()]));
        var hp = fast.Decide(Request(Demand(0.1, 1000)));
        // 1094.7 needs 5 high-performance units alone (2.0/h), but 4 of them (1000) plus one standard unit is 1.8/h.
        Assert.Equal(new Dictionary<string, int> { ["aws/high-performance"] = 4, ["aws/standard"] = 1 }, hp.Target);
        Assert.Equal(1.8, hp.TargetCostPerHour, 9);
        var onlyStandard = fast.Decide(Request(Demand(0.1, 1000)) with { AllowedTiers = ["standard"] });
        Assert.Equal(new Dictionary<string, int> { ["aws/standard"] = 11 }, onlyStandard.Target);
    }

    [Theory]
    [InlineData(0.5, 0.99, 0.06)]
    [InlineData(0.05, 0.999, 0.06)]
    [InlineData(0.9, 0.95, 0.12)]
    [InlineData(0.2, 0.99, 0.19)]
    public void Decide_TierMix_MatchesExhaustiveSearchOfExpectedCostUnderTheSla(double preempt, double availability, double spotPrice)
    {
        var pool = new TierPool([Standard(price: 0.2), Spot(price: spotPrice, preempt: preempt)]);
        var (decider, _) = Decider(pool);
        var d = decider.Decide(Request(Demand(0.1, 1000)) with { Availability = availability });
        Assert.Equal(ScalingOutcome.ScaleOut, d.Outcome);
        Assert.True(d.CoverProbability >= availability);

        var exposure = TimeSpan.FromMinutes(5) + TimeSpan.FromMinutes(2);
        var spot = pool.Find("aws/spot")!;
        TierSlot[] slots =
        [
            new("aws/standard", 100, 1, 0.2, 0.2, 1000, TimeSpan.Zero, true),
            new("aws/spot", 100, spot.SurvivalProbability(exposure), spotPrice, spotPrice + preempt * spotPrice * 2 / 60.0, 1000, spot.ProvisioningLeadTime, true),
        ];
        var best = double.PositiveInfinity;
        for (var a = 0; a <= 12; a++)
        {
            for (var b = 0; b <= 60; b++)
            {
                if (CoverModel.Probability(slots, [a, b], Q95Of1000) >= availability)
                {
                    best = Math.Min(best, a * slots[0].ExpectedCost + b * slots[1].ExpectedCost);
                }
            }
        }
        Assert.Equal(best, d.ExpectedCostPerHour, 9);
    }

    [Fact]
    public void Decide_SpotIsUsedWhenItsRiskIsPricedIn_AndTheCheaperProviderWins()
    {
        var (decider, _) = Decider(new TierPool([Standard("aws"), Spot("aws", price: 0.06), Spot("gcp", price: 0.045)]));
        var d = decider.Decide(Request(Demand(0.1, 1000)));
        Assert.True(d.Target.GetValueOrDefault("gcp/spot") >= 11, string.Join(",", d.Target));
        Assert.False(d.Target.ContainsKey("aws/spot"));
        Assert.True(d.TargetCostPerHour < 11 * 0.2);
    }

    [Fact]
    public void Decide_ProvisionsAheadByTheLeadTime_AndDefersRequestsNotYetDue()
    {
        // A jump at +15 min. The slow tier sets the window (5 min interval + 10 min lead), the cheap standard tier
        // needs no lead, so its request is announced now but due only at +15.
        var pool = new TierPool([Standard(lead: TimeSpan.Zero), new("slow", "aws", 0.5, 1, 0, TimeSpan.FromMinutes(10))]);
        var (decider, clock) = Decider(pool);
        var demand = Demand(0, 500, 500, 500, 1500, 1500, 1500, 1500);
        var current = new Dictionary<string, int> { ["aws/standard"] = 5 };
        var d = decider.Decide(Request(demand, current));
        Assert.Equal(ScalingOutcome.ScaleOut, d.Outcome);
        var action = Assert.Single(d.Actions);
        Assert.Equal("aws/standard", action.Tier);
        Assert.Equal(15, action.To);
        Assert.Equal(T0.AddMinutes(15), action.NeededAt);
        Assert.Equal(T0.AddMinutes(15), action.RequestAt);
        Assert.True(action.Deferred);
        Assert.Equal(5, d.Target["aws/standard"]);

        clock.Advance(TimeSpan.FromMinutes(10));
        var later = decider.Decide(Request(demand, current));
        Assert.False(Assert.Single(later.Actions).Deferred);
        Assert.Equal(15, later.Target["aws/standard"]);

        // A tier with a 10-minute lead must be requested 10 minutes before the need.
        var (slowOnly, _) = Decider(new TierPool([new("slow", "aws", 0.5, 1, 0, TimeSpan.FromMinutes(10))]));
        var s = slowOnly.Decide(Request(demand, new Dictionary<string, int> { ["aws/slow"] = 5 }));
        var a = Assert.Single(s.Actions);
        Assert.Equal(T0.AddMinutes(5), a.RequestAt);
        Assert.False(a.Deferred);
        Assert.Equal(15, s.Target["aws/slow"]);
    }

    [Fact]
    public void Decide_RequestsDecisionInterval_StretchesTheWindow_AndNothingIsDeferredPastTheNextDecision()
    {
        // The same jump at +15 min. Decided every 5 min the standard request is deferred to a later run; when the next
        // decision is 1 h away (the demo's replay, whose ticks are far apart in replay time) it must be made now.
        var pool = new TierPool([Standard(lead: TimeSpan.Zero), new("slow", "aws", 0.5, 1, 0, TimeSpan.FromMinutes(10))]);
        var (decider, _) = Decider(pool);
        var demand = Demand(0, 500, 500, 500, 1500, 1500, 1500, 1500, 1500, 1500, 1500, 1500, 1500, 1500, 3000, 3000);
        var current = new Dictionary<string, int> { ["aws/standard"] = 5 };

        var often = decider.Decide(Request(demand, current));
        Assert.True(Assert.Single(often.Actions).Deferred);
        Assert.Equal(T0.AddMinutes(15), often.WindowEnd);
        Assert.Equal(1500, often.RequiredDemand, 9);

        var rare = decider.Decide(Request(demand, current) with { DecisionInterval = TimeSpan.FromHours(1) });
        Assert.Equal(T0.AddMinutes(70), rare.WindowEnd);                 // now + 1 h + the longest lead (10 min)
        Assert.Equal(3000, rare.RequiredDemand, 9);                       // the peak at +70 min, within the next decision plus the lead time
        var action = Assert.Single(rare.Actions);
        Assert.False(action.Deferred);
        Assert.Equal(30, rare.Target["aws/standard"]);
        Assert.DoesNotContain("Too late", rare.Reason, StringComparison.Ordinal);

        var bad = decider.Decide(Request(demand, current) with { DecisionInterval = TimeSpan.Zero });
        Assert.Equal(ScalingOutcome.Invalid, bad.Outcome);
        Assert.Contains("decision interval", bad.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_TooLate_OnlyWhenTheNeedComesSoonerThanTheTiersLeadTime()
    {
        // Current units fall short at +5 min: the 10-minute tier cannot arrive in time, the 1-minute tier can.
        var demand = Demand(0, 500, 1500, 1500);
        var (slow, _) = Decider(new TierPool([new("slow", "aws", 0.5, 1, 0, TimeSpan.FromMinutes(10))]));
        var late = slow.Decide(Request(demand, new Dictionary<string, int> { ["aws/slow"] = 5 }));
        Assert.Contains("Too late for the lead time of aws/slow", late.Reason, StringComparison.Ordinal);

        var (fast, _) = Decider(new TierPool([Standard(lead: TimeSpan.FromMinutes(1))]));
        var inTime = fast.Decide(Request(demand, new Dictionary<string, int> { ["aws/standard"] = 5 }));
        Assert.Equal(ScalingOutcome.ScaleOut, inTime.Outcome);
        Assert.DoesNotContain("Too late", inTime.Reason, StringComparison.Ordinal);
        Assert.Equal(T0.AddMinutes(4), Assert.Single(inTime.Actions).RequestAt);
    }

    [Fact]
    public void Decide_ScaleIn_WaitsForTheStabilisationWindow_AndKeepsTheThreshold()
    {
        var pool = new TierPool([Standard()]);
        var (decider, clock) = Decider(pool);
        var current = new Dictionary<string, int> { ["aws/standard"] = 11 };
        Assert.Equal(ScalingOutcome.Hold, decider.Decide(Request(Demand(0.1, 1000), current)).Outcome);

        clock.Advance(TimeSpan.FromMinutes(5));
        var drop = DemandFrom(clock.GetUtcNow(), 0.1, 500, 500, 500, 500);
        var first = decider.Decide(Request(drop, current));
        Assert.Equal(ScalingOutcome.Hold, first.Outcome); // the requirement 5 min ago still counts

        clock.Advance(TimeSpan.FromMinutes(5));
        drop = DemandFrom(clock.GetUtcNow(), 0.1, 500, 500, 500, 500);
        var second = decider.Decide(Request(drop, current));
        Assert.Equal(ScalingOutcome.ScaleIn, second.Outcome);
        Assert.Equal(6, second.Target["aws/standard"]); // ceil(547.4 / 100)
        Assert.Equal(-5, Assert.Single(second.Actions).Delta);

        // Within the 10% threshold nothing moves: 11 units vs a requirement of 1050 × 1.1 > 1100.
        var (fresh, _) = Decider(pool);
        Assert.Equal(ScalingOutcome.Hold, fresh.Decide(Request(Demand(0, 1050), current)).Outcome);
    }

    [Fact]
    public void Decide_Modes_ForecastOnlyLogs_ScaleOutOnlyNeverReleases()
    {
        var pool = new TierPool([Standard()]);
        var (logOnly, _) = Decider(pool, o => o.Mode = ScalingMode.ForecastOnly);
        var d = logOnly.Decide(Request(Demand(0.1, 1000)));
        Assert.Equal(ScalingOutcome.ScaleOut, d.Outcome);
        Assert.False(d.Act);
        Assert.Contains("Forecast-only", d.Reason, StringComparison.Ordinal);

        var (outOnly, clock) = Decider(pool, o => { o.Mode = ScalingMode.ScaleOutOnly; o.ScaleInStabilization = TimeSpan.Zero; });
        var current = new Dictionary<string, int> { ["aws/standard"] = 11 };
        var hold = outOnly.Decide(Request(Demand(0.1, 100), current));
        Assert.Equal(ScalingOutcome.Hold, hold.Outcome);
        Assert.Equal(11, hold.Target["aws/standard"]);
        Assert.Contains("scale-out-only", hold.Reason, StringComparison.Ordinal);
        Assert.Equal(ScalingOutcome.ScaleOut, outOnly.Decide(Request(Demand(0.1, 2000), current)).Outcome);
    }

    [Fact]
    public void DecideAll_TenantBudget_GrantsInRequestOrder_AndSaysSo()
    {
        var pool = new TierPool([Standard(price: 0.2)]);
        var (decider, _) = Decider(pool, o => o.TenantBudgets["default"] = 3.0);
        var a = Request(Demand(0.1, 1000));
        var b = Request(Demand(0.1, 1000)) with { Component = "api" };
        var other = Request(Demand(0.1, 1000)) with { Component = "batch", Tenant = new TenantId("other") };
        var ds = decider.DecideAll([a, b, other]);
        Assert.Equal(11, ds[0].Target["aws/standard"]);
        Assert.False(ds[0].BudgetLimited);
        Assert.True(ds[1].BudgetLimited);
        Assert.Equal(ScalingOutcome.Infeasible, ds[1].Outcome);
        Assert.Equal(4, ds[1].Target["aws/standard"]); // (3.0 − 2.2) / 0.2
        Assert.Contains("budget", ds[1].Reason, StringComparison.Ordinal);
        Assert.True(ds.Take(2).Sum(x => x.TargetCostPerHour) <= 3.0 + 1e-9);
        Assert.Equal(11, ds[2].Target["aws/standard"]); // another tenant, no budget
    }

    [Fact]
    public void Decide_QuotasAndMaxUnits_GiveABestEffortMarkedInfeasible()
    {
        var pool = new TierPool([Standard()], new Dictionary<string, int> { ["aws/standard"] = 7 });
        var (decider, _) = Decider(pool);
        var d = decider.Decide(Request(Demand(0.1, 1000)));
        Assert.Equal(ScalingOutcome.Infeasible, d.Outcome);
        Assert.Equal(7, d.Target["aws/standard"]);
        Assert.Equal(0, d.CoverProbability);

        var (unlimited, _) = Decider(new TierPool([Standard()]));
        var capped = unlimited.Decide(Request(Demand(0.1, 1000)) with { MaxUnits = 8 });
        Assert.Equal(8, capped.Target["aws/standard"]);
        var floor = unlimited.Decide(Request(Demand(0.1, 0)) with { MinUnits = 2 });
        Assert.Equal(2, floor.Target["aws/standard"]);
    }

    [Fact]
    public void Decide_BadInput_IsInvalidAndNamesTheProblem()
    {
        var (decider, clock) = Decider(new TierPool([Standard()]));
        var nan = decider.Decide(Request(Demand(0.1, 1000, double.NaN)));
        Assert.Equal(ScalingOutcome.Invalid, nan.Outcome);
        Assert.Contains("non-finite", nan.Reason, StringComparison.Ordinal);
        Assert.False(nan.Act);

        var unknown = decider.Decide(Request(Demand(0.1, 1000), new Dictionary<string, int> { ["azure/spot"] = 2 }));
        Assert.Contains("unknown tier(s) azure/spot", unknown.Reason, StringComparison.Ordinal);

        Assert.Contains("capacity_per_unit", decider.Decide(Request(Demand(0.1, 1000), capacity: 0)).Reason, StringComparison.Ordinal);
        Assert.Contains("no tier of the pool", decider.Decide(Request(Demand(0.1, 1000)) with { AllowedTiers = ["gpu"] }).Reason, StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromHours(2));
        var stale = decider.Decide(Request(Demand(0.1, 1000, 1000)));
        Assert.Equal(ScalingOutcome.Invalid, stale.Outcome);
        Assert.Contains("before now", stale.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateDecider_InvalidOptions_ListsEveryProblem()
    {
        var options = new ScalingOptions { DecisionInterval = TimeSpan.Zero, DefaultQuantile = 1.5, MaxUnitsPerTier = 0 };
        options.TenantBudgets["x"] = -1;
        var ex = Assert.Throws<ArgumentException>(() => ScalingDecider.Create(new TierPool([Standard()]), options, TimeProvider.System));
        Assert.Contains("decision_interval", ex.Message, StringComparison.Ordinal);
        Assert.Contains("default_quantile", ex.Message, StringComparison.Ordinal);
        Assert.Contains("max_units_per_tier", ex.Message, StringComparison.Ordinal);
        Assert.Contains("budget of tenant x", ex.Message, StringComparison.Ordinal);
    }
}
