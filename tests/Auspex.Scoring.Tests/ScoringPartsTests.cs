using Auspex.Core.Series;
using Auspex.Core.Topology;
using static Auspex.Scoring.Tests.ScoringFixture;
using static Auspex.Testing.Builders;

namespace Auspex.Scoring.Tests;

public sealed class ScoringPartsTests
{
    private static readonly FailureEvent[] SomeFailures = [new("h22", T0.AddDays(-3), "hardware", null), new("h22", T0.AddDays(-10), "hardware", null)];

    [Fact]
    public void Assess_WithEvidence_CarriesTheFourNamedPartsAndPolicyWeights()
    {
        var report = new LocalityScorer().Assess(Rich(failures: SomeFailures), AllCpu(1), T0);
        var h11 = report.Scores.Single(s => s.Locality == "h11");
        Assert.Equal(["capacity", "cost", "proximity", "risk"], h11.Parts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0.4, h11.Parts["capacity"].Weight);
        Assert.Equal(0.3, h11.Parts["risk"].Weight);
        Assert.Equal(0.15, h11.Parts["cost"].Weight);
        Assert.Equal(0.15, h11.Parts["proximity"].Weight);
        Assert.Equal(LocalityScorer.Combine(h11.Parts), h11.Desirability, 12);
        Assert.Equal(0.15, report.Weights["proximity"]);
        Assert.All(report.Scores, s => Assert.All(s.Parts.Values, p => Assert.InRange(p.Value, 0, 1)));
    }

