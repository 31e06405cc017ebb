using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Tests.Models;

public sealed class NaiveTests
{
    [Fact]
    public void Naive_Forecast_RepeatsLastValueWithSqrtHWidening()
    {
        // Residuals 1, -2, 3 => sigma^2 = 14/3; 95% band at h = sqrt(14/3 * h) * 1.959964.
        double[] y = [10, 11, 9, 12];
        var f = new Naive().Forecast(y, 4, [95]);
        Assert.All(f.Mean, v => Assert.Equal(12, v));
        for (var h = 1; h <= 4; h++)
        {
            var half = 1.959963984540054 * Math.Sqrt(14.0 / 3 * h);
            Assert.Equal(12 + half, f.Upper(95)[h - 1], 9);
            Assert.Equal(12 - half, f.Lower(95)[h - 1], 9);
        }
        Assert.True(double.IsNaN(f.Fitted[0]));
        Assert.Equal([10, 11, 9], f.Fitted[1..]);
    }

    [Fact]
    public void SeasonalNaive_Forecast_RepeatsLastSeasonAndWidensPerCompleteSeason()
    {
        // season 3; residuals y[t]-y[t-3]: (4-1, 5-2, 6-3, 8-4) = 3, 3, 3, 4 => mse = 43/4.
        double[] y = [1, 2, 3, 4, 5, 6, 8];
        var f = new SeasonalNaive(3).Forecast(y, 7, [80]);
        Assert.Equal([5, 6, 8, 5, 6, 8, 5], f.Mean);
        var z80 = 1.2815515655446004;
        double[] k = [1, 1, 1, 2, 2, 2, 3];
        for (var h = 0; h < 7; h++)
        {
            Assert.Equal(f.Mean[h] + z80 * Math.Sqrt(43.0 / 4 * k[h]), f.Upper(80)[h], 9);
        }
        Assert.Equal(ForecastStatus.Ok, f.Status);
    }

    [Fact]
    public void SeasonalNaive_ShorterThanSeason_FallsBackToNaiveWithReason()
    {
        var f = new SeasonalNaive(24).Forecast([1, 2, 3, 4, 5], 3, [80]);
        Assert.Equal(ForecastStatus.Fallback, f.Status);
        Assert.Equal("Naive", f.Model);
        Assert.Contains("season", f.Reason, StringComparison.Ordinal);
        Assert.Equal([5, 5, 5], f.Mean);
    }

    [Fact]
    public void Output_UnrequestedLevel_DerivedFromGaussianStdDev()
    {
        var f = new Naive().Forecast([1, 3, 2, 4, 3], 2, [80]);
        var z90 = 1.6448536269514722;
        Assert.Equal(f.Mean[1] + z90 * f.StdDev![1], f.Upper(90)[1], 9);
        Assert.Equal(f.Upper(90)[0], f.Quantile(0, 0.95), 9);
    }

    [Fact]
    public void Output_ToForecast_QuantilesAreNonDecreasing()
    {
        var f = new SeasonalNaive(4).Forecast(TestSeries.Seasonal(40, season: 4), 8, [80, 95]);
        var core = f.ToForecast(new Core.Series.SeriesKey("cpu", Core.Series.Labels.Empty), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, TimeSpan.FromHours(1));
        Assert.Equal(8, core.Points.Count);
        foreach (var p in core.Points)
        {
            for (var i = 1; i < p.Quantiles.Count; i++)
            {
                Assert.True(p.Quantiles[i] >= p.Quantiles[i - 1]);
            }
        }
    }
}
