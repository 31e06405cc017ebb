using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Tests.Models;

public sealed class EtsThetaTests
{
    [Fact]
    public void Naive2_NonSeasonalSeries_IsPlainNaive()
    {
        var y = TestSeries.RandomWalk(200);
        var f = new Naive2(24).Forecast(y, 5, [95]);
        Assert.All(f.Mean, v => Assert.Equal(y[^1], v, 12));
    }

    [Fact]
    public void Naive2_SeasonalSeries_ReseasonalisesLastAdjustedValue()
    {
        double[] pattern = [0.5, 1.0, 1.5, 1.0];
        var y = Enumerable.Range(0, 40).Select(t => (10.0 + 0.0 * t) * pattern[t % 4]).ToArray();
        var f = new Naive2(4).Forecast(y, 8, [80]);
        for (var h = 0; h < 8; h++)
        {
            Assert.Equal(10 * pattern[(40 + h) % 4], f.Mean[h], 9);
        }
    }

    [Fact]
    public void Theta_NonSeasonal_EqualsSesPlusHalfDrift()
    {
        // Hyndman & Billah (2003): theta forecast = SES + b/2 (h - 1 + (1 - (1 - α)^n)/α), b the OLS slope.
        var y = Enumerable.Range(0, 60).Select(t => 20 + 0.5 * t + (t % 3 == 0 ? 1.0 : -0.5)).ToArray();
        var f = new Theta(1).Forecast(y, 3, [80]);
        var (_, b) = Theta.LinearFit(y);
        var steps = f.Mean.Zip(f.Mean.Skip(1), (a, c) => c - a).ToArray();
        Assert.All(steps, s => Assert.Equal(b / 2, s, 9));
    }

    [Fact]
    public void OptimisedTheta_OnNoisyTrend_FollowsTheTrendMoreThanStandard()
    {
        var rng = new Random(11);
        var y = Enumerable.Range(0, 200).Select(t => 10 + 1.0 * t + TestSeries.Normal(rng)).ToArray();
        var standard = new Theta(1).Forecast(y, 20, [80]).Mean[^1];
        var optimised = new Theta(1, ThetaVariant.Optimised).Forecast(y, 20, [80]).Mean[^1];
        var truth = 10 + 1.0 * 219;
        Assert.True(Math.Abs(optimised - truth) < Math.Abs(standard - truth), $"optimised {optimised}, standard {standard}, truth {truth}");
    }

    [Fact]
    public void AutoEts_SeasonalData_SelectsSeasonalModel()
    {
        var y = TestSeries.Seasonal(24 * 20, trend: 0, noise: 1);
        var fit = new AutoEts(24).Fit(y);
        Assert.Contains(",A)", fit.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AutoEts_RandomWalk_SelectsNonSeasonalSmoothingNearOne()
    {
        var y = TestSeries.RandomWalk(300, start: 500);
        var fit = new AutoEts(1).Fit(y);
        Assert.Matches(@"ETS\([AM],(N|A|Ad),N\)", fit.ToString());
        // Forecast close to the last value.
        var f = fit.Predict(1, [95]);
        Assert.Equal(y[^1], f.Mean[0], 0);
    }

    [Fact]
    public void EtsANN_Interval_MatchesClosedForm()
    {
        // ETS(A,N,N): var_h = σ²(1 + (h-1)α²).
        var y = TestSeries.RandomWalk(300, start: 500, seed: 9);
        var model = new AutoEts(1, new EtsSpec(EtsError.Additive, EtsTrend.None, EtsSeason.None));
        var f = model.Forecast(y, 5, [95]);
        var sd = f.StdDev!;
        var alpha2 = (sd[1] * sd[1] / (sd[0] * sd[0])) - 1;
        for (var h = 1; h <= 5; h++)
        {
            Assert.Equal(sd[0] * sd[0] * (1 + (h - 1) * alpha2), sd[h - 1] * sd[h - 1], 6);
        }
        Assert.InRange(alpha2, 0.5, 1.0); // α near 1 for a random walk
    }

    [Fact]
    public void AutoEts_MultiplicativeModels_NotUsedForNonPositiveData()
    {
        var y = TestSeries.Seasonal(24 * 10, level: 0, amplitude: 5, noise: 1);
        var fit = new AutoEts(24).Fit(y);
        Assert.StartsWith("ETS(A,", fit.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EtsSpec_All_HasFifteenCombinationsWithoutAdditiveErrorMultiplicativeSeason()
    {
        Assert.Equal(15, EtsSpec.All.Count);
        Assert.DoesNotContain(EtsSpec.All, s => s.Error == EtsError.Additive && s.Season == EtsSeason.Multiplicative);
        Assert.Equal("ETS(M,Ad,M)", new EtsSpec(EtsError.Multiplicative, EtsTrend.Damped, EtsSeason.Multiplicative).ToString());
    }

    [Fact]
    public void Mstl_TwoSeasonalities_BeatsSeasonalNaiveOnSmoothSeries()
    {
        var n = 24 * 7 * 6;
        var rng = new Random(3);
        var all = Enumerable.Range(0, n + 48).Select(t => 100 + 10 * Math.Sin(2 * Math.PI * t / 24) + 6 * Math.Sin(2 * Math.PI * t / 168) + TestSeries.Normal(rng)).ToArray();
        var y = all[..n];
        var mstl = new Mstl([24, 168]).Forecast(y, 48, [95]);
        var snaive = new SeasonalNaive(24).Forecast(y, 48, [95]);
        double Mae(double[] f) => f.Select((v, i) => Math.Abs(v - all[n + i])).Average();
        Assert.True(Mae(mstl.Mean) < Mae(snaive.Mean) * 0.8, $"mstl {Mae(mstl.Mean)} snaive {Mae(snaive.Mean)}");
    }
}
