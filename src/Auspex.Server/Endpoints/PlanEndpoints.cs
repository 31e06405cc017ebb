using System.Text.Json;
using Auspex.Engine;
using Auspex.Orchestration.Execution;
using Auspex.Orchestration.Plans;
using Auspex.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Auspex.Server.Endpoints;

/// <summary>A plan in a list: what, who, where it is, how far.</summary>
/// <param name="Id">Plan id.</param>
/// <param name="Kind">scaling, migration or custom.</param>
/// <param name="Title">One line.</param>
/// <param name="Status">Where it is.</param>
/// <param name="CreatedBy">Who or what made it.</param>
/// <param name="ApprovedBy">Who approved it, or null.</param>
/// <param name="Executor">The executor it runs on.</param>
/// <param name="SubmittedAt">Submission time.</param>
/// <param name="UpdatedAt">Last change.</param>
/// <param name="Completed">Steps done.</param>
/// <param name="Total">Steps in all.</param>
/// <param name="Phases">Phases in all.</param>
/// <param name="Reason">Why it ended as it did, or null.</param>
public sealed record PlanSummary(string Id, PlanKind Kind, string Title, PlanStatus Status, string CreatedBy, string? ApprovedBy, string Executor,
    DateTimeOffset SubmittedAt, DateTimeOffset UpdatedAt, int Completed, int Total, int Phases, string? Reason);

/// <summary>One step of a plan's detail.</summary>
/// <param name="Phase">Phase index from 0.</param>
/// <param name="Index">Index in the phase from 0.</param>
/// <param name="Kind">Step kind (scale, cordon, gate…).</param>
/// <param name="Description">What it does.</param>
/// <param name="State">Where it is.</param>
/// <param name="Diff">What the dry run said it would change.</param>
/// <param name="Detail">Last outcome.</param>
/// <param name="Attempts">Executions started.</param>
/// <param name="Undo">What undoes it, or null.</param>
/// <param name="Step">The step itself.</param>
public sealed record PlanStepView(int Phase, int Index, string Kind, string Description, StepState State, string? Diff, string? Detail, int Attempts, string? Undo, ExecutionStep Step);

/// <summary>A plan's phases with their steps.</summary>
/// <param name="Name">Phase name.</param>
/// <param name="IsCanary">True for the canary phase.</param>
/// <param name="Steps">Its steps.</param>
public sealed record PlanPhaseView(string Name, bool IsCanary, IReadOnlyList<PlanStepView> Steps);

/// <summary>A plan's detail: the summary, the phases with each step's diff and progress.</summary>
/// <param name="Summary">The summary.</param>
/// <param name="Phases">The phases.</param>
public sealed record PlanDetail(PlanSummary Summary, IReadOnlyList<PlanPhaseView> Phases);

/// <summary>Body of a reject.</summary>
/// <param name="Reason">Why.</param>
public sealed record RejectBody(string? Reason);

/// <summary>
/// The plans API: list, detail (diff, phases, progress), submit, approve, reject, roll back, audit. Mutations need an
/// operator key of the served tenant; the key's name is the actor in the audit log.
/// </summary>
internal static class PlanEndpoints
{
    /// <summary>Registers the plan runner (on the registered <see cref="IExecutor"/>, by default the runtime's: orchestration.executor) and its background driver.</summary>
    public static IServiceCollection AddPlanRunner(this IServiceCollection services)
    {
        services.TryAddSingleton<IExecutor>(sp => sp.GetRequiredService<AuspexRuntime>().Executor);
        services.TryAddSingleton(new PlanRunnerOptions());
        services.TryAddSingleton(sp =>
        {
            var rt = sp.GetRequiredService<AuspexRuntime>();
            return PlanRunner.Create(rt.Store.State, sp.GetRequiredService<IExecutor>(), new SeriesHealthProbe(rt.Store.Series),
                sp.GetRequiredService<PlanRunnerOptions>(), rt.Loop.Clock);
        });
        services.AddHostedService<PlanRunnerHostedService>();
        return services;
    }

