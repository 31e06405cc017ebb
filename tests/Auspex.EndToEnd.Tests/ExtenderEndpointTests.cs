using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Auspex.Testing;

namespace Auspex.EndToEnd.Tests;

/// <summary>The scheduler extender on the live demo server, fed the payloads kube-scheduler sends.</summary>
[Collection("demo")]
public sealed class ExtenderEndpointTests(DemoServerFixture demo)
{
    private static StringContent Payload(string name) =>
        new(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Auspex.Kubernetes.Tests", "Payloads", name)), Encoding.UTF8, "application/json");

    [Fact]
    public async Task Filter_RecordedPayload_KeepsASubsetOfTheNodesItWasGiven()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        var sent = JsonDocument.Parse(await Payload("filter-nodenames.json").ReadAsStringAsync()).RootElement.GetProperty("NodeNames")
            .EnumerateArray().Select(n => n.GetString()).ToHashSet();
        var r = await demo.Http.PostAsync("/k8s/extender/filter", Payload("filter-nodenames.json"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.TryGetProperty("NodeNames", out var kept), body.ToString());
        Assert.True(body.GetProperty("Error").ValueKind is JsonValueKind.Null or JsonValueKind.Undefined || body.GetProperty("Error").GetString() == "", body.ToString());
        var names = kept.EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.Contains(n, sent));
    }

    [Fact]
    public async Task Prioritize_RecordedPayload_ScoresEveryNodeZeroToTen()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        var r = await demo.Http.PostAsync("/k8s/extender/prioritize", Payload("prioritize-nodenames.json"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var list = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(list.GetArrayLength() > 0);
        foreach (var h in list.EnumerateArray())
        {
            Assert.False(string.IsNullOrEmpty(h.GetProperty("Host").GetString()));
            Assert.InRange(h.GetProperty("Score").GetInt64(), 0, 10);
        }
    }

    [Fact]
    public async Task MalformedBody_FilterAnswersWithError_PrioritizeWith400()
    {
        var f = await demo.Http.PostAsync("/k8s/extender/filter", new StringContent("{\"Pod\": [", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, f.StatusCode);
        Assert.Contains("malformed ExtenderArgs", (await f.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Error").GetString(), StringComparison.Ordinal);
        var p = await demo.Http.PostAsync("/k8s/extender/prioritize", new StringContent("not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, p.StatusCode);
    }
}
