using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Tests.Models;

public sealed class AutoSelectTests
{
    private static AutoSelect Selector(int ensemble = 1, IntervalMethod intervals = IntervalMethod.Conformal) =>
        new([new Naive(), new SeasonalNaive(24), new Theta(24)], new AutoSelectOptions
        {
            CrossValidation = new() { Horizon = 24, Windows = 3 },
            EnsembleSize = ensemble,
            Intervals = intervals,
        });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SharedCrossValidationCache_BacktestThenFinal_SameForecastsAndTwoWindowsReused(int seed)
    {
        // The -q service's pattern: the backtest selection on the series minus its last 48 values, then the final one on
        // the whole series, both through one cache: bit-identical to selections without it, and of the final's 3 × 5
        // window forecasts the 2 × 5 shared with the backtest are not recomputed.
        var y = TestSeries.Seasonal(24 * 30, trend: 0.02 * seed, amplitude: 10 + seed, noise: 1 + seed, seed: seed);
        var seasons = new[] { 24, 168 };
        var cache = new CrossValidationCache(y);
        var backtest = ModelCatalog.CreateAuto(seasons, 48, cache).Forecast(y[..^48], 48, [80, 95]);
        Assert.Equal((15, 0), (cache.Computed, cache.Reused));
        var final = ModelCatalog.CreateAuto(seasons, 48, cache).Forecast(y, 48, [80, 95]);
        Assert.Equal((20, 10), (cache.Computed, cache.Reused));
        var plainBacktest = ModelCatalog.Create("auto", seasons, 48)!.Forecast(y[..^48], 48, [80, 95]);
        var plainFinal = ModelCatalog.Create("auto", seasons, 48)!.Forecast(y, 48, [80, 95]);
        foreach (var (a, b) in new[] { (plainBacktest, backtest), (plainFinal, final) })
        {
            Assert.Equal(a.Model, b.Model);
            Assert.Equal(a.Mean.Select(BitConverter.DoubleToInt64Bits), b.Mean.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(a.Lower(95).Select(BitConverter.DoubleToInt64Bits), b.Lower(95).Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(a.Upper(80).Select(BitConverter.DoubleToInt64Bits), b.Upper(80).Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(a.CrossValidation!.Rows, b.CrossValidation!.Rows);
        }
        // A history that is not a prefix of the cache's series is forecast afresh, never served from the memo.
        var other = y.Select(v => v + 1).ToArray();
        var shifted = ModelCatalog.CreateAuto(seasons, 48, cache).Forecast(other, 48, [95]);
        Assert.Equal((20, 10), (cache.Computed, cache.Reused));
        Assert.Equal(ModelCatalog.Create("auto", seasons, 48)!.Forecast(other, 48, [95]).Mean, shifted.Mean);
    }

    [Fact]
    public void Auto_StrongDailyPattern_SelectsSeasonalModelAndKeepsTable()
    {
        var y = TestSeries.Seasonal(24 * 20, trend: 0, amplitude: 30, noise: 0.5);
        var f = Selector().Forecast(y, 24, [80, 95]);
        Assert.Equal(ForecastStatus.Ok, f.Status);
        var table = f.CrossValidation!;
        Assert.Equal(9, table.Rows.Count); // 3 models × 3 windows
        Assert.NotEqual("Naive", table.Selected[0]);
        Assert.Equal("Naive", table.Ranking[^1].Model);
        Assert.StartsWith("Auto(", f.Model, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_BenchmarkMargin_KeepsTheFirstCandidateUnlessBeatenByTheMargin()
    {
        // Naive (first, the benchmark) against seasonal naive on a daily series: the margin decides exactly at the
        // ratio of their mean CV MAEs.
        var y = TestSeries.Seasonal(24 * 20, trend: 0, amplitude: 8, noise: 2);
        AutoSelect Make(double margin) => new([new Naive(), new SeasonalNaive(24)], new AutoSelectOptions
        {
            CrossValidation = new() { Horizon = 24, Windows = 3 },
            BenchmarkMargin = margin,
        });
        var plain = Make(0).Forecast(y, 24, [80]).CrossValidation!;
        var mae = plain.Ranking.ToDictionary(r => r.Model, r => r.MeanMae);
        var ratio = mae["SeasonalNaive"] / mae["Naive"];
        Assert.InRange(ratio, 0.1, 0.9);
        Assert.Equal("SeasonalNaive", plain.Selected[0]);
        Assert.Equal("SeasonalNaive", Make(1 - ratio - 0.05).Forecast(y, 24, [80]).CrossValidation!.Selected[0]);
        var floored = Make(1 - ratio + 0.05).Forecast(y, 24, [80]);
        Assert.Equal("Naive", floored.CrossValidation!.Selected[0]);
        Assert.Equal(y[^1], floored.Mean[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Make(1));
    }

    [Fact]
    public void Auto_CvOrigins_AreRollingAndNonOverlapping()
    {
        var cv = new CrossValidationOptions { Horizon = 10, Windows = 3, MinTrainLength = 5 };
        Assert.Equal([70, 80, 90], cv.Origins(100));
        var stepped = new CrossValidationOptions { Horizon = 10, Windows = 3, Step = 1, MinTrainLength = 5 };
        Assert.Equal([88, 89, 90], stepped.Origins(100));
        Assert.Empty(new CrossValidationOptions { Horizon = 10, Windows = 3 }.Origins(50));
    }

    [Fact]
    public void Auto_TooShortForCv_FallsBackWithReason()
    {
        var f = Selector().Forecast(TestSeries.Seasonal(40), 5, [80]);
        Assert.Equal(ForecastStatus.Fallback, f.Status);
        Assert.Contains("too few for cross-validation", f.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_Ensemble_MeanIsAverageOfMembers()
    {
        var y = TestSeries.Seasonal(24 * 20, seed: 4);
        var f = Selector(ensemble: 2).Forecast(y, 12, [80]);
        var chosen = f.CrossValidation!.Selected;
        Assert.Equal(2, chosen.Count);
        IForecastModel Make(string n) => n switch { "Naive" => new Naive(), "SeasonalNaive" => new SeasonalNaive(24), _ => new Theta(24) };
        var a = Make(chosen[0]).Forecast(y, 12, []).Mean;
        var b = Make(chosen[1]).Forecast(y, 12, []).Mean;
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal((a[i] + b[i]) / 2, f.Mean[i], 9);
        }
    }

    [Fact]
    public void Conformal_Intervals_CoverAboutTheNominalShareOnIidNoise()
    {
        // White noise around a daily pattern: 80% conformal bands of seasonal naive should cover most of a fresh day.
        var covered = 0;
        var total = 0;
        for (var seed = 0; seed < 20; seed++)
        {
            var all = TestSeries.Seasonal(24 * 21, trend: 0, noise: 3, seed: 200 + seed);
            var y = all[..(24 * 20)];
            var f = new AutoSelect([new SeasonalNaive(24)], new AutoSelectOptions { CrossValidation = new() { Horizon = 24, Windows = 5 } }).Forecast(y, 24, [80]);
            var lo = f.Lower(80);
            var hi = f.Upper(80);
            for (var i = 0; i < 24; i++)
            {
                total++;
                if (all[24 * 20 + i] >= lo[i] && all[24 * 20 + i] <= hi[i])
                {
                    covered++;
                }
            }
        }
        var share = (double)covered / total;
        Assert.InRange(share, 0.70, 0.92);
    }

    [Fact]
    public void Auto_ModelIntervals_UsesTheSelectedModelsOwnBands()
    {
        var y = TestSeries.Seasonal(24 * 20, trend: 0, amplitude: 30, noise: 0.5);
        var f = Selector(intervals: IntervalMethod.Model).Forecast(y, 24, [80]);
        Assert.NotNull(f.StdDev);
    }

    [Fact]
    public void GlobalLinear_LearnsSharedPatternAcrossSeries()
    {
        var series = Enumerable.Range(0, 10).Select(i => TestSeries.Seasonal(24 * 15, level: 100 * (i + 1), amplitude: 10 * (i + 1), trend: 0, noise: 0.3, seed: i)).ToList();
        var model = GlobalLinear.Train(series, new GlobalLinearOptions { Lags = 48, Horizon = 24 });
        Assert.Equal(10, model.TrainedOn);
        var fresh = TestSeries.Seasonal(24 * 15 + 24, level: 550, amplitude: 55, trend: 0, noise: 0.3, seed: 99);
        var f = model.Forecast(fresh[..(24 * 15)], 24, [95]);
        var mae = f.Mean.Select((v, i) => Math.Abs(v - fresh[24 * 15 + i])).Average();
        Assert.True(mae < 3, $"mae {mae}");
    }

    [Fact]
    public void GlobalLinear_NoSeriesLongEnough_Throws()
    {
        Assert.Throws<ArgumentException>(() => GlobalLinear.Train([new double[10]], new GlobalLinearOptions { Lags = 48, Horizon = 24 }));
    }
}
