using System.Text.Json;
using Auspex.Engine.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Auspex.Server.Endpoints;

internal static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapStatusEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/status", (FleetService fleet) => Results.Ok(fleet.Status()))
            .WithTags("Status").WithName("GetStatus").WithSummary("The loop's clock, tick count and last tick.")
            .Produces<LoopStatusView>();
        app.MapGet("/api/v1/events", async (HttpContext ctx, TickBroadcaster ticks, IOptions<JsonOptions> json) =>
            {
                ctx.Response.Headers.ContentType = "text/event-stream";
                ctx.Response.Headers.CacheControl = "no-cache";
                await ctx.Response.WriteAsync(": connected\n\n", ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                var reader = ticks.Subscribe(ctx.RequestAborted);
                try
                {
                    await foreach (var t in reader.ReadAllAsync(ctx.RequestAborted))
                    {
                        var data = JsonSerializer.Serialize(t, json.Value.SerializerOptions);
                        await ctx.Response.WriteAsync($"event: tick\ndata: {data}\n\n", ctx.RequestAborted);
                        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The client went away.
                }
            })
            .WithTags("Status").WithName("StreamEvents").WithSummary("Server-sent events: one 'tick' event per loop tick.");
        return app;
    }
}
