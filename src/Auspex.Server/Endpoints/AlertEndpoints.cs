using System.Text.Json;
using Auspex.Engine;
using Auspex.Engine.Services;
using Auspex.Scoring;
using Auspex.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Auspex.Server.Endpoints;

/// <summary>The body of <c>POST /api/v1/silences</c>.</summary>
/// <param name="Matchers">Label name → exact value; every one must match (e.g. alertname, locality, component, severity).</param>
/// <param name="StartsAt">Start (RFC 3339 or Unix seconds); default now on the loop's clock.</param>
/// <param name="EndsAt">End; give this or <paramref name="Duration"/>.</param>
/// <param name="Duration">Length from the start, e.g. 2h, 30m.</param>
/// <param name="Comment">Why (kept in the audit log).</param>
internal sealed record SilenceRequest(Dictionary<string, string>? Matchers, string? StartsAt, string? EndsAt, string? Duration, string? Comment);

/// <summary>Alerts, rules, history and silences (docs/api.md, "Alerts").</summary>
internal static class AlertEndpoints
{
    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1").WithTags("Alerts");
        g.MapGet("/alerts", (string? state, AuspexRuntime rt) =>
                state is null or "pending" or "firing" or "resolved"
                    ? Results.Ok(rt.Alerts.Alerts(state))
                    : AuspexServer.Problem(400, "Bad query", $"parameter 'state': '{state}' is not pending, firing or resolved"))
            .WithName("ListAlerts").WithSummary("Current alerts (pending, firing, recently resolved), optionally of one state.")
            .Produces<IReadOnlyList<AlertView>>().ProducesProblem(400);
        g.MapGet("/alerts/rules", (AuspexRuntime rt) => Results.Ok(rt.Alerts.Rules()))
            .WithName("ListAlertRules").WithSummary("The alert rules in force, with their pending and firing counts.")
            .Produces<IReadOnlyList<AlertRuleView>>();
        g.MapGet("/alerts/history", (string? limit, AuspexRuntime rt) =>
            {
                var n = 100;
                if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out n) || n is < 1 or > 10_000))
                {
                    return AuspexServer.Problem(400, "Bad query", $"parameter 'limit': '{limit}' is not a whole number from 1 to 10000");
                }
                return Results.Ok(rt.Alerts.History(n));
            })
            .WithName("AlertHistory").WithSummary("State changes of alerts, newest first (default 100).")
            .Produces<IReadOnlyList<AlertTransition>>().ProducesProblem(400);
        g.MapGet("/alerts/receivers", (AuspexRuntime rt) => Results.Ok(rt.Alerts.Deliveries()))
            .WithName("AlertReceivers").WithSummary("Delivery status per configured Alertmanager.")
            .Produces<IReadOnlyList<DeliveryView>>();
        g.MapGet("/silences", (AuspexRuntime rt) => Results.Ok(rt.Alerts.Silences()))
            .WithName("ListSilences").WithSummary("Every silence (active, future, expired).")
            .Produces<IReadOnlyList<Silence>>();
        g.MapPost("/silences", async (HttpContext ctx, AuspexRuntime rt, AuthOptions auth, IOptions<JsonOptions> json, CancellationToken ct) =>
            {
                if (ApiKeyAuth.Require(ctx, auth, Role.Operator, rt.Loop.Tenant.Value) is { } denied)
                {
                    return denied;
                }
                SilenceRequest? req;
                try
                {
                    req = await JsonSerializer.DeserializeAsync<SilenceRequest>(ctx.Request.Body, json.Value.SerializerOptions, ct);
                }
                catch (JsonException e)
                {
                    return AuspexServer.Problem(400, "Bad silence", $"malformed JSON: {e.Message}");
                }
                if (req?.Matchers is not { Count: > 0 } matchers)
                {
                    return AuspexServer.Problem(400, "Bad silence", "'matchers' is required: an object of label name → value, e.g. {\"alertname\":\"LocalityUndesirable\",\"locality\":\"rack-3\"}");
                }
                var now = rt.Loop.Clock.GetUtcNow();
                if (!QueryParams.TryTime(req.StartsAt, "startsAt", now, out var start, out var err))
                {
                    return AuspexServer.Problem(400, "Bad silence", err!);
                }
                DateTimeOffset end;
                if (req.EndsAt is not null)
                {
                    if (!QueryParams.TryTime(req.EndsAt, "endsAt", now, out end, out err))
                    {
                        return AuspexServer.Problem(400, "Bad silence", err!);
                    }
                }
                else if (Auspex.Ingestion.TopologyFiles.Quantities.TryParseDuration(req.Duration, out var d) && d > TimeSpan.Zero)
                {
                    end = start + d;
                }
                else
                {
                    return AuspexServer.Problem(400, "Bad silence", req.Duration is null
                        ? "give 'endsAt' or 'duration' (e.g. \"2h\")"
                        : $"'duration': '{req.Duration}' is not a positive duration such as 30m or 2h");
                }
                var actor = ctx.Items["auspex.actor"] as string ?? "api";
                return await rt.Alerts.AddSilenceAsync(matchers, start, end, actor, req.Comment ?? "", ct) switch
                {
                    SilenceResult.Created c => Results.Created($"/api/v1/silences/{c.Silence.Id}", c.Silence),
                    SilenceResult.Invalid i => AuspexServer.Problem(400, "Bad silence", i.Error),
                    _ => throw new InvalidOperationException("unexpected silence result"),
                };
            })
            .WithName("CreateSilence").WithSummary("Silence alerts matching labels for a while (operator key).")
            .Accepts<SilenceRequest>("application/json").Produces<Silence>(201).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);
        g.MapDelete("/silences/{id}", async (string id, HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct) =>
            {
                if (ApiKeyAuth.Require(ctx, auth, Role.Operator, rt.Loop.Tenant.Value) is { } denied)
                {
                    return denied;
                }
                var actor = ctx.Items["auspex.actor"] as string ?? "api";
                return await rt.Alerts.DeleteSilenceAsync(id, actor, ct)
                    ? Results.NoContent()
                    : AuspexServer.Problem(404, "Unknown silence", $"no silence has id '{id}'");
            })
            .WithName("DeleteSilence").WithSummary("Delete a silence (operator key).")
            .Produces(204).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);

        var c = app.MapGroup("/api/v1/components").WithTags("Components");
        c.MapGet("/", (AuspexRuntime rt) => Results.Ok(new ComponentService(rt.Topology, rt.Loop, rt.Scaling).Components()))
            .WithName("ListComponents").WithSummary("Every component with its Health Projection Score (0–100, lower = riskier), hosts and reasons; lowest first.")
            .Produces<IReadOnlyList<ComponentView>>();
        c.MapGet("/{id}", (string id, AuspexRuntime rt) =>
                new ComponentService(rt.Topology, rt.Loop, rt.Scaling).Component(id) is { } v
                    ? Results.Ok(v)
                    : AuspexServer.Problem(404, "Unknown component", $"no component has id '{id}'"))
            .WithName("GetComponent").WithSummary("One component with its Health Projection Score and its causes.")
            .Produces<ComponentView>().ProducesProblem(404);
        return app;
    }
}
