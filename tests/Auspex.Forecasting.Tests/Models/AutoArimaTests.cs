using Auspex.Forecasting.Internal;
using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Tests.Models;

public sealed class AutoArimaTests
{
    private static double[] Ar1(int n, double phi, double mean, int seed)
    {
        var rng = new Random(seed);
        var y = new double[n];
        var v = 0.0;
        for (var t = 0; t < n; t++)
        {
            v = phi * v + TestSeries.Normal(rng);
            y[t] = mean + v;
        }
        return y;
    }

    [Fact]
    public void Ar1_CoefficientRecoveredByCss()
    {
        var y = Ar1(3000, 0.7, 10, 1);
        var fit = ArimaCore.Fit(y, new ArimaOrder(1, 0, 0, 0, 0, 0, 1, true))!;
        Assert.Equal(0.7, fit.Ar[0], 1);
        Assert.Equal(10, fit.Mean, 0);
        Assert.Equal(1, fit.Sigma2, 1);
    }

    [Fact]
    public void Ar1_ForecastDecaysGeometricallyToTheMean()
    {
        var y = Ar1(3000, 0.7, 10, 2);
        var fit = ArimaCore.Fit(y, new ArimaOrder(1, 0, 0, 0, 0, 0, 1, true))!;
        var (mean, sd) = fit.Forecast(y, 3);
        var phi = fit.Ar[0];
        Assert.Equal(fit.Mean + phi * (y[^1] - fit.Mean), mean[0], 9);
        Assert.Equal(fit.Mean + phi * phi * (y[^1] - fit.Mean), mean[1], 9);
        // var_2 = σ²(1 + φ²)
        Assert.Equal(Math.Sqrt(fit.Sigma2 * (1 + phi * phi)), sd[1], 9);
    }

    [Fact]
    public void RandomWalk_OneDifferenceChosen_ForecastNearLastValue()
    {
        var y = TestSeries.RandomWalk(500, start: 100, seed: 4);
        Assert.Equal(1, UnitRoot.Ndiffs(y));
        var fit = new AutoArima(1).Fit(y);
        Assert.Contains("ARIMA(", fit.ToString(), StringComparison.Ordinal);
        Assert.Contains(",1,", fit.ToString(), StringComparison.Ordinal);
        var f = fit.Predict(1, [95]);
        Assert.Equal(y[^1], f.Mean[0], 0);
    }

    [Fact]
    public void WhiteNoise_NoDifferencing()
    {
        var rng = new Random(8);
        var y = Enumerable.Range(0, 400).Select(_ => 5 + TestSeries.Normal(rng)).ToArray();
        Assert.Equal(0, UnitRoot.Ndiffs(y));
        Assert.True(UnitRoot.Kpss(y) < 0.463);
    }

    [Fact]
    public void StrongDailySeason_OneSeasonalDifference()
    {
        var y = TestSeries.Seasonal(24 * 20, trend: 0, amplitude: 20, noise: 1);
        Assert.Equal(1, UnitRoot.Nsdiffs(y, 24));
        var fit = new AutoArima(24).Fit(y);
        Assert.Contains("[24]", fit.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 0.5 }, true)]
    [InlineData(new[] { 1.2 }, false)]
    [InlineData(new[] { 1.5, -0.75 }, true)]
    [InlineData(new[] { 0.5, 0.6 }, false)]
    public void Stationary_StepDownTestMatchesRoots(double[] ar, bool expected)
    {
        Assert.Equal(expected, ArimaCore.Stationary(ar));
    }

    [Fact]
    public void SeasonalExpansion_ProductOfPolynomials()
    {
        // (1 - 0.5B)(1 - 0.3B^4) = 1 - 0.5B - 0.3B^4 + 0.15B^5
        var y = TestSeries.Seasonal(200, season: 4, seed: 3);
        var fit = ArimaCore.Fit(y, new ArimaOrder(1, 0, 0, 1, 0, 0, 4, true))!;
        Assert.Equal(5, fit.Ar.Length);
        Assert.Equal(-fit.Ar[0] * fit.Ar[3], fit.Ar[4], 9);
    }
}
