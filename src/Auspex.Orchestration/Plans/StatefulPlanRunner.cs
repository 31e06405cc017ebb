using System.Globalization;
using Auspex.Core.Series;
using Auspex.Orchestration.Execution;
using Auspex.Storage;

namespace Auspex.Orchestration.Plans;

/// <summary>
/// The plan runner. Write-ahead discipline: before a step runs, its intent and the undo captured by a dry run are
/// persisted (state Running); after it returns, its outcome is persisted. A crash between the two leaves a Running
/// record, which recovery re-runs (idempotent) or undoes (the undo was saved first). Rollback undoes, newest first,
/// every record that may have changed something, persisting each undo as it completes.
/// </summary>
internal sealed class StatefulPlanRunner(IStateStore store, IExecutor executor, IHealthProbe health, PlanRunnerOptions options, TimeProvider time) : IPlanRunner
{
    internal const string Kind = "plan";
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string ExecutorName => executor.Name;

    public async Task<PlanCommandResult> SubmitAsync(TenantId tenant, ExecutionPlan plan, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var errors = plan.Validate();
        if (errors.Count > 0)
        {
            return new(PlanCommandOutcome.Invalid, null, string.Join("; ", errors));
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var existing = await LoadAsync(tenant, plan.Id, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                return PlanJson.Write(existing.Plan) == PlanJson.Write(plan)
                    ? new(PlanCommandOutcome.Ok, existing, $"plan {plan.Id} was already submitted ({Status(existing.Status)}); nothing changed")
                    : new(PlanCommandOutcome.Conflict, existing, $"a different plan with id {plan.Id} exists");
            }
            var now = time.GetUtcNow();
            var state = new PlanState
            {
                Plan = plan,
                Status = options.RequireApproval ? PlanStatus.AwaitingApproval : PlanStatus.Approved,
                Executor = executor.Name,
                SubmittedAt = now,
                UpdatedAt = now,
                ApprovedBy = options.RequireApproval ? null : "auto (approval not required)",
            };
            foreach (var (phase, index, step) in plan.AllSteps())
            {
                var rec = new StepRecord { Phase = phase, Index = index, Step = step };
                if (step is GateStep g)
                {
                    rec.DryRun = g.Describe();
                }
                else
                {
                    var r = await DryRunAsync(step, cancellationToken).ConfigureAwait(false);
                    rec.DryRun = $"{Status(r.Status)}: {r.Detail}";
                }
                state.Steps.Add(rec);
            }
            await SaveAsync(tenant, state, cancellationToken).ConfigureAwait(false);
            await AuditAsync(tenant, actor, "plan.submit", plan.Id, $"{plan.Kind} plan '{plan.Title}', {state.Steps.Count} steps on {executor.Name}; dry run done", cancellationToken).ConfigureAwait(false);
            return new(PlanCommandOutcome.Ok, state, options.RequireApproval ? "dry run done; awaiting approval" : "dry run done; approved (approval not required)");
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task<PlanState?> GetAsync(TenantId tenant, string id, CancellationToken cancellationToken = default) => LoadAsync(tenant, id, cancellationToken);

    public async Task<IReadOnlyList<PlanState>> ListAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        var docs = await store.ListAsync(tenant, Kind, cancellationToken).ConfigureAwait(false);
        return docs.Select(d => PlanJson.ReadState(d.Json)).OrderByDescending(s => s.SubmittedAt).ThenBy(s => s.Plan.Id, StringComparer.Ordinal).ToList();
    }

    public Task<PlanCommandResult> ApproveAsync(TenantId tenant, string id, string actor, CancellationToken cancellationToken = default) =>
        CommandAsync(tenant, id, cancellationToken, async state =>
        {
            if (state.Status != PlanStatus.AwaitingApproval)
            {
                return new(PlanCommandOutcome.Conflict, state, $"plan {id} is {Status(state.Status)}, not awaiting approval");
            }
            state.Status = PlanStatus.Approved;
            state.ApprovedBy = actor;
            await SaveAsync(tenant, state, cancellationToken).ConfigureAwait(false);
            await AuditAsync(tenant, actor, "plan.approve", id, "approved", cancellationToken).ConfigureAwait(false);
            return new(PlanCommandOutcome.Ok, state, "approved");
        });

    public Task<PlanCommandResult> RejectAsync(TenantId tenant, string id, string actor, string reason, CancellationToken cancellationToken = default) =>
        CommandAsync(tenant, id, cancellationToken, async state =>
        {
            if (state.Status is not (PlanStatus.AwaitingApproval or PlanStatus.Approved))
            {
                return new(PlanCommandOutcome.Conflict, state, $"plan {id} is {Status(state.Status)}; only a plan that has not started can be rejected (roll it back instead)");
            }
            state.Status = PlanStatus.Rejected;
            state.Reason = string.IsNullOrWhiteSpace(reason) ? $"rejected by {actor}" : $"rejected by {actor}: {reason}";
            await SaveAsync(tenant, state, cancellationToken).ConfigureAwait(false);
            await AuditAsync(tenant, actor, "plan.reject", id, state.Reason, cancellationToken).ConfigureAwait(false);
            return new(PlanCommandOutcome.Ok, state, state.Reason);
        });

    public Task<PlanCommandResult> RollbackAsync(TenantId tenant, string id, string actor, CancellationToken cancellationToken = default) =>
        CommandAsync(tenant, id, cancellationToken, async state =>
        {
            if (state.Status is PlanStatus.RollingBack)
            {
                return new(PlanCommandOutcome.Ok, state, "already rolling back");
            }
            if (state.Status is not (PlanStatus.Running or PlanStatus.Succeeded or PlanStatus.Failed))
            {
                return new(PlanCommandOutcome.Conflict, state, $"plan {id} is {Status(state.Status)}; nothing to roll back");
            }
            state.Status = PlanStatus.RollingBack;
            state.Reason = $"rollback requested by {actor}";
            await SaveAsync(tenant, state, cancellationToken).ConfigureAwait(false);
            await AuditAsync(tenant, actor, "plan.rollback", id, "rollback requested", cancellationToken).ConfigureAwait(false);
            return new(PlanCommandOutcome.Ok, state, "rolling back");
        });

    public async Task<PlanState?> AdvanceAsync(TenantId tenant, string id, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await LoadAsync(tenant, id, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                return null;
            }
            await StepAsync(tenant, state, cancellationToken).ConfigureAwait(false);
            return state;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<PlanState?> RunAsync(TenantId tenant, string id, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var before = await LoadAsync(tenant, id, cancellationToken).ConfigureAwait(false);
            if (before is null || before.IsTerminal || before.Status is PlanStatus.AwaitingApproval)
            {
                return before;
            }
            var after = await AdvanceAsync(tenant, id, cancellationToken).ConfigureAwait(false);
            if (after is null || after.IsTerminal || after.Status is PlanStatus.AwaitingApproval)
            {
                return after;
            }
            if (PlanJson.WriteState(after) == PlanJson.WriteState(before))
            {
                await Task.Delay(options.PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<int> TickAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        var n = 0;
        foreach (var s in await ListAsync(tenant, cancellationToken).ConfigureAwait(false))
        {
            if (s.Status is PlanStatus.Approved or PlanStatus.Running or PlanStatus.RollingBack)
            {
                await AdvanceAsync(tenant, s.Plan.Id, cancellationToken).ConfigureAwait(false);
                n++;
            }
        }
        return n;
    }

    public async Task<IReadOnlyList<PlanState>> RecoverAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        var touched = new List<PlanState>();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var doc in await store.ListAsync(tenant, Kind, cancellationToken).ConfigureAwait(false))
            {
                var state = PlanJson.ReadState(doc.Json);
                if (state.Status == PlanStatus.Running)
                {
                    var interrupted = state.Steps.FirstOrDefault(s => s.State == StepState.Running);
                    var where = interrupted is null ? "between steps" : $"during step {interrupted.Phase + 1}.{interrupted.Index + 1} ({interrupted.Step.Describe()})";
                    if (options.Recovery == RecoveryPolicy.RollBack)
                    {
                        state.Status = PlanStatus.RollingBack;
                        state.Reason = $"interrupted {where}; rolling back (recovery policy)";
                    }
                    await SaveAsync(tenant, state, cancellationToken).ConfigureAwait(false);
                    await AuditAsync(tenant, "auspex:plan-runner", "plan.recover", state.Plan.Id,
                        $"found interrupted {where}; {(options.Recovery == RecoveryPolicy.RollBack ? "rolling back" : "resuming (the interrupted step is re-run; steps are idempotent)")}", cancellationToken).ConfigureAwait(false);
                    touched.Add(state);
                }
                else if (state.Status == PlanStatus.RollingBack)
                {
                    await AuditAsync(tenant, "auspex:plan-runner", "plan.recover", state.Plan.Id, "found rolling back; continuing the rollback", cancellationToken).ConfigureAwait(false);
                    touched.Add(state);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
        return touched;
    }

    private async Task StepAsync(TenantId tenant, PlanState state, CancellationToken ct)
    {
        switch (state.Status)
        {
            case PlanStatus.Approved:
                state.Status = PlanStatus.Running;
                await SaveAsync(tenant, state, ct).ConfigureAwait(false);
                await AuditAsync(tenant, "auspex:plan-runner", "plan.start", state.Plan.Id, $"started on {executor.Name}", ct).ConfigureAwait(false);
                return;
            case PlanStatus.Running:
                await ForwardAsync(tenant, state, ct).ConfigureAwait(false);
                return;
            case PlanStatus.RollingBack:
                await BackwardAsync(tenant, state, ct).ConfigureAwait(false);
                return;
            default:
                return;
        }
    }

    private async Task ForwardAsync(TenantId tenant, PlanState state, CancellationToken ct)
    {
        var rec = state.Steps.FirstOrDefault(s => s.State != StepState.Done);
        if (rec is null)
        {
            state.Status = PlanStatus.Succeeded;
            state.Reason = null;
            await SaveAsync(tenant, state, ct).ConfigureAwait(false);
            await AuditAsync(tenant, "auspex:plan-runner", "plan.succeed", state.Plan.Id, $"{state.Steps.Count} steps done", ct).ConfigureAwait(false);
            return;
        }
        var now = time.GetUtcNow();
        if (rec.Step is GateStep gate)
        {
            if (rec.State == StepState.Pending)
            {
                rec.State = StepState.Waiting;
                rec.StartedAt = now;
                rec.Detail = $"soaking until {(now + gate.Soak).ToString("O", CultureInfo.InvariantCulture)}";
                await SaveAsync(tenant, state, ct).ConfigureAwait(false);
                if (gate.Soak > TimeSpan.Zero)
                {
                    return;
                }
            }
            if (rec.StartedAt is { } started && now < started + gate.Soak)
            {
                return;
            }
            var readings = new List<HealthReading>();
            foreach (var check in gate.Checks)
            {
                readings.Add(await health.EvaluateAsync(tenant, check, now, ct).ConfigureAwait(false));
            }
            rec.Detail = readings.Count == 0 ? "soak done" : string.Join("; ", readings.Select(r => r.Detail));
            rec.FinishedAt = now;
            var breached = readings.Where(r => !r.Passed).ToList();
            if (breached.Count == 0)
            {
                rec.State = StepState.Done;
                await SaveAsync(tenant, state, ct).ConfigureAwait(false);
                await AuditAsync(tenant, "auspex:plan-runner", "plan.gate-pass", state.Plan.Id, Where(rec) + ": " + rec.Detail, ct).ConfigureAwait(false);
                return;
            }
            rec.State = StepState.Failed;
            await StopAsync(tenant, state, $"SLO breach at {Where(rec)} ({state.Plan.Phases[rec.Phase].Name}): {string.Join("; ", breached.Select(b => b.Detail))}", "plan.slo-breach", ct).ConfigureAwait(false);
            return;
        }

        if (rec.State is StepState.Pending)
        {
            // Write-ahead: capture the undo by a dry run and persist the intent before touching anything.
            var probe = await DryRunAsync(rec.Step, ct).ConfigureAwait(false);
            if (probe.Status is StepStatus.Unsupported)
            {
                rec.State = StepState.Failed;
                rec.Detail = probe.Detail;
                await StopAsync(tenant, state, $"{Where(rec)} cannot run on {executor.Name}: {probe.Detail}", "plan.step-fail", ct).ConfigureAwait(false);
                return;
            }
            rec.Undo = probe.Status == StepStatus.AlreadyInState ? null : probe.Undo;
            rec.State = StepState.Running;
            rec.StartedAt = now;
        }
        rec.Attempts++;
        await SaveAsync(tenant, state, ct).ConfigureAwait(false);

        StepResult result;
        using (var timeout = new CancellationTokenSource(options.StepTimeout, time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token))
        {
            try
            {
                result = await executor.ExecuteAsync(rec.Step, dryRun: false, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                result = new StepResult(StepStatus.Failed, $"timed out after {options.StepTimeout.TotalSeconds:0}s");
            }
#pragma warning disable CA1031 // an executor's unexpected exception is one failed attempt, recorded; the runner must go on
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                result = new StepResult(StepStatus.Failed, $"{ex.GetType().Name}: {ex.Message}");
            }
        }
        rec.FinishedAt = time.GetUtcNow();
        if (result.Succeeded)
        {
            rec.State = StepState.Done;
            rec.Detail = result.Detail;
            rec.Undo ??= result.Undo;
            await SaveAsync(tenant, state, ct).ConfigureAwait(false);
            await AuditAsync(tenant, "auspex:plan-runner", "plan.step", state.Plan.Id, $"{Where(rec)} {Status(result.Status)}: {result.Detail}", ct).ConfigureAwait(false);
            return;
        }
        rec.Detail = $"attempt {rec.Attempts}: {result.Detail}";
        if (rec.Attempts < options.MaxAttempts && result.Status != StepStatus.Unsupported)
        {
            await SaveAsync(tenant, state, ct).ConfigureAwait(false);
            await AuditAsync(tenant, "auspex:plan-runner", "plan.step-retry", state.Plan.Id, $"{Where(rec)} failed, will retry: {result.Detail}", ct).ConfigureAwait(false);
            return;
        }
        rec.State = StepState.Failed;
        await StopAsync(tenant, state, $"{Where(rec)} ({rec.Step.Describe()}) failed after {rec.Attempts} attempt(s): {result.Detail}", "plan.step-fail", ct).ConfigureAwait(false);
    }

    private async Task StopAsync(TenantId tenant, PlanState state, string reason, string action, CancellationToken ct)
    {
        state.Reason = reason;
        state.Status = options.AutoRollback ? PlanStatus.RollingBack : PlanStatus.Failed;
        await SaveAsync(tenant, state, ct).ConfigureAwait(false);
        await AuditAsync(tenant, "auspex:plan-runner", action, state.Plan.Id, reason + (options.AutoRollback ? "; rolling back" : "; stopped (auto-rollback off)"), ct).ConfigureAwait(false);
    }

    private async Task BackwardAsync(TenantId tenant, PlanState state, CancellationToken ct)
    {
        var rec = state.Steps.LastOrDefault(s => s.Undo is not null && s.State is StepState.Done or StepState.Running or StepState.Failed);
        if (rec is null)
        {
            state.Status = PlanStatus.RolledBack;
            await SaveAsync(tenant, state, ct).ConfigureAwait(false);
            await AuditAsync(tenant, "auspex:plan-runner", "plan.rolled-back", state.Plan.Id, "every change undone" + (state.Reason is null ? "" : "; cause: " + state.Reason), ct).ConfigureAwait(false);
            return;
        }
        StepResult result;
        try
        {
            using var timeout = new CancellationTokenSource(options.StepTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            result = await executor.ExecuteAsync(rec.Undo!, dryRun: false, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            result = new StepResult(StepStatus.Failed, $"undo timed out after {options.StepTimeout.TotalSeconds:0}s");
        }
#pragma warning disable CA1031 // recorded as a failed undo
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            result = new StepResult(StepStatus.Failed, $"{ex.GetType().Name}: {ex.Message}");
        }
        if (result.Succeeded)
        {
            rec.State = StepState.Undone;
            rec.Detail = $"undone: {result.Detail}";
            await SaveAsync(tenant, state, ct).ConfigureAwait(false);
            await AuditAsync(tenant, "auspex:plan-runner", "plan.undo", state.Plan.Id, $"{Where(rec)} undone ({rec.Undo!.Describe()}): {result.Detail}", ct).ConfigureAwait(false);
            return;
        }
        rec.Attempts++;
        if (rec.Attempts < options.MaxAttempts * 2)
        {
            rec.Detail = $"undo failed, will retry: {result.Detail}";
            await SaveAsync(tenant, state, ct).ConfigureAwait(false);
            return;
        }
        state.Status = PlanStatus.Failed;
        state.Reason = $"rollback stopped at {Where(rec)}: undo '{rec.Undo!.Describe()}' failed: {result.Detail}. Earlier steps are still applied; fix and roll back again. Cause: {state.Reason}";
        await SaveAsync(tenant, state, ct).ConfigureAwait(false);
        await AuditAsync(tenant, "auspex:plan-runner", "plan.rollback-fail", state.Plan.Id, state.Reason, ct).ConfigureAwait(false);
    }

    private async Task<StepResult> DryRunAsync(ExecutionStep step, CancellationToken ct)
    {
        try
        {
            return await executor.ExecuteAsync(step, dryRun: true, ct).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a dry run that throws is reported, not propagated
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return new StepResult(StepStatus.Failed, $"dry run failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private async Task<PlanCommandResult> CommandAsync(TenantId tenant, string id, CancellationToken ct, Func<PlanState, Task<PlanCommandResult>> command)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var state = await LoadAsync(tenant, id, ct).ConfigureAwait(false);
            return state is null ? new(PlanCommandOutcome.NotFound, null, $"no plan {id}") : await command(state).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<PlanState?> LoadAsync(TenantId tenant, string id, CancellationToken ct)
    {
        var json = await store.GetAsync(tenant, Kind, id, ct).ConfigureAwait(false);
        return json is null ? null : PlanJson.ReadState(json);
    }

    private Task SaveAsync(TenantId tenant, PlanState state, CancellationToken ct)
    {
        state.UpdatedAt = time.GetUtcNow();
        // Persisting is not cancellable: a transition that happened must be recorded.
        _ = ct;
        return store.PutAsync(tenant, Kind, state.Plan.Id, PlanJson.WriteState(state), state.UpdatedAt, CancellationToken.None);
    }

    private Task AuditAsync(TenantId tenant, string actor, string action, string planId, string detail, CancellationToken ct)
    {
        _ = ct;
        return store.AuditAsync(tenant, new AuditEntry(time.GetUtcNow(), actor, action, "plan/" + planId, detail), CancellationToken.None);
    }

    private static string Where(StepRecord rec) => $"step {rec.Phase + 1}.{rec.Index + 1}";

    private static string Status(Enum e)
    {
        var s = e.ToString();
        return string.Concat(s.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
    }
}
