using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Tests.Internal;

public sealed class GbrtTests
{
    private static (double[][] X, double[] Y) Function(int n, Func<double, double, double> f, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n][];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = [rng.NextDouble() * 6 - 3, rng.NextDouble() * 4 - 2, rng.NextDouble()]; // the third is noise
            y[i] = f(x[i][0], x[i][1]);
        }
        return (x, y);
    }

    [Fact]
    public void OneStump_OnAStep_SplitsExactlyBetweenTheTwoLevels()
    {
        // x = 1..10, y = 0 up to 4 and 10 from 5: one depth-1 tree at learning rate 1 must cut at 4.5 and fit exactly.
        var x = Enumerable.Range(1, 10).Select(v => new double[] { v, 7 }).ToArray();
        var y = x.Select(r => r[0] <= 4 ? 0.0 : 10.0).ToArray();
        var m = Gbrt.Train(x, y, new GbrtOptions { Rounds = 1, MaxDepth = 1, MinSamplesLeaf = 1, LearningRate = 1 });
        Assert.Equal((0, 4.5), m.RootSplit);
        for (var i = 0; i < x.Length; i++)
        {
            Assert.Equal(y[i], m.Predict(x[i]), 12);
        }
        Assert.Equal(0.0, m.Predict([4.49, 0]), 12);
        Assert.Equal(10.0, m.Predict([4.51, 0]), 12);
    }

    [Fact]
    public void MinSamplesLeaf_MovesTheCut()
    {
        // With at least 5 rows per leaf the best admissible cut of 1..10 is after 5.
        var x = Enumerable.Range(1, 10).Select(v => new double[] { v }).ToArray();
        var y = x.Select(r => r[0] <= 2 ? 0.0 : 10.0).ToArray();
        var m = Gbrt.Train(x, y, new GbrtOptions { Rounds = 1, MaxDepth = 1, MinSamplesLeaf = 5, LearningRate = 1 });
        Assert.Equal((0, 5.5), m.RootSplit);
    }

    [Fact]
    public void Boosting_FitsASmoothFunctionOfTwoFeatures()
    {
        static double F(double a, double b) => Math.Sin(a) + b * b;
        var (x, y) = Function(4000, F, 1);
        var (vx, vy) = Function(1000, F, 2);
        var m = Gbrt.Train(x, y, new GbrtOptions { Rounds = 400, LearningRate = 0.1, MaxDepth = 4, MinSamplesLeaf = 5 }, vx, vy);
        var rmse = Math.Sqrt(vx.Select((r, i) => Math.Pow(m.Predict(r) - vy[i], 2)).Average());
        var sd = Math.Sqrt(vy.Select(v => Math.Pow(v - vy.Average(), 2)).Average());
        Assert.True(rmse < 0.1 * sd, $"rmse {rmse} vs sd {sd}");
        // Early stopping kept no more rounds than it ran, and the validation loss went down.
        Assert.True(m.BestRound <= 400 && m.ValidationLoss[m.BestRound - 1] < m.ValidationLoss[0] / 20);
    }

    [Fact]
    public void QuantileLoss_LearnsTheConditionalQuantile()
    {
        // y = x + uniform(0, 1) noise: the 0.9 quantile is x + 0.9.
        var rng = new Random(5);
        var x = Enumerable.Range(0, 6000).Select(_ => new double[] { rng.NextDouble() * 10 }).ToArray();
        var y = x.Select(r => r[0] + rng.NextDouble()).ToArray();
        var m = Gbrt.Train(x, y, new GbrtOptions { Loss = GbrtLoss.Quantile, Alpha = 0.9, Rounds = 300, LearningRate = 0.1, MaxDepth = 3, MinSamplesLeaf = 50 });
        var below = x.Select((r, i) => y[i] <= m.Predict(r) ? 1.0 : 0.0).Average();
        Assert.InRange(below, 0.87, 0.93);
        Assert.Equal(5.9, m.Predict([5.0]), 0.2);
    }

    [Fact]
    public void SameSeed_SameModel_OtherSeed_OtherModel()
    {
        var (x, y) = Function(3000, (a, b) => a * b, 3);
        GbrtOptions O(int seed) => new() { Rounds = 50, RowFraction = 0.5, FeatureFraction = 0.67, Seed = seed, MinSamplesLeaf = 5 };
        var a = Gbrt.Train(x, y, O(7));
        var b = Gbrt.Train(x, y, O(7));
        var c = Gbrt.Train(x, y, O(8));
        var probe = x.Take(200).ToArray();
        Assert.Equal(probe.Select(r => a.Predict(r)), probe.Select(r => b.Predict(r)));
        Assert.NotEqual(probe.Select(r => a.Predict(r)), probe.Select(r => c.Predict(r)));
    }

    [Fact]
    public void ManyDistinctValues_AreBinnedIntoAtMostMaxBins()
    {
        var x = Enumerable.Range(0, 10_000).Select(i => new double[] { i * 0.37 }).ToArray();
        var bins = new Gbrt.BinMapper(x, 255);
        Assert.InRange(bins.Bins(0), 200, 255);
        Assert.Equal(0, bins.BinOf(0, -1));
        Assert.Equal(bins.Bins(0) - 1, bins.BinOf(0, 1e9));
    }

    [Fact]
    public void Options_OutOfRange_AreRejected() =>
        Assert.Throws<ArgumentException>(() => Gbrt.Train([[1.0]], [1.0], new GbrtOptions { MaxBins = 300 }));
}
