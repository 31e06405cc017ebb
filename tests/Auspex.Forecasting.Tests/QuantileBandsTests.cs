using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Tests;

public sealed class QuantileBandsTests
{
    private static ForecastOutput Band(double[] mean, double[] halfBelow, double[] halfAbove, double level = 95) =>
        ForecastOutput.WithBands("m", mean, [level], [mean.Select((v, i) => v - halfBelow[i]).ToArray()], [mean.Select((v, i) => v + halfAbove[i]).ToArray()], []);

    private static void Near(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 6);
        }
    }

    private static double Pinball(double[] x, double[] z, int p, double q, double[] beta)
    {
        var loss = 0.0;
        for (var i = 0; i < z.Length; i++)
        {
            var r = z[i];
            for (var j = 0; j < p; j++)
            {
                r -= x[i * p + j] * beta[j];
            }
            loss += r >= 0 ? q * r : (q - 1) * r;
        }
        return loss;
    }

    [Fact]
    public void QuantileRegression_InterceptOnly_IsTheSampleQuantile()
    {
        // z = 1..100: every value in [90, 91] minimises the pinball loss at 0.9 (90 values at or below, 10 above).
        var z = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToArray();
        var x = Enumerable.Repeat(1.0, 100).ToArray();
        var beta = QuantileBands.QuantileRegression(x, z, 1, 0.9);
        Assert.InRange(beta[0], 90 - 1e-3, 91 + 1e-3);
        Assert.Equal(Pinball(x, z, 1, 0.9, [90.5]), Pinball(x, z, 1, 0.9, beta), 3);
    }

    [Fact]
    public void QuantileRegression_NoisyLinear_NoPerturbationLowersTheLoss()
    {
        var rng = new Random(7);
        const int n = 2000, p = 3;
        var x = new double[n * p];
        var z = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i * p] = 1;
            x[i * p + 1] = rng.NextDouble() * 4;
            x[i * p + 2] = rng.NextDouble();
            // Scale of the noise grows with x1: the 0.975 quantile line is steeper than the median's.
            z[i] = 0.5 + 2 * x[i * p + 1] - x[i * p + 2] + (0.2 + 0.5 * x[i * p + 1]) * (rng.NextDouble() - 0.5);
        }
        var beta = QuantileBands.QuantileRegression(x, z, p, 0.975);
        var best = Pinball(x, z, p, 0.975, beta);
        foreach (var j in Enumerable.Range(0, p))
        {
            foreach (var d in new[] { -0.01, 0.01, -0.001, 0.001 })
            {
                var other = (double[])beta.Clone();
                other[j] += d;
                Assert.True(Pinball(x, z, p, 0.975, other) >= best - 1e-6 * best, $"coefficient {j} moved by {d} lowered the loss");
            }
        }
        // Upper quantile of uniform noise of half-width (0.2 + 0.5·x1)/2: slope ≈ 2 + 0.475·0.5.
        Assert.InRange(beta[1], 2.1, 2.4);
        var share = Enumerable.Range(0, n).Count(i => z[i] <= beta[0] + beta[1] * x[i * p + 1] + beta[2] * x[i * p + 2]) / (double)n;
        Assert.InRange(share, 0.96, 0.99);
    }

    [Fact]
    public void Fit_ErrorsProportionalToTheOwnOffset_LearnsThatFactorPerSide()
    {
        // 40 series × 10 steps: the value lands 2 own-offsets above (upper side) or 0.5 below (lower side) the forecast.
        // With OwnOffset alone and every error exactly on the line, the fit is exact for any quantile.
        var examples = new List<BandExample>();
        var rng = new Random(3);
        for (var i = 0; i < 40; i++)
        {
            var mean = Enumerable.Range(0, 10).Select(t => 100.0 + t).ToArray();
            var half = Enumerable.Range(0, 10).Select(_ => 1 + rng.NextDouble() * 5).ToArray();
            var up = i % 2 == 0;
            var actual = mean.Select((m, t) => up ? m + 2 * half[t] : m - 0.5 * half[t]).ToArray();
            var combined = Band(mean, half, half);
            examples.Add(new BandExample(combined, [combined], [1], 2.0, actual));
        }
        var bands = QuantileBands.Fit(examples, [95], BandFeatures.OwnOffset);
        Assert.Equal(2, bands.Coefficients(95, lower: false)[0], 4);
        Assert.Equal(0.5, bands.Coefficients(95, lower: true)[0], 4);
        Assert.Equal(400, bands.Rows);

        // Applied: offsets scale with the own offset only (the series' scale cancels), a level not fitted is untouched.
        var f = ForecastOutput.WithBands("c", [10, 20], [80, 95], [[9, 18], [8, 16]], [[11, 22], [12, 24]], []);
        var applied = bands.Apply(f, [f], [1], scale: 7);
        Near([10 - 0.5 * 2, 20 - 0.5 * 4], applied.Lower(95));
        Near([10 + 2 * 2, 20 + 2 * 4], applied.Upper(95));
        Assert.Equal([9.0, 18.0], applied.Lower(80));
        Assert.Equal([11.0, 22.0], applied.Upper(80));
        Assert.Equal(f.Mean, applied.Mean);
        // No usable scale, or a failed forecast: unchanged.
        Assert.Same(f, bands.Apply(f, [f], [1], scale: 0));
        var failed = ForecastOutput.Failed("c", "x");
        Assert.Same(failed, bands.Apply(failed, [], [], 1));
    }

    [Fact]
    public void Fit_SpreadFeature_IsTheMembersStandardDeviationOverTheScale()
    {
        // Two members 2 apart around the combined forecast (spread 1); errors of 3 × spread above: coefficient 3.
        var examples = new List<BandExample>();
        for (var i = 0; i < 20; i++)
        {
            var s = 1 + i;
            var combined = Band([50, 60], [1, 1], [1, 1]);
            var a = Band([50 - s, 60 - s], [1, 1], [1, 1]);
            var b = Band([50 + s, 60 + s], [1, 1], [1, 1]);
            examples.Add(new BandExample(combined, [a, b], [0.5, 0.5], 0.5, [50 + 3 * s, 60 + 3 * s]));
        }
        var bands = QuantileBands.Fit(examples, [95], BandFeatures.Spread);
        // Feature = spread / scale = 2s; target = 3s / 0.5 = 6s → coefficient 3.
        Assert.Equal(3, bands.Coefficients(95, lower: false)[0], 4);
        // Lower side: the values are above the forecast (target −6s), so its offset is clipped at zero when applied.
        var c = Band([10], [1], [1]);
        var applied = bands.Apply(c, [Band([9], [1], [1]), Band([11], [1], [1])], [0.5, 0.5], scale: 1);
        Assert.Equal(10.0, applied.Lower(95)[0], 6);
        Assert.Equal(13.0, applied.Upper(95)[0], 6);
    }

    // History y = 1 3 2 5 4 9, season 2: seasonal-naive errors |2−1| = 1 and |4−2| = 2 at phase 0, |5−3| = 2 and |9−5| = 4
    // at phase 1, so the scale is 9/4 = 2.25 and the phase profile 1.5/2.25 = 2/3 (phase 0) and 3/2.25 = 4/3 (phase 1);
    // step 1 is index 6 (phase 0), step 2 index 7 (phase 1). The mean |y| of the last 7 seasons (all six values) is 4.
    private static readonly double[] History = [1, 3, 2, 5, 4, 9];

    [Theory]
    [InlineData(BandFeatures.PhaseProfile, 3.0, new[] { 2.0 / 3, 4.0 / 3 })]
    [InlineData(BandFeatures.LevelRatio, 0.5, new[] { 1.0, 2.0 })] // forecast 4 and 8 over the recent level 4
    [InlineData(BandFeatures.Constant | BandFeatures.ScaleByLevel, 0.5, new[] { 1.0, 2.0 })] // the constant × level ratio
    public void Fit_HistoryInput_IsTheHandComputedValue(BandFeatures feature, double factor, double[] input)
    {
        // The value lands factor × input scales above the forecast: the fit recovers factor on the upper side, −factor
        // on the lower one (the value is never below), and Apply puts the upper bound at mean + scale × factor × input.
        var combined = Band([4, 8], [1, 1], [1, 1]);
        var actual = new[] { 4 + 2.25 * factor * input[0], 8 + 2.25 * factor * input[1] };
        var bands = QuantileBands.Fit([new BandExample(combined, [combined], [1], 2.25, actual, History)], [95], feature, season: 2);
        Assert.Equal(factor, bands.Coefficients(95, lower: false)[0], 4);
        Assert.Equal(-factor, bands.Coefficients(95, lower: true)[0], 4);
        Assert.Equal(2, bands.Season);
        var applied = bands.Apply(combined, [combined], [1], 2.25, History);
        Near(actual, applied.Upper(95));
        Near([4, 8], applied.Lower(95)); // negative offset clipped to 0
        // Without the history (or with less than two seasons of it) the bands cannot be computed: unchanged.
        Assert.Same(combined, bands.Apply(combined, [combined], [1], 2.25));
        Assert.Same(combined, bands.Apply(combined, [combined], [1], 2.25, [1, 2, 3]));
    }

    [Fact]
    public void Fit_RecentVolatility_IsTheLastSevenSeasonsSeasonalNaiveMaeOverTheScale()
    {
        // Season 2, 18 values: 0 0 10 10, then +1 a season (11 11 12 12 … 17 17). Seasonal-naive errors 10, 10 and then
        // fourteen 1s: scale 34/16 = 2.125; the last 7 seasons (14 errors) have MAE 1, so the input is 1/2.125.
        double[] y = [0, 0, 10, 10, .. Enumerable.Range(0, 14).Select(k => 11.0 + k / 2)];
        Assert.Equal(17, y[^1]);
        Assert.Equal(2.125, QuantileBands.Scale(y, 2), 12);
        var input = 1 / 2.125;
        var combined = Band([20, 20, 20], [1, 1, 1], [1, 1, 1]);
        var actual = Enumerable.Repeat(20 + 2.125 * 2 * input, 3).ToArray();
        var bands = QuantileBands.Fit([new BandExample(combined, [combined], [1], 2.125, actual, y)], [95], BandFeatures.RecentVolatility, season: 2);
        Assert.Equal(2, bands.Coefficients(95, lower: false)[0], 4);
    }

    [Fact]
    public void Fit_HistoryInputs_BadInputIsRejectedWithTheReason()
    {
        var combined = Band([4, 8], [1, 1], [1, 1]);
        var ok = new BandExample(combined, [combined], [1], 2.25, [5, 9], History);
        var season = Assert.Throws<ArgumentException>(() => QuantileBands.Fit([ok], [95], BandFeatures.PhaseProfile, season: 1));
        Assert.Contains("season of at least 2", season.Message, StringComparison.Ordinal);
        var noHistory = Assert.Throws<ArgumentException>(() => QuantileBands.Fit([ok with { History = null }], [95], BandFeatures.LevelRatio, season: 2));
        Assert.Contains("history of at least 2 seasons", noHistory.Message, StringComparison.Ordinal);
        var shortHistory = Assert.Throws<ArgumentException>(() => QuantileBands.Fit([ok with { History = [1, 2, 3] }], [95], BandFeatures.ScaleByLevel | BandFeatures.Constant, season: 2));
        Assert.Contains("history of at least 2 seasons", shortHistory.Message, StringComparison.Ordinal);
        // ScaleByLevel alone is no input.
        Assert.Throws<ArgumentException>(() => QuantileBands.Fit([ok], [95], BandFeatures.ScaleByLevel, season: 2));
        var unknown = Assert.Throws<ArgumentException>(() => QuantileBands.Fit([ok], [95], (BandFeatures)1024 | BandFeatures.Constant, season: 2));
        Assert.Contains("Unknown band feature 1024", unknown.Message, StringComparison.Ordinal);
        // Without history inputs the season and the history are not needed.
        Assert.Equal(1, QuantileBands.Fit([ok with { History = null }], [95], BandFeatures.Constant).Season);
    }

    [Fact]
    public void Fit_BadInput_IsRejectedWithTheReason()
    {
        var ok = new BandExample(Band([1], [1], [1]), [], [], 1, [1]);
        Assert.Throws<ArgumentException>(() => QuantileBands.Fit([], [95]));
        Assert.Throws<ArgumentException>(() => QuantileBands.Fit([ok with { Scale = 0 }], [95]));
        Assert.Throws<ArgumentException>(() => QuantileBands.Fit([ok], [100]));
        Assert.Throws<ArgumentException>(() => QuantileBands.Fit([ok], [95], 0));
        Assert.Throws<ArgumentException>(() => QuantileBands.Fit([ok], [95]).Coefficients(80, true));
    }

    [Theory]
    [InlineData(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 2.0)]
    [InlineData(new[] { 1.0, 3, 2 }, 5, 1.5)] // shorter than the season: lag 1
    public void Scale_IsTheInSampleSeasonalNaiveMae(double[] y, int season, double expected) =>
        Assert.Equal(expected, QuantileBands.Scale(y, season), 12);

    [Fact]
    public void Combination_WithLearnedBands_IsCombineThenApplyThenTheZeroFloor()
    {
        // Non-negative, often near zero: bands around the low hours reach below zero before the floor.
        var y = TestSeries.Seasonal(24 * 10, level: 3, amplitude: 3, seed: 4).Select(v => Math.Max(0, v)).ToArray();
        var examples = Enumerable.Range(0, 30).Select(i =>
        {
            var half = new[] { 1.0 + i % 3, 2.0 };
            return new BandExample(Band([5, 5], half, half), [Band([4, 4], [1, 1], [1, 1]), Band([6, 6], [1, 1], [1, 1])], [0.5, 0.5], 1, [5 + (i % 7) - 3, 5 - (i % 5)]);
        }).ToList();
        var bands = QuantileBands.Fit(examples, [95]);
        Assert.Throws<ArgumentException>(() => QuantileBands.Fit(examples, [80, 95]));
        IForecastModel[] members = [new SeasonalNaive(24), new Theta(24)];
        double[] weights = [0.3, 0.7];
        var model = new Combination(members, "c", weights, bandsFrom: 0, learnedBands: bands, season: 24, nonNegative: true);
        var got = model.Forecast(y, 24, [80, 95]);
        var outs = members.Select(m => m.Forecast(y, 24, [80, 95])).ToArray();
        var combined = Combination.Combine("c", outs, weights, [80, 95], bandsFrom: 0);
        var expected = bands.Apply(combined, outs, weights, QuantileBands.Scale(y, 24));
        Assert.Equal(expected.Mean, got.Mean);
        Assert.True(y.Min() >= 0);
        foreach (var level in new[] { 80.0, 95 })
        {
            Assert.Equal(expected.Lower(level).Select(v => Math.Max(0, v)), got.Lower(level));
            Assert.Equal(expected.Upper(level), got.Upper(level));
        }
        // The floor is what made a difference somewhere, and only for a series without negative values.
        Assert.Contains(expected.Lower(95), v => v < 0);
        var shifted = y.Select(v => v - 1000).ToArray();
        var below = model.Forecast(shifted, 24, [95]);
        Assert.Contains(below.Lower(95), v => v < 0);
    }
}
