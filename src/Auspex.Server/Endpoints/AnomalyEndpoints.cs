using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Auspex.Engine;
using Auspex.Engine.Anomalies;
using Auspex.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Auspex.Server.Endpoints;

/// <summary>
/// The anomaly event list (read: anyone who may read the API), one event, a live stream of new events (server-sent
/// events), and the operator's false-positive mark (operator key of the served tenant), which adapts the series'
/// detector. See docs/api.md and docs/anomalies.md.
/// </summary>
internal static class AnomalyEndpoints
{
    public static IEndpointRouteBuilder MapAnomalyEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/anomalies").WithTags("Anomalies");
        g.MapGet("/", async (string? since, string? until, string? locality, string? series, string? limit, AuspexRuntime rt, CancellationToken ct) =>
            {
                var now = rt.Loop.Clock.GetUtcNow();
                if (!QueryParams.TryTime(since, "since", now - TimeSpan.FromDays(1), out var from, out var err)
                    || !QueryParams.TryTime(until, "until", DateTimeOffset.MaxValue, out var to, out err))
                {
                    return AuspexServer.Problem(400, "Bad query", err!);
                }
                var max = 1000;
                if (limit is not null && !int.TryParse(limit, NumberStyles.Integer, CultureInfo.InvariantCulture, out max))
                {
                    return AuspexServer.Problem(400, "Bad query", $"parameter 'limit': '{limit}' is not an integer");
                }
                var r = await rt.Loop.Anomalies.ListAsync(new AnomalyQuery(from, to, Blank(locality), Blank(series), max), ct);
                return r.Ok ? Results.Ok(r.Events)
                    : r.Error!.StartsWith("no locality", StringComparison.Ordinal) ? AuspexServer.Problem(404, "Unknown locality", r.Error)
                    : AuspexServer.Problem(400, "Bad query", r.Error);
            })
            .WithName("ListAnomalies")
            .WithSummary("Anomaly events, newest first. since (default: one day before the loop's clock), until: RFC 3339 or Unix seconds; locality: a host or any ancestor; series: a metric name, 'multivariate' or a full series key; limit ≤ 10000 (default 1000).")
            .Produces<IReadOnlyList<AnomalyEvent>>().ProducesProblem(400).ProducesProblem(404);
        g.MapGet("/stream", async (HttpContext ctx, AuspexRuntime rt, IOptions<JsonOptions> json) =>
            {
                ctx.Response.Headers.ContentType = "text/event-stream";
                ctx.Response.Headers.CacheControl = "no-cache";
                var channel = Channel.CreateBounded<AnomalyEvent>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
                void OnRaised(AnomalyEvent e) => channel.Writer.TryWrite(e);
                rt.Loop.Anomalies.Raised += OnRaised;
                try
                {
                    await ctx.Response.WriteAsync(": connected\n\n", ctx.RequestAborted);
                    await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                    await foreach (var e in channel.Reader.ReadAllAsync(ctx.RequestAborted))
                    {
                        var data = JsonSerializer.Serialize(e, json.Value.SerializerOptions);
                        await ctx.Response.WriteAsync($"event: anomaly\nid: {e.Id}\ndata: {data}\n\n", ctx.RequestAborted);
                        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The client went away.
                }
                finally
                {
                    rt.Loop.Anomalies.Raised -= OnRaised;
                }
            })
            .WithName("StreamAnomalies")
            .WithSummary("Server-sent events: one 'anomaly' event (JSON of the event) whenever a tick opens or extends an anomaly event.");
        g.MapGet("/{id}", async (string id, AuspexRuntime rt, CancellationToken ct) =>
                await rt.Loop.Anomalies.GetAsync(id, ct) is { } e ? Results.Ok(e) : NotFound(id))
            .WithName("GetAnomaly")
            .WithSummary("One anomaly event.")
            .Produces<AnomalyEvent>().ProducesProblem(404);
        g.MapPost("/{id}/false-positive", async (string id, HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct) =>
            {
                if (ApiKeyAuth.Require(ctx, auth, Role.Operator, rt.Loop.Tenant.Value) is { } denied)
                {
                    return denied;
                }
                var actor = ctx.Items["auspex.actor"] as string ?? "api";
                var r = await rt.Loop.Anomalies.MarkFalsePositiveAsync(id, actor, ct);
                return r.Outcome == FalsePositiveOutcome.NotFound ? NotFound(id) : Results.Ok(r.Event);
            })
            .WithName("MarkAnomalyFalsePositive")
            .WithSummary("Marks an anomaly event as a false positive (operator role): the series' detector becomes less sensitive to that kind of surprise, decaying back over a week of points; the mark is persisted and audited. Marking twice is harmless.")
            .Produces<AnomalyEvent>().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return app;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static IResult NotFound(string id) =>
        AuspexServer.Problem(404, "Unknown anomaly", $"no anomaly event has id '{id}' (ids look like 'an-' and 16 hex digits; list them with GET /api/v1/anomalies)");
}
