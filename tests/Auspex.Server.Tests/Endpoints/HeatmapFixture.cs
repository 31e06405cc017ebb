using Auspex.Core.Scores;
using Auspex.Core.Series;
using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Server.Auth;
using Auspex.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.Server.Tests.Endpoints;

/// <summary>
/// The server serving tenant "alpha" over a fleet of 8 localities (two zones, two racks, three hosts) on a fake clock
/// that never moves after the first tick, with known scores stored for every locality but host h3.
/// </summary>
public sealed class HeatmapFixture : IAsyncLifetime
{
    public const string AlphaViewer = "hm-alpha-viewer-token";
    public const string AlphaAdmin = "hm-alpha-admin-token";
    public const string BetaViewer = "hm-beta-viewer-token";
    public const string BetaAdmin = "hm-beta-admin-token";

    /// <summary>Topology order: level by level, parents first.</summary>
    public static readonly string[] Order = ["region-1", "zone-1", "zone-2", "rack-1", "rack-2", "h1", "h2", "h3"];

    private readonly TempDirectory _dir = new();
    private AuspexRuntime? _runtime;
    private WebApplication? _app;

    public HttpClient Http { get; } = new();

    public AuspexRuntime Runtime => _runtime!;

    public AuthOptions Auth { get; } = new()
    {
        Keys =
        [
            new("alpha-viewer", Role.Viewer, "alpha", ApiKey.Hash(AlphaViewer)),
            new("alpha-admin", Role.Admin, "alpha", ApiKey.Hash(AlphaAdmin)),
            new("beta-viewer", Role.Viewer, "beta", ApiKey.Hash(BetaViewer)),
            new("beta-admin", Role.Admin, "beta", ApiKey.Hash(BetaAdmin)),
        ],
    };

    /// <summary>The stored scores, by locality (h3 has none).</summary>
    public Dictionary<string, LocalityScore> Scores { get; } = [];

    internal LatestScores Latest => _app!.Services.GetRequiredService<LatestScores>();

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_dir.File("topology.yaml"), """
            version: 1
            tenant: alpha
            tiers:
              - {name: standard, provider: onprem, price_per_hour: 0.40, performance_factor: 1.0, preemption_probability_per_hour: 0.0, provisioning_lead_time: 10m}
            regions:
              - id: region-1
                zones:
                  - id: zone-1
                    racks:
                      - id: rack-1
                        hosts:
                          - {id: h1, tier: standard, capacity: {cpu: 4, memory: 16Gi}}
                          - {id: h2, tier: standard, capacity: {cpu: 8, memory: 32Gi}}
                  - id: zone-2
                    racks:
                      - id: rack-2
                        hosts:
                          - {id: h3, tier: standard, capacity: {cpu: 4, memory: 16Gi}}
            """);
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        _runtime = await AuspexRuntime.StartAsync(new RuntimeSettings { DataDirectory = _dir.Path, TopologyPath = _dir.File("topology.yaml"), Fresh = true }, clock: clock);
        _app = AuspexServer.Build(_runtime, new ServerOptions { Port = 0 }, quiet: true, auth: Auth);
        await _app.StartAsync();
        Http.BaseAddress = AuspexServer.BaseAddress(_app);
        // The loop ticks once at start (the fake clock never moves after): let it finish, so the scores written below
        // are the latest and nothing changes while the tests read.
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (_runtime.Loop.Ticks + _runtime.Loop.Failures < 1 && sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }
        var at = clock.GetUtcNow().AddMinutes(1);
        var i = 0;
        foreach (var id in Order.Where(id => id != "h3"))
        {
            i++;
            var parts = new Dictionary<string, ScorePart>
            {
                ["capacity"] = new(0.1 * i, 0.4, $"{id}: tightest resource cpu"),
                ["risk"] = new(0.123456789, 0.3, $"{id}: P(failure) small"),
                ["cost"] = new(1 - (0.05 * i), 0.2, $"{id}: standard tier"),
                ["proximity"] = new(0.5, 0.1, $"{id}: near"),
            };
            Scores[id] = new LocalityScore(id, at, parts.Sum(p => p.Value.Value * p.Value.Weight), parts);
        }
        // An older score of h1 that must not show, and a score of another tenant that must never show.
        await _runtime.Store.Results.SaveScoresAsync(new TenantId("alpha"), [Scores["h1"] with { At = at.AddMinutes(-5), Desirability = 0.999 }]);
        await _runtime.Store.Results.SaveScoresAsync(new TenantId("alpha"), Scores.Values.ToList());
        await _runtime.Store.Results.SaveScoresAsync(new TenantId("beta"), [new LocalityScore("h3", at, 0.777, new Dictionary<string, ScorePart>())]);
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
