using System.Net;
using Auspex.Core.Series;
using Auspex.Ingestion.PrometheusApi;
using Auspex.Ingestion.Tests.Scrape;

namespace Auspex.Ingestion.Tests.PrometheusApi;

public class PrometheusQueryClientTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static PrometheusClientOptions Options(Action<PrometheusClientOptions>? _ = null) => new()
    {
        BaseUrl = new Uri("http://127.0.0.1:9090/prom/"),
        InitialBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(20),
        MaxRetries = 3,
    };

    private static string Matrix(params (string Metric, double Seconds, string Value)[] points) =>
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[" +
        string.Join(',', points.GroupBy(p => p.Metric).Select(g =>
            "{\"metric\":" + g.Key + ",\"values\":[" + string.Join(',', g.Select(p => $"[{p.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)},\"{p.Value}\"]")) + "]}")) +
        "]}}";

    private static Dictionary<string, string> Form(HttpRequestMessage r) =>
        r.Content!.ReadAsStringAsync().GetAwaiter().GetResult().Split('&')
            .Select(kv => kv.Split('=', 2)).ToDictionary(kv => Uri.UnescapeDataString(kv[0]), kv => Uri.UnescapeDataString(kv[1].Replace('+', ' ')));

    [Fact]
    public async Task QueryRange_ParsesMatrixWithSpecialValues()
    {
        var handler = StubHandler.Text(Matrix(
            ("{\"__name__\":\"up\",\"job\":\"node\"}", 1_700_000_000, "1"),
            ("{\"__name__\":\"up\",\"job\":\"node\"}", 1_700_000_015.5, "NaN"),
            ("{\"job\":\"x\"}", 1_700_000_000, "+Inf")), "application/json");
        var client = new PrometheusQueryClient(new HttpClient(handler), Options(), TimeProvider.System);

        var r = await client.QueryRangeAsync("up", new TimeRange(T0, T0.AddMinutes(1)), TimeSpan.FromSeconds(15), "unnamed_result");

        Assert.Equal(2, r.Series.Count);
        Assert.Equal(new SeriesKey("up", Labels.Of("job", "node")), r.Series[0].Key);
        Assert.Equal(T0.AddMilliseconds(15_500), r.Series[0].Samples[1].At);
        Assert.True(double.IsNaN(r.Series[0].Samples[1].Value));
        Assert.Equal(new SeriesKey("unnamed_result", Labels.Of("job", "x")), r.Series[1].Key);
        Assert.Equal(double.PositiveInfinity, r.Series[1].Samples[0].Value);
        var request = handler.Requests.Single();
        Assert.Equal("http://127.0.0.1:9090/prom/api/v1/query_range", request.RequestUri!.ToString());
        Assert.Equal(HttpMethod.Post, request.Method);
    }

    [Fact]
    public async Task QueryRange_LongRange_IsChunkedAndMerged()
    {
        var handler = new StubHandler((req, _) =>
        {
            var form = Form(req);
            var start = double.Parse(form["start"], System.Globalization.CultureInfo.InvariantCulture);
            var end = double.Parse(form["end"], System.Globalization.CultureInfo.InvariantCulture);
            var step = double.Parse(form["step"], System.Globalization.CultureInfo.InvariantCulture);
            var points = new List<(string, double, string)>();
            for (var t = start; t <= end; t += step)
            {
                points.Add(("{\"__name__\":\"m\"}", t, "1"));
            }
            return Task.FromResult(StubHandler.Response(Matrix([.. points]), "application/json"));
        });
        var options = Options() with { MaxPointsPerRequest = 100 };
        var client = new PrometheusQueryClient(new HttpClient(handler), options, TimeProvider.System);

        var r = await client.QueryRangeAsync("m", new TimeRange(T0, T0.AddSeconds(15 * 250)), TimeSpan.FromSeconds(15));

        Assert.Equal(3, r.Requests);
        Assert.Equal(3, handler.Requests.Count);
        var samples = Assert.Single(r.Series).Samples;
        Assert.Equal(250, samples.Count); // the range is half-open: T0 + 250 steps is excluded
        Assert.Equal(samples.Count, samples.Select(s => s.At).Distinct().Count());
    }

    [Fact]
    public async Task QueryRange_WithoutStep_ChoosesOneFromTheRange()
    {
        var forms = new List<Dictionary<string, string>>();
        var handler = new StubHandler((req, _) =>
        {
            forms.Add(Form(req));
            return Task.FromResult(StubHandler.Response(Matrix(), "application/json"));
        });
        var client = new PrometheusQueryClient(new HttpClient(handler), Options() with { MaxChunkDuration = TimeSpan.FromDays(30) }, TimeProvider.System);

        var r = await client.QueryRangeAsync("m", new TimeRange(T0, T0.AddDays(14)));

        Assert.Equal(TimeSpan.FromMinutes(2), r.Step);
        Assert.Equal("120", forms.Single()["step"]);
    }

    [Fact]
    public async Task QueryRange_ServerErrorThenSuccess_Retries()
    {
        var calls = 0;
        var handler = new StubHandler((_, _) => Task.FromResult(Interlocked.Increment(ref calls) < 3
            ? StubHandler.Response("overloaded", "text/plain", HttpStatusCode.ServiceUnavailable)
            : StubHandler.Response(Matrix(("{\"__name__\":\"m\"}", 1_700_000_000, "2")), "application/json")));
        var client = new PrometheusQueryClient(new HttpClient(handler), Options(), TimeProvider.System);

        var r = await client.QueryRangeAsync("m", new TimeRange(T0, T0.AddMinutes(1)));

        Assert.Equal(3, calls);
        Assert.Equal(2, r.Series[0].Samples[0].Value);
    }

    [Fact]
    public async Task QueryRange_BadQuery_FailsAtOnceWithPrometheusMessage()
    {
        var handler = StubHandler.Text("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:5: parse error: unexpected end of input\"}",
            "application/json", HttpStatusCode.BadRequest);
        var client = new PrometheusQueryClient(new HttpClient(handler), Options(), TimeProvider.System);

        var e = await Assert.ThrowsAsync<PrometheusApiException>(() => client.QueryRangeAsync("rate(", new TimeRange(T0, T0.AddMinutes(1))));

        Assert.Single(handler.Requests);
        Assert.True(e.IsPermanent);
        Assert.Equal("bad_data", e.ErrorType);
        Assert.Contains("parse error: unexpected end of input", e.Message, StringComparison.Ordinal);
        Assert.Contains("'rate('", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryRange_PersistentOutage_GivesUpAfterRetries()
    {
        var handler = StubHandler.Text("bad gateway", "text/plain", HttpStatusCode.BadGateway);
        var client = new PrometheusQueryClient(new HttpClient(handler), Options(), TimeProvider.System);

        var e = await Assert.ThrowsAsync<PrometheusApiException>(() => client.QueryRangeAsync("m", new TimeRange(T0, T0.AddMinutes(1))));

        Assert.Equal(4, handler.Requests.Count);
        Assert.Equal(4, e.Attempts);
        Assert.False(e.IsPermanent);
        Assert.Contains("after 4 attempts", e.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 502", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryRange_NotJson_FailsClearly()
    {
        var client = new PrometheusQueryClient(new HttpClient(StubHandler.Text("<html>login</html>", "text/html")), Options(), TimeProvider.System);

        var e = await Assert.ThrowsAsync<PrometheusApiException>(() => client.QueryRangeAsync("m", new TimeRange(T0, T0.AddMinutes(1))));

        Assert.Contains("not a Prometheus API JSON response", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_CarryConfiguredHeaders()
    {
        var handler = StubHandler.Text("{\"status\":\"success\",\"data\":[\"job\",\"instance\"]}", "application/json");
        var options = Options() with { Headers = new Dictionary<string, string> { ["X-Scope-OrgID"] = "team-a" } };
        var client = new PrometheusQueryClient(new HttpClient(handler), options, TimeProvider.System);

        var names = await client.LabelNamesAsync();

        Assert.Equal(["job", "instance"], names);
        Assert.Equal("team-a", handler.Requests[0].Headers.GetValues("X-Scope-OrgID").Single());
    }

    [Fact]
    public void Options_OverThePointLimit_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new PrometheusQueryClient(new HttpClient(), Options() with { MaxPointsPerRequest = 20_000 }, TimeProvider.System));
    }
}