    [Fact]
    public void Risk_HostWithFailures_ScoresBelowItsQuietRackmateAndExplainsTheHistory()
    {
        var report = new LocalityScorer().Assess(Rich(failures: SomeFailures), AllCpu(1), T0);
        var noisy = report.Details["h22"].Risk!;
        var quiet = report.Details["h21"].Risk!;
        Assert.True(noisy.Probability > quiet.Probability);
        Assert.True(report.Scores.Single(s => s.Locality == "h22").Parts["risk"].Value < report.Scores.Single(s => s.Locality == "h21").Parts["risk"].Value);
        Assert.Contains("gamma–Poisson", report.Scores.Single(s => s.Locality == "h22").Parts["risk"].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Risk_ReusedScorer_RefitsWhenTheFailureRecordChanges()
    {
        var scorer = new LocalityScorer();
        var before = scorer.Assess(Rich(failures: SomeFailures), AllCpu(1), T0).Details["h11"].Risk!.Probability;
        FailureEvent[] more = [.. SomeFailures, new("h11", T0.AddHours(-1), "hardware", null)];
        var after = scorer.Assess(Rich(failures: more), AllCpu(1), T0).Details["h11"].Risk!.Probability;
        Assert.True(after > before);
    }

    [Fact]
    public void Risk_MaintenanceInsideHorizon_IsCertainUnavailability()
    {
        var t = Rich(maintenance: [new MaintenanceWindow("rack1", new TimeRange(T0.AddHours(2), T0.AddHours(4)), "firmware")]);
        var report = new LocalityScorer().Assess(t, AllCpu(1), T0);
        var h11 = report.Scores.Single(s => s.Locality == "h11");
        Assert.Equal(1, report.Details["h11"].Risk!.Probability);
        Assert.Equal(0, h11.Parts["risk"].Value);
        Assert.Contains("maintenance on rack1", h11.Parts["risk"].Explanation, StringComparison.Ordinal);
        Assert.Equal(0.5, report.Details["z1"].Risk!.Probability, 3); // half the zone's hosts
        Assert.True(report.Details["h21"].Risk!.Probability < 0.01);
    }

    [Fact]
    public void Risk_MaintenanceAfterHorizon_DoesNotCount()
    {
        var t = Rich(maintenance: [new MaintenanceWindow("rack1", new TimeRange(T0.AddDays(3), T0.AddDays(3).AddHours(1)), "later")]);
        Assert.True(new LocalityScorer().Assess(t, AllCpu(1), T0).Details["h11"].Risk!.Probability < 0.01);
    }

    [Fact]
    public void Risk_NoEvidenceAtAll_IsLeftOut()
    {
        var s = new LocalityScorer().Score(Rich(), AllCpu(1), T0).Single(x => x.Locality == "h11");
        Assert.False(s.Parts.ContainsKey("risk"));
    }

    [Fact]
    public void Risk_HotAnomalousHost_RaisesTheRate()
    {
        var ctx = new ScoringContext { AnomalyScores = new Dictionary<string, double> { ["h12"] = 1 }, Temperatures = new Dictionary<string, double> { ["h12"] = 50 } };
        var report = new LocalityScorer().Assess(Rich(failures: SomeFailures), AllCpu(1), T0, ctx);
        Assert.Equal(16, report.Details["h12"].Risk!.Multiplier, 9); // 4 (anomaly) × 2² (20 °C over)
        Assert.True(report.Details["h12"].Risk!.Probability > report.Details["h11"].Risk!.Probability);
    }

    [Fact]
    public void Cost_TierPricesPerCoreHour_CheapestScoresOne()
    {
        var report = new LocalityScorer().Assess(Rich(), AllCpu(1), T0);
        Assert.Equal(0.05, report.Details["h11"].Cost!.PerCoreHour, 12); // 0.2 / 4 cores
        Assert.Equal(0.1, report.Details["h21"].Cost!.PerCoreHour, 12);
        Assert.Equal(1, report.Details["h11"].Cost!.Value);
        Assert.Equal(0, report.Details["h21"].Cost!.Value);
        Assert.Equal(1, report.Details["rack1"].Cost!.Value);
    }

    [Fact]
    public void Cost_PriceSheetAndTariff_AddInstanceAndEnergy()
    {
        var sheet = PriceSheet.Parse(new StringReader(
            "EndTimestamp,InstanceID,Region,AssetClass,InstanceIDField,InstanceType,MarketPriceHourly,Version\n,h11,,node,,,0.8,1\n")).Value!;
        var tariff = PowerTariff.Parse(new StringReader("locality,from_hour,to_hour,price_per_kwh\n*,0,24,0.10\nrack2,0,6,0.50\n")).Value!;
        var forecasts = AllCpu(1).Append(ScoringFixture.Constant("h11", Core.Resources.ResourceKind.Power, 500))
            .Append(ScoringFixture.Constant("h21", Core.Resources.ResourceKind.Power, 500)).ToList();
        var report = new LocalityScorer().Assess(Rich(), forecasts, T0, new ScoringContext { Prices = sheet, Tariff = tariff });
        var h11 = report.Details["h11"].Cost!;
        Assert.Equal(0.8, h11.InstancePerHour, 12);
        Assert.Equal(0.05, h11.EnergyPerHour, 12); // 0.5 kW × 0.10
        var h21 = report.Details["h21"].Cost!;
        Assert.Equal(0.4, h21.InstancePerHour, 12);
        Assert.Equal(0.25, h21.EnergyPerHour, 12); // night band of rack2: 0.5 kW × 0.50 (T0 is midnight UTC)
    }

    [Fact]
    public void Tariff_BandsWrapMidnightAndNearestLocalityWins()
    {
        var t = Rich();
        var tariff = new PowerTariff([new("*", 0, 0, 0.1), new("z1", 22, 6, 0.05)]);
        Assert.Equal(0.05, tariff.PriceAt(t, "h11", T0.AddHours(23)));
        Assert.Equal(0.05, tariff.PriceAt(t, "h11", T0.AddHours(2)));
        Assert.Equal(0.1, tariff.PriceAt(t, "h11", T0.AddHours(12)));
    }

    [Fact]
    public void Parse_BadRows_ComeBackAsLineNumberedErrors()
    {
        var r = PriceSheet.Parse(new StringReader("InstanceID,MarketPriceHourly\nh1,abc\nh2,0.3\n"));
        Assert.Equal(["line 2: MarketPriceHourly 'abc' is not a non-negative number"], r.Errors);
        Assert.Single(r.Value!.Rows);
        Assert.False(PowerTariff.Parse(new StringReader("locality,from,to,price\nx,25,3,1\n")).IsValid);
        Assert.Equal(5, LatencyMatrix.Parse(new StringReader("from,to,latency_ms\nrack1,rack2,5\n")).Value!.Between(Rich(), "h11", "h22"));
    }

    [Fact]
    public void Latency_DefaultsByDivergenceLevelAndExplicitAncestorPairs()
    {
        var t = Rich();
        var d = LatencyMatrix.DefaultsOnly;
        Assert.Equal(d.Defaults.SameHost, d.Between(t, "h11", "h11"));
        Assert.Equal(d.Defaults.SameRack, d.Between(t, "h11", "h12"));
        Assert.Equal(d.Defaults.SameZone, d.Between(t, "h11", "h21"));
        Assert.Equal(d.Defaults.SameRack, d.Between(t, "rack1", "h11")); // inside: as far as two hosts of the rack
        var m = new LatencyMatrix([("rack1", "rack2", 3), ("h11", "h21", 7)]);
        Assert.Equal(7, m.Between(t, "h21", "h11"));
        Assert.Equal(3, m.Between(t, "h12", "h22"));
    }

    [Fact]
    public void Proximity_OwnWorkloadsUseTheirDependencies()
    {
        var ctx = new ScoringContext { Latency = new LatencyMatrix([("rack1", "rack2", 5)]) };
        var report = new LocalityScorer().Assess(Rich(), AllCpu(1), T0, ctx);
        var h11 = report.Details["h11"].Proximity!;
        Assert.True(h11.OwnWorkloads);
        Assert.Equal(5, h11.MeanLatencyMs, 12); // api on h11 → db on h21
        Assert.Equal(1.0 / 6, h11.Value, 12);  // 1 ms / (1 ms + 5 ms)
        var h12 = report.Details["h12"].Proximity!;
        Assert.False(h12.OwnWorkloads);        // nothing runs there: distance to the fleet's traffic
        Assert.Equal((0.1 + 5) / 2, h12.MeanLatencyMs, 12);
    }

    [Fact]
    public void Proximity_FleetTrafficFastPathMatchesTheExactPath()
    {
        // h12 runs nothing: half the traffic mass sits on h11 (same rack, 0.1 ms), half on h21 (same zone, 0.5 ms).
        var fast = new LocalityScorer().Assess(Rich(), AllCpu(1), T0).Details;
        var exact = new LocalityScorer().Assess(Rich(), AllCpu(1), T0, new ScoringContext { Latency = new LatencyMatrix([("h11", "h22", 9)]) }).Details;
        Assert.Equal(0.3, fast["h12"].Proximity!.MeanLatencyMs, 12);
        Assert.Equal(0.3, exact["h12"].Proximity!.MeanLatencyMs, 12);
        Assert.Equal(exact["rack2"].Proximity!.MeanLatencyMs, fast["rack2"].Proximity!.MeanLatencyMs, 12);
    }

    [Fact]
    public void Weights_FollowThePolicySchedule()
    {
        var night = new ScoringWeights(0.1, 0.1, 0.7, 0.1);
        var policy = Policy.Default with { Schedule = [new WeightWindow(22, 6, night)] };
        var at = T0.AddHours(1);
        var s = new LocalityScorer().Score(Rich(policy: policy), AllCpu(1), at).Single(x => x.Locality == "h11");
        Assert.Equal(0.7, s.Parts["cost"].Weight);
        var day = new LocalityScorer().Score(Rich(policy: policy), AllCpu(1), T0.AddHours(12)).Single(x => x.Locality == "h11");
        Assert.Equal(0.15, day.Parts["cost"].Weight);
    }

    [Fact]
    public void Capacity_ExplainsProbabilityAndTimeToExhaustion()
    {
        // Mean 3.5 of 4 cores, q90 = 3.5 + 1.2816·0.5 = 4.1408: the CDF is linear between q50 and q90, so
        // F(4) = 0.5 + 0.4·0.5/0.6408 and P(X ≥ 4) = 0.18788 at every step.
        var report = new LocalityScorer().Assess(Rich(), [Cpu("h11", 3.5, 0.5)], T0);
        var cpu = report.Details["h11"].Capacity.Single();
        Assert.Equal(0.5 - 0.4 * 0.5 / (1.2815515655 * 0.5), cpu.ProbabilityWithinHorizon, 9);
        Assert.Null(cpu.LikelyExhaustedBy);
        Assert.Contains("P(reaching capacity within 30 min) = 18.79%", report.Scores.Single(s => s.Locality == "h11").Parts["capacity"].Explanation, StringComparison.Ordinal);
    }
}
