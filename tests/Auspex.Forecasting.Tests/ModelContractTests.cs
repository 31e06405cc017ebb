using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Tests;

/// <summary>The contract every model in the suite must honour (CONVENTIONS #9).</summary>
public sealed class ModelContractTests
{
    private static readonly double[] Levels = [80, 95];

    private static readonly Lazy<GlobalLinear> Global = new(() => GlobalLinear.Train(
        Enumerable.Range(0, 12).Select(i => TestSeries.Seasonal(24 * 20, level: 50 + 10 * i, seed: 100 + i)).ToList(),
        new GlobalLinearOptions { Lags = 48, Horizon = 24 }));

    private static readonly Lazy<GlobalBoosted> Boosted = new(() => GlobalBoosted.Train(
        Enumerable.Range(0, 12).Select(i => TestSeries.Seasonal(24 * 20, level: 50 + 10 * i, seed: 100 + i)).ToList(),
        new GlobalBoostedOptions { Horizon = 24, Rounds = 60, MinSamplesLeaf = 20 }));

    // Bands learned on the backtests of 12 seasonal series (sNaive and Theta combined, Theta's offsets).
    private static readonly Lazy<QuantileBands> LearnedBands = new(() =>
    {
        IForecastModel[] members = [new SeasonalNaive(24), new Theta(24)];
        var examples = Enumerable.Range(0, 12).Select(i =>
        {
            var y = TestSeries.Seasonal(24 * 15, level: 50 + 10 * i, seed: 200 + i);
            var outs = members.Select(m => m.Forecast(y[..^24], 24, Levels)).ToArray();
            return new BandExample(Combination.Combine("c", outs, [1, 1], Levels, bandsFrom: 1), outs, [1, 1], QuantileBands.Scale(y[..^24], 24), y[^24..]);
        }).ToList();
        return QuantileBands.Fit(examples, Levels);
    });

    /// <summary>Every model under contract, by name; add new models here.</summary>
    public static TheoryData<string> ModelNames => new(ModelFactories.Keys);

