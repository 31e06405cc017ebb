namespace Auspex.Orchestration.Execution;

/// <summary>How a step ended.</summary>
public enum StepStatus
{
    /// <summary>The change was made.</summary>
    Applied,
    /// <summary>The target was already in the wanted state; nothing was changed (idempotent re-run).</summary>
    AlreadyInState,
    /// <summary>Dry run: what would change was computed and reported; nothing was changed.</summary>
    DryRun,
    /// <summary>The change failed (see the detail); the target may be unchanged or partly changed.</summary>
    Failed,
    /// <summary>This executor cannot carry out this kind of step.</summary>
    Unsupported,
}

/// <summary>The result of one step.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Detail">What was done or what went wrong, naming the target.</param>
/// <param name="Undo">The step that restores the state found before this one (for rollback), or null when nothing changed or it cannot be undone.</param>
public sealed record StepResult(StepStatus Status, string Detail, ExecutionStep? Undo = null)
{
    /// <summary>True for Applied, AlreadyInState and DryRun.</summary>
    public bool Succeeded => Status is StepStatus.Applied or StepStatus.AlreadyInState or StepStatus.DryRun;
}

/// <summary>
/// Carries out desired-state steps on some infrastructure: the simulated cluster (the embedded default), Kubernetes,
/// infrastructure-as-code or a webhook. Implementations read the current state first, so a step that is already in
/// force reports <see cref="StepStatus.AlreadyInState"/>, and every change returns the step that undoes it.
/// Expected failures come back as <see cref="StepStatus.Failed"/>, not exceptions.
/// </summary>
public interface IExecutor
{
    /// <summary>Short name shown in plans and the audit log (simulated, kubernetes, terraform, webhook).</summary>
    string Name { get; }

    /// <summary>Carries out <paramref name="step"/>, or with <paramref name="dryRun"/> reports what it would change.</summary>
    Task<StepResult> ExecuteAsync(ExecutionStep step, bool dryRun, CancellationToken cancellationToken = default);
}
