using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Auspex.EndToEnd.Tests;

/// <summary>Walks the OpenAPI document: every operation that changes data refuses an anonymous and a viewer request.</summary>
[Collection("demo")]
public sealed class OpenApiMutationAuthTests(DemoServerFixture demo)
{
    /// <summary>Non-GET operations that change nothing, each with the reason it needs no operator key.</summary>
    private static readonly Dictionary<string, string> Exempt = new(StringComparer.Ordinal)
    {
        ["POST /api/v1/session"] = "logging in is how a key is presented",
        ["DELETE /api/v1/session"] = "logging out ends only the caller's own session",
        ["POST /k8s/extender/filter"] = "kube-scheduler asks which nodes fit; nothing is stored",
        ["POST /k8s/extender/prioritize"] = "kube-scheduler asks for node scores; nothing is stored",
        ["POST /api/v1/whatif"] = "evaluates a scenario on a copy; nothing in the fleet changes",
        ["POST /api/v1/placements"] = "answers where a deployment would go; nothing is placed",
        ["POST /api/v1/placements/global"] = "computes a global plan, dry by default; submit=true needs an operator key (GlobalPlanEndpointTests)",
        ["POST /prometheus/api/v1/query_range"] = "a PromQL read sent as a form, as Grafana sends it; nothing is stored",
        ["POST /prometheus/api/v1/query"] = "a PromQL read sent as a form, as Grafana sends it; nothing is stored",
        ["POST /prometheus/api/v1/series"] = "a series listing sent as a form, as Grafana sends it; nothing is stored",
        ["POST /prometheus/api/v1/labels"] = "a label listing sent as a form, as Grafana sends it; nothing is stored",
    };

    [Fact]
    public async Task EveryMutatingOperation_RefusesAnonymous401_AndViewer403()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        var doc = await demo.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var checkedOps = new List<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                var method = op.Name.ToUpperInvariant();
                if (method is "GET" or "HEAD" or "OPTIONS" or "PARAMETERS" or "SUMMARY" or "DESCRIPTION" or "SERVERS")
                {
                    continue;
                }
                var key = $"{method} {path.Name}";
                if (Exempt.ContainsKey(key))
                {
                    continue;
                }
                var url = System.Text.RegularExpressions.Regex.Replace(path.Name, @"\{[^}]+\}", "no-such-id");
                // Send the content type the operation declares: routing answers 415 to any other before the handler runs.
                var type = op.Value.TryGetProperty("requestBody", out var rb) && rb.TryGetProperty("content", out var ct)
                    ? ct.EnumerateObject().Select(c => c.Name).FirstOrDefault() ?? "application/json"
                    : "application/json";
                using (var anon = Request(method, url, type, null))
                {
                    var r = await demo.Http.SendAsync(anon);
                    Assert.True(r.StatusCode == HttpStatusCode.Unauthorized, $"{key} anonymous: {(int)r.StatusCode}");
                }
                using (var viewer = Request(method, url, type, DemoServerFixture.ViewerToken))
                {
                    var r = await demo.Http.SendAsync(viewer);
                    Assert.True(r.StatusCode == HttpStatusCode.Forbidden, $"{key} viewer: {(int)r.StatusCode}");
                }
                using (var stranger = Request(method, url, type, DemoServerFixture.OtherTenantToken))
                {
                    var r = await demo.Http.SendAsync(stranger);
                    Assert.True(r.StatusCode == HttpStatusCode.Forbidden, $"{key} other tenant's admin: {(int)r.StatusCode}");
                }
                checkedOps.Add(key);
            }
        }
        // The walk found the known mutating endpoints (so it cannot pass by walking nothing).
        Assert.Contains("POST /api/v1/import", checkedOps);
        Assert.Contains("POST /api/v1/write", checkedOps);
    }

    private static HttpRequestMessage Request(string method, string url, string contentType, string? token)
    {
        var req = new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{}")),
        };
        req.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (token is not null)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return req;
    }
}
