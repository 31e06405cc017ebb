using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Auspex.Server.Tests.Endpoints;

/// <summary>GET /api/v1/heatmap (the compact columnar view), the cached GET /api/v1/localities/{id}, and who may read them.</summary>
public sealed class HeatmapEndpointTests(HeatmapFixture f) : IClassFixture<HeatmapFixture>
{
    private async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Get(string path, string? token = null, string? orgId = null, string? encoding = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (orgId is not null)
        {
            req.Headers.Add("X-Scope-OrgID", orgId);
        }
        if (encoding is not null)
        {
            req.Headers.AcceptEncoding.ParseAdd(encoding);
        }
        var r = await f.Http.SendAsync(req);
        var body = encoding is null ? await r.Content.ReadAsStringAsync() : "";
        return (r.StatusCode, body, r);
    }

    private static string[] Ids(JsonElement h) => h.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public async Task Heatmap_IsColumnar_InTopologyOrder_WithParentIndexesKindsAndTheLatestScores()
    {
        var (status, body, _) = await Get("/api/v1/heatmap");
        Assert.Equal(HttpStatusCode.OK, status);
        var h = JsonDocument.Parse(body).RootElement;
        Assert.Equal("alpha", h.GetProperty("tenant").GetString());
        Assert.Equal(8, h.GetProperty("count").GetInt32());
        var ids = Ids(h);
        Assert.Equal(HeatmapFixture.Order, ids);
        Assert.Equal(["region", "zone", "rack", "host"], h.GetProperty("kindNames").EnumerateArray().Select(e => e.GetString()));
        var kinds = h.GetProperty("kind").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal([0, 1, 1, 2, 2, 3, 3, 3], kinds);
        var parents = h.GetProperty("parent").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal([-1, 0, 0, 1, 2, 3, 3, 4], parents);
        Assert.Equal(f.Scores.Values.Max(s => s.At), h.GetProperty("at").GetDateTimeOffset());
        var d = h.GetProperty("desirability").EnumerateArray().ToArray();
        var parts = h.GetProperty("parts");
        Assert.Equal(["capacity", "risk", "cost", "proximity"], parts.EnumerateObject().Select(p => p.Name));
        for (var i = 0; i < ids.Length; i++)
        {
            if (f.Scores.TryGetValue(ids[i], out var s))
            {
                // The latest score (not h1's older 0.999), to 4 decimals.
                Assert.Equal(Math.Round(s.Desirability, 4), d[i].GetDouble());
                foreach (var p in s.Parts)
                {
                    Assert.Equal(Math.Round(p.Value.Value, 4), parts.GetProperty(p.Key)[i].GetDouble());
                }
            }
        }
        Assert.Equal(0.1235, parts.GetProperty("risk")[0].GetDouble());
        Assert.Equal(JsonValueKind.Null, d[7].ValueKind); // h3: no score yet
        // The whole fleet's answer is far smaller than the full list with its explanations.
        var full = await f.Http.GetStringAsync("/api/v1/localities");
        Assert.True(body.Length * 2 < full.Length, $"heatmap {body.Length} B, localities {full.Length} B");
    }

    [Fact]
    public async Task Heatmap_AgreesWithTheFullList_LocalityByLocality()
    {
        var h = JsonDocument.Parse(await f.Http.GetStringAsync("/api/v1/heatmap")).RootElement;
        var list = JsonDocument.Parse(await f.Http.GetStringAsync("/api/v1/localities")).RootElement.EnumerateArray().ToArray();
        var ids = Ids(h);
        Assert.Equal(list.Select(l => l.GetProperty("id").GetString()), ids);
        for (var i = 0; i < ids.Length; i++)
        {
            var score = list[i].GetProperty("score");
            var d = h.GetProperty("desirability")[i];
            if (score.ValueKind == JsonValueKind.Null)
            {
                Assert.Equal(JsonValueKind.Null, d.ValueKind);
                continue;
            }
            Assert.Equal(Math.Round(score.GetProperty("desirability").GetDouble(), 4), d.GetDouble());
            var p = h.GetProperty("parent")[i].GetInt32();
            Assert.Equal(list[i].GetProperty("parent").GetString(), p < 0 ? null : ids[p]);
        }
    }

