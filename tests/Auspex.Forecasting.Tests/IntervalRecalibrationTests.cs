using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Tests;

public sealed class IntervalRecalibrationTests
{
    private static ForecastOutput Band(double[] mean, double[] halfBelow, double[] halfAbove, double level = 95) =>
        ForecastOutput.WithBands("m", mean, [level], [mean.Select((v, i) => v - halfBelow[i]).ToArray()], [mean.Select((v, i) => v + halfAbove[i]).ToArray()], []);

    [Theory]
    [InlineData(10, 10, 8, 12, 0)] // at the forecast
    [InlineData(11, 10, 8, 12, 0.5)] // halfway to the upper bound
    [InlineData(4, 10, 8, 12, 3)] // three lower half-widths below
    [InlineData(13, 10, 9, 14, 0.75)] // asymmetric band: upper side is 4 wide
    [InlineData(11, 10, 10, 10, double.PositiveInfinity)] // zero-width band missed
    public void Score_IsTheStretchThatJustContainsTheValue(double y, double mean, double lo, double hi, double expected) =>
        Assert.Equal(expected, IntervalRecalibration.Score(y, mean, lo, hi), 12);

    [Fact]
    public void Fit_KnownScores_FactorIsTheConformalRankAndApplyStretchesEachSide()
    {
        // 19 one-step backtests, mean 0, band [-1, +2]; actuals give scores 0.1, 0.2, ..., 1.9 (alternating sides).
        var forecasts = new List<ForecastOutput>();
        var actuals = new List<double[]>();
        for (var k = 1; k <= 19; k++)
        {
            forecasts.Add(Band([0], [1], [2], 90));
            var score = k / 10.0;
            actuals.Add([k % 2 == 0 ? -score : 2 * score]);
        }
        // Level 90: rank ceil(20 * 0.9) = 18 -> the 18th smallest score, 1.8.
        var r = IntervalRecalibration.Fit(forecasts, actuals, [90], window: 0);
        var f = r.Factor(90, 0);
        Assert.Equal(1.8, f, 12);
        var applied = r.Apply(Band([5, 5], [1, 1], [2, 2], 90));
        Assert.Equal([5 - 1.8, 5 - 1.8], applied.Lower(90));
        Assert.Equal([5 + 3.6, 5 + 3.6], applied.Upper(90));
        Assert.Equal([5.0, 5.0], applied.Mean);
        // Steps beyond the calibrated horizon reuse the last factor.
        Assert.Equal(1.8, r.Factor(90, 7), 12);
    }

    [Fact]
    public void Fit_OverCoveringBands_AreNarrowedAndCoverageOnFreshDataLandsNearTheLevel()
    {
        // Gaussian errors sd 1 per step; the model's 95% band claims ±4 (far too wide, like averaged member bands).
        var rng = new Random(7);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        const int h = 12;
        (List<ForecastOutput> F, List<double[]> Y) Draw(int n)
        {
            var f = new List<ForecastOutput>();
            var y = new List<double[]>();
            for (var i = 0; i < n; i++)
            {
                var mean = Enumerable.Repeat(100.0, h).ToArray();
                f.Add(Band(mean, Enumerable.Repeat(4.0, h).ToArray(), Enumerable.Repeat(4.0, h).ToArray()));
                y.Add([.. mean.Select(v => v + Normal())]);
            }
            return (f, y);
        }
        var (calF, calY) = Draw(400);
        var r = IntervalRecalibration.Fit(calF, calY, [95]);
        Assert.InRange(r.Factor(95, 0), 1.96 / 4 * 0.85, 1.96 / 4 * 1.15);
        var (newF, newY) = Draw(2000);
        var inside = 0;
        for (var i = 0; i < newF.Count; i++)
        {
            var a = r.Apply(newF[i]);
            for (var t = 0; t < h; t++)
            {
                inside += newY[i][t] >= a.Lower(95)[t] && newY[i][t] <= a.Upper(95)[t] ? 1 : 0;
            }
        }
        var coverage = inside / (double)(newF.Count * h);
        Assert.InRange(coverage, 0.93, 0.97);
    }

    [Fact]
    public void Apply_LeavesUncalibratedLevelsAndFailedOutputsAlone()
    {
        var r = IntervalRecalibration.Fit([Band([0], [1], [1])], [[0.5]], [95], window: 0);
        var two = ForecastOutput.WithBands("m", [10], [80, 95], [[9], [8]], [[11], [12]], []);
        var a = r.Apply(two);
        Assert.Equal(9, a.Lower(80)[0]);
        Assert.Equal(11, a.Upper(80)[0]);
        var failed = ForecastOutput.Failed("m", "too short");
        Assert.Same(failed, r.Apply(failed));
        Assert.Throws<ArgumentException>(() => r.Factor(80, 0));
    }

