using System.Text.Json;
using Auspex.Engine;
using Auspex.Engine.Services;
using Auspex.Placement.Footprints;
using Auspex.Placement.Global;
using Auspex.Placement.OrTools;
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
    /// <summary>Largest body <c>POST /api/v1/placements/global</c> reads.</summary>
    internal const int MaxGlobalBody = 256 * 1024;

    public static IServiceCollection AddPlacements(this IServiceCollection services) =>
        services.AddSingleton(sp =>
        {
            var rt = sp.GetRequiredService<AuspexRuntime>();
            return new PlacementService(rt.Store.State, rt.Topology, rt.Loop);
        }).AddSingleton(sp =>
        {
            var rt = sp.GetRequiredService<AuspexRuntime>();
            // CP-SAT (Google OR-Tools) joins packing and greedy through its own assembly's entry point.
            return new GlobalPlanService(rt.Store.State, rt.Topology, rt.Loop, rt.Scaling.Settings, PlacementSolverCatalog.Default().AddOrToolsSolver());
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
        g.MapPost("/global", async (HttpContext ctx, AuspexRuntime rt, GlobalPlanService global, IServiceProvider sp, AuthOptions auth, IOptions<JsonOptions> json, CancellationToken ct) =>
            {
                if (ctx.Request.ContentLength is > MaxGlobalBody)
                {
                    return AuspexServer.Problem(413, "Bad global plan request", $"the body has {ctx.Request.ContentLength} bytes, at most {MaxGlobalBody}");
                }
                GlobalPlanAsk? ask;
                try
                {
                    var buffer = new MemoryStream();
                    var chunk = new byte[16 * 1024];
                    int n;
                    while ((n = await ctx.Request.Body.ReadAsync(chunk, ct)) > 0)
                    {
                        buffer.Write(chunk, 0, n);
                        if (buffer.Length > MaxGlobalBody)
                        {
                            return AuspexServer.Problem(413, "Bad global plan request", $"the body is over {MaxGlobalBody} bytes");
                        }
                    }
                    ask = buffer.Length == 0 ? new GlobalPlanAsk() : JsonSerializer.Deserialize<GlobalPlanAsk>(buffer.ToArray(), json.Value.SerializerOptions);
                }
                catch (JsonException e)
                {
                    return AuspexServer.Problem(400, "Bad global plan request", $"malformed JSON{(e.Path is null ? "" : " at " + e.Path)}: {e.Message}");
                }
                if (ask is null)
                {
                    return AuspexServer.Problem(400, "Bad global plan request", "the body is null: send {} for the defaults");
                }
                if (ask.Submit && ApiKeyAuth.Require(ctx, auth, Role.Operator, rt.Loop.Tenant.Value) is { } denied)
                {
                    return denied;
                }
                var actor = ctx.Items["auspex.actor"] as string ?? ApiKeyAuth.Caller(ctx, auth)?.Name ?? "anonymous";
                switch (await global.PlanAsync(ask, actor, null, ct))
                {
                    case GlobalPlanAnswer.Invalid i:
                        return AuspexServer.Problem(400, "Bad global plan request", i.Error);
                    case GlobalPlanAnswer.Planned p when ask.Submit && p.View.Plan is { } plan:
                        var runner = sp.GetService<Orchestration.Plans.IPlanRunner>();
                        if (runner is null)
                        {
                            return AuspexServer.Problem(409, "Plan runner unavailable", "this server runs no plan runner: submit is not possible");
                        }
                        var r = await runner.SubmitAsync(rt.Loop.Tenant, plan, "operator:" + actor, ct);
                        return r.Outcome == Orchestration.Plans.PlanCommandOutcome.Ok
                            ? Results.Created($"/api/v1/plans/{plan.Id}", p.View with { Submitted = true })
                            : AuspexServer.Problem(409, "Plan conflict", r.Message);
                    case GlobalPlanAnswer.Planned p:
                        return Results.Ok(p.View);
                    default:
                        throw new InvalidOperationException("unexpected global plan answer");
                }
            })
            .WithName("PlanGlobalPlacement")
            .WithSummary("A global placement plan (seed 001) for the whole fleet within a time limit: the diff against the current placement, hosts and objective before and after, the gap to a valid lower bound, the solver's progress and the executable plan. Dry by default; submit=true submits it to the plan runner (operator key).")
            .Accepts<GlobalPlanAsk>("application/json").Produces<GlobalPlanView>().Produces<GlobalPlanView>(201).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413);
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
