using Auspex.Core.Forecasts;
using Auspex.Core.Series;
using Auspex.Ingestion.Sink;

namespace Auspex.Ingestion.Tests.Sink;

public class ForecastSeriesTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static Forecast Forecast(Labels? labels = null) => new(
        new SeriesKey("node_cpu:rate5m", labels ?? Labels.Of("instance", "a")), "ets", T0, TimeSpan.FromMinutes(5), [0.1, 0.5, 0.9],
        [.. Enumerable.Range(1, 6).Select(i => new ForecastPoint(T0.AddMinutes(5 * i), i, [i - 0.5, i, i + 0.5]))]);

    [Fact]
    public void Predicted_WritesMeanAndEachQuantile()
    {
        var series = ForecastSeries.Predicted(Forecast());

        Assert.Equal(4, series.Count);
        Assert.All(series, s => Assert.Equal("node_cpu:rate5m:predicted", s.Key.Metric));
        Assert.Equal(Labels.Of("instance", "a", "auspex_model", "ets"), series[0].Key.Labels);
        Assert.Equal(["0.1", "0.5", "0.9"], series.Skip(1).Select(s => s.Key.Labels["quantile"]));
        Assert.Equal([0.5, 1.5, 2.5, 3.5, 4.5, 5.5], series[1].Samples.Select(s => s.Value));
    }

    [Fact]
    public void Predicted_NotAfter_LeavesOutFuturePoints()
    {
        var series = ForecastSeries.Predicted(Forecast(), T0.AddMinutes(10));

        Assert.All(series, s => Assert.Equal(2, s.Samples.Count));
        Assert.Empty(ForecastSeries.Predicted(Forecast(), T0));
    }

    [Fact]
    public void Ahead_WritesTheValueExpectedAtTheHorizonAtIssueTime()
    {
        var series = ForecastSeries.Ahead(Forecast(), TimeSpan.FromMinutes(12));

        Assert.Equal(new Sample(T0, 3), series[0].Samples.Single());
        Assert.Equal("12m", series[0].Key.Labels["auspex_horizon"]);
        Assert.Equal(3.5, series.Single(s => s.Key.Labels["quantile"] == "0.9").Samples[0].Value);
        Assert.Empty(ForecastSeries.Ahead(Forecast(), TimeSpan.FromHours(2)));
    }

    [Fact]
    public void Predicted_SourceQuantileLabel_IsKeptAsExported()
    {
        var series = ForecastSeries.Predicted(Forecast(Labels.Of("quantile", "0.99")));

        Assert.Equal("0.99", series[0].Key.Labels["exported_quantile"]);
        Assert.Null(series[0].Key.Labels["quantile"]);
    }

    [Theory]
    [InlineData(1800, "30m")]
    [InlineData(3600, "1h")]
    [InlineData(90, "90s")]
    [InlineData(86400 * 2, "2d")]
    [InlineData(0.25, "250ms")]
    public void Duration_IsPrometheusStyle(double seconds, string expected)
    {
        Assert.Equal(expected, ForecastSeries.Duration(TimeSpan.FromSeconds(seconds)));
    }
}
