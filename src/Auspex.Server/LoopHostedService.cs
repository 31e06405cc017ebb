using Auspex.Engine;
using Microsoft.Extensions.Hosting;

namespace Auspex.Server;

/// <summary>Runs the control loop while the server runs and forwards each tick to live subscribers.</summary>
internal sealed class LoopHostedService(AuspexRuntime runtime, TickBroadcaster broadcaster) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        runtime.Loop.Ticked += broadcaster.Publish;
        try
        {
            await Task.Yield();
            await runtime.RunLoopAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            runtime.Loop.Ticked -= broadcaster.Publish;
        }
    }
}
