using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Auspex.EndToEnd.Tests;

/// <summary>The shadow infrastructure and what-if endpoints on the live demo server.</summary>
[Collection("demo")]
public sealed class SimulationEndpointTests(DemoServerFixture demo)
{
    private static StringContent Json(string s) => new(s, Encoding.UTF8, "application/json");

    private async Task<JsonElement> WhatIfAsync(string body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        var r = await demo.Http.PostAsync("/api/v1/whatif", Json(body));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(expected == r.StatusCode, $"{r.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task Shadow_AfterScoring_HasEveryLocalityWithLiveAndPredictedValues()
    {
        var localities = await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        var shadow = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/shadow");
        var nodes = shadow.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(localities.GetArrayLength(), nodes.Count);
        var host = nodes.First(n => n.GetProperty("kind").GetString() == "host");
        Assert.True(host.GetProperty("capacity").GetProperty("cpu").GetDouble() > 0);
        Assert.True(host.GetProperty("live").TryGetProperty("cpu", out _), host.ToString());
        Assert.True(host.GetProperty("predicted").TryGetProperty("cpu", out _), host.ToString());
        Assert.Contains(host.GetProperty("level").GetString(), new[] { "ok", "warning", "critical" });
        var region = nodes.First(n => n.GetProperty("kind").GetString() == "region");
        var sumHosts = nodes.Where(n => n.GetProperty("kind").GetString() == "host").Sum(n => n.GetProperty("capacity").GetProperty("cpu").GetDouble());
        Assert.Equal(sumHosts, region.GetProperty("capacity").GetProperty("cpu").GetDouble(), 6);
        Assert.Equal(JsonValueKind.Array, shadow.GetProperty("diffs").ValueKind);
        Assert.Equal(JsonValueKind.Array, shadow.GetProperty("queue").ValueKind);
        Assert.True(shadow.GetProperty("horizonSeconds").GetDouble() > 0);
    }

    [Fact]
    public async Task WhatIf_DoubleTraffic_RaisesPredictedUtilisationAndKeepsCost()
    {
        var r = await WhatIfAsync("{\"trafficMultiplier\": 2}");
        var b = r.GetProperty("baseline").GetProperty("shadow");
        var s = r.GetProperty("scenario").GetProperty("shadow");
        Assert.True(s.GetProperty("peakUtilisation").GetDouble() > b.GetProperty("peakUtilisation").GetDouble());
        Assert.Equal(b.GetProperty("costPerHour").GetDouble(), s.GetProperty("costPerHour").GetDouble(), 9);
        Assert.True(r.GetProperty("elapsedMilliseconds").GetDouble() < 10_000);
    }

    [Fact]
    public async Task WhatIf_FailRackAndPrice_MarksItsHostsFailedAndChangesCost()
    {
        var r = await WhatIfAsync("{\"fail\": [\"rack-1-01\"], \"tierPrices\": {\"standard\": 0.8}}");
        var failed = r.GetProperty("localities").EnumerateArray().Where(l => l.GetProperty("failed").GetBoolean()).Select(l => l.GetProperty("id").GetString()).ToList();
        Assert.Contains("rack-1-01", failed);
        Assert.Contains("vm-067", failed);
        Assert.Equal(2 * r.GetProperty("baseline").GetProperty("live").GetProperty("costPerHour").GetDouble(),
            r.GetProperty("scenario").GetProperty("live").GetProperty("costPerHour").GetDouble(), 6);
    }

    [Fact]
    public async Task WhatIf_BadInput_Answers400NamingTheField()
    {
        var unknown = await WhatIfAsync("{\"fail\": [\"vm-067\", \"vm-999\"]}", HttpStatusCode.BadRequest);
        Assert.Contains("fail[1]", unknown.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var nan = await WhatIfAsync("{\"trafficMultiplier\": -3}", HttpStatusCode.BadRequest);
        Assert.Contains("trafficMultiplier", nan.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var malformed = await WhatIfAsync("{\"trafficMultiplier\": ", HttpStatusCode.BadRequest);
        Assert.Contains("malformed", malformed.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var extra = await WhatIfAsync("{\"trafic\": 2}", HttpStatusCode.BadRequest);
        Assert.Contains("trafic", extra.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var window = await WhatIfAsync("{\"maintenance\": [{\"locality\": \"rack-1-02\", \"from\": \"2013-08-10T04:00:00Z\", \"to\": \"2013-08-10T02:00:00Z\"}]}", HttpStatusCode.BadRequest);
        Assert.Contains("maintenance[0]", window.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var tier = await WhatIfAsync("{\"tierPrices\": {\"gold\": 1}}", HttpStatusCode.BadRequest);
        Assert.Contains("tierPrices.gold", tier.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var huge = await demo.Http.PostAsync("/api/v1/whatif", Json("{\"fail\": [" + string.Join(",", Enumerable.Repeat("\"vm-067\"", 20_000)) + "]}"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
    }
}
