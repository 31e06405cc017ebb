using Auspex.Core.Forecasts;
using Auspex.Core.Series;
using Auspex.Ingestion.Sink;
using Auspex.Ingestion.Tests.PrometheusApi;
using Auspex.Ingestion.Tests.Scrape;

namespace Auspex.Ingestion.Tests.Sink;

/// <summary>Remote-writes into a real Prometheus (<c>--web.enable-remote-write-receiver</c>) and reads back through its query API.</summary>
[Collection(RealPrometheusCollection.Name)]
public class RealPrometheusRemoteWriteTests(RealPrometheusFixture prometheus)
{
    private RemoteWriteClient Client(HttpClient http) => new(http, new RemoteWriteClientOptions
    {
        Url = new Uri(prometheus.PrometheusUrl, "api/v1/write"),
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        MaxSamplesPerRequest = 7,
    }, TimeProvider.System);

    [RealProgramFact(RealProgram.Prometheus, RealProgram.NodeExporter)]
    public async Task Write_ForecastSeries_AreQueryableInPrometheus()
    {
        using var http = new HttpClient();
        var now = TimeProvider.System.GetUtcNow();
        var issued = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() - 60);
        var forecast = new Forecast(new SeriesKey("auspex_test_cpu", Labels.Of("instance", "host-1")), "ets", issued, TimeSpan.FromSeconds(10),
            [0.1, 0.5, 0.9], [.. Enumerable.Range(1, 12).Select(i => new ForecastPoint(issued.AddSeconds(10 * i), i, [i - 1, i, i + 1]))]);
        var series = ForecastSeries.Predicted(forecast, now);

        var summary = await Client(http).WriteAsync(series);

        Assert.True(summary.Requests > 1);
        var query = prometheus.QueryClient(http);
        var r = await query.QueryRangeAsync("auspex_test_cpu:predicted{quantile=\"0.9\"}", new TimeRange(issued, now.AddSeconds(1)), TimeSpan.FromSeconds(10));
        var back = Assert.Single(r.Series);
        Assert.Equal(Labels.Of("instance", "host-1", "auspex_model", "ets", "quantile", "0.9"), back.Key.Labels);
        var written = series.Single(s => s.Key.Labels["quantile"] == "0.9").Samples;
        Assert.Equal(written.Select(s => (s.At, s.Value)), back.Samples.Select(s => (s.At, s.Value)).Where(p => written.Any(w => w.At == p.At)));
        Assert.Equal(written.Count, back.Samples.Count(p => written.Any(w => w.At == p.At)));
    }

    [RealProgramFact(RealProgram.Prometheus, RealProgram.NodeExporter)]
    public async Task Write_SampleTooOldForPrometheus_IsRefusedWithoutRetry()
    {
        using var http = new HttpClient();
        var ancient = new SeriesData(new SeriesKey("auspex_test_old", Labels.Empty), [new Sample(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero), 1)]);

        var e = await Assert.ThrowsAsync<RemoteWriteException>(() => Client(http).WriteAsync([ancient]));

        Assert.True(e.IsPermanent, e.Message);
        Assert.Equal(1, e.Attempts);
        Assert.Contains("out of bounds", e.Message, StringComparison.Ordinal);
    }
}
