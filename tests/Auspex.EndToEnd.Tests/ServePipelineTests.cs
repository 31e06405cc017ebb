using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Auspex.Testing;

namespace Auspex.EndToEnd.Tests;

/// <summary>Scrape jobs, a Prometheus source and a remote_write sink configured in `auspex serve`'s YAML, against the real programs.</summary>
public sealed class ServePipelineTests(ServePipelineFixture env) : IClassFixture<ServePipelineFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private async Task<JsonElement> SeriesAsync(string selector)
    {
        var sel = Uri.EscapeDataString(selector);
        return await env.Auspex.GetFromJsonAsync<JsonElement>($"/api/v1/series/query?match={sel}&from=0&to=4000000000&resolution=raw");
    }

    private static int Points(JsonElement series) => series.EnumerateArray().Sum(s => s.GetProperty("points").GetArrayLength());

    /// <summary>Polls until <paramref name="done"/> holds, or fails with what was last seen and the programs' logs.</summary>
    private async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var sw = Stopwatch.StartNew();
        T last = await read();
        while (!done(last) && sw.Elapsed < Patience)
        {
            await Task.Delay(500);
            last = await read();
        }
        if (!done(last))
        {
            var status = await env.Auspex.GetStringAsync("/api/v1/ingest/status");
            Assert.Fail($"{what} did not happen within {Patience.TotalSeconds} s. Last seen: {last}\nstatus: {status}\n{env.ProgramLog[^Math.Min(env.ProgramLog.Length, 3000)..]}");
        }
        return last;
    }

    [RequiresProgramFact(ServePipelineFixture.NodeExporterBin, "apt-get install -y prometheus-node-exporter")]
    public async Task ScrapeJobs_ScrapeRealNodeExporter_RecordUpAndDuration_HonourInterval()
    {
        var up = await Eventually(() => SeriesAsync("up{job=\"node\"}"), s => Points(s) >= 4, "4 scrapes of node_exporter");
        var points = up[0].GetProperty("points").EnumerateArray().Select(p => (Ms: p[0].GetDouble(), Value: p[1].GetDouble())).ToList();
        Assert.All(points, p => Assert.Equal(1, p.Value));
        var gaps = points.Zip(points.Skip(1), (a, b) => b.Ms - a.Ms).ToList();
        // The loop stamps each scrape with its scheduled time on a fixed schedule (as Prometheus does), so points are a
        // whole interval apart however late a scrape starts on a loaded machine (1 ms for the store's millisecond rounding).
        Assert.All(gaps, g => Assert.True(g >= 999, $"scrapes {g} ms apart (gaps {string.Join(", ", gaps)}): the 1 s interval was not honoured"));
        Assert.Equal($"127.0.0.1:{env.NodeExporterPort}", up[0].GetProperty("labels").GetProperty("instance").GetString());

        var duration = await SeriesAsync("scrape_duration_seconds{job=\"node\"}");
        Assert.True(Points(duration) > 0);
        Assert.All(duration[0].GetProperty("points").EnumerateArray(), p => Assert.InRange(p[1].GetDouble(), 1e-6, 10));
        Assert.True(Points(await SeriesAsync("node_load1{job=\"node\"}")) > 0, "node_exporter's node_load1 was not stored");
        Assert.True((await SeriesAsync("node_memory_MemAvailable_bytes{job=\"node\"}")).GetArrayLength() == 1);

        // file_sd: the target from targets/*.json, with the group's label.
        var sd = await Eventually(() => SeriesAsync("up{job=\"node-sd\"}"), s => Points(s) > 0, "a scrape of the file_sd target");
        Assert.Equal("lab", sd[0].GetProperty("labels").GetProperty("site").GetString());
        Assert.True((await SeriesAsync("node_load1{job=\"node-sd\",site=\"lab\"}")).GetArrayLength() == 1);
    }

    [RequiresProgramFact(ServePipelineFixture.NodeExporterBin, "apt-get install -y prometheus-node-exporter")]
    public async Task ScrapeJobs_TargetThatNeverAnswers_TimesOutAsUp0WithTheReason()
    {
        var up = await Eventually(() => SeriesAsync("up{job=\"slow\"}"), s => Points(s) > 0, "a timed-out scrape of the slow target");
        Assert.All(up[0].GetProperty("points").EnumerateArray(), p => Assert.Equal(0, p[1].GetDouble()));
        var duration = await SeriesAsync("scrape_duration_seconds{job=\"slow\"}");
        Assert.All(duration[0].GetProperty("points").EnumerateArray(), p => Assert.InRange(p[1].GetDouble(), 0.4, 5));

        var status = await env.Auspex.GetFromJsonAsync<JsonElement>("/api/v1/ingest/status");
        var slow = status.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("job").GetString() == "slow");
        Assert.Equal("down", slow.GetProperty("health").GetString());
        Assert.Contains("timed out", slow.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var node = status.GetProperty("targets").EnumerateArray().First(t => t.GetProperty("job").GetString() == "node");
        Assert.Equal("up", node.GetProperty("health").GetString());
    }

    [RequiresProgramFact(ServePipelineFixture.PrometheusBin, "apt-get install -y prometheus")]
    public async Task Source_ReadsHistoryFromRealPrometheusThroughQueryRange_RenamesAndMapsHost()
    {
        var load = await Eventually(() => SeriesAsync("node_load1{job=\"prom-node\"}"), s => Points(s) >= 3, "node_load1 read from Prometheus");
        var stamps = load[0].GetProperty("points").EnumerateArray().Select(p => (long)p[0].GetDouble()).ToList();
        Assert.All(stamps, t => Assert.Equal(0, t % 1000)); // on the 1 s step grid
        Assert.Equal(stamps.Count, stamps.Distinct().Count());

        var mem = await Eventually(() => SeriesAsync("e2e_source_mem_available_bytes"), s => Points(s) > 0, "the renamed query read from Prometheus");
        var labels = mem[0].GetProperty("labels");
        Assert.Equal("127.0.0.1", labels.GetProperty("host").GetString());
        Assert.Equal("prom-node", labels.GetProperty("job").GetString());
        Assert.True(mem[0].GetProperty("points")[0][1].GetDouble() > 0);

        var status = await env.Auspex.GetFromJsonAsync<JsonElement>("/api/v1/ingest/status");
        var source = status.GetProperty("sources")[0];
        Assert.True(source.GetProperty("requests").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, source.GetProperty("lastError").ValueKind);
    }

    [RequiresProgramFact(ServePipelineFixture.PrometheusBin, "apt-get install -y prometheus")]
    public async Task Sink_PushesForecastQuantilesAnomalyAndLocalityScoresIntoRealPrometheus()
    {
        async Task<JsonElement> Query(string promql)
        {
            var doc = await env.Prometheus.GetFromJsonAsync<JsonElement>("api/v1/query?query=" + Uri.EscapeDataString(promql));
            return doc.GetProperty("data").GetProperty("result");
        }
        var predicted = await Eventually(() => Query("auspex_host_cpu_used_cores:predicted{auspex_horizon=\"30m\"}"), r => r.GetArrayLength() >= 12,
            "forecasts of h1 and h2 (mean and 5 quantiles each) in Prometheus");
        var h1 = predicted.EnumerateArray().Where(r => r.GetProperty("metric").GetProperty("host").GetString() == "h1").ToList();
        var quantiles = h1.Select(r => r.GetProperty("metric").TryGetProperty("quantile", out var q) ? q.GetString() : "mean").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["0.025", "0.1", "0.5", "0.9", "0.975", "mean"], quantiles);
        double Value(string q) => double.Parse(h1.Single(r => (r.GetProperty("metric").TryGetProperty("quantile", out var x) ? x.GetString() : "mean") == q)
            .GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Value("0.025") <= Value("0.5") && Value("0.5") <= Value("0.975"), "quantiles out of order");

        var desirability = await Eventually(() => Query("auspex_locality_desirability"), r => r.GetArrayLength() > 0, "locality scores in Prometheus");
        Assert.Contains(desirability.EnumerateArray(), r => r.GetProperty("metric").GetProperty("locality").GetString() == "h1");
        Assert.True((await Query("auspex_locality_score_part{locality=\"h1\"}")).GetArrayLength() > 0);

        var anomalies = await Eventually(() => Query("last_over_time(auspex_anomaly_score[1h])"), r => r.GetArrayLength() > 0, "anomaly scores in Prometheus");
        Assert.Contains(anomalies.EnumerateArray(), r => r.GetProperty("metric").GetProperty("source_metric").GetString() == "auspex_host_cpu_used_cores");

        var status = await env.Auspex.GetFromJsonAsync<JsonElement>("/api/v1/ingest/status");
        Assert.True(status.GetProperty("sinks")[0].GetProperty("samples").GetInt64() > 0);
    }
}