    public static IEndpointRouteBuilder MapPlanEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/plans").WithTags("Plans");
        g.MapGet("/", async (IPlanRunner runner, AuspexRuntime rt, CancellationToken ct) =>
                Results.Ok((await runner.ListAsync(rt.Loop.Tenant, ct)).Select(Summary).ToList()))
            .WithName("ListPlans")
            .WithSummary("Every plan (scaling, migration, custom), newest first, with its status and progress.")
            .Produces<IReadOnlyList<PlanSummary>>();
        g.MapGet("/{id}", async (string id, IPlanRunner runner, AuspexRuntime rt, CancellationToken ct) =>
                await runner.GetAsync(rt.Loop.Tenant, id, ct) is { } s ? Results.Ok(Detail(s)) : NotFound(id))
            .WithName("GetPlan")
            .WithSummary("One plan: phases, each step's dry-run diff, state, attempts and undo.")
            .Produces<PlanDetail>().ProducesProblem(404);
        g.MapGet("/{id}/audit", async (string id, IPlanRunner runner, AuspexRuntime rt, CancellationToken ct) =>
            {
                if (await runner.GetAsync(rt.Loop.Tenant, id, ct) is null)
                {
                    return NotFound(id);
                }
                var entries = await rt.Store.State.ReadAuditAsync(rt.Loop.Tenant, 10_000, ct);
                return Results.Ok(entries.Where(e => e.Target == "plan/" + id).ToList());
            })
            .WithName("GetPlanAudit")
            .WithSummary("Who or what did what to this plan, newest first.")
            .Produces<IReadOnlyList<Storage.AuditEntry>>().ProducesProblem(404);
        g.MapPost("/", async (HttpContext ctx, IPlanRunner runner, AuspexRuntime rt, AuthOptions auth, CancellationToken ct) =>
            {
                if (ApiKeyAuth.Require(ctx, auth, Role.Operator, rt.Loop.Tenant.Value) is { } denied)
                {
                    return denied;
                }
                string body;
                using (var reader = new StreamReader(ctx.Request.Body))
                {
                    body = await reader.ReadToEndAsync(ct);
                }
                var (plan, error) = PlanJson.Read(body);
                if (plan is null)
                {
                    return AuspexServer.Problem(400, "Invalid plan", error!);
                }
                var r = await runner.SubmitAsync(rt.Loop.Tenant, plan, Actor(ctx), ct);
                return r.Outcome switch
                {
                    PlanCommandOutcome.Ok => Results.Created($"/api/v1/plans/{plan.Id}", Detail(r.State!)),
                    PlanCommandOutcome.Invalid => AuspexServer.Problem(400, "Invalid plan", r.Message),
                    _ => AuspexServer.Problem(409, "Plan conflict", r.Message),
                };
            })
            .WithName("SubmitPlan")
            .WithSummary("Submits a plan (JSON, docs/orchestration.md): validated, dry-run, stored awaiting approval. Operator role.")
            .Accepts<ExecutionPlan>("application/json").Produces<PlanDetail>(201).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409);
        g.MapPost("/{id}/approve", (string id, HttpContext ctx, IPlanRunner runner, AuspexRuntime rt, AuthOptions auth, CancellationToken ct) =>
                Command(ctx, rt, auth, () => runner.ApproveAsync(rt.Loop.Tenant, id, Actor(ctx), ct)))
            .WithName("ApprovePlan").WithSummary("Approves a plan awaiting approval; the runner starts it. Operator role.")
            .Produces<PlanDetail>().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        g.MapPost("/{id}/reject", async (string id, HttpContext ctx, IPlanRunner runner, AuspexRuntime rt, AuthOptions auth, CancellationToken ct) =>
            {
                // Authorise before reading the body: an anonymous caller learns nothing about the body's shape.
                if (ApiKeyAuth.Require(ctx, auth, Role.Operator, rt.Loop.Tenant.Value) is { } denied)
                {
                    return denied;
                }
                var reason = "";
                if (ctx.Request.ContentLength is > 0)
                {
                    try
                    {
                        reason = (await JsonSerializer.DeserializeAsync<RejectBody>(ctx.Request.Body, PlanJson.Options, ct))?.Reason ?? "";
                    }
                    catch (JsonException ex)
                    {
                        return AuspexServer.Problem(400, "Invalid body", "expected {\"reason\": \"...\"}: " + ex.Message);
                    }
                }
                return await Command(ctx, rt, auth, () => runner.RejectAsync(rt.Loop.Tenant, id, Actor(ctx), reason, ct));
            })
            .WithName("RejectPlan").WithSummary("Rejects a plan that has not started; nothing changes. Optional body {\"reason\"}. Operator role.")
            .Produces<PlanDetail>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        g.MapPost("/{id}/rollback", (string id, HttpContext ctx, IPlanRunner runner, AuspexRuntime rt, AuthOptions auth, CancellationToken ct) =>
                Command(ctx, rt, auth, () => runner.RollbackAsync(rt.Loop.Tenant, id, Actor(ctx), ct)))
            .WithName("RollbackPlan").WithSummary("Rolls back a running, succeeded or failed plan: every change undone, newest first. Operator role.")
            .Produces<PlanDetail>().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> Command(HttpContext ctx, AuspexRuntime rt, AuthOptions auth, Func<Task<PlanCommandResult>> command)
    {
        if (ApiKeyAuth.Require(ctx, auth, Role.Operator, rt.Loop.Tenant.Value) is { } denied)
        {
            return denied;
        }
        var r = await command();
        return r.Outcome switch
        {
            PlanCommandOutcome.Ok => Results.Ok(Detail(r.State!)),
            PlanCommandOutcome.NotFound => AuspexServer.Problem(404, "Unknown plan", r.Message),
            _ => AuspexServer.Problem(409, "Plan conflict", r.Message),
        };
    }

    private static string Actor(HttpContext ctx) => "operator:" + (ctx.Items["auspex.actor"] as string ?? "anonymous");

    internal static PlanSummary Summary(PlanState s) => new(s.Plan.Id, s.Plan.Kind, s.Plan.Title, s.Status, s.Plan.CreatedBy, s.ApprovedBy, s.Executor,
        s.SubmittedAt, s.UpdatedAt, s.Completed, s.Steps.Count, s.Plan.Phases.Count, s.Reason);

    internal static PlanDetail Detail(PlanState s) => new(Summary(s), s.Plan.Phases.Select((p, pi) => new PlanPhaseView(p.Name, p.IsCanary,
        s.Steps.Where(r => r.Phase == pi).Select(r => new PlanStepView(r.Phase, r.Index, Kind(r.Step), r.Step.Describe(), r.State, r.DryRun, r.Detail, r.Attempts, r.Undo?.Describe(), r.Step)).ToList())).ToList());

    private static string Kind(ExecutionStep step)
    {
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(step, PlanJson.Options));
        return doc.RootElement.GetProperty("kind").GetString() ?? "";
    }

    private static IResult NotFound(string id) => AuspexServer.Problem(404, "Unknown plan", $"no plan has id '{id}'");
}

/// <summary>Recovers interrupted plans at start, then advances active plans every second.</summary>
internal sealed class PlanRunnerHostedService(IPlanRunner runner, AuspexRuntime runtime, ILogger<PlanRunnerHostedService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var tenant = runtime.Loop.Tenant;
        foreach (var p in await runner.RecoverAsync(tenant, stoppingToken).ConfigureAwait(false))
        {
            log.LogWarning("plan {Id} was interrupted; {Status}", p.Plan.Id, p.Status);
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await runner.TickAsync(tenant, stoppingToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // one bad tick (store busy, executor bug) must not stop the server; the next tick retries
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                log.LogError(ex, "plan runner tick failed");
            }
        }
    }
}
