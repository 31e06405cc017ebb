using Auspex.Core.Series;
using Auspex.Orchestration.Execution;
using Auspex.Storage;

namespace Auspex.Orchestration.Plans;

/// <summary>The outcome of a command on a plan.</summary>
public enum PlanCommandOutcome
{
    /// <summary>Done.</summary>
    Ok,
    /// <summary>No plan with that id.</summary>
    NotFound,
    /// <summary>The plan is in a state where the command makes no sense (see the message).</summary>
    Conflict,
    /// <summary>The plan itself is invalid (see the message).</summary>
    Invalid,
}

/// <summary>A command's result: the outcome, the plan's state after it (when there is one) and a message.</summary>
public sealed record PlanCommandResult(PlanCommandOutcome Outcome, PlanState? State, string Message);

/// <summary>
/// Runs plans safely: dry run first, approval, phases with canary steps and health gates read from live metrics,
/// automatic rollback on a failure or an SLO breach, progress persisted in the state store after every transition so a
/// crash mid-plan resumes or rolls back cleanly, and an audit entry for everything anyone did.
/// </summary>
public interface IPlanRunner
{
    /// <summary>The executor plans run on.</summary>
    string ExecutorName { get; }

    /// <summary>Validates and dry-runs a plan and stores it (awaiting approval unless approval is off). Submitting the same plan twice is a no-op.</summary>
    Task<PlanCommandResult> SubmitAsync(TenantId tenant, ExecutionPlan plan, string actor, CancellationToken cancellationToken = default);

    /// <summary>A plan's state, or null.</summary>
    Task<PlanState?> GetAsync(TenantId tenant, string id, CancellationToken cancellationToken = default);

    /// <summary>Every plan of the tenant, newest first.</summary>
    Task<IReadOnlyList<PlanState>> ListAsync(TenantId tenant, CancellationToken cancellationToken = default);

    /// <summary>Approves a plan awaiting approval.</summary>
    Task<PlanCommandResult> ApproveAsync(TenantId tenant, string id, string actor, CancellationToken cancellationToken = default);

    /// <summary>Rejects a plan awaiting approval; nothing is changed.</summary>
    Task<PlanCommandResult> RejectAsync(TenantId tenant, string id, string actor, string reason, CancellationToken cancellationToken = default);

    /// <summary>Starts rolling back a running, succeeded or failed plan.</summary>
    Task<PlanCommandResult> RollbackAsync(TenantId tenant, string id, string actor, CancellationToken cancellationToken = default);

    /// <summary>Does one unit of work on a plan (one step, one gate check, one undo) and returns its state.</summary>
    Task<PlanState?> AdvanceAsync(TenantId tenant, string id, CancellationToken cancellationToken = default);

    /// <summary>Advances a plan until it is terminal or awaits approval, waiting out gate soaks on the runner's clock.</summary>
    Task<PlanState?> RunAsync(TenantId tenant, string id, CancellationToken cancellationToken = default);

    /// <summary>Advances every active plan of the tenant once; returns how many were advanced (a background service calls this).</summary>
    Task<int> TickAsync(TenantId tenant, CancellationToken cancellationToken = default);

    /// <summary>
    /// After a restart: plans found Running are resumed or switched to rolling back, per the recovery policy, and
    /// audited. Returns the plans it touched.
    /// </summary>
    Task<IReadOnlyList<PlanState>> RecoverAsync(TenantId tenant, CancellationToken cancellationToken = default);
}

/// <summary>Creates plan runners.</summary>
public static class PlanRunner
{
    /// <summary>A runner on <paramref name="executor"/> that persists in <paramref name="state"/>; throws <see cref="ArgumentException"/> listing invalid options.</summary>
    public static IPlanRunner Create(IStateStore state, IExecutor executor, IHealthProbe health, PlanRunnerOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid plan runner options: " + string.Join("; ", errors), nameof(options));
        }
        return new StatefulPlanRunner(state, executor, health, options, time);
    }
}
