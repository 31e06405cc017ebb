using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Tests.Internal;

/// <summary>
/// The optimised <see cref="Gbrt"/> (session 9) against <see cref="ReferenceGbrt"/>, the implementation before it: the
/// same trees, so the same predictions, validation losses and best round, bit for bit.
/// </summary>
public sealed class GbrtEquivalenceTests
{
    private static (double[][] X, double[] Y) Data(int n, int f, int seed, bool fewDistinct, bool ties)
    {
        var rng = new Random(seed);
        var x = new double[n][];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = new double[f];
            for (var j = 0; j < f; j++)
            {
                x[i][j] = fewDistinct && j % 2 == 0 ? rng.Next(0, 7) : rng.NextDouble() * 10 - 5;
            }
            var v = Math.Sin(x[i][0]) + 0.3 * x[i][1 % f] - 0.1 * x[i][f - 1] * x[i][0] + 0.5 * (rng.NextDouble() - 0.5);
            // Ties in the target (e.g. flat stretches scaled to exactly 1) exercise equal residuals in the leaf quantiles.
            y[i] = ties && i % 3 == 0 ? 1.0 : v;
        }
        return (x, y);
    }

    public static TheoryData<string, int, int, bool, bool, bool> Cases => new()
    {
        // name, rows, features, few distinct values, target ties, validation set
        { "median-sampled", 3_000, 9, false, true, true },
        { "median-many-rows", 40_000, 6, true, false, true },
        { "squared-sampled", 3_000, 9, true, false, true },
        { "squared-many-rows", 40_000, 6, false, true, false },
        { "q0.9-generic", 2_500, 5, false, true, true },
        { "q0.25-exact", 2_500, 5, true, true, false },
        { "tiny", 37, 3, true, true, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void OptimisedGbrt_EqualsTheReference_BitForBit(string name, int n, int f, bool fewDistinct, bool ties, bool validation)
    {
        var (x, y) = Data(n, f, name.Length * 7919 + n, fewDistinct, ties);
        var (vx, vy) = Data(n / 5 + 1, f, name.Length * 31 + 1, fewDistinct, ties);
        var loss = name.StartsWith("squared", StringComparison.Ordinal) ? GbrtLoss.Squared : GbrtLoss.Quantile;
        var alpha = name.StartsWith("q0.9", StringComparison.Ordinal) ? 0.9 : name.StartsWith("q0.25", StringComparison.Ordinal) ? 0.25 : 0.5;
        var o = new GbrtOptions
        {
            Loss = loss,
            Alpha = alpha,
            LearningRate = 0.1,
            MaxDepth = n < 100 ? 3 : 6,
            MinSamplesLeaf = n < 100 ? 2 : 20,
            FeatureFraction = 0.8,
            RowFraction = name == "squared-many-rows" ? 1.0 : 0.5,
            Rounds = n > 10_000 ? 40 : 120,
            EarlyStoppingRounds = 10,
            Lambda = 1,
            Seed = n,
        };
        var reference = ReferenceGbrt.Train(x, y, o, validation ? vx : null, validation ? vy : null);
        var fast = Gbrt.Train(x, y, o, validation ? vx : null, validation ? vy : null);
        Assert.Equal(reference.BestRound, fast.BestRound);
        Assert.Equal(reference.Trees, fast.Trees);
        Assert.Equal(reference.ValidationLoss.Select(BitConverter.DoubleToInt64Bits), fast.ValidationLoss.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(BitConverter.DoubleToInt64Bits(reference.BaseScore), BitConverter.DoubleToInt64Bits(fast.BaseScore));
        foreach (var row in x.Take(500).Concat(vx))
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(reference.Predict(row)), BitConverter.DoubleToInt64Bits(fast.Predict(row)));
        }
        // Shared binned rows, trained without the inner parallelism: the same model again.
        var data = Gbrt.BinnedRows.Create(x, o.MaxBins);
        var shared = Gbrt.Train(data, y, o, validation ? data.Bins.BinRows(vx) : null, validation ? vy : null, parallel: false);
        Assert.Equal(reference.BestRound, shared.BestRound);
        foreach (var row in vx)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(reference.Predict(row)), BitConverter.DoubleToInt64Bits(shared.Predict(row)));
        }
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(2, 0.5)]
    [InlineData(7, 0.5)]
    [InlineData(100, 0.5)]
    [InlineData(101, 0.9)]
    [InlineData(1000, 0.1)]
    [InlineData(999, 0.75)]
    public void SelectQuantile_EqualsTheSortedQuantile(int n, double p)
    {
        var rng = new Random(n);
        var v = Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextDouble() * 20, n > 500 ? 0 : 3)).ToArray(); // many ties when n is large
        var expected = Gbrt.Quantile([.. v], p);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(Gbrt.SelectQuantile(v.AsSpan(), p)));
    }

    [Fact]
    public void BinnedRows_TrainedWithAnotherMaxBins_AreRejected()
    {
        var (x, y) = Data(50, 2, 1, false, false);
        var data = Gbrt.BinnedRows.Create(x, 64);
        Assert.Throws<ArgumentException>(() => Gbrt.Train(data, y, new GbrtOptions(), null, null));
    }
}
