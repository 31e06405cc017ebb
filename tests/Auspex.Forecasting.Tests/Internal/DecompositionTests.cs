using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Tests.Internal;

public sealed class DecompositionTests
{
    [Fact]
    public void IsSeasonal_DailySine_True_WhiteNoise_False()
    {
        Assert.True(Decomposition.IsSeasonal(TestSeries.Seasonal(24 * 10, trend: 0), 24));
        var rng = new Random(5);
        var noise = Enumerable.Range(0, 24 * 10).Select(_ => 100 + TestSeries.Normal(rng)).ToArray();
        Assert.False(Decomposition.IsSeasonal(noise, 24));
    }

    [Fact]
    public void IsSeasonal_ShorterThanThreeSeasons_False()
    {
        Assert.False(Decomposition.IsSeasonal(TestSeries.Seasonal(24 * 3 - 1, noise: 0), 24));
    }

    [Fact]
    public void SeasonalIndices_MultiplicativePattern_Recovered()
    {
        double[] pattern = [0.5, 1.0, 1.5, 1.0];
        var y = Enumerable.Range(0, 40).Select(t => 10.0 * pattern[t % 4]).ToArray();
        var idx = Decomposition.SeasonalIndices(y, 4, multiplicative: true);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(pattern[i], idx[i], 9);
        }
    }

    [Fact]
    public void CentredMovingAverage_EvenOrder_IsTwoByM()
    {
        double[] y = [1, 2, 3, 4, 5, 6, 7, 8];
        var ma = Decomposition.CentredMovingAverage(y, 4);
        Assert.True(double.IsNaN(ma[1]));
        // (0.5*1 + 2 + 3 + 4 + 0.5*5) / 4 = 3
        Assert.Equal(3, ma[2], 12);
        Assert.True(double.IsNaN(ma[6]));
    }

    [Fact]
    public void Stl_SineOnLinearTrend_SeparatesComponents()
    {
        var n = 24 * 12;
        var y = Enumerable.Range(0, n).Select(t => 50 + 0.1 * t + 5 * Math.Sin(2 * Math.PI * t / 24)).ToArray();
        var (seasonal, trend) = Stl.Decompose(y, 24, 11);
        for (var t = 48; t < n - 48; t++)
        {
            Assert.Equal(5 * Math.Sin(2 * Math.PI * t / 24), seasonal[t], 1);
            Assert.Equal(50 + 0.1 * t, trend[t], 1);
        }
    }

    [Fact]
    public void Loess_DegreeOneOnALine_IsExact()
    {
        var y = Enumerable.Range(0, 30).Select(t => 3.0 + 2 * t).ToArray();
        Assert.Equal(3.0 + 2 * 10.5, Loess.At(y, 7, 1, 10.5), 9);
        Assert.Equal(3.0 + 2 * 31, Loess.At(y, 7, 1, 31), 9);
    }

    [Fact]
    public void GaussianQuantile_KnownValues()
    {
        Assert.Equal(1.959963984540054, Gaussian.Quantile(0.975), 12);
        Assert.Equal(-1.2815515655446004, Gaussian.Quantile(0.1), 12);
        Assert.Equal(0, Gaussian.Quantile(0.5), 15);
        Assert.Equal(-3.090232306167813, Gaussian.Quantile(0.001), 10);
    }
}
