using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Auspex.EndToEnd.Tests;

[Collection("demo")]
public sealed class DemoApiTests(DemoServerFixture demo)
{
    [Fact]
    public async Task Localities_AfterTicks_EveryLocalityHasAScoreInTheStableShape()
    {
        var locs = await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        Assert.Equal(57, locs.GetArrayLength()); // 1 region, 4 zones, 12 racks, 40 hosts
        foreach (var l in locs.EnumerateArray())
        {
            Assert.False(string.IsNullOrEmpty(l.GetProperty("id").GetString()));
            var kind = l.GetProperty("kind").GetString();
            Assert.Contains(kind, new[] { "region", "zone", "rack", "host" });
            Assert.Equal(kind == "region", l.GetProperty("parent").ValueKind == JsonValueKind.Null);
            var score = l.GetProperty("score");
            Assert.InRange(score.GetProperty("desirability").GetDouble(), 0, 1);
            Assert.True(DateTimeOffset.TryParse(score.GetProperty("at").GetString(), out _));
            foreach (var part in score.GetProperty("parts").EnumerateObject())
            {
                Assert.InRange(part.Value.GetDouble(), 0, 1);
            }
        }
    }

    [Fact]
    public async Task Health_OpenApi_Metrics_AreServed()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        Assert.Equal("ok\n", await demo.Http.GetStringAsync("/livez"));
        // Scores are stored mid-tick; readiness follows when the first tick has completed.
        var wait = System.Diagnostics.Stopwatch.StartNew();
        var ready = await demo.Http.GetAsync("/readyz");
        while (!ready.IsSuccessStatusCode && wait.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(250);
            ready = await demo.Http.GetAsync("/readyz");
        }
        Assert.True(ready.IsSuccessStatusCode, await ready.Content.ReadAsStringAsync() + await demo.Http.GetStringAsync("/api/v1/status"));
        var openapi = await demo.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = openapi.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/localities", out _));
        Assert.True(paths.TryGetProperty("/api/v1/series/query", out _));
        var metrics = await demo.Http.GetAsync("/metrics");
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE auspex_locality_desirability gauge", text, StringComparison.Ordinal);
        Assert.Matches(@"auspex_locality_desirability\{locality=""vm-\d+"",kind=""host""\} [0-9.]+", text);
        Assert.Contains("# TYPE auspex_host_cpu_used_cores:predicted gauge", text, StringComparison.Ordinal);
        Assert.Matches(@"auspex_host_cpu_used_cores:predicted\{[^}]*quantile=""0.9""[^}]*\} [0-9.eE+-]+", text);
    }

    [Fact]
    public async Task Forecasts_HostCpu_HaveOrderedQuantiles()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        var host = (await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/localities")).EnumerateArray()
            .First(l => l.GetProperty("kind").GetString() == "host").GetProperty("id").GetString();
        var sel = Uri.EscapeDataString($"auspex_host_cpu_used_cores{{host=\"{host}\"}}");
        var f = (await demo.Http.GetFromJsonAsync<JsonElement>($"/api/v1/forecasts?match={sel}")).EnumerateArray().Single();
        Assert.NotEmpty(f.GetProperty("model").GetString()!);
        foreach (var p in f.GetProperty("points").EnumerateArray())
        {
            var q = p.GetProperty("quantiles");
            Assert.True(q.GetProperty("0.1").GetDouble() <= q.GetProperty("0.5").GetDouble());
            Assert.True(q.GetProperty("0.5").GetDouble() <= q.GetProperty("0.9").GetDouble());
        }
        var data = await demo.Http.GetFromJsonAsync<JsonElement>($"/api/v1/series/query?match={sel}&from=0&resolution=raw");
        Assert.True(data.EnumerateArray().Single().GetProperty("points").GetArrayLength() > 10);
    }

    [Fact]
    public async Task SeriesModels_ShowTheChosenModelItsCandidatesAndRetrainState()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        var sel = Uri.EscapeDataString("{__name__=~\"auspex_host_.*\"}");
        var models = await demo.Http.GetFromJsonAsync<JsonElement>($"/api/v1/series/models?match={sel}");
        Assert.True(models.GetArrayLength() > 0);
        foreach (var m in models.EnumerateArray())
        {
            Assert.False(string.IsNullOrEmpty(m.GetProperty("model").GetString()));
            Assert.Contains(m.GetProperty("status").GetString(), new[] { "ok", "fallback" });
            Assert.False(string.IsNullOrEmpty(m.GetProperty("retrainReason").GetString()));
            Assert.True(m.GetProperty("horizon").GetInt32() >= 1);
        }
        // Series selected by cross-validation list every candidate, best first, with per-window errors.
        var selected = models.EnumerateArray().Where(m => m.GetProperty("candidates").GetArrayLength() > 0).ToList();
        foreach (var m in selected)
        {
            var ranks = m.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("rank").GetInt32()).ToList();
            Assert.Equal(Enumerable.Range(1, ranks.Count), ranks);
            Assert.NotEmpty(m.GetProperty("candidates")[0].GetProperty("windows").EnumerateArray());
            Assert.True(m.GetProperty("lastRetrain").ValueKind == JsonValueKind.String);
        }
        var alias = await demo.Http.GetFromJsonAsync<JsonElement>($"/api/v1/forecasts/models?selector={sel}");
        Assert.Equal(models.GetArrayLength(), alias.GetArrayLength());
        var openapi = await demo.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openapi.GetProperty("paths").TryGetProperty("/api/v1/series/models", out _));
    }

    [Theory]
    [InlineData("/api/v1/series/models?match=cpu%7Bhost%3D", 400, "parameter 'match'")]
    [InlineData("/api/v1/series/models?match=a&selector=b", 400, "not both")]
    [InlineData("/api/v1/series/models", 400, "the selector is empty")]
    [InlineData("/api/v1/localities/no-such-host", 404, "no locality has id 'no-such-host'")]
    [InlineData("/api/v1/series/query?match=cpu%7Bhost%3D", 400, "parameter 'match'")]
    [InlineData("/api/v1/series/query?match=cpu&from=yesterday", 400, "parameter 'from'")]
    [InlineData("/api/v1/series/query?match=cpu&from=100&to=50", 400, "before 'from'")]
    [InlineData("/api/v1/series/query?match=cpu&resolution=2m", 400, "parameter 'resolution'")]
    [InlineData("/api/v1/series", 400, "the selector is empty")]
    [InlineData("/api/v1/localities/rack-1-01/scores?from=x", 400, "parameter 'from'")]
    public async Task BadRequests_AnswerProblemDetailsSayingWhatWasWrong(string url, int status, string expected)
    {
        var r = await demo.Http.GetAsync(url);
        Assert.Equal((HttpStatusCode)status, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType!.MediaType);
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(expected, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooManyPoints_IsRefusedNotServed()
    {
        var r = await demo.Http.GetAsync("/api/v1/series/query?match=%7Bhost%3D~%22vm-.*%22%7D&from=0&resolution=raw");
        // 200 series is within the series limit; the answer either fits the point limit or is refused with a reason.
        Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest);
        if (r.StatusCode == HttpStatusCode.BadRequest)
        {
            Assert.Contains("Too many", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ScoreHistory_GrowsWithTicks()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        var h = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/localities/zone-1/scores");
        Assert.True(h.GetArrayLength() >= 1, $"zone-1 has no score history yet: {h}");
    }

    [Fact]
    public async Task Events_StreamTicks()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var req = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events");
        using var resp = await demo.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", resp.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await resp.Content.ReadAsStreamAsync(cts.Token));
        string? line;
        while ((line = await reader.ReadLineAsync(cts.Token)) is not null && line != "event: tick")
        {
        }
        Assert.Equal("event: tick", line);
        var data = await reader.ReadLineAsync(cts.Token);
        Assert.StartsWith("data: {", data, StringComparison.Ordinal);
    }
}
