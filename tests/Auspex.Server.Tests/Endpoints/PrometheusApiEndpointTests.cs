using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Auspex.Server.Tests.Endpoints;

public sealed class PrometheusApiEndpointTests(PromApiFixture f) : IClassFixture<PromApiFixture>
{
    private const long T0 = 1_700_000_000;

    private static string S(long seconds) => seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<(HttpStatusCode Status, string Body, JsonElement Json)> Get(string path, string? token = null, string? orgId = null, params (string, string)[] query)
    {
        var url = "/prometheus/api/v1/" + path + (query.Length == 0 ? "" : "?" + string.Join("&", query.Select(q => q.Item1 + "=" + Uri.EscapeDataString(q.Item2))));
        return await Send(new HttpRequestMessage(HttpMethod.Get, url), token, orgId);
    }

    private async Task<(HttpStatusCode Status, string Body, JsonElement Json)> Post(string path, string? token = null, string? orgId = null, params (string, string)[] form)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/prometheus/api/v1/" + path)
        {
            Content = new FormUrlEncodedContent(form.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2))),
        };
        return await Send(req, token, orgId);
    }

    private async Task<(HttpStatusCode Status, string Body, JsonElement Json)> Send(HttpRequestMessage req, string? token, string? orgId)
    {
        if (token is not null)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (orgId is not null)
        {
            req.Headers.Add("X-Scope-OrgID", orgId);
        }
        using var r = await f.Http.SendAsync(req);
        var body = await r.Content.ReadAsStringAsync();
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        return (r.StatusCode, body, JsonDocument.Parse(body).RootElement.Clone());
    }

    private static void AssertError(HttpStatusCode expected, string errorType, string contains, (HttpStatusCode Status, string Body, JsonElement Json) r)
    {
        Assert.Equal(expected, r.Status);
        Assert.Equal("error", r.Json.GetProperty("status").GetString());
        Assert.Equal(errorType, r.Json.GetProperty("errorType").GetString());
        Assert.Contains(contains, r.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryRange_PrometheusJsonExactly()
    {
        var r = await Get("query_range", query: [("query", "prom_test_gauge"), ("start", S(T0)), ("end", S(T0 + 120)), ("step", "60")]);
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"__name__\":\"prom_test_gauge\",\"host\":\"h1\"}," +
            "\"values\":[[1700000000,\"1.5\"],[1700000060,\"2.5\"],[1700000120,\"1.5\"]]}]}}",
            r.Body);
    }

    [Fact]
    public async Task QueryRange_RateOfTheCounter_AndFractionalTimes()
    {
        // 10 per minute: rate over 5 minutes of samples on the window's ends is exactly 50 / 300 s.
        var r = await Get("query_range", query: [("query", "rate(prom_test_requests_total{job=\"api\"}[5m])"), ("start", S(T0 + 600) + ".5"), ("end", S(T0 + 900)), ("step", "150")]);
        Assert.Equal(HttpStatusCode.OK, r.Status);
        var series = r.Json.GetProperty("data").GetProperty("result").EnumerateArray().Single();
        Assert.Equal("{\"job\":\"api\"}", series.GetProperty("metric").GetRawText());
        var values = series.GetProperty("values").EnumerateArray().ToList();
        Assert.Equal(["1700000600.500", "1700000750.500"], values.Select(v => v[0].GetRawText()));
        Assert.All(values, v => Assert.Equal(1.0 / 6, double.Parse(v[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture), 12));
    }

    [Fact]
    public async Task QueryRange_PostForm_SameAsGet_AndRfc3339AndDurationStep()
    {
        var q = "avg_over_time(prom_test_gauge[2m]) * 100";
        var get = await Get("query_range", query: [("query", q), ("start", S(T0 + 120)), ("end", S(T0 + 600)), ("step", "60")]);
        var post = await Post("query_range", form: [("query", q), ("start", "2023-11-14T22:15:20Z"), ("end", "2023-11-14T22:23:20Z"), ("step", "1m")]);
        Assert.Equal(HttpStatusCode.OK, get.Status);
        Assert.Equal(get.Body, post.Body);
        // [t−2m, t] holds three samples: 1.5, 2.5, 1.5 or 2.5, 1.5, 2.5 → averages 183.33… and 216.66…
        var v = get.Json.GetProperty("data").GetProperty("result")[0].GetProperty("values")[0][1].GetString();
        Assert.Equal("183.33333333333331", v);
    }

    [Fact]
    public async Task Query_InstantVectorAndScalar()
    {
        var v = await Post("query", form: [("query", "sum by (job) (prom_test_requests_total)"), ("time", S(T0 + 300))]);
        Assert.Equal("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"job\":\"api\"},\"value\":[1700000300,\"50\"]}]}}", v.Body);
        var s = await Get("query", query: [("query", "1+1"), ("time", S(T0) + ".25")]);
        Assert.Equal("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000.250,\"2\"]}}", s.Body);
        var inf = await Get("query", query: [("query", "prom_test_gauge / 0"), ("time", S(T0))]);
        Assert.Equal("+Inf", inf.Json.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
        var nan = await Get("query", query: [("query", "0/0"), ("time", S(T0))]);
        Assert.Equal("NaN", nan.Json.GetProperty("data").GetProperty("result")[1].GetString());
        var raw = await Get("query", query: [("query", "prom_test_gauge[1m]"), ("time", S(T0 + 60))]);
        Assert.Equal("matrix", raw.Json.GetProperty("data").GetProperty("resultType").GetString());
        Assert.Equal(2, raw.Json.GetProperty("data").GetProperty("result")[0].GetProperty("values").GetArrayLength());
    }

    [Fact]
    public async Task Query_WithoutTime_UsesTheLoopClock()
    {
        // The fake clock stands at T0 + 1 h; the last samples are at T0 + 60 min.
        var r = await Get("query", query: [("query", "alpha_only_metric")]);
        Assert.Equal("7", r.Json.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
    }

    [Theory]
    [InlineData("rate(x[5m]", "1700000000", "1700000060", "60", "parse error at character 11")]
    [InlineData("topk(3, x)", "1700000000", "1700000060", "60", "aggregation 'topk' is not supported")]
    [InlineData("x offset 5m", "1700000000", "1700000060", "60", "the 'offset' modifier is not supported")]
    [InlineData("x[5m]", "1700000000", "1700000060", "60", "invalid expression type \"range vector\" for range query")]
    [InlineData("", "1700000000", "1700000060", "60", "the query is empty")]
    [InlineData("x", "yesterday", "1700000060", "60", "invalid parameter \"start\": cannot parse \"yesterday\" to a valid timestamp")]
    [InlineData("x", "", "1700000060", "60", "invalid parameter \"start\": cannot parse \"\" to a valid timestamp")]
    [InlineData("x", "1700000000", "soon", "60", "invalid parameter \"end\": cannot parse \"soon\" to a valid timestamp")]
    [InlineData("x", "1700000000", "1700000060", "often", "invalid parameter \"step\": cannot parse \"often\" to a valid duration")]
    [InlineData("x", "1700000000", "1700000060", "0", "zero or negative query resolution step widths are not accepted")]
    [InlineData("x", "1700000000", "1700000060", "-5", "zero or negative query resolution step widths are not accepted")]
    [InlineData("x", "1700000060", "1700000000", "60", "invalid parameter \"end\": end timestamp must not be before start time")]
    [InlineData("x", "1700000000", "1700011001", "1", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")]
    public async Task QueryRange_BadInput_400BadData(string query, string start, string end, string step, string message)
    {
        AssertError(HttpStatusCode.BadRequest, "bad_data", message,
            await Get("query_range", query: [("query", query), ("start", start), ("end", end), ("step", step)]));
    }

    [Fact]
    public async Task QueryRange_AtExactly11000Steps_IsAllowed()
    {
        var r = await Get("query_range", query: [("query", "alpha_only_metric"), ("start", S(T0)), ("end", S(T0 + 11_000)), ("step", "1")]);
        Assert.Equal(HttpStatusCode.OK, r.Status);
    }

    [Fact]
    public async Task Query_ExecutionErrors_422()
    {
        // Two series whose labels become equal once rate() drops the name.
        AssertError((HttpStatusCode)422, "execution", "same labelset",
            await Get("query", query: [("query", "rate({__name__=~\"prom_test_gauge|alpha_only_metric\"}[5m])"), ("time", S(T0 + 600))]));
        AssertError(HttpStatusCode.BadRequest, "bad_data", "invalid parameter \"time\"",
            await Get("query", query: [("query", "1"), ("time", "noon")]));
    }

    [Fact]
    public async Task Post_NotAForm_400()
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/prometheus/api/v1/query") { Content = new StringContent("{\"query\":\"1\"}", System.Text.Encoding.UTF8, "application/json") };
        AssertError(HttpStatusCode.BadRequest, "bad_data", "application/x-www-form-urlencoded", await Send(req, null, null));
    }

    [Fact]
    public async Task Series_UnionOfMatchSelectors_GetAndPost()
    {
        var get = await Get("series", query: [("match[]", "prom_test_gauge"), ("match[]", "{__name__=~\"alpha_.*\"}"), ("start", S(T0)), ("end", S(T0 + 60))]);
        Assert.Equal(
            "{\"status\":\"success\",\"data\":[{\"__name__\":\"alpha_only_metric\",\"host\":\"h1\"},{\"__name__\":\"prom_test_gauge\",\"host\":\"h1\"}]}",
            get.Body);
        var post = await Post("series", form: [("match[]", "prom_test_gauge"), ("match[]", "{__name__=~\"alpha_.*\"}")]);
        Assert.Equal(get.Body, post.Body);
        AssertError(HttpStatusCode.BadRequest, "bad_data", "no match[] parameter provided", await Get("series"));
        AssertError(HttpStatusCode.BadRequest, "bad_data", "is not a series selector", await Get("series", query: [("match[]", "rate(x[5m])")]));
        AssertError(HttpStatusCode.BadRequest, "bad_data", "invalid parameter \"match[]\": parse error", await Get("series", query: [("match[]", "x{")]));
        AssertError(HttpStatusCode.BadRequest, "bad_data", "invalid parameter \"start\"", await Get("series", query: [("match[]", "x"), ("start", "x")]));
    }

    [Fact]
    public async Task LabelsAndLabelValues()
    {
        var labels = await Get("labels");
        foreach (var name in new[] { "\"__name__\"", "\"host\"", "\"job\"", "\"locality\"", "\"part\"" })
        {
            Assert.Contains(name, labels.Body, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("secret", labels.Body, StringComparison.Ordinal);
        var post = await Post("labels", form: [("match[]", "prom_test_requests_total")]);
        Assert.Equal("{\"status\":\"success\",\"data\":[\"__name__\",\"job\"]}", post.Body);
        var names = await Get("label/__name__/values", query: [("match[]", "{__name__=~\"prom_test_.*|alpha_.*\"}")]);
        Assert.Equal("{\"status\":\"success\",\"data\":[\"alpha_only_metric\",\"prom_test_gauge\",\"prom_test_gauge:predicted\",\"prom_test_requests_total\"]}", names.Body);
        var hosts = await Get("label/host/values", query: [("match[]", "prom_test_gauge")]);
        Assert.Equal("{\"status\":\"success\",\"data\":[\"h1\"]}", hosts.Body);
        var none = await Get("label/nothing/values");
        Assert.Equal("{\"status\":\"success\",\"data\":[]}", none.Body);
        AssertError(HttpStatusCode.BadRequest, "bad_data", "invalid label name: \"1bad\"", await Get("label/1bad/values"));
    }

    [Fact]
    public async Task BuildInfo_AndMetadata()
    {
        var b = await Get("status/buildinfo");
        Assert.Equal(HttpStatusCode.OK, b.Status);
        Assert.Equal("2.42.0", b.Json.GetProperty("data").GetProperty("version").GetString());
        Assert.Equal("{\"status\":\"success\",\"data\":{}}", (await Get("metadata")).Body);
    }

    // ---------------- tenancy ----------------

    private async Task<string> Everything(string? token, string? orgId)
    {
        // What a caller can see through every read endpoint, as one string.
        var parts = new List<string>();
        foreach (var r in new[]
        {
            await Get("query_range", token, orgId, ("query", "{__name__=~\".+\"}"), ("start", S(T0)), ("end", S(T0 + 600)), ("step", "300")),
            await Post("query_range", token, orgId, ("query", "sum by (job) (rate(prom_test_requests_total[5m]))"), ("start", S(T0 + 300)), ("end", S(T0 + 600)), ("step", "300")),
            await Get("query", token, orgId, ("query", "last_over_time({__name__=~\".+\"}[10m])"), ("time", S(T0 + 600))),
            await Get("series", token, orgId, ("match[]", "{__name__=~\".+\"}")),
            await Get("labels", token, orgId),
            await Get("label/__name__/values", token, orgId),
            await Get("label/secret/values", token, orgId),
        })
        {
            Assert.Equal(HttpStatusCode.OK, r.Status);
            parts.Add(r.Body);
        }
        return string.Join("\n", parts);
    }

    [Fact]
    public async Task Tenancy_EachKeyReadsItsOwnTenant_AndNothingOfTheOther()
    {
        var alpha = await Everything(PromApiFixture.AlphaViewer, null);
        Assert.Contains("alpha_only_metric", alpha, StringComparison.Ordinal);
        Assert.DoesNotContain("beta_only_metric", alpha, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", alpha, StringComparison.Ordinal);
        Assert.DoesNotContain("999", alpha, StringComparison.Ordinal);
        var beta = await Everything(PromApiFixture.BetaViewer, null);
        Assert.Contains("beta_only_metric", beta, StringComparison.Ordinal);
        Assert.Contains("s3cr3t", beta, StringComparison.Ordinal);
        Assert.Contains("999", beta, StringComparison.Ordinal);
        Assert.DoesNotContain("alpha_only_metric", beta, StringComparison.Ordinal);
        // Anonymous reads (allowed here) see the served tenant; the same key naming its own tenant changes nothing.
        Assert.Equal(alpha, await Everything(null, null));
        Assert.Equal(alpha, await Everything(PromApiFixture.AlphaViewer, "alpha"));
        Assert.Equal(beta, await Everything(PromApiFixture.BetaViewer, "beta"));
        // An admin key may name any tenant.
        Assert.Equal(alpha, await Everything(PromApiFixture.BetaAdmin, "alpha"));
        Assert.Equal(beta, await Everything(PromApiFixture.BetaAdmin, null));
    }

    [Theory]
    [InlineData(PromApiFixture.AlphaViewer, "beta", HttpStatusCode.Forbidden, "forbidden", "key 'alpha-viewer' belongs to tenant 'alpha' and may not read tenant 'beta' named by X-Scope-OrgID")]
    [InlineData(PromApiFixture.AlphaOperator, "beta", HttpStatusCode.Forbidden, "forbidden", "only an admin key may name another tenant")]
    [InlineData(PromApiFixture.BetaViewer, "alpha", HttpStatusCode.Forbidden, "forbidden", "may not read tenant 'alpha'")]
    [InlineData(null, "beta", HttpStatusCode.Forbidden, "forbidden", "anonymous callers read the served tenant 'alpha' only")]
    [InlineData(PromApiFixture.AlphaViewer, "Alpha!", HttpStatusCode.BadRequest, "bad_data", "X-Scope-OrgID 'Alpha!' is not a tenant id")]
    [InlineData(PromApiFixture.BetaAdmin, "alpha|beta", HttpStatusCode.BadRequest, "bad_data", "names several tenants")]
    [InlineData("not-a-key", null, HttpStatusCode.Unauthorized, "unauthorized", "the API key is not valid")]
    public async Task Tenancy_NamingAnotherTenantWithoutRight_IsRefusedOnEveryEndpoint(string? token, string? orgId, HttpStatusCode status, string errorType, string message)
    {
        AssertError(status, errorType, message, await Get("query_range", token, orgId, ("query", "prom_test_gauge"), ("start", S(T0)), ("end", S(T0 + 60)), ("step", "60")));
        AssertError(status, errorType, message, await Post("query", token, orgId, ("query", "prom_test_gauge"), ("time", S(T0))));
        AssertError(status, errorType, message, await Get("series", token, orgId, ("match[]", "prom_test_gauge")));
        AssertError(status, errorType, message, await Post("labels", token, orgId));
        AssertError(status, errorType, message, await Get("label/__name__/values", token, orgId));
    }

    [Fact]
    public async Task LoopResults_ScoresAndForecasts_AreSeries()
    {
        var d = await Get("query_range", query: [("query", "auspex_locality_desirability{locality=\"h1\"}"), ("start", S(T0 + 1800)), ("end", S(T0 + 1860)), ("step", "60")]);
        var ds = d.Json.GetProperty("data").GetProperty("result").EnumerateArray().Single();
        Assert.Equal("host", ds.GetProperty("metric").GetProperty("kind").GetString());
        Assert.Equal("[[1700001800,\"0.8\"],[1700001860,\"0.6\"]]", ds.GetProperty("values").GetRawText());
        var p = await Get("query", query: [("query", "auspex_locality_score_part{part=\"capacity\"} * 100"), ("time", S(T0 + 1860))]);
        Assert.Equal("{\"locality\":\"h1\",\"part\":\"capacity\"}", p.Json.GetProperty("data").GetProperty("result")[0].GetProperty("metric").GetRawText());
        Assert.Equal("50", p.Json.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
        var q = await Get("query_range", query: [("query", "prom_test_gauge:predicted{quantile=\"0.9\"}"), ("start", S(T0 + 3660)), ("end", S(T0 + 3720)), ("step", "60")]);
        var qs = q.Json.GetProperty("data").GetProperty("result").EnumerateArray().Single();
        Assert.Equal("{\"__name__\":\"prom_test_gauge:predicted\",\"auspex_model\":\"test-model\",\"host\":\"h1\",\"quantile\":\"0.9\"}", qs.GetProperty("metric").GetRawText());
        Assert.Equal("[[1700003660,\"4\"],[1700003720,\"4.5\"]]", qs.GetProperty("values").GetRawText());
        var mean = await Get("query", query: [("query", "prom_test_gauge:predicted{quantile=\"\"}"), ("time", S(T0 + 3660))]);
        Assert.Equal("3", mean.Json.GetProperty("data").GetProperty("result").EnumerateArray().Single().GetProperty("value")[1].GetString());
        // Tenants see only their own results.
        var beta = await Get("query_range", PromApiFixture.BetaViewer, null, ("query", "{__name__=~\"auspex_locality_desirability|prom_test_gauge:predicted\"}"), ("start", S(T0 + 1800)), ("end", S(T0 + 3720)), ("step", "60"));
        Assert.Contains("beta-host", beta.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("h1", beta.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("predicted", beta.Body, StringComparison.Ordinal);
        var alpha = await Get("series", PromApiFixture.AlphaViewer, null, ("match[]", "auspex_locality_desirability"));
        Assert.DoesNotContain("beta-host", alpha.Body, StringComparison.Ordinal);
    }
}
