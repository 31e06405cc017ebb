using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Auspex.EndToEnd.Tests;

/// <summary><c>POST /api/v1/placements/global</c> on the demo server: dry plans, submission, bad input.</summary>
[Collection("demo")]
public sealed class GlobalPlanEndpointTests(DemoServerFixture demo)
{
    private async Task<HttpResponseMessage> Post(string json, string? token = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/placements/global") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await demo.Http.SendAsync(req);
    }

    [Fact]
    public async Task Dry_ReturnsTheDiffBothSidesTheGapAndProgress_AndIsAudited()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(120));
        using var r = await Post("""{"timeLimitSeconds": 1.5, "soakSeconds": 0}""");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var v = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("packing", v.GetProperty("solver").GetString());
        Assert.False(v.GetProperty("submitted").GetBoolean());
        var now = v.GetProperty("current");
        var planned = v.GetProperty("planned");
        // The sample fleet spreads 24 replicas over 15 hosts; a plan packs them onto fewer without overload.
        Assert.True(planned.GetProperty("hostsUsed").GetInt32() < now.GetProperty("hostsUsed").GetInt32(), v.ToString());
        Assert.Equal(0, planned.GetProperty("overloadedHostSlots").GetInt32());
        Assert.Equal(0, planned.GetProperty("spreadViolations").GetInt32());
        var bound = v.GetProperty("lowerBound").GetDouble();
        Assert.InRange(bound, 0.01, planned.GetProperty("objective").GetDouble());
        var gap = v.GetProperty("gap").GetDouble();
        Assert.Equal((planned.GetProperty("objective").GetDouble() - bound) / planned.GetProperty("objective").GetDouble(), gap, 3);
        Assert.True(v.GetProperty("changes").GetBoolean());
        var diff = v.GetProperty("diff").EnumerateArray().ToList();
        Assert.NotEmpty(diff);
        Assert.Equal(1, diff[0].GetProperty("phase").GetInt32());
        Assert.Contains(v.GetProperty("progress").EnumerateArray(), p => p.GetProperty("stage").GetString() == "done");
        // Each component's demand source: its forecast (per slot at the quantile) or its requests with the reason.
        var demand = v.GetProperty("demand").EnumerateArray().ToList();
        Assert.Equal(demand.Count, demand.Select(d => d.GetProperty("component").GetString()).Distinct().Count());
        Assert.NotEmpty(demand);
        Assert.All(demand, d =>
        {
            Assert.Contains(d.GetProperty("source").GetString(), new[] { "forecast", "requests" });
            Assert.False(string.IsNullOrEmpty(d.GetProperty("reason").GetString()));
            Assert.True(d.GetProperty("peakCpuPerReplica").GetDouble() >= d.GetProperty("requestCpu").GetDouble());
        });
        // The sample hosts differ in size, so the bound is a fractional cover and the response says so.
        Assert.StartsWith("Weak bound: hosts differ in size", v.GetProperty("boundNote").GetString(), StringComparison.Ordinal);
        Assert.InRange(v.GetProperty("elapsedSeconds").GetDouble(), 0, 1.5 + 1);
        // The executable plan: one step pair per change plus a gate per phase, the canary first.
        var plan = v.GetProperty("plan");
        Assert.Equal(v.GetProperty("id").GetString(), plan.GetProperty("id").GetString());
        var phases = plan.GetProperty("phases").EnumerateArray().ToList();
        Assert.True(phases[0].GetProperty("isCanary").GetBoolean());
        Assert.Equal(2 * diff.Count + phases.Count, phases.Sum(p => p.GetProperty("steps").GetArrayLength()));
        var audit = await demo.Runtime.Store.State.ReadAuditAsync(demo.Runtime.Loop.Tenant, 200);
        Assert.Contains(audit, e => e.Action == "placement.global-plan" && e.Target == v.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Submit_NeedsAnOperatorKey_AndLandsInThePlanRunner()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(120));
        const string body = """{"timeLimitSeconds": 0.5, "submit": true, "drain": ["vm-102"]}""";
        using (var anon = await Post(body))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anon.StatusCode);
        }
        using (var viewer = await Post(body, DemoServerFixture.ViewerToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        }
        using var ok = await Post(body, DemoServerFixture.OperatorToken);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var v = await ok.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(v.GetProperty("submitted").GetBoolean());
        // The drained host carries nothing in the plan: every replica on it moves.
        Assert.Contains("vm-102", v.GetProperty("freedHosts").EnumerateArray().Select(h => h.GetString()));
        Assert.DoesNotContain(v.GetProperty("diff").EnumerateArray(), d => d.GetProperty("to").GetString() == "vm-102");
        var id = v.GetProperty("id").GetString()!;
        var detail = await demo.Http.GetFromJsonAsync<JsonElement>($"/api/v1/plans/{id}");
        Assert.Equal("migration", detail.GetProperty("summary").GetProperty("kind").GetString());
        Assert.Equal("awaitingApproval", detail.GetProperty("summary").GetProperty("status").GetString());
        await demo.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/plans/{id}/reject")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", DemoServerFixture.OperatorToken) },
        });
    }

    [Fact]
    public async Task Dry_WithCpSat_SolvesInProcess_WithinCapacityAndSpread()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(120));
        using var r = await Post("""{"solver": "cpsat", "timeLimitSeconds": 10, "soakSeconds": 0}""");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var v = await r.Content.ReadFromJsonAsync<JsonElement>();
        // The server registers CP-SAT through Auspex.Placement.OrTools' AddOrToolsSolver; the sample fleet is small
        // enough for the whole model.
        Assert.Equal("cp-sat", v.GetProperty("solver").GetString());
        var planned = v.GetProperty("planned");
        Assert.True(planned.GetProperty("hostsUsed").GetInt32() < v.GetProperty("current").GetProperty("hostsUsed").GetInt32(), v.ToString());
        Assert.Equal(0, planned.GetProperty("overloadedHostSlots").GetInt32());
        Assert.Equal(0, planned.GetProperty("spreadViolations").GetInt32());
        Assert.True(planned.GetProperty("objective").GetDouble() >= v.GetProperty("lowerBound").GetDouble(), v.ToString());
        // The gap is against CP-SAT's own proved bound (stronger than the fractional cover), and the note says so.
        var note = v.TryGetProperty("boundNote", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        Assert.DoesNotContain("fractional cover", note, StringComparison.Ordinal);
        Assert.Contains("proved by cp-sat", v.GetProperty("bound").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{", "malformed JSON")]
    [InlineData("""{"timeLimitSeconds": 0}""", "timeLimitSeconds: 0 must be in (0, 60]")]
    [InlineData("""{"timeLimitSeconds": 86400}""", "timeLimitSeconds: 86400 must be in (0, 60]")]
    [InlineData("""{"solver": "annealing"}""", "solver: 'annealing' is not one of packing, greedy, cpsat")]
    [InlineData("""{"drain": ["vm-102", "no-such-host"]}""", "drain[1]: 'no-such-host' is not a host")]
    [InlineData("""{"slots": 100000}""", "slots: 100000 is outside 1–168")]
    [InlineData("""{"quantile": 1.5}""", "quantile: 1.5 must be in (0, 1)")]
    [InlineData("""{"quantile": 0}""", "quantile: 0 must be in (0, 1)")]
    [InlineData("""{"slots": 0}""", "slots: 0 is outside 1–168")]
    [InlineData("""{"movesPerPhase": 0}""", "movesPerPhase: 0 is outside")]
    [InlineData("""{"timelimit": 5}""", "timelimit")]
    [InlineData("""{"timeLimitSeconds": "soon"}""", "malformed JSON at $.timeLimitSeconds")]
    [InlineData("null", "the body is null")]
    public async Task Bad_Is400NamingTheField(string body, string reason)
    {
        using var r = await Post(body);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains(reason, await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Huge_Body_Is413_AndTooManyDrainedHostsIs400()
    {
        var hosts = string.Join(",", Enumerable.Range(0, 30_000).Select(i => $"\"h-{i:00000}\""));
        using (var huge = await Post($$"""{"drain": [{{hosts}}]}"""))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
            Assert.Contains("at most", await huge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var many = string.Join(",", Enumerable.Range(0, 1001).Select(i => $"\"vm-{i}\""));
        using var r = await Post($$"""{"drain": [{{many}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("drain: 1001 hosts named, at most 1000", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
