using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Auspex.EndToEnd.Tests;

[Collection("demo")]
public sealed class PlacementEndpointTests(DemoServerFixture demo)
{
    private async Task<HttpResponseMessage> Ask(string json, string? token = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/placements") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await demo.Http.SendAsync(req);
    }

    [Fact]
    public async Task Ask_ReturnsTheChosenHostWithEveryPluginPerCandidate_AndIsAudited()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(120));
        using var r = await Ask("""{"requests":{"cpu":1,"memory":1073741824},"replicas":2,"spreadOver":"zone","candidates":5,"seed":7}""");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var d = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(d.GetProperty("dryRun").GetBoolean());
        Assert.True(d.GetProperty("feasible").GetBoolean());
        var chosen = d.GetProperty("chosen").GetString()!;
        var candidates = d.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(5, candidates.Count);
        Assert.All(candidates, c =>
        {
            Assert.InRange(c.GetProperty("total").GetDouble(), 0, 100);
            var plugins = c.GetProperty("plugins").EnumerateArray().Select(p => p.GetProperty("plugin").GetString()).ToList();
            Assert.Contains("LeastAllocated", plugins);
            Assert.Contains("Desirability", plugins);
            Assert.All(c.GetProperty("plugins").EnumerateArray(), p => Assert.InRange(p.GetProperty("normalized").GetDouble(), 0, 100));
        });
        var replicas = d.GetProperty("replicas").EnumerateArray().ToList();
        Assert.Equal(2, replicas.Count);
        Assert.Equal(chosen, replicas[0].GetProperty("host").GetString());
        Assert.NotEqual(replicas[0].GetProperty("host").GetString(), replicas[1].GetProperty("host").GetString());
        // The same seed on the same tick gives the same choice.
        using var again = await Ask("""{"requests":{"cpu":1,"memory":1073741824},"replicas":2,"spreadOver":"zone","candidates":5,"seed":7}""");
        var d2 = await again.Content.ReadFromJsonAsync<JsonElement>();
        if (d2.GetProperty("replicas")[0].GetProperty("explanation").GetString() == replicas[0].GetProperty("explanation").GetString())
        {
            Assert.Equal(chosen, d2.GetProperty("chosen").GetString());
        }
        var audit = await demo.Runtime.Store.State.ReadAuditAsync(demo.Runtime.Loop.Tenant, 50);
        Assert.Contains(audit, e => e.Action == "placement.ask" && e.Detail.StartsWith(d.GetProperty("id").GetString()!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ask_ForAnExistingComponent_UsesItsRequests()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(120));
        var component = demo.Runtime.Topology.Current.Components[0].Id;
        using var r = await Ask($$"""{"component":"{{component}}"}""");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var d = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(component, d.GetProperty("component").GetString());
        Assert.Equal(10, d.GetProperty("candidates").GetArrayLength());
    }

    [Theory]
    [InlineData("{", "malformed JSON")]
    [InlineData("{}", "give 'component'")]
    [InlineData("""{"component":"nope"}""", "component 'nope' is not in the topology")]
    [InlineData("""{"requests":{"gpu":1}}""", "'gpu' is not a capacity resource")]
    [InlineData("""{"requests":{"cpu":-1}}""", "requests.cpu: -1")]
    [InlineData("""{"requests":{"cpu":1},"replicas":0}""", "replicas: 0 is outside")]
    [InlineData("""{"requests":{"cpu":1},"lifetimeHours":0}""", "lifetimeHours")]
    [InlineData("""{"requests":{"cpu":1},"spreadOver":"planet"}""", "spreadOver: 'planet'")]
    public async Task Ask_Bad_Is400NamingTheField(string body, string reason)
    {
        using var r = await Ask(body);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains(reason, await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_NotDry_NeedsAnOperatorKeyAndIsRecorded()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(120));
        const string body = """{"requests":{"cpu":0.5},"dryRun":false}""";
        using (var anon = await Ask(body))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anon.StatusCode);
        }
        using (var viewer = await Ask(body, DemoServerFixture.ViewerToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        }
        using var ok = await Ask(body, DemoServerFixture.OperatorToken);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var id = (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.NotNull(await demo.Runtime.Store.State.GetAsync(demo.Runtime.Loop.Tenant, "placement-decision", id));
        var audit = await demo.Runtime.Store.State.ReadAuditAsync(demo.Runtime.Loop.Tenant, 50);
        Assert.Contains(audit, e => e.Action == "placement.decide" && e.Actor == "ops");
    }

    [Fact]
    public async Task Plan_ReturnsTheAssessment()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(120));
        var plan = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/placements/plan");
        Assert.InRange(plan.GetProperty("discrepancy").GetDouble(), 0, 1);
        Assert.Equal(16, plan.GetProperty("components").GetArrayLength());
        Assert.Equal(plan.GetProperty("actionRequired").GetBoolean(), plan.GetProperty("plan").ValueKind == JsonValueKind.Object);
    }
}
