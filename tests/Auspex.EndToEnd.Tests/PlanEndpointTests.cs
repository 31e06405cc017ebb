using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Auspex.EndToEnd.Tests;

/// <summary>The plans API on the running demo server (simulated executor mirroring the demo topology).</summary>
[Collection("demo")]
public sealed class PlanEndpointTests(DemoServerFixture demo)
{
    private static string PlanJson(string id, int replicas, string node = "vm-102") => $$"""
        {
          "id": "{{id}}", "kind": "custom", "title": "label and scale", "createdBy": "operator:e2e", "createdAt": "2013-08-08T00:00:00Z",
          "phases": [
            { "name": "canary", "isCanary": true, "steps": [
              { "kind": "label", "node": "{{node}}", "key": "auspex.io/desirability", "value": "77" },
              { "kind": "gate", "soak": "00:01:00", "checks": [] } ] },
            { "name": "rest", "isCanary": false, "steps": [
              { "kind": "scale", "component": "database-1", "tier": "onprem/standard", "replicas": {{replicas}} } ] }
          ]
        }
        """;

    private static HttpRequestMessage Post(string url, string? body, string? token)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, url);
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

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(DemoServerFixture.ViewerToken, HttpStatusCode.Forbidden)]
    [InlineData(DemoServerFixture.OtherTenantToken, HttpStatusCode.Forbidden)]
    public async Task Mutations_WithoutAnOperatorKeyOfTheTenant_AreRefused(string? token, HttpStatusCode expected)
    {
        Assert.Equal(expected, (await demo.Http.SendAsync(Post("/api/v1/plans", PlanJson("e2e-denied", 3), token))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await demo.Http.GetAsync("/api/v1/plans/e2e-denied")).StatusCode);
        Assert.Equal(expected, (await demo.Http.SendAsync(Post("/api/v1/plans/anything/approve", null, token))).StatusCode);
    }

    [Fact]
    public async Task Submit_DryRun_Approve_RunsToSuccess_WithDiffProgressAndAudit()
    {
        var created = await demo.Http.SendAsync(Post("/api/v1/plans", PlanJson("e2e-plan", 3), DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var detail = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("awaitingApproval", detail.GetProperty("summary").GetProperty("status").GetString());
        var first = detail.GetProperty("phases")[0].GetProperty("steps")[0];
        Assert.Equal("label", first.GetProperty("kind").GetString());
        Assert.StartsWith("dry-run: would label node vm-102", first.GetProperty("diff").GetString(), StringComparison.Ordinal);
        var scale = detail.GetProperty("phases")[1].GetProperty("steps")[0];
        Assert.Equal("dry-run: would database-1 on onprem/standard 2 → 3 replicas", scale.GetProperty("diff").GetString());

        var list = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/plans");
        Assert.Contains(list.EnumerateArray(), p => p.GetProperty("id").GetString() == "e2e-plan");

        var approved = await demo.Http.SendAsync(Post("/api/v1/plans/e2e-plan/approve", null, DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        JsonElement summary = default;
        for (var i = 0; i < 120; i++)
        {
            summary = (await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/plans/e2e-plan")).GetProperty("summary");
            if (summary.GetProperty("status").GetString() is "succeeded" or "rolledBack" or "failed")
            {
                break;
            }
            await Task.Delay(250);
        }
        Assert.Equal("succeeded", summary.GetProperty("status").GetString());
        Assert.Equal(3, summary.GetProperty("completed").GetInt32());
        Assert.Equal("operator:ops", summary.GetProperty("approvedBy").GetString());

        var audit = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/plans/e2e-plan/audit");
        var actions = audit.EnumerateArray().Select(a => a.GetProperty("action").GetString()).ToList();
        Assert.Contains("plan.submit", actions);
        Assert.Contains("plan.approve", actions);
        Assert.Contains("plan.succeed", actions);
        Assert.Contains(audit.EnumerateArray(), a => a.GetProperty("actor").GetString() == "operator:ops");

        // Roll it back: the label and the replicas return to what they were.
        Assert.Equal(HttpStatusCode.OK, (await demo.Http.SendAsync(Post("/api/v1/plans/e2e-plan/rollback", null, DemoServerFixture.OperatorToken))).StatusCode);
        for (var i = 0; i < 120 && summary.GetProperty("status").GetString() != "rolledBack"; i++)
        {
            await Task.Delay(250);
            summary = (await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/plans/e2e-plan")).GetProperty("summary");
        }
        Assert.Equal("rolledBack", summary.GetProperty("status").GetString());
    }

    [Fact]
    public async Task BadInput_400WithThePath_UnknownIds404_WrongState409()
    {
        var bad = await demo.Http.SendAsync(Post("/api/v1/plans", """{"id":"x","kind":"custom","title":"t","createdBy":"c","createdAt":"2013-08-08T00:00:00Z","phases":[{"name":"p","isCanary":false,"steps":[{"kind":"explode"}]}]}""", DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("$.phases[0].steps[0]", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var invalid = await demo.Http.SendAsync(Post("/api/v1/plans", PlanJson("e2e-invalid", -4), DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("a count must be", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await demo.Http.GetAsync("/api/v1/plans/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await demo.Http.SendAsync(Post("/api/v1/plans/nope/approve", null, DemoServerFixture.OperatorToken))).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await demo.Http.SendAsync(Post("/api/v1/plans", PlanJson("e2e-reject", 2, "vm-387"), DemoServerFixture.OperatorToken))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await demo.Http.SendAsync(Post("/api/v1/plans", PlanJson("e2e-reject", 5, "vm-387"), DemoServerFixture.OperatorToken))).StatusCode);
        var rejected = await demo.Http.SendAsync(Post("/api/v1/plans/e2e-reject/reject", """{"reason":"change freeze"}""", DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Contains("change freeze", await rejected.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await demo.Http.SendAsync(Post("/api/v1/plans/e2e-reject/approve", null, DemoServerFixture.OperatorToken))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await demo.Http.SendAsync(Post("/api/v1/plans/e2e-reject/reject", "{not json", DemoServerFixture.OperatorToken))).StatusCode);
    }
}
