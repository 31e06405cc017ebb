using System.Globalization;
using Auspex.Testing;
using FsCheck;
using FsCheck.Xunit;

namespace Auspex.Scoring.Tests;

public sealed class FailureRateModelTests
{
    [Fact]
    public void GammaRate_ProbabilityOfFailure_KnownValue()
    {
        // Gamma(a=2, b=100 h): P(≥1 in 50 h) = 1 − (100/150)² = 5/9.
        Assert.Equal(5.0 / 9, new GammaRate(2, 100).ProbabilityOfFailure(TimeSpan.FromHours(50)), 12);
        // A multiplier of 2 is the same as twice the horizon: 1 − (100/200)² = 0.75.
        Assert.Equal(0.75, new GammaRate(2, 100).ProbabilityOfFailure(TimeSpan.FromHours(50), 2), 12);
        Assert.Equal(0, new GammaRate(2, 100).ProbabilityOfFailure(TimeSpan.Zero));
    }

    [Fact]
    public void GammaRate_Update_AddsCountsAndExposure() =>
        Assert.Equal(new GammaRate(5, 300), new GammaRate(2, 100).Update(3, 200));

    [Fact]
    public void LogNegBin_MatchesDirectFormula()
    {
        // a = 1, b = 1, t = 1: P(n) = (1/2)^(n+1) (geometric).
        Assert.Equal(Math.Log(0.125), FailureRateModel.LogNegBin(2, 1, 1, 1), 10);
    }

    [Fact]
    public void Fit_NoisyUnitsShrinkTowardsTheirGroup()
    {
        // Rack A: one host with 10 failures, three with 0; rack B: four hosts with 1 each; 1000 h each.
        var units = new List<FailureExposure>();
        for (var i = 0; i < 4; i++)
        {
            units.Add(new($"a{i}", ["z", "A"], 1000, i == 0 ? 10 : 0));
            units.Add(new($"b{i}", ["z", "B"], 1000, 1));
        }
        var m = FailureRateModel.Fit(units);
        var hot = m.Posterior(["z", "A"], "a0").MeanPerHour;
        var cold = m.Posterior(["z", "A"], "a1").MeanPerHour;
        Assert.InRange(hot, m.Posterior(["z", "A"], "new").MeanPerHour, 10.0 / 1000); // between its rack and its own MLE
        Assert.True(cold > 0, "a host without failures still has a positive rate, borrowed from its rack");
        Assert.True(cold < hot);
        Assert.Equal(14.0 / 8000, m.GlobalRatePerHour, 12); // 10 + 4·1 failures over 8 hosts × 1000 h
    }

    [Fact]
    public void Posterior_UnknownRack_FallsBackToZone()
    {
        var m = FailureRateModel.Fit([new("h1", ["z1", "r1"], 1000, 2), new("h2", ["z2", "r2"], 1000, 20)]);
        var z2New = m.Posterior(["z2", "unseen"], "h9").MeanPerHour;
        var z1New = m.Posterior(["z1", "unseen"], "h9").MeanPerHour;
        Assert.True(z2New > z1New, "a new rack in the failing zone inherits the zone's higher rate");
    }

    [Fact]
    public void Fit_NoData_PredictsZeroWithoutThrowing()
    {
        var m = FailureRateModel.Fit([]);
        Assert.Equal(0, m.Posterior(["z", "r"], "h").ProbabilityOfFailure(TimeSpan.FromDays(1)), 9);
    }

    [Property(MaxTest = 50)]
    public bool MoreFailures_NeverLowerRisk(PositiveInt extra, NonNegativeInt baseFailures)
    {
        List<FailureExposure> Units(int n) =>
        [
            new("h1", ["z", "r"], 500, n), new("h2", ["z", "r"], 500, 1), new("h3", ["z", "s"], 500, 0),
        ];
        var before = FailureRateModel.Fit(Units(baseFailures.Get % 50)).Posterior(["z", "r"], "h1").ProbabilityOfFailure(TimeSpan.FromHours(24));
        var after = FailureRateModel.Fit(Units(baseFailures.Get % 50 + extra.Get % 50 + 1)).Posterior(["z", "r"], "h1").ProbabilityOfFailure(TimeSpan.FromHours(24));
        return after >= before - 1e-12;
    }

    [Fact]
    public void Fit_LanlSystem3Sample_ShrinksEveryNodeBetweenItsOwnRateAndTheSystemRate()
    {
        var lines = File.ReadAllLines(RepoPaths.Samples("failures", "lanl_system3_failures.csv")).Skip(1);
        var counts = new int[128];
        foreach (var l in lines)
        {
            counts[int.Parse(l.Split(',')[6], CultureInfo.InvariantCulture)]++;
        }
        var hours = TimeSpan.FromDays(724).TotalHours; // 2003-09-13 → 2005-09-06
        var m = FailureRateModel.Fit(Enumerable.Range(0, 128).Select(i => new FailureExposure($"n{i}", ["sys3"], hours, counts[i])).ToList());
        Assert.Equal(299, counts.Sum());
        var global = 299 / (128 * hours);
        Assert.Equal(global, m.GlobalRatePerHour, 12);
        for (var i = 0; i < 128; i++)
        {
            var own = counts[i] / hours;
            var post = m.Posterior(["sys3"], $"n{i}").MeanPerHour;
            Assert.InRange(post, Math.Min(own, global) - 1e-12, Math.Max(own, global) + 1e-12);
        }
    }

    [Fact]
    public void Calibration_KnownValues()
    {
        (double, bool)[] f = [(0.9, true), (0.2, false), (0.5, true)];
        Assert.Equal((0.01 + 0.04 + 0.25) / 3, Calibration.Brier(f), 12);
        var bins = Calibration.Reliability(f, [0, 0.5, 1]);
        Assert.Equal(1, bins[0].Count);
        Assert.Equal(2, bins[1].Count);
        Assert.Equal(0.7, bins[1].MeanPredicted, 12);
        Assert.Equal(1, bins[1].ObservedRate, 12);
        Assert.Equal(0.5, Calibration.SkillScore(0.05, 0.1), 12);
    }

    [Fact]
    public void RiskMath_Multiplier_KnownValues()
    {
        var o = new ScoringOptions();
        Assert.Equal(1, RiskMath.Multiplier(default, o));
        Assert.Equal(2, RiskMath.Multiplier(new HostCovariates(40, null, null), o), 12); // +10 °C doubles
        Assert.Equal(2, RiskMath.Multiplier(new HostCovariates(null, 1.0, null), o), 12); // full load ×2
        Assert.Equal(2, RiskMath.Multiplier(new HostCovariates(null, null, 0.5), o), 12); // 4^0.5
        Assert.Equal(8, RiskMath.Multiplier(new HostCovariates(40, 1.0, 0.5), o), 12);
        Assert.Equal(1, RiskMath.Multiplier(new HostCovariates(20, 0.5, 0), o), 12);
    }

    [Fact]
    public void DiscountedHours_HalfLife_KnownValue()
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        // ∫₀^{2h} 2^(−a/1h) da = (1/ln 2)(1 − 1/4).
        Assert.Equal(0.75 / Math.Log(2), FailureHistory.DiscountedHours(t0, t0.AddHours(2), TimeSpan.FromHours(1)), 12);
        Assert.Equal(2, FailureHistory.DiscountedHours(t0, t0.AddHours(2), null), 12);
        Assert.Equal(0.25, FailureHistory.Weight(TimeSpan.FromHours(2), TimeSpan.FromHours(1)), 12);
    }
}