    [Fact]
    public async Task Heatmap_Under_KeepsThatSubtree_AndPartsFalse_DropsTheParts()
    {
        var h = JsonDocument.Parse(await f.Http.GetStringAsync("/api/v1/heatmap?under=zone-1&parts=false")).RootElement;
        Assert.Equal(["zone-1", "rack-1", "h1", "h2"], Ids(h));
        Assert.Equal([-1, 0, 1, 1], h.GetProperty("parent").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Empty(h.GetProperty("parts").EnumerateObject());
        Assert.Equal(Math.Round(f.Scores["h2"].Desirability, 4), h.GetProperty("desirability")[3].GetDouble());
        var host = JsonDocument.Parse(await f.Http.GetStringAsync("/api/v1/heatmap?under=h3")).RootElement;
        Assert.Equal(["h3"], Ids(host));
    }

    [Theory]
    [InlineData("/api/v1/heatmap?parts=maybe", HttpStatusCode.BadRequest, "parameter 'parts': 'maybe' is neither true nor false")]
    [InlineData("/api/v1/heatmap?parts=", HttpStatusCode.BadRequest, "parameter 'parts'")]
    [InlineData("/api/v1/heatmap?under=no-such-rack", HttpStatusCode.NotFound, "no locality has id 'no-such-rack'")]
    [InlineData("/api/v1/heatmap?under=", HttpStatusCode.NotFound, "no locality has id ''")]
    [InlineData("/api/v1/heatmap?kind=host", HttpStatusCode.BadRequest, "unknown query parameter 'kind'")]
    [InlineData("/api/v1/heatmap?under=zone-1&under=zone-2", HttpStatusCode.BadRequest, "at most once")]
    [InlineData("/api/v1/localities/no-such-host", HttpStatusCode.NotFound, "no locality has id 'no-such-host'")]
    public async Task BadQueries_AndUnknownIds_AreRefusedWithTheReason(string path, HttpStatusCode status, string message)
    {
        var (s, body, _) = await Get(path);
        Assert.Equal(status, s);
        Assert.Contains(message, body, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", (await f.Http.GetAsync(path)).Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Locality_FromTheCachedScores_HasWeightsAndExplanations()
    {
        var l = JsonDocument.Parse(await f.Http.GetStringAsync("/api/v1/localities/h2")).RootElement;
        var s = f.Scores["h2"];
        Assert.Equal("host", l.GetProperty("kind").GetString());
        Assert.Equal("rack-1", l.GetProperty("parent").GetString());
        Assert.Equal(8, l.GetProperty("capacity").GetProperty("cpu").GetDouble());
        var score = l.GetProperty("score");
        Assert.Equal(s.Desirability, score.GetProperty("desirability").GetDouble(), 12);
        Assert.Equal(0.4, score.GetProperty("weights").GetProperty("capacity").GetDouble());
        Assert.Equal("h2: tightest resource cpu", score.GetProperty("explanations").GetProperty("capacity").GetString());
        Assert.Equal(s.At, score.GetProperty("at").GetDateTimeOffset());
        // The same as the full list shows for it.
        var fromList = JsonDocument.Parse(await f.Http.GetStringAsync("/api/v1/localities")).RootElement.EnumerateArray().Single(x => x.GetProperty("id").GetString() == "h2");
        Assert.Equal(fromList.GetRawText(), l.GetRawText());
    }

    [Fact]
    public async Task LatestScores_AreReadFromTheStoreOncePerTick_NotPerRequest()
    {
        await f.Http.GetStringAsync("/api/v1/heatmap");
        var reads = f.Latest.StoreReads;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => f.Http.GetStringAsync("/api/v1/heatmap")));
        await f.Http.GetStringAsync("/api/v1/localities/h1");
        Assert.Equal(reads, f.Latest.StoreReads);
        // Another tick (the loop is the only writer of scores): the next request reads the store again, once.
        await f.Runtime.Loop.TickAsync();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => f.Http.GetStringAsync("/api/v1/heatmap")));
        Assert.Equal(reads + 1, f.Latest.StoreReads);
    }

    [Fact]
    public async Task Heatmap_IsCompressed_WhenTheClientAsks()
    {
        foreach (var enc in new[] { "br", "gzip" })
        {
            var (s, _, r) = await Get("/api/v1/heatmap", encoding: enc);
            Assert.Equal(HttpStatusCode.OK, s);
            Assert.Equal([enc], r.Content.Headers.ContentEncoding);
        }
        var (_, _, plain) = await Get("/api/v1/heatmap");
        Assert.Empty(plain.Content.Headers.ContentEncoding);
    }

    [Theory]
    [InlineData(null, null, HttpStatusCode.OK, null)]
    [InlineData(HeatmapFixture.AlphaViewer, null, HttpStatusCode.OK, null)]
    [InlineData(HeatmapFixture.AlphaViewer, "alpha", HttpStatusCode.OK, null)]
    [InlineData(HeatmapFixture.BetaAdmin, "alpha", HttpStatusCode.OK, null)]
    [InlineData(null, "beta", HttpStatusCode.Forbidden, "anonymous callers read the served tenant 'alpha' only")]
    [InlineData(HeatmapFixture.AlphaViewer, "beta", HttpStatusCode.Forbidden, "key 'alpha-viewer' belongs to tenant 'alpha' and may not read tenant 'beta'")]
    [InlineData(HeatmapFixture.BetaViewer, null, HttpStatusCode.Forbidden, "key 'beta-viewer' belongs to tenant 'beta'; this server serves tenant 'alpha'")]
    [InlineData(HeatmapFixture.BetaAdmin, null, HttpStatusCode.Forbidden, "an admin key may read it by naming it in X-Scope-OrgID")]
    [InlineData(HeatmapFixture.BetaViewer, "beta", HttpStatusCode.NotFound, "tenant 'beta' named by X-Scope-OrgID has none here")]
    [InlineData(HeatmapFixture.BetaAdmin, "gamma", HttpStatusCode.NotFound, "tenant 'gamma' named by X-Scope-OrgID has none here")]
    [InlineData(null, "Not A Tenant", HttpStatusCode.BadRequest, "is not a tenant id")]
    [InlineData(HeatmapFixture.AlphaViewer, "alpha|beta", HttpStatusCode.BadRequest, "names several tenants")]
    [InlineData("not-a-key", null, HttpStatusCode.Unauthorized, "the API key is not valid")]
    public async Task Tenants_ReadOnlyTheirOwnLocalities(string? token, string? orgId, HttpStatusCode status, string? message)
    {
        foreach (var path in new[] { "/api/v1/heatmap", "/api/v1/localities", "/api/v1/localities/h1", "/api/v1/localities/h1/scores", "/api/v1/series?match={host=\"h1\"}", "/api/v1/status" })
        {
            var (s, body, _) = await Get(path, token, orgId);
            Assert.True(status == s, $"{path}: {(int)s} {body}");
            if (message is not null)
            {
                Assert.Contains(message, body, StringComparison.Ordinal);
                Assert.DoesNotContain("0.777", body, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task WithAnonymousReadsOff_ReadsNeedAKey_ButTheSessionEndpointAnswers()
    {
        f.Auth.AnonymousReads = false;
        try
        {
            foreach (var path in new[] { "/api/v1/heatmap", "/api/v1/localities", "/api/v1/localities/h1", "/api/v1/status", "/api/v1/events", "/api/v1/alerts", "/api/v1/plans" })
            {
                var (s, body, r) = await Get(path);
                Assert.True(HttpStatusCode.Unauthorized == s, $"{path}: {(int)s} {body}");
                Assert.Contains("reads need an API key", body, StringComparison.Ordinal);
                Assert.Equal("Bearer realm=\"auspex\"", r.Headers.WwwAuthenticate.ToString());
            }
            Assert.Equal(HttpStatusCode.OK, (await Get("/api/v1/heatmap", HeatmapFixture.AlphaViewer)).Status);
            var session = JsonDocument.Parse((await Get("/api/v1/session")).Body).RootElement;
            Assert.False(session.GetProperty("anonymousReads").GetBoolean());
        }
        finally
        {
            f.Auth.AnonymousReads = true;
        }
    }
}
