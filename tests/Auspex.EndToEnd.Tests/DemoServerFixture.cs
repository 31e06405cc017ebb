using System.Net.Http.Json;
using System.Text.Json;
using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Server;
using Auspex.Testing;
using Microsoft.AspNetCore.Builder;

namespace Auspex.EndToEnd.Tests;

/// <summary>The demo (sample fleet replayed at one hour per second) served in-process on a free loopback port.</summary>
public sealed class DemoServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private AuspexRuntime? _runtime;
    private WebApplication? _app;

    public const string OperatorToken = "op-token-for-tests";
    public const string ViewerToken = "viewer-token-for-tests";
    public const string OtherTenantToken = "other-tenant-token";

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The KEDA external scaler's HTTP/2 address.</summary>
    public Uri GrpcAddress { get; private set; } = null!;

    public HttpClient Http { get; } = new();

    public AuspexRuntime Runtime => _runtime!;

    /// <summary>The server's authentication settings (tests of the "demo" collection run one at a time, so one may switch anonymous reads off and back).</summary>
    public Auspex.Server.Auth.AuthOptions Auth => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Auspex.Server.Auth.AuthOptions>(_app!.Services);

    public async Task InitializeAsync()
    {
        _runtime = await AuspexRuntime.StartAsync(new RuntimeSettings
        {
            DataDirectory = _dir.Path,
            TopologyPath = RepoPaths.Samples("fleet", "topology.yaml"),
            Fresh = true,
            Engine = new EngineOptions { MaintenanceEvery = TimeSpan.FromHours(6) },
            Replay = new ReplaySettings { Files = [RepoPaths.Samples("fleet", "metrics.csv.gz")], Speed = 3600 },
        });
        var auth = new Auspex.Server.Auth.AuthOptions
        {
            Keys =
            [
                new("ops", Auspex.Server.Auth.Role.Operator, "demo", Auspex.Server.Auth.ApiKey.Hash(OperatorToken)),
                new("watcher", Auspex.Server.Auth.Role.Viewer, "demo", Auspex.Server.Auth.ApiKey.Hash(ViewerToken)),
                new("stranger", Auspex.Server.Auth.Role.Admin, "other", Auspex.Server.Auth.ApiKey.Hash(OtherTenantToken)),
            ],
        };
        _app = AuspexServer.Build(_runtime, new ServerOptions { Port = 0, GrpcPort = 0 }, quiet: true, auth: auth);
        await _app.StartAsync();
        BaseAddress = AuspexServer.BaseAddress(_app);
        GrpcAddress = AuspexServer.GrpcAddress(_app)!;
        Http.BaseAddress = BaseAddress;
    }

    /// <summary>Polls the API until every locality has a score or the timeout passes; returns the localities.</summary>
    public async Task<JsonElement> WaitForAllScoredAsync(TimeSpan timeout)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        JsonElement last = default;
        while (sw.Elapsed < timeout)
        {
            last = await Http.GetFromJsonAsync<JsonElement>("/api/v1/localities");
            if (last.GetArrayLength() > 0 && last.EnumerateArray().All(l => l.GetProperty("score").ValueKind == JsonValueKind.Object))
            {
                return last;
            }
            await Task.Delay(250);
        }
        return last;
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

[CollectionDefinition("demo")]
public sealed class DemoCollection : ICollectionFixture<DemoServerFixture>;
