using System.Text.Json;
using Auspex.Engine;
using Auspex.Engine.Services;
using Auspex.Placement.Footprints;
using Auspex.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Auspex.Server.Endpoints;

/// <summary>Where a deployment would go, and the migration plan (docs/api.md, "Placement").</summary>
internal static class PlacementEndpoints
{
    public static IServiceCollection AddPlacements(this IServiceCollection services) =>
        services.AddSingleton(sp =>
        {
            var rt = sp.GetRequiredService<AuspexRuntime>();
            return new PlacementService(rt.Store.State, rt.Topology, rt.Loop);
        });

    public static IEndpointRouteBuilder MapPlacementEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/placements").WithTags("Placement");
        g.MapPost("/", async (HttpContext ctx, AuspexRuntime rt, PlacementService placements, AuthOptions auth, IOptions<JsonOptions> json, CancellationToken ct) =>
            {
                PlacementAsk? ask;
                try
                {
                    ask = await JsonSerializer.DeserializeAsync<PlacementAsk>(ctx.Request.Body, json.Value.SerializerOptions, ct);
                }
                catch (JsonException e)
                {
                    return AuspexServer.Problem(400, "Bad placement request", $"malformed JSON: {e.Message}");
                }
                if (ask is null)
                {
                    return AuspexServer.Problem(400, "Bad placement request", "empty body: give 'component' or 'requests'");
                }
                if (!ask.DryRun && ApiKeyAuth.Require(ctx, auth, Role.Operator, rt.Loop.Tenant.Value) is { } denied)
                {
                    return denied;
                }
                var actor = ctx.Items["auspex.actor"] as string ?? ApiKeyAuth.Caller(ctx, auth)?.Name ?? "anonymous";
                return await placements.DecideAsync(ask, actor, ct) switch
                {
                    PlacementAnswer.Decided d => Results.Ok(d.Decision),
                    PlacementAnswer.Invalid i => AuspexServer.Problem(400, "Bad placement request", i.Error),
                    _ => throw new InvalidOperationException("unexpected placement answer"),
                };
            })
            .WithName("AskPlacement")
            .WithSummary("Where would this deployment go? The chosen host and every score plugin's score per candidate. Dry by default; dryRun=false records the decision (operator key).")
            .Accepts<PlacementAsk>("application/json").Produces<PlacementDecisionView>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);
        g.MapGet("/plan", async (HttpContext ctx, PlacementService placements, AuthOptions auth, CancellationToken ct) =>
            {
                var actor = ApiKeyAuth.Caller(ctx, auth)?.Name ?? "anonymous";
                var a = await placements.PlanAsync(actor, ct);
                return Results.Ok(new PlanView(a.Plan?.Id, a.ActionRequired, a.Discrepancy, a.Threshold, a.Components, a.Notes, a.Plan));
            })
            .WithName("GetMigrationPlan")
            .WithSummary("The footprint assessment on the latest tick and, past the discrepancy threshold, the phased migration plan.")
            .Produces<PlanView>();
        return app;
    }
}

/// <summary>The migration plan as the API shows it.</summary>
/// <param name="Id">Plan id, null when no change is needed.</param>
/// <param name="ActionRequired">True when the discrepancy exceeds the threshold.</param>
/// <param name="Discrepancy">Impact-weighted discrepancy, 0–1.</param>
/// <param name="Threshold">Threshold above which a plan is made.</param>
/// <param name="Components">Per component, worst first.</param>
/// <param name="Notes">Replicas that should move but cannot, and other remarks.</param>
/// <param name="Plan">The plan (phases, steps, rollback), or null.</param>
internal sealed record PlanView(string? Id, bool ActionRequired, double Discrepancy, double Threshold,
    IReadOnlyList<ComponentDiscrepancy> Components, IReadOnlyList<string> Notes, MigrationPlan? Plan);
