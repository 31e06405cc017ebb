using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Server;

namespace Auspex.Cli.Commands;

/// <summary>Starts the runtime and the server, prints where to look, and runs until Ctrl+C.</summary>
internal static class HostRunner
{
    public static async Task<int> RunAsync(RuntimeSettings settings, ServerOptions server, CancellationToken ct)
    {
        AuspexRuntime runtime;
        AttachKubernetes(settings);
        try
        {
            runtime = await AuspexRuntime.StartAsync(settings, m => Console.Error.WriteLine("auspex: " + m), ct: ct);
        }
        catch (StartupException e)
        {
            foreach (var err in e.Errors)
            {
                Console.Error.WriteLine("error: " + err);
            }
            return 2;
        }
        await using (runtime)
        {
            var auth = new Server.Auth.AuthOptions
            {
                AnonymousReads = settings.AnonymousReads,
                Keys = settings.ApiKeys.Select(k => new Server.Auth.ApiKey(k.Name, Enum.Parse<Server.Auth.Role>(k.Role, ignoreCase: true), k.Tenant, k.TokenSha256)).ToList(),
            };
            var app = AuspexServer.Build(runtime, server, auth: auth);
            try
            {
                await app.StartAsync(ct);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"error: cannot listen on {server.Host}:{server.Port}: {e.Message} (choose another with --port)");
                return 2;
            }
            var url = AuspexServer.BaseAddress(app);
            Console.Error.WriteLine($"auspex: dashboard  {url}");
            Console.Error.WriteLine($"auspex: API        {url}api/v1/localities   (OpenAPI: {url}openapi/v1.json)");
            Console.Error.WriteLine($"auspex: metrics    {url}metrics");
            Console.Error.WriteLine("auspex: press Ctrl+C to stop");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
        return 0;
    }

    /// <summary>The engine does not reference the Kubernetes integration; the host supplies the executor for orchestration.executor: kubernetes.</summary>
    public static void AttachKubernetes(RuntimeSettings settings) =>
        settings.Orchestration.KubernetesExecutorFactory ??= k => Auspex.Kubernetes.Execution.KubernetesExecution.Create(new Auspex.Kubernetes.Execution.KubernetesExecutorOptions
        {
            Server = k.Server,
            Namespace = k.Namespace,
            WorkloadName = k.WorkloadName,
            MaxEvictionsPerDrain = k.MaxEvictionsPerDrain,
        });
}
