using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Tests.Models;

public sealed class GlobalBoostedTests
{
    private static readonly GlobalBoostedOptions Small = new() { Horizon = 24, Rounds = 150, MinSamplesLeaf = 20, LearningRate = 0.1 };

    private static List<double[]> Set(int count, int length, int seed0) =>
        [.. Enumerable.Range(0, count).Select(i => TestSeries.Seasonal(length, level: 40 + 25 * i, amplitude: 8 + i, trend: 0, noise: 1, seed: seed0 + i))];

    [Fact]
    public void Trained_OnSeasonalSeries_BeatsSeasonalNaive_OnUnseenSeries()
    {
        var model = GlobalBoosted.Train(Set(10, 24 * 25, 1), Small);
        Assert.True(model.Rounds >= 1 && model.Rounds <= 150);
        Assert.Equal(10, model.TrainedOn);
        double gb = 0, sn = 0;
        foreach (var s in Set(5, 24 * 20 + 24, 50))
        {
            var train = s[..^24];
            var actual = s[^24..];
            var f = model.Forecast(train, 24, [95]);
            Assert.Equal(ForecastStatus.Ok, f.Status);
            var snf = new SeasonalNaive(24).Forecast(train, 24, [95]);
            gb += actual.Select((a, i) => Math.Abs(a - f.Mean[i])).Average();
            sn += actual.Select((a, i) => Math.Abs(a - snf.Mean[i])).Average();
        }
        Assert.True(gb < sn, $"GlobalBoosted MAE {gb / 5} vs seasonal naive {sn / 5}");
    }

    [Fact]
    public void ScaleFree_ASeriesTimesAThousand_ForecastsTimesAThousand()
    {
        var model = GlobalBoosted.Train(Set(8, 24 * 20, 1), Small);
        var y = TestSeries.Seasonal(24 * 15, level: 60, trend: 0, seed: 99);
        var a = model.Forecast(y, 24, [80]);
        var b = model.Forecast(y.Select(v => v * 1000).ToArray(), 24, [80]);
        for (var h = 0; h < 24; h++)
        {
            Assert.Equal(a.Mean[h] * 1000, b.Mean[h], 1e-6 * Math.Abs(b.Mean[h]));
            Assert.Equal(a.Upper(80)[h] * 1000, b.Upper(80)[h], 1e-6 * Math.Abs(b.Upper(80)[h]));
        }
    }

    [Fact]
    public void SameSeed_SameForecasts()
    {
        var set = Set(6, 24 * 20, 3);
        var a = GlobalBoosted.Train(set, Small).Forecast(set[0], 24, [95]);
        var b = GlobalBoosted.Train(set, Small).Forecast(set[0], 24, [95]);
        Assert.Equal(a.Mean, b.Mean);
        Assert.Equal(a.Upper(95), b.Upper(95));
    }

    [Fact]
    public void Bagged_ForecastIsTheMeanOfTheSingleModelsWithConsecutiveSeeds()
    {
        var set = Set(6, 24 * 20, 3);
        var y = set[1];
        var bag = GlobalBoosted.Train(set, new GlobalBoostedOptions { Horizon = 24, Rounds = 60, MinSamplesLeaf = 20, LearningRate = 0.1, Seed = 4, Bags = 3 });
        Assert.Equal(3, bag.Bags);
        var singles = Enumerable.Range(4, 3).Select(seed => GlobalBoosted.Train(set, new GlobalBoostedOptions { Horizon = 24, Rounds = 60, MinSamplesLeaf = 20, LearningRate = 0.1, Seed = seed })).ToArray();
        var means = singles.Select(m => m.Forecast(y, 24, [95]).Mean).ToArray();
        var f = bag.Forecast(y, 24, [95]);
        var fitted = singles.Select(m => m.Fit(y).Fitted).ToArray();
        var bagFitted = bag.Fit(y).Fitted;
        for (var h = 0; h < 24; h++)
        {
            Assert.Equal(means.Average(m => m[h]), f.Mean[h], 9);
            Assert.True(f.Lower(95)[h] < f.Mean[h] && f.Mean[h] < f.Upper(95)[h]);
        }
        for (var t = 30; t < y.Length; t += 17)
        {
            Assert.Equal(fitted.Average(v => v[t]), bagFitted[t], 9);
        }
        // The seeds really differ (row and feature subsampling), so the bag is not one of its members.
        Assert.NotEqual(means[0][5], means[1][5], 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => GlobalBoosted.Train(set, new GlobalBoostedOptions { Bags = 0 }));
    }

