using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Server;
using Auspex.Server.Auth;
using Auspex.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.EndToEnd.Tests;

/// <summary>
/// A two-host fleet on a fake clock: three days of a daily CPU pattern with one spike on h11, scored by the loop's
/// first tick, served on a free loopback port.
/// </summary>
public sealed class AnomalyServerFixture : IAsyncLifetime
{
    public const string Tenant = "anomtest";
    public const string OperatorToken = "anom-op-token";
    public const string ViewerToken = "anom-viewer-token";
    public const string OtherTenantToken = "anom-other-token";
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(5);
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    public const int Spike = (288 * 2) + 100;

    private readonly TempDirectory _dir = new();
    private AuspexRuntime? _runtime;
    private WebApplication? _app;

    public FakeTimeProvider Clock { get; } = new(T0 + (Step * 288 * 3));

    public HttpClient Http { get; } = new();

    public AuspexRuntime Runtime => _runtime!;

    public static SeriesKey Cpu(string host) => new(ResourceKind.Cpu.MetricName(), Labels.Of("host", host));

    public static double Normal(int i) => 1 + Math.Sin(2 * Math.PI * (i % 288) / 288.0) + (0.05 * ((i * 7919) % 13));

    public async Task InitializeAsync()
    {
        var topology = _dir.File("topology.yaml");
        await File.WriteAllTextAsync(topology, $$$"""
            version: 1
            tenant: {{{Tenant}}}
            tiers:
              - {name: standard, provider: onprem, price_per_hour: 0.40, performance_factor: 1.0, preemption_probability_per_hour: 0.0, provisioning_lead_time: 10m}
            regions:
              - id: r1
                zones:
                  - id: z1
                    racks:
                      - id: rack1
                        hosts:
                          - {id: h11, tier: standard, capacity: {cpu: 4, memory: 16Gi}}
                      - id: rack2
                        hosts:
                          - {id: h21, tier: standard, capacity: {cpu: 4, memory: 16Gi}}
            """);
        _runtime = await AuspexRuntime.StartAsync(new RuntimeSettings
        {
            DataDirectory = _dir.Path,
            TopologyPath = topology,
            Fresh = true,
            Engine = new EngineOptions(),
        }, clock: Clock);
        await using (var app = _runtime.Store.Series.BeginAppend(_runtime.Loop.Tenant))
        {
            for (var i = 0; i < 288 * 3; i++)
            {
                app.Add(Cpu("h11"), T0 + (Step * i), Normal(i) + (i == Spike ? 40 : 0));
                app.Add(Cpu("h21"), T0 + (Step * i), Normal(i));
            }
            Assert.True((await app.CommitAsync()).Ok);
        }
        var report = await _runtime.Loop.TickAsync();
        Assert.Null(report.Error);
        var auth = new AuthOptions
        {
            Keys =
            [
                new("ops", Role.Operator, Tenant, ApiKey.Hash(OperatorToken)),
                new("watcher", Role.Viewer, Tenant, ApiKey.Hash(ViewerToken)),
                new("stranger", Role.Admin, "other", ApiKey.Hash(OtherTenantToken)),
            ],
        };
        _app = AuspexServer.Build(_runtime, new ServerOptions { Port = 0 }, quiet: true, auth: auth);
        await _app.StartAsync();
        Http.BaseAddress = AuspexServer.BaseAddress(_app);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }
        Http.Dispose();
        _dir.Dispose();
    }
}

public sealed class AnomalyEndpointTests(AnomalyServerFixture fx) : IClassFixture<AnomalyServerFixture>
{
    private static readonly string SpikeAt = (AnomalyServerFixture.T0 + (AnomalyServerFixture.Step * AnomalyServerFixture.Spike)).ToString("O");
    private static readonly string Since = Uri.EscapeDataString(AnomalyServerFixture.T0.ToString("O"));

    private async Task<JsonElement> SpikeEvent()
    {
        var list = await fx.Http.GetFromJsonAsync<JsonElement>($"/api/v1/anomalies?since={Since}&locality=h11&series=auspex_host_cpu_used_cores");
        Assert.True(list.GetArrayLength() > 0, "no events: " + list.ToString());
        Assert.True(list.EnumerateArray().Count(e => DateTimeOffset.Parse(e.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture) == DateTimeOffset.Parse(SpikeAt, System.Globalization.CultureInfo.InvariantCulture)) == 1, list.ToString());
        return list.EnumerateArray().Single(e => DateTimeOffset.Parse(e.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture) == DateTimeOffset.Parse(SpikeAt, System.Globalization.CultureInfo.InvariantCulture));
    }

