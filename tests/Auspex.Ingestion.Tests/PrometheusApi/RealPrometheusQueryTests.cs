using Auspex.Core.Series;
using Auspex.Ingestion.PrometheusApi;
using Auspex.Ingestion.Tests.Scrape;

namespace Auspex.Ingestion.Tests.PrometheusApi;

/// <summary>Reads history from a real Prometheus that scrapes a real node_exporter.</summary>
[Collection(RealPrometheusCollection.Name)]
public class RealPrometheusQueryTests(RealPrometheusFixture prometheus)
{
    [RealProgramFact(RealProgram.Prometheus, RealProgram.NodeExporter)]
    public async Task QueryRange_NodeExporterHistory_IsReadChunkedOrNot()
    {
        await prometheus.WaitForNodeDataAsync(points: 3, TimeSpan.FromSeconds(40));
        using var http = new HttpClient();
        var now = TimeProvider.System.GetUtcNow();
        var range = new TimeRange(now.AddMinutes(-2), now);

        var whole = await prometheus.QueryClient(http).QueryRangeAsync("node_memory_MemTotal_bytes", range, TimeSpan.FromSeconds(1));
        var chunked = await prometheus.QueryClient(http, o => o with { MaxPointsPerRequest = 7 }).QueryRangeAsync("node_memory_MemTotal_bytes", range, TimeSpan.FromSeconds(1));

        var series = Assert.Single(whole.Series);
        Assert.Equal("node_memory_MemTotal_bytes", series.Key.Metric);
        Assert.Equal("node", series.Key.Labels["job"]);
        Assert.Equal(prometheus.NodeExporterAddress, series.Key.Labels["instance"]);
        Assert.True(series.Samples.Count >= 2);
        Assert.All(series.Samples, s => Assert.True(s.Value > 0));
        Assert.True(chunked.Requests > 10);
        Assert.Equal(series.Samples, Assert.Single(chunked.Series).Samples);
    }

    [RealProgramFact(RealProgram.Prometheus, RealProgram.NodeExporter)]
    public async Task QueryRange_ExpressionWithoutName_UsesTheGivenName()
    {
        await prometheus.WaitForNodeDataAsync(points: 3, TimeSpan.FromSeconds(40));
        using var http = new HttpClient();
        var now = TimeProvider.System.GetUtcNow();

        var r = await prometheus.QueryClient(http).QueryRangeAsync(
            "sum by (instance) (rate(node_cpu_seconds_total[5s]))", new TimeRange(now.AddSeconds(-30), now), TimeSpan.FromSeconds(1), "cpu_rate");

        Assert.All(r.Series, s => Assert.Equal("cpu_rate", s.Key.Metric));
        Assert.NotEmpty(r.Series);
    }

    [RealProgramFact(RealProgram.Prometheus, RealProgram.NodeExporter)]
    public async Task QueryRange_SyntaxError_FailsAtOnceWithPrometheusMessage()
    {
        using var http = new HttpClient();
        var now = TimeProvider.System.GetUtcNow();

        var e = await Assert.ThrowsAsync<PrometheusApiException>(() =>
            prometheus.QueryClient(http).QueryRangeAsync("rate(node_cpu_seconds_total[", new TimeRange(now.AddMinutes(-1), now)));

        Assert.True(e.IsPermanent);
        Assert.Equal(1, e.Attempts);
        Assert.Equal("bad_data", e.ErrorType);
        Assert.Contains("parse error", e.Message, StringComparison.Ordinal);
    }

    [RealProgramFact(RealProgram.Prometheus, RealProgram.NodeExporter)]
    public async Task SeriesLabelsAndValues_ListNodeExporterMetadata()
    {
        await prometheus.WaitForNodeDataAsync(points: 1, TimeSpan.FromSeconds(40));
        using var http = new HttpClient();
        var client = prometheus.QueryClient(http);
        var now = TimeProvider.System.GetUtcNow();
        var range = new TimeRange(now.AddMinutes(-5), now.AddSeconds(1));

        var series = await client.SeriesAsync(["node_cpu_seconds_total{mode=\"idle\"}", "up"], range);
        var names = await client.LabelNamesAsync(range);
        var metrics = await client.LabelValuesAsync("__name__", range);
        var jobs = await client.LabelValuesAsync("job");

        Assert.Contains(series, s => s.Metric == "up");
        Assert.Contains(series, s => s.Metric == "node_cpu_seconds_total" && s.Labels["mode"] == "idle");
        Assert.Contains("instance", names);
        Assert.Contains("node_load1", metrics);
        Assert.Contains("node", jobs);
    }
}
