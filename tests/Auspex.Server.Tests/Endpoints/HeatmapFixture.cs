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

    private RunningServer? _server;

    public HttpClient Http => _server!.Http;

    public AuspexRuntime Runtime => _server!.Runtime;

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

    internal LatestScores Latest => _server!.App.Services.GetRequiredService<LatestScores>();

    public async Task InitializeAsync()
    {
        const string Yaml = """
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
            """;
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        _server = await RunningServer.StartAsync(Yaml, clock, new ServerOptions { Port = 0 }, Auth);
        var runtime = _server.Runtime;
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
        await runtime.Store.Results.SaveScoresAsync(new TenantId("alpha"), [Scores["h1"] with { At = at.AddMinutes(-5), Desirability = 0.999 }]);
        await runtime.Store.Results.SaveScoresAsync(new TenantId("alpha"), Scores.Values.ToList());
        await runtime.Store.Results.SaveScoresAsync(new TenantId("beta"), [new LocalityScore("h3", at, 0.777, new Dictionary<string, ScorePart>())]);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
