using System.Globalization;
using System.Text.Json;
using Auspex.Engine;
using Auspex.Engine.Scaling;
using Auspex.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Auspex.Server.Endpoints;

/// <summary>The scaling stage's decisions and the executor it runs on.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Mode">off, forecastOnly, scaleOutOnly or full.</param>
/// <param name="Executor">The executor's name.</param>
/// <param name="Tiers">The tier keys of the pool.</param>
/// <param name="Decisions">Newest first.</param>
public sealed record ScalingDecisionsView(string Tenant, string Mode, string Executor, IReadOnlyList<string> Tiers, IReadOnlyList<ScalingRecord> Decisions);

/// <summary>Body of <c>POST /api/v1/scaling/decide</c>.</summary>
/// <param name="Component">Component id (required).</param>
/// <param name="Quantile">Forecast quantile in (0, 1), or null for the component's SLO (else the default).</param>
/// <param name="DryRun">True (the default): show the decision and the executor's dry run; false: execute it.</param>
public sealed record ScalingDecideRequest(string? Component, double? Quantile, bool? DryRun);

/// <summary>Scaling decisions (read) and an operator's explicit decide/execute.</summary>
internal static class ScalingEndpoints
{
    public static IEndpointRouteBuilder MapScalingEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/scaling").WithTags("Scaling");
        g.MapGet("/decisions", (HttpContext ctx, AuspexRuntime rt, AuthOptions auth, string? component, string? limit) =>
            {
                // Reads of the served tenant: anonymous when allowed; a presented key must belong to this tenant.
                if ((!auth.AnonymousReads || ctx.Request.Headers.Authorization.Count > 0) && ApiKeyAuth.Require(ctx, auth, Role.Viewer, rt.Loop.Tenant.Value) is { } denied)
                {
                    return denied;
                }
                var n = 100;
                if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out n) || n is < 1 or > 5000))
                {
                    return AuspexServer.Problem(400, "Bad limit", $"query parameter 'limit' must be a whole number from 1 to 5000, not '{limit}'");
                }
                if (component is not null && rt.Topology.Current.Components.All(c => c.Id != component))
                {
                    return AuspexServer.Problem(404, "Unknown component", $"query parameter 'component': no component has id '{component}'");
                }
                return Results.Ok(View(rt, rt.Scaling.Decisions(component, n)));
            })
            .WithName("ListScalingDecisions")
            .WithSummary("The scaling stage's decisions, newest first: outcome, tier mix, required demand and capacity, quantile, lead time, reason, and what the executor did.")
            .Produces<ScalingDecisionsView>().ProducesProblem(400).ProducesProblem(404);

        g.MapPost("/decide", async (HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct) =>
            {
                if (ApiKeyAuth.Require(ctx, auth, Role.Operator, rt.Loop.Tenant.Value) is { } denied)
                {
                    return denied;
                }
                ScalingDecideRequest? body;
                try
                {
                    body = await JsonSerializer.DeserializeAsync<ScalingDecideRequest>(ctx.Request.Body, new JsonSerializerOptions(JsonSerializerDefaults.Web), ct);
                }
                catch (JsonException e)
                {
                    return AuspexServer.Problem(400, "Bad request", $"the body is not {{component, quantile, dryRun}} JSON at {e.Path ?? "$"}: {e.Message}");
                }
                if (body?.Component is not { Length: > 0 } component)
                {
                    return AuspexServer.Problem(400, "Bad request", "'component' is required");
                }
                if (body.Quantile is { } q && (double.IsNaN(q) || q is <= 0 or >= 1))
                {
                    return AuspexServer.Problem(400, "Bad request", "'quantile' must be in (0, 1)");
                }
                if (rt.Topology.Current.Components.All(c => c.Id != component))
                {
                    return AuspexServer.Problem(404, "Unknown component", $"no component has id '{component}'");
                }
                var actor = ctx.Items["auspex.actor"] as string ?? "api";
                var record = await rt.Scaling.DecideOneAsync(component, body.Quantile, body.DryRun ?? true, actor, ct);
                return record is null
                    ? AuspexServer.Problem(503, "Not ready", "the loop has not ticked yet; try again after the first tick")
                    : Results.Ok(record);
            })
            .WithName("DecideScaling")
            .WithSummary("Decide one component now (optionally at another quantile): a dry run on the executor by default, or executed with dryRun false (operator key).")
            .Accepts<ScalingDecideRequest>("application/json")
            .Produces<ScalingRecord>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(503);
        return app;
    }

    private static ScalingDecisionsView View(AuspexRuntime rt, IReadOnlyList<ScalingRecord> decisions) =>
        new(rt.Loop.Tenant.Value, char.ToLowerInvariant(rt.Scaling.Mode.ToString()[0]) + rt.Scaling.Mode.ToString()[1..], rt.Executor.Name,
            rt.Scaling.Pool.Tiers.Select(t => t.Provider + "/" + t.Name).ToList(), decisions);
}
