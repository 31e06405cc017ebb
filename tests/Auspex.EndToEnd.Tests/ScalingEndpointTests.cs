using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Auspex.EndToEnd.Tests;

/// <summary>The scaling API on the running demo server (scaling stage in its default forecast-only mode, simulated executor).</summary>
[Collection("demo")]
public sealed class ScalingEndpointTests(DemoServerFixture demo)
{
    private static HttpRequestMessage Request(HttpMethod method, string url, string? body, string? token)
    {
        var req = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            req.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        if (token is not null)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return req;
    }

    private async Task<JsonElement> DecisionsAsync(string query = "")
    {
        for (var i = 0; i < 120; i++)
        {
            var view = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/scaling/decisions" + query);
            if (view.GetProperty("decisions").GetArrayLength() > 0)
            {
                return view;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException("the scaling stage recorded no decision within a minute");
    }

    [Fact]
    public async Task Decisions_AreRecordedEachTick_WithTierMixQuantileLeadTimeAndReason()
    {
        var view = await DecisionsAsync();
        Assert.Equal("demo", view.GetProperty("tenant").GetString());
        Assert.Equal("forecastOnly", view.GetProperty("mode").GetString());
        Assert.Equal("simulated", view.GetProperty("executor").GetString());
        var d = view.GetProperty("decisions")[0];
        foreach (var field in new[] { "component", "outcome", "quantile", "requiredDemand", "requiredCapacity", "leadTime", "tierMix", "reason" })
        {
            Assert.True(d.TryGetProperty(field, out _), $"decision lacks {field}: {d}");
        }
        Assert.False(d.GetProperty("executed").GetBoolean());
        var one = await DecisionsAsync("?component=database-1&limit=1");
        Assert.Equal("database-1", Assert.Single(one.GetProperty("decisions").EnumerateArray()).GetProperty("component").GetString());
    }

    [Fact]
    public async Task Decisions_BadQueryAndOtherTenant_AreRefused()
    {
        using var limit = await demo.Http.GetAsync(new Uri("/api/v1/scaling/decisions?limit=lots", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, limit.StatusCode);
        Assert.Contains("'limit'", await limit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unknown = await demo.Http.GetAsync(new Uri("/api/v1/scaling/decisions?component=nope", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var other = await demo.Http.SendAsync(Request(HttpMethod.Get, "/api/v1/scaling/decisions", null, DemoServerFixture.OtherTenantToken));
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
    }

    [Fact]
    public async Task Decide_NeedsAnOperatorKey_ValidatesTheBody_AndDryRunsByDefault()
    {
        await DecisionsAsync();
        using var anonymous = await demo.Http.SendAsync(Request(HttpMethod.Post, "/api/v1/scaling/decide", """{"component":"database-1"}""", null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var viewer = await demo.Http.SendAsync(Request(HttpMethod.Post, "/api/v1/scaling/decide", """{"component":"database-1"}""", DemoServerFixture.ViewerToken));
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        using var noComponent = await demo.Http.SendAsync(Request(HttpMethod.Post, "/api/v1/scaling/decide", "{}", DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.BadRequest, noComponent.StatusCode);
        using var badQuantile = await demo.Http.SendAsync(Request(HttpMethod.Post, "/api/v1/scaling/decide", """{"component":"database-1","quantile":1.5}""", DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.BadRequest, badQuantile.StatusCode);
        using var unknown = await demo.Http.SendAsync(Request(HttpMethod.Post, "/api/v1/scaling/decide", """{"component":"nope"}""", DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var ok = await demo.Http.SendAsync(Request(HttpMethod.Post, "/api/v1/scaling/decide", """{"component":"database-1","quantile":0.99}""", DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var r = await ok.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("preview", r.GetProperty("source").GetString());
        Assert.Equal(0.99, r.GetProperty("quantile").GetDouble(), 9);
        Assert.All(r.GetProperty("steps").EnumerateArray(), s => Assert.Equal("dryRun", s.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Components_ShowReplicasPerTier()
    {
        var comps = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/components");
        var db = comps.EnumerateArray().Single(c => c.GetProperty("id").GetString() == "database-1");
        // The executor's replicas (plan tests in this collection may have scaled it): the total is the sum per tier.
        Assert.Equal(db.GetProperty("replicasByTier").EnumerateObject().Sum(p => p.Value.GetInt32()), db.GetProperty("replicas").GetInt32());
        Assert.True(db.GetProperty("replicasByTier").GetProperty("onprem/standard").GetInt32() >= 1);
        Assert.Equal("onprem/standard", db.GetProperty("tier").GetString());
    }
}