    private HttpRequestMessage Mark(string id, string? token)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/anomalies/{id}/false-positive");
        if (token is not null)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return req;
    }

    private static async Task<string> Detail(HttpResponseMessage r) => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;

    [Fact]
    public async Task List_FindsTheSpike_AndFiltersByLocalityAndSeries()
    {
        var e = await SpikeEvent();
        Assert.Equal("h11", e.GetProperty("host").GetString());
        Assert.StartsWith("an-", e.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.True(e.GetProperty("peakScore").GetDouble() >= 0.5);
        Assert.False(string.IsNullOrEmpty(e.GetProperty("reason").GetString()));
        var rack2 = await fx.Http.GetFromJsonAsync<JsonElement>($"/api/v1/anomalies?since={Since}&locality=rack2");
        Assert.DoesNotContain(rack2.EnumerateArray(), x => x.GetProperty("host").GetString() == "h11");
        var region = await fx.Http.GetFromJsonAsync<JsonElement>($"/api/v1/anomalies?since={Since}&locality=r1");
        Assert.Contains(region.EnumerateArray(), x => x.GetProperty("id").GetString() == e.GetProperty("id").GetString());
        var limited = await fx.Http.GetFromJsonAsync<JsonElement>($"/api/v1/anomalies?since={Since}&limit=1");
        Assert.Equal(1, limited.GetArrayLength());
        var one = await fx.Http.GetFromJsonAsync<JsonElement>($"/api/v1/anomalies/{e.GetProperty("id").GetString()}");
        Assert.Equal(e.GetProperty("start").GetString(), one.GetProperty("start").GetString());
    }

    [Theory]
    [InlineData("since=yesterday", 400, "parameter 'since'")]
    [InlineData("until=notatime", 400, "parameter 'until'")]
    [InlineData("limit=ten", 400, "parameter 'limit'")]
    [InlineData("limit=0", 400, "limit must lie in [1, 10000]")]
    [InlineData("since=2026-03-03T00:00:00Z&until=2026-03-02T00:00:00Z", 400, "until lies before since")]
    [InlineData("locality=nowhere", 404, "no locality has id 'nowhere'")]
    public async Task List_BadQuery_NamesTheProblem(string query, int status, string message)
    {
        var r = await fx.Http.GetAsync($"/api/v1/anomalies?{query}");
        Assert.Equal(status, (int)r.StatusCode);
        Assert.Contains(message, await Detail(r), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnknownId_Is404WithAClearMessage()
    {
        var r = await fx.Http.GetAsync("/api/v1/anomalies/an-0123456789abcdef");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Contains("no anomaly event has id 'an-0123456789abcdef'", await Detail(r), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FalsePositive_NeedsAnOperatorKeyOfTheTenant()
    {
        var id = (await SpikeEvent()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Http.SendAsync(Mark(id, null))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Http.SendAsync(Mark(id, "not-a-key"))).StatusCode);
        var viewer = await fx.Http.SendAsync(Mark(id, AnomalyServerFixture.ViewerToken));
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        Assert.Contains("needs operator", await Detail(viewer), StringComparison.Ordinal);
        var stranger = await fx.Http.SendAsync(Mark(id, AnomalyServerFixture.OtherTenantToken));
        Assert.Equal(HttpStatusCode.Forbidden, stranger.StatusCode);
        Assert.Contains("another tenant", await Detail(stranger), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FalsePositive_UnknownId_Is404()
    {
        var r = await fx.Http.SendAsync(Mark("an-ffffffffffffffff", AnomalyServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Contains("no anomaly event has id 'an-ffffffffffffffff'", await Detail(r), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FalsePositive_ByOperator_IsStoredAndAudited_AndIdempotent()
    {
        var id = (await SpikeEvent()).GetProperty("id").GetString()!;
        var r = await fx.Http.SendAsync(Mark(id, AnomalyServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var marked = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(marked.GetProperty("falsePositive").GetBoolean());
        Assert.Equal("ops", marked.GetProperty("markedBy").GetString());
        Assert.True((await SpikeEvent()).GetProperty("falsePositive").GetBoolean());
        var again = await fx.Http.SendAsync(Mark(id, AnomalyServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains(await fx.Runtime.Store.State.ReadAuditAsync(fx.Runtime.Loop.Tenant, 50), a => a.Action == "anomaly.false-positive" && a.Target == id);
        Assert.Contains(await fx.Runtime.Store.State.ListAsync(fx.Runtime.Loop.Tenant, "anomaly-event"), d => d.Id == id && d.Json.Contains("\"falsePositive\":true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stream_SendsANewAnomalyWhenATickFindsOne()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await fx.Http.GetAsync("/api/v1/anomalies/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        Assert.Equal(": connected", await reader.ReadLineAsync(cts.Token));
        // a huge value on h21 at the next step, then the clock moves on so the loop ticks
        var at = fx.Clock.GetUtcNow() + AnomalyServerFixture.Step;
        await using (var app = fx.Runtime.Store.Series.BeginAppend(fx.Runtime.Loop.Tenant))
        {
            app.Add(AnomalyServerFixture.Cpu("h21"), at, 500);
            Assert.True((await app.CommitAsync(cts.Token)).Ok);
        }
        fx.Clock.Advance(AnomalyServerFixture.Step * 2);
        string? line;
        while ((line = await reader.ReadLineAsync(cts.Token)) is not null && line != "event: anomaly")
        {
        }
        Assert.Equal("event: anomaly", line);
        Assert.StartsWith("id: an-", await reader.ReadLineAsync(cts.Token), StringComparison.Ordinal);
        var data = JsonDocument.Parse((await reader.ReadLineAsync(cts.Token))!["data: ".Length..]).RootElement;
        Assert.Equal("h21", data.GetProperty("host").GetString());
        Assert.Equal(500, data.GetProperty("peakValue").GetDouble());
    }
}
