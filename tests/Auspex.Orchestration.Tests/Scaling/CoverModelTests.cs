using Auspex.Orchestration.Scaling;

namespace Auspex.Orchestration.Tests.Scaling;

public sealed class CoverModelTests
{
    private static double Choose(int n, int k)
    {
        double r = 1;
        for (var i = 1; i <= k; i++)
        {
            r = r * (n - k + i) / i;
        }
        return r;
    }

    [Theory]
    [InlineData(10, 0.9, 8)]
    [InlineData(20, 0.5, 11)]
    [InlineData(5, 0.99, 5)]
    [InlineData(7, 0.3, 0)]
    public void Tail_MatchesTheBinomialSum(int n, double s, int k)
    {
        var expected = Enumerable.Range(k, n - k + 1).Sum(i => Choose(n, i) * Math.Pow(s, i) * Math.Pow(1 - s, n - i));
        Assert.Equal(expected, CoverModel.Tail(n, s, k), 10);
    }

    [Fact]
    public void Tail_LargeN_DoesNotUnderflow()
    {
        // 2,000 units surviving with 0.99: at least 1,960 survive with probability close to 1, and never NaN.
        var p = CoverModel.Tail(2000, 0.99, 1960);
        Assert.InRange(p, 0.99, 1.0);
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1.959964, 0.975)]
    [InlineData(-1.644854, 0.05)]
    [InlineData(3, 0.998650)]
    public void NormalCdf_MatchesTables(double z, double expected) => Assert.Equal(expected, CoverModel.NormalCdf(z), 5);

    [Fact]
    public void Probability_TwoPreemptibleTiers_MatchesMonteCarlo()
    {
        TierSlot[] slots =
        [
            new("a/spot", 100, 0.8, 0.06, 0.06, 100, TimeSpan.Zero, true),
            new("b/spot", 150, 0.9, 0.08, 0.08, 100, TimeSpan.Zero, true),
            new("a/standard", 100, 1, 0.2, 0.2, 100, TimeSpan.Zero, true),
        ];
        int[] units = [6, 4, 2];
        const double demand = 1_050;
        var exact = CoverModel.Probability(slots, units, demand);
        var rng = new Random(42);
        var hits = 0;
        const int trials = 200_000;
        for (var t = 0; t < trials; t++)
        {
            double cap = 200;
            for (var i = 0; i < 6; i++)
            {
                cap += rng.NextDouble() < 0.8 ? 100 : 0;
            }
            for (var i = 0; i < 4; i++)
            {
                cap += rng.NextDouble() < 0.9 ? 150 : 0;
            }
            hits += cap >= demand ? 1 : 0;
        }
        Assert.Equal((double)hits / trials, exact, 2);
    }

    [Fact]
    public void Probability_DeterministicCapacity_IsZeroOrOne()
    {
        TierSlot[] slots = [new("a/standard", 100, 1, 0.2, 0.2, 100, TimeSpan.Zero, true)];
        Assert.Equal(1, CoverModel.Probability(slots, [10], 1000));
        Assert.Equal(0, CoverModel.Probability(slots, [9], 1000));
        Assert.Equal(1, CoverModel.Probability(slots, [0], 0));
    }
}