    [Fact]
    public void Fit_BadInput_ThrowsNamingTheProblem()
    {
        var f = Band([0, 0], [1, 1], [1, 1]);
        Assert.Contains("2 series", Assert.Throws<ArgumentException>(() => IntervalRecalibration.Fit([f], [[0, 0], [0, 0]], [95])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => IntervalRecalibration.Fit([f], [[0, 0]], [100]));
        Assert.Contains("series 0", Assert.Throws<ArgumentException>(() => IntervalRecalibration.Fit([f], [[0, double.NaN]], [95])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => IntervalRecalibration.Fit([ForecastOutput.Failed("m", "x")], [[0]], [95]));
    }

    [Fact]
    public void Combination_Combine_WeightsMeansAndBoundsAndSkipsFailedMembers()
    {
        var a = ForecastOutput.WithBands("a", [10, 20], [95], [[8, 18]], [[12, 22]], []);
        var b = ForecastOutput.WithBands("b", [30, 40], [95], [[20, 30]], [[40, 50]], []);
        var c = Combination.Combine("c", [a, b], [3, 1], [95]);
        Assert.Equal([15, 25], c.Mean);
        Assert.Equal([11, 21], c.Lower(95));
        Assert.Equal([19, 29], c.Upper(95));
        // Bands from member 1's offsets (−10/+10) around the combined mean.
        var fromB = Combination.Combine("c", [a, b], [3, 1], [95], bandsFrom: 1);
        Assert.Equal([15, 25], fromB.Mean);
        Assert.Equal([5, 15], fromB.Lower(95));
        Assert.Equal([25, 35], fromB.Upper(95));
        var fromFailed = Combination.Combine("c", [a, ForecastOutput.Failed("b", "x")], [1, 1], [95], bandsFrom: 1);
        Assert.Equal([8, 18], fromFailed.Lower(95));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Combination([new Naive()], bandsFrom: 1));
        var onlyA = Combination.Combine("c", [a, ForecastOutput.Failed("b", "x")], [1, 5], [95]);
        Assert.Equal([10, 20], onlyA.Mean);
        Assert.Throws<ArgumentException>(() => Combination.Combine("c", [a, b], [1], [95]));
        Assert.Throws<ArgumentException>(() => Combination.Combine("c", [a, b], [-1, 2], [95]));
        Assert.Throws<ArgumentException>(() => new Combination([new Naive(), new SeasonalNaive(2)], weights: [0, 0]));
    }

    [Fact]
    public void Combination_InverseErrorWeights_KnownValues()
    {
        // MASE 1 and 2, power 2: weights 1 and 1/4 -> 0.8 and 0.2.
        var w = Combination.InverseErrorWeights([1, 2], 2);
        Assert.Equal(0.8, w[0], 12);
        Assert.Equal(0.2, w[1], 12);
        Assert.Equal([0.5, 0.5], Combination.InverseErrorWeights([1, 3], 0));
        Assert.Equal([1.0, 0.0], Combination.InverseErrorWeights([2, double.PositiveInfinity], 1));
        // A perfect backtest (error 0) takes (almost) all the weight but stays finite.
        var z = Combination.InverseErrorWeights([0, 1], 2);
        Assert.True(z[0] > 0.999 && double.IsFinite(z[0]));
        Assert.Throws<ArgumentException>(() => Combination.InverseErrorWeights([1, -1], 2));
        Assert.Throws<ArgumentException>(() => Combination.InverseErrorWeights([1, 1], -1));
    }

    [Fact]
    public void BacktestWeighted_WeightsAreInverseSquaredBacktestMaseAndTheForecastUsesThem()
    {
        var y = TestSeries.Seasonal(24 * 10, level: 50, trend: 0, amplitude: 10, noise: 1, seed: 5);
        var model = new BacktestWeightedCombination([new SeasonalNaive(24), new Naive()], [new SeasonalNaive(24), new Naive()], 24, 24);
        // By hand: each member forecasts the last 24 values from the rest; MASE with the seasonal-naive scale of the rest.
        var train = y[..^24];
        var scale = Enumerable.Range(24, train.Length - 24).Average(t => Math.Abs(train[t] - train[t - 24]));
        double Mase(IForecastModel m) => m.Forecast(train, 24, []).Mean.Select((v, t) => Math.Abs(y[^24..][t] - v)).Average() / scale;
        var e1 = Mase(new SeasonalNaive(24));
        var e2 = Mase(new Naive());
        var w = model.Weights(y);
        Assert.Equal(1 / (e1 * e1) / (1 / (e1 * e1) + 1 / (e2 * e2)), w[0], 9);
        Assert.True(w[0] > 0.8); // seasonal naive wins the backtest on a daily series
        var f = model.Forecast(y, 24, [80]);
        var sn = new SeasonalNaive(24).Forecast(y, 24, [80]);
        var nv = new Naive().Forecast(y, 24, [80]);
        for (var t = 0; t < 24; t++)
        {
            Assert.Equal(w[0] * sn.Mean[t] + w[1] * nv.Mean[t], f.Mean[t], 9);
        }
        // Too short for a backtest: equal weights.
        Assert.Equal([0.5, 0.5], model.Weights(y.AsSpan(0, 60)));
    }

    [Theory]
    [InlineData(BacktestErrorMeasure.Smape, 2.0)]
    [InlineData(BacktestErrorMeasure.SmapeTimesMase, 1.0)]
    public void BacktestWeighted_OtherErrorMeasures_WeightsFollowTheHandComputedErrors(BacktestErrorMeasure measure, double power)
    {
        // A level shift in the last days: naive and seasonal naive trade places between MASE and sMAPE.
        var y = TestSeries.Seasonal(24 * 10, level: 20, trend: 0.05, amplitude: 8, noise: 2, seed: 11);
        var model = new BacktestWeightedCombination([new SeasonalNaive(24), new Naive()], [new SeasonalNaive(24), new Naive()], 24, 24, power, measure: measure);
        var train = y[..^24];
        var actual = y[^24..];
        var scale = Enumerable.Range(24, train.Length - 24).Average(t => Math.Abs(train[t] - train[t - 24]));
        double Error(IForecastModel m)
        {
            var f = m.Forecast(train, 24, []).Mean;
            var smape = 200.0 * Enumerable.Range(0, 24).Average(t => Math.Abs(actual[t] - f[t]) / (Math.Abs(actual[t]) + Math.Abs(f[t])));
            var mase = Enumerable.Range(0, 24).Average(t => Math.Abs(actual[t] - f[t])) / scale;
            return measure == BacktestErrorMeasure.Smape ? smape : smape * mase;
        }
        var e1 = Math.Pow(Error(new SeasonalNaive(24)), -power);
        var e2 = Math.Pow(Error(new Naive()), -power);
        var w = model.Weights(y);
        Assert.Equal(e1 / (e1 + e2), w[0], 9);
        Assert.Equal(e2 / (e1 + e2), w[1], 9);
        // It differs from the MASE weighting with the same power on this series (the measure is really used).
        var byMase = new BacktestWeightedCombination([new SeasonalNaive(24), new Naive()], [new SeasonalNaive(24), new Naive()], 24, 24, power).Weights(y);
        Assert.NotEqual(byMase[0], w[0], 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BacktestWeightedCombination([new Naive()], [new Naive()], 24, 24, measure: (BacktestErrorMeasure)7));
    }

    [Fact]
    public void Combination_Weighted_EqualsTheWeightedMeanOfTheMembersForecasts()
    {
        var y = TestSeries.Seasonal(24 * 10, level: 50, seed: 3);
        var sn = new SeasonalNaive(24).Forecast(y, 24, [80]);
        var th = new Theta(24).Forecast(y, 24, [80]);
        var c = new Combination([new SeasonalNaive(24), new Theta(24)], weights: [1, 3]).Forecast(y, 24, [80]);
        for (var t = 0; t < 24; t++)
        {
            Assert.Equal(0.25 * sn.Mean[t] + 0.75 * th.Mean[t], c.Mean[t], 9);
            Assert.Equal(0.25 * sn.Upper(80)[t] + 0.75 * th.Upper(80)[t], c.Upper(80)[t], 9);
        }
    }

    [Fact]
    public void WeightsFromBacktest_HandComputedErrors_FailedOrShortMembersGetNoWeight()
    {
        double[] actual = [10, 20];
        // MAE 1 and 2 over scale 2: MASE 0.5 and 1; weights ∝ MASE^-2 = 4 : 1.
        var a = ForecastOutput.WithBands("a", [11, 19], [], [], [], []);
        var b = ForecastOutput.WithBands("b", [12, 18], [], [], [], []);
        var w = BacktestWeightedCombination.WeightsFromBacktest([a, b], actual, 2, BacktestErrorMeasure.Mase, 2);
        Assert.Equal(0.8, w[0], 12);
        Assert.Equal(0.2, w[1], 12);
        // sMAPE: 100·(1/21 + 1/39) and 100·(2/22 + 2/38); power 1.
        var sa = 100 * (1 / 21.0 + 1 / 39.0);
        var sb = 100 * (2 / 22.0 + 2 / 38.0);
        var ws = BacktestWeightedCombination.WeightsFromBacktest([a, b], actual, 2, BacktestErrorMeasure.Smape, 1);
        Assert.Equal(1 / sa / (1 / sa + 1 / sb), ws[0], 12);
        // A failed member and one whose forecast is shorter than the backtest get weight 0.
        var failed = ForecastOutput.Failed("f", "x");
        var shorter = ForecastOutput.WithBands("s", [10], [], [], [], []);
        var w3 = BacktestWeightedCombination.WeightsFromBacktest([a, failed, shorter], actual, 2, BacktestErrorMeasure.Mase, 2);
        Assert.Equal([1.0, 0, 0], w3);
        Assert.Throws<ArgumentOutOfRangeException>(() => BacktestWeightedCombination.WeightsFromBacktest([a], actual, 2, (BacktestErrorMeasure)9, 2));
    }
}
