using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Server.Auth;
using Auspex.Testing;
using Microsoft.AspNetCore.Builder;

namespace Auspex.Server.Tests;

/// <summary>
/// The server on a free loopback port over a fresh store in a temporary directory, on the given clock: the runtime is
/// started on <c>topology.yaml</c>, <c>beforeServe</c> may write data, then the app starts and the loop's first tick
/// (it ticks once at start) is awaited, so what a fixture writes after is the latest and nothing changes under a test.
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private readonly TempDirectory _dir;

    private RunningServer(TempDirectory dir, AuspexRuntime runtime, WebApplication app)
    {
        _dir = dir;
        Runtime = runtime;
        App = app;
        Http = new HttpClient { BaseAddress = AuspexServer.BaseAddress(app) };
    }

    public AuspexRuntime Runtime { get; }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public static async Task<RunningServer> StartAsync(
        string topologyYaml, TimeProvider clock, ServerOptions options, AuthOptions? auth = null,
        Func<AuspexRuntime, Task>? beforeServe = null, TimeSpan? firstTickTimeout = null)
    {
        var dir = new TempDirectory();
        AuspexRuntime? runtime = null;
        try
        {
            await File.WriteAllTextAsync(dir.File("topology.yaml"), topologyYaml);
            runtime = await AuspexRuntime.StartAsync(new RuntimeSettings { DataDirectory = dir.File("data"), TopologyPath = dir.File("topology.yaml"), Fresh = true }, clock: clock);
            if (beforeServe is not null)
            {
                await beforeServe(runtime);
            }
            var app = AuspexServer.Build(runtime, options, quiet: true, auth: auth);
            await app.StartAsync();
            var server = new RunningServer(dir, runtime, app);
            var limit = firstTickTimeout ?? TimeSpan.FromSeconds(60);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (runtime.Loop.Ticks + runtime.Loop.Failures < 1 && sw.Elapsed < limit)
            {
                await Task.Delay(50);
            }
            return server;
        }
        catch
        {
            if (runtime is not null)
            {
                await runtime.DisposeAsync();
            }
            dir.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Runtime.DisposeAsync();
        Http.Dispose();
        _dir.Dispose();
    }
}
