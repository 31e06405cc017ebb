using Auspex.Core.Forecasts;
using Auspex.Core.Scores;
using Auspex.Core.Series;
using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Server.Auth;
using Auspex.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.Server.Tests.Endpoints;

/// <summary>
/// The server on a free loopback port over a fresh store serving tenant "alpha" on a fake clock, with known series
/// written for "alpha" and for "beta" (same metric names, different values, and one metric of each tenant's own).
/// </summary>
public sealed class PromApiFixture : IAsyncLifetime
{
    public const string AlphaViewer = "alpha-viewer-token";
    public const string AlphaOperator = "alpha-operator-token";
    public const string BetaViewer = "beta-viewer-token";
    public const string BetaAdmin = "beta-admin-token";

    /// <summary>Where the written samples start: 2023-11-14T22:13:20Z.</summary>
    public static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private RunningServer? _server;

    public HttpClient Http => _server!.Http;

    public AuspexRuntime Runtime => _server!.Runtime;

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
            """;
        var clock = new FakeTimeProvider(T0.AddHours(1));
        var auth = new AuthOptions
        {
            Keys =
            [
                new("alpha-viewer", Role.Viewer, "alpha", ApiKey.Hash(AlphaViewer)),
                new("alpha-operator", Role.Operator, "alpha", ApiKey.Hash(AlphaOperator)),
                new("beta-viewer", Role.Viewer, "beta", ApiKey.Hash(BetaViewer)),
                new("beta-admin", Role.Admin, "beta", ApiKey.Hash(BetaAdmin)),
            ],
        };
        _server = await RunningServer.StartAsync(Yaml, clock, new ServerOptions { Port = 0, MaxSeriesPerQuery = 50 }, auth, async runtime =>
        {
            await Write(runtime, "alpha", "prom_test_requests_total", ("job", "api"), i => i * 10.0);       // 0, 10, 20, … every minute
            await Write(runtime, "alpha", "prom_test_gauge", ("host", "h1"), i => i % 2 == 0 ? 1.5 : 2.5);
            await Write(runtime, "alpha", "alpha_only_metric", ("host", "h1"), _ => 7);
            await Write(runtime, "beta", "prom_test_requests_total", ("job", "api"), i => i * 1000.0);
            await Write(runtime, "beta", "prom_test_gauge", ("host", "h1"), _ => 999);
            await Write(runtime, "beta", "beta_only_metric", ("secret", "s3cr3t"), _ => 42);
        });
        var runtime = _server.Runtime;
        var alpha = new TenantId("alpha");
        await runtime.Store.Results.SaveScoresAsync(alpha, [new LocalityScore("h1", T0.AddMinutes(30), 0.8, new Dictionary<string, ScorePart> { ["capacity"] = new(0.7, 0.5, "test") })]);
        await runtime.Store.Results.SaveScoresAsync(alpha, [new LocalityScore("h1", T0.AddMinutes(31), 0.6, new Dictionary<string, ScorePart> { ["capacity"] = new(0.5, 0.5, "test") })]);
        await runtime.Store.Results.SaveScoresAsync(new TenantId("beta"), [new LocalityScore("beta-host", T0.AddMinutes(30), 0.123, new Dictionary<string, ScorePart>())]);
        await runtime.Store.Results.SaveForecastsAsync(alpha, [new Forecast(new SeriesKey("prom_test_gauge", Labels.Of("host", "h1")), "test-model", T0.AddMinutes(60).AddSeconds(1),
            TimeSpan.FromMinutes(1), [0.1, 0.9], [new ForecastPoint(T0.AddMinutes(61), 3, [2, 4]), new ForecastPoint(T0.AddMinutes(62), 3.5, [2.5, 4.5])])]);
    }

    /// <summary>Writes 61 samples, one a minute from <see cref="T0"/>.</summary>
    private static async Task Write(AuspexRuntime runtime, string tenant, string metric, (string Name, string Value) label, Func<int, double> value)
    {
        await using var app = runtime.Store.Series.BeginAppend(new TenantId(tenant));
        app.Add(new SeriesData(new SeriesKey(metric, Labels.Of(label.Name, label.Value)),
            Enumerable.Range(0, 61).Select(i => new Sample(T0.AddMinutes(i), value(i))).ToList()));
        var r = await app.CommitAsync();
        if (!r.Ok)
        {
            throw new InvalidOperationException(string.Join("; ", r.Errors));
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
