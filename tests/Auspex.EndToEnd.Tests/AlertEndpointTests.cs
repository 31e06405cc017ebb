using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Auspex.EndToEnd.Tests;

[Collection("demo")]
public sealed class AlertEndpointTests(DemoServerFixture demo)
{
    private static HttpRequestMessage Req(HttpMethod method, string url, string? json, string? token)
    {
        var req = new HttpRequestMessage(method, url);
        if (json is not null)
        {
            req.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        if (token is not null)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return req;
    }

    [Fact]
    public async Task Alerts_AndRules_AreListed()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(120));
        var alerts = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/alerts");
        Assert.Equal(JsonValueKind.Array, alerts.ValueKind);
        foreach (var a in alerts.EnumerateArray())
        {
            Assert.Contains(a.GetProperty("state").GetString(), new[] { "pending", "firing", "resolved" });
            Assert.False(string.IsNullOrEmpty(a.GetProperty("name").GetString()));
            Assert.True(a.GetProperty("since").TryGetDateTimeOffset(out _));
        }
        var rules = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/alerts/rules");
        Assert.Equal(["LocalityUndesirable", "ComponentHealthLow", "PredictedUtilisationHigh", "CapacityExhaustionSoon"],
            rules.EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToArray());
        Assert.Equal(900, rules[0].GetProperty("forSeconds").GetDouble());
        Assert.Equal(JsonValueKind.Array, (await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/alerts/history?limit=5")).ValueKind);
        using var bad = await demo.Http.GetAsync(new Uri("/api/v1/alerts?state=angry", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'angry'", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var badLimit = await demo.Http.GetAsync(new Uri("/api/v1/alerts/history?limit=-3", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    [Fact]
    public async Task Silences_NeedAnOperatorKey_ValidateTheBody_AndCanBeDeleted()
    {
        const string body = """{"matchers":{"alertname":"LocalityUndesirable","locality":"vm-001"},"duration":"2h","comment":"disk swap"}""";
        using (var anon = await demo.Http.SendAsync(Req(HttpMethod.Post, "/api/v1/silences", body, null)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anon.StatusCode);
        }
        using (var viewer = await demo.Http.SendAsync(Req(HttpMethod.Post, "/api/v1/silences", body, DemoServerFixture.ViewerToken)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        }
        foreach (var (bad, reason) in new[]
        {
            ("{", "malformed JSON"),
            ("""{"duration":"2h"}""", "'matchers' is required"),
            ("""{"matchers":{"a":"b"}}""", "give 'endsAt' or 'duration'"),
            ("""{"matchers":{"a":"b"},"duration":"soon"}""", "'duration': 'soon'"),
            ("""{"matchers":{"a":"b"},"startsAt":"yesterday","duration":"1h"}""", "parameter 'startsAt'"),
            ("""{"matchers":{"a":"b"},"startsAt":"2013-08-10T00:00:00Z","endsAt":"2013-08-09T00:00:00Z"}""", "endsAt must be after startsAt"),
        })
        {
            using var r = await demo.Http.SendAsync(Req(HttpMethod.Post, "/api/v1/silences", bad, DemoServerFixture.OperatorToken));
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Contains(reason, await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using var created = await demo.Http.SendAsync(Req(HttpMethod.Post, "/api/v1/silences", body, DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var silence = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = silence.GetProperty("id").GetString()!;
        Assert.Equal("ops", silence.GetProperty("createdBy").GetString());
        var list = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/silences");
        Assert.Contains(list.EnumerateArray(), s => s.GetProperty("id").GetString() == id);
        using (var del = await demo.Http.SendAsync(Req(HttpMethod.Delete, $"/api/v1/silences/{id}", null, DemoServerFixture.OperatorToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, del.StatusCode);
        }
        using var again = await demo.Http.SendAsync(Req(HttpMethod.Delete, $"/api/v1/silences/{id}", null, DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Components_CarryTheirHealthProjectionScoreAndHosts()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(120));
        var comps = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/components");
        Assert.Equal(16, comps.GetArrayLength());
        var scored = comps.EnumerateArray().Where(c => c.GetProperty("hps").ValueKind == JsonValueKind.Number).ToList();
        Assert.NotEmpty(scored);
        Assert.All(scored, c =>
        {
            Assert.InRange(c.GetProperty("hps").GetDouble(), 0, 100);
            Assert.True(c.GetProperty("hosts").GetArrayLength() > 0);
        });
        var id = comps[0].GetProperty("id").GetString()!;
        var one = await demo.Http.GetFromJsonAsync<JsonElement>($"/api/v1/components/{id}");
        Assert.Equal(id, one.GetProperty("id").GetString());
        using var missing = await demo.Http.GetAsync(new Uri("/api/v1/components/nope", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("'nope'", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
