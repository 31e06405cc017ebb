using Auspex.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Auspex.Server.Endpoints;

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/livez", () => Results.Text("ok\n")).ExcludeFromDescription();
        // Ready once the loop has completed a tick without error: scores exist to serve.
        app.MapGet("/readyz", (AuspexRuntime rt) =>
        {
            var last = rt.Loop.LastTick;
            return last is null ? Results.Text("not ready: the loop has not ticked yet\n", statusCode: 503)
                : last.Error is not null && rt.Loop.Ticks == rt.Loop.Failures ? Results.Text($"not ready: every tick failed, last: {last.Error}\n", statusCode: 503)
                : Results.Text("ok\n");
        }).ExcludeFromDescription();
        return app;
    }
}