    internal static readonly Dictionary<string, Func<IForecastModel>> ModelFactories = new()
    {
        ["Naive"] = () => new Naive(),
        ["SeasonalNaive"] = () => new SeasonalNaive(24),
        ["Naive2"] = () => new Naive2(24),
        ["Theta"] = () => new Theta(24),
        ["OptimisedTheta"] = () => new Theta(24, ThetaVariant.Optimised),
        ["AutoETS"] = () => new AutoEts(24),
        ["AutoARIMA"] = () => new AutoArima(24),
        ["Combination"] = () => new Combination([new SeasonalNaive(24), new Theta(24)]),
        ["WeightedCombination"] = () => new Combination([new SeasonalNaive(24), new Theta(24)], weights: [3, 1]),
        ["BacktestWeightedCombination"] = () => new BacktestWeightedCombination([new SeasonalNaive(24), new Theta(24)], [new SeasonalNaive(24), new Theta(24)], 24, 24, bandsFrom: 1),
        ["LearnedBandsCombination"] = () => new Combination([new SeasonalNaive(24), new Theta(24)], weights: [1, 2], bandsFrom: 1, learnedBands: LearnedBands.Value, season: 24, nonNegative: true),
        ["MSTL"] = () => new Mstl([24, 168]),
        ["Auto"] = () => new AutoSelect([new SeasonalNaive(24), new Theta(24), new Mstl([24], new Theta(1))], new AutoSelectOptions { CrossValidation = new() { Horizon = 24, Windows = 2 } }),
        ["AutoEnsemble"] = () => new AutoSelect([new SeasonalNaive(24), new Theta(24), new Naive2(24)], new AutoSelectOptions { CrossValidation = new() { Horizon = 24, Windows = 3 }, EnsembleSize = 2 }),
        ["GlobalLinear"] = () => Global.Value,
        ["GlobalBoosted"] = () => Boosted.Value,
        ["ETS(M,Ad,M)"] = () => new AutoEts(24, new EtsSpec(EtsError.Multiplicative, EtsTrend.Damped, EtsSeason.Multiplicative)),
    };

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void FitThenPredict_EqualsForecast(string name)
    {
        var y = TestSeries.Seasonal(24 * 15);
        var model = ModelFactories[name]();
        var a = model.Forecast(y, 30, Levels);
        var b = model.Fit(y).Predict(30, Levels);
        Assert.Equal(a.Mean, b.Mean);
        foreach (var level in Levels)
        {
            Assert.Equal(a.Lower(level), b.Lower(level));
            Assert.Equal(a.Upper(level), b.Upper(level));
        }
        Assert.Equal(a.Model, b.Model);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Forecast_BandsOrderedAndWideningWithLevel(string name)
    {
        var y = TestSeries.Seasonal(24 * 15, seed: 7);
        var f = ModelFactories[name]().Forecast(y, 48, [50, 80, 95, 99]);
        Assert.Equal(ForecastStatus.Ok, f.Status);
        Assert.Equal(48, f.Mean.Length);
        double[]? prevLo = null, prevHi = null;
        foreach (var level in new double[] { 50, 80, 95, 99 })
        {
            var lo = f.Lower(level);
            var hi = f.Upper(level);
            for (var i = 0; i < 48; i++)
            {
                Assert.True(double.IsFinite(f.Mean[i]));
                Assert.True(lo[i] <= f.Mean[i] && f.Mean[i] <= hi[i], $"step {i} level {level}: {lo[i]} <= {f.Mean[i]} <= {hi[i]}");
                if (prevLo is not null)
                {
                    Assert.True(lo[i] <= prevLo[i] && hi[i] >= prevHi![i], $"level {level} not wider at step {i}");
                }
            }
            prevLo = lo;
            prevHi = hi;
        }
        // The band is strictly wider at 95 than at 80 somewhere (intervals are not degenerate).
        Assert.Contains(Enumerable.Range(0, 48), i => f.Upper(95)[i] - f.Lower(95)[i] > f.Upper(80)[i] - f.Lower(80)[i]);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Fit_InSampleFittedHasOneValuePerObservation(string name)
    {
        var y = TestSeries.Seasonal(24 * 10, seed: 3);
        var fit = ModelFactories[name]().Fit(y);
        Assert.Equal(y.Length, fit.Fitted.Count);
        Assert.True(fit.Fitted.Skip(y.Length / 2).All(double.IsFinite));
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Forecast_NaNInput_FailsWithReasonInsteadOfThrowing(string name)
    {
        var y = TestSeries.Seasonal(100);
        y[42] = double.NaN;
        var f = ModelFactories[name]().Forecast(y, 5, Levels);
        Assert.Equal(ForecastStatus.Failed, f.Status);
        Assert.Contains("index 42", f.Reason, StringComparison.Ordinal);
        Assert.Empty(f.Mean);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Forecast_EmptyInput_Fails(string name)
    {
        var f = ModelFactories[name]().Forecast([], 5, Levels);
        Assert.False(f.IsSuccess);
        Assert.NotNull(f.Reason);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Forecast_VeryShortSeries_ReturnsFiniteForecastOrReason(string name)
    {
        var f = ModelFactories[name]().Forecast([3.0, 4.0, 5.0], 6, Levels);
        Assert.True(f.IsSuccess, f.Reason);
        Assert.Equal(6, f.Mean.Length);
        Assert.All(f.Mean, v => Assert.True(double.IsFinite(v)));
        if (f.Status == ForecastStatus.Fallback)
        {
            Assert.False(string.IsNullOrWhiteSpace(f.Reason));
        }
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Forecast_ConstantSeries_ForecastsTheConstant(string name)
    {
        var y = Enumerable.Repeat(7.5, 24 * 10).ToArray();
        var f = ModelFactories[name]().Forecast(y, 24, Levels);
        Assert.True(f.IsSuccess, f.Reason);
        Assert.All(f.Mean, v => Assert.Equal(7.5, v, 6));
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Forecast_BadRequest_FailsWithReason(string name)
    {
        var y = TestSeries.Seasonal(200);
        var model = ModelFactories[name]();
        Assert.Equal(ForecastStatus.Failed, model.Forecast(y, 0, Levels).Status);
        Assert.Equal(ForecastStatus.Failed, model.Forecast(y, 3, [100]).Status);
    }
}
