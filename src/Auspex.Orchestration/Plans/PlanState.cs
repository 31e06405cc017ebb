using Auspex.Orchestration.Execution;

namespace Auspex.Orchestration.Plans;

/// <summary>Where a plan is in its life.</summary>
public enum PlanStatus
{
    /// <summary>Dry run done; waits for an operator's approval.</summary>
    AwaitingApproval,
    /// <summary>Approved; the runner will start it.</summary>
    Approved,
    /// <summary>Steps are being carried out.</summary>
    Running,
    /// <summary>Every step done, every gate passed.</summary>
    Succeeded,
    /// <summary>A step failed or a gate breached; the changes are being undone.</summary>
    RollingBack,
    /// <summary>Every change undone.</summary>
    RolledBack,
    /// <summary>An operator refused it; nothing was changed.</summary>
    Rejected,
    /// <summary>Stopped and could not be rolled back completely (see the reason): needs a person.</summary>
    Failed,
}

/// <summary>Where a step is.</summary>
public enum StepState
{
    /// <summary>Not started.</summary>
    Pending,
    /// <summary>Started (the intent and its undo are persisted); the outcome is not known yet. After a crash it is re-run (steps are idempotent) or undone.</summary>
    Running,
    /// <summary>A gate soaking before it judges.</summary>
    Waiting,
    /// <summary>Finished.</summary>
    Done,
    /// <summary>Failed after every attempt.</summary>
    Failed,
    /// <summary>Undone by a rollback.</summary>
    Undone,
}

/// <summary>One step's record in a plan's state.</summary>
public sealed class StepRecord
{
    /// <summary>Phase index, from 0.</summary>
    public int Phase { get; set; }

    /// <summary>Index within the phase, from 0.</summary>
    public int Index { get; set; }

    /// <summary>The step.</summary>
    public required ExecutionStep Step { get; set; }

    /// <summary>Where it is.</summary>
    public StepState State { get; set; }

    /// <summary>Executions started so far (crashes included).</summary>
    public int Attempts { get; set; }

    /// <summary>What the dry run said it would change (the plan's diff line).</summary>
    public string? DryRun { get; set; }

    /// <summary>The last outcome, or why it failed.</summary>
    public string? Detail { get; set; }

    /// <summary>The step that restores the state found before this one, captured before it ran.</summary>
    public ExecutionStep? Undo { get; set; }

    /// <summary>When it (or its gate's soak) started.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When it finished.</summary>
    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>A plan and its progress, as persisted in the state store (kind <c>plan</c>) after every transition.</summary>
public sealed class PlanState
{
    /// <summary>The plan.</summary>
    public required ExecutionPlan Plan { get; set; }

    /// <summary>Where it is.</summary>
    public PlanStatus Status { get; set; }

    /// <summary>The executor it runs on.</summary>
    public string Executor { get; set; } = "";

    /// <summary>One record per step, in execution order.</summary>
    public List<StepRecord> Steps { get; set; } = [];

    /// <summary>Why it ended as it did (breach, failure, rejection), or null.</summary>
    public string? Reason { get; set; }

    /// <summary>Who approved it.</summary>
    public string? ApprovedBy { get; set; }

    /// <summary>Submission time.</summary>
    public DateTimeOffset SubmittedAt { get; set; }

    /// <summary>Last change.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Steps done (gates included) out of all.</summary>
    public int Completed => Steps.Count(s => s.State == StepState.Done);

    /// <summary>True when nothing more will happen without a person.</summary>
    public bool IsTerminal => Status is PlanStatus.Succeeded or PlanStatus.RolledBack or PlanStatus.Rejected or PlanStatus.Failed;
}