    [Fact]
    public void ConformalBands_WidenWithTheLevel_AndCoverMostHeldOutValues()
    {
        var model = GlobalBoosted.Train(Set(12, 24 * 25, 1), Small);
        var inside = 0;
        var total = 0;
        foreach (var s in Set(12, 24 * 21, 200))
        {
            var f = model.Forecast(s[..^24], 24, [50, 95]);
            for (var h = 0; h < 24; h++)
            {
                Assert.True(f.Upper(95)[h] >= f.Upper(50)[h] && f.Lower(95)[h] <= f.Lower(50)[h]);
                var v = s[s.Length - 24 + h];
                inside += v >= f.Lower(95)[h] && v <= f.Upper(95)[h] ? 1 : 0;
                total++;
            }
        }
        Assert.InRange(inside / (double)total, 0.85, 1.0);
    }

    [Fact]
    public void TrainMany_EqualsOneTrainPerJob_BitForBit()
    {
        // Two series lists, three seeds and round caps (sharing one feature matrix per list), a bagged job, and a job that
        // cannot train: every model forecasts exactly what GlobalBoosted.Train's model does, the failure carries Train's error.
        var full = Set(6, 24 * 18, 1);
        var shortened = full.Select(s => s[..^24]).ToList();
        var tooShort = new List<double[]> { new double[30] };
        GlobalBoostedOptions O(int seed, int rounds, int bags = 1, bool median = true) =>
            new() { Horizon = 24, Rounds = rounds, MinSamplesLeaf = 20, LearningRate = 0.1, Seed = seed, Bags = bags, MedianLoss = median };
        var jobs = new List<(IReadOnlyList<double[]>, GlobalBoostedOptions)>
        {
            (full, O(1, 60)), (full, O(2, 60)), (full, O(3, 120)), (shortened, O(1, 60)), (shortened, O(4, 40, bags: 2)),
            (full, O(5, 50, median: false)), (tooShort, O(1, 60)),
        };
        var many = GlobalBoosted.TrainMany(jobs, 2);
        var probe = TestSeries.Seasonal(24 * 12, level: 70, amplitude: 9, trend: 0, noise: 1, seed: 77);
        for (var j = 0; j < jobs.Count - 1; j++)
        {
            var single = GlobalBoosted.Train(jobs[j].Item1, jobs[j].Item2);
            var m = many[j].Model!;
            Assert.Null(many[j].Error);
            Assert.Equal(single.Rounds, m.Rounds);
            Assert.Equal(single.TrainingWindows, m.TrainingWindows);
            var a = single.Forecast(probe, 30, [80, 95]);
            var b = m.Forecast(probe, 30, [80, 95]);
            Assert.Equal(a.Mean.Select(BitConverter.DoubleToInt64Bits), b.Mean.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(a.Upper(95).Select(BitConverter.DoubleToInt64Bits), b.Upper(95).Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(a.Lower(80).Select(BitConverter.DoubleToInt64Bits), b.Lower(80).Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(a.Fitted.Select(BitConverter.DoubleToInt64Bits), b.Fitted.Select(BitConverter.DoubleToInt64Bits));
        }
        Assert.Null(many[^1].Model);
        var expected = Assert.Throws<ArgumentException>(() => GlobalBoosted.Train(tooShort, jobs[^1].Item2));
        Assert.Equal(expected.Message, many[^1].Error!.Message);
    }

    [Fact]
    public void Train_NoSeriesLongEnough_SaysHowManyPointsAreNeeded() =>
        Assert.Contains("385 points", Assert.Throws<ArgumentException>(() => GlobalBoosted.Train([new double[100]], new GlobalBoostedOptions())).Message, StringComparison.Ordinal);

    [Fact]
    public void ShortSeries_FallsBackToNaive_WithTheReason()
    {
        var model = GlobalBoosted.Train(Set(4, 24 * 20, 1), Small);
        var f = model.Forecast([1.0, 2, 3], 5, [80]);
        Assert.Equal(ForecastStatus.Fallback, f.Status);
        Assert.Contains("shorter than the 24 lags", f.Reason, StringComparison.Ordinal);
    }
}
