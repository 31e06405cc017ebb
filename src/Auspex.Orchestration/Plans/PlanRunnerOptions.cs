namespace Auspex.Orchestration.Plans;

/// <summary>What a restarted runner does with a plan it finds half done.</summary>
public enum RecoveryPolicy
{
    /// <summary>Carry on where it stopped: the step that was running is re-run (steps are idempotent). The default.</summary>
    Resume,
    /// <summary>Undo everything it did, newest first.</summary>
    RollBack,
}

/// <summary>Options of the plan runner. Every default is documented; <see cref="Validate"/> checks the ranges.</summary>
public sealed class PlanRunnerOptions
{
    /// <summary>True (the default): a submitted plan is dry-run and waits for an operator's approval; false: it is approved at once.</summary>
    public bool RequireApproval { get; set; } = true;

    /// <summary>True (the default): a failed step or a breached gate rolls the plan back automatically; false: the plan stops as Failed.</summary>
    public bool AutoRollback { get; set; } = true;

    /// <summary>Executions of one step before it counts as failed (≥ 1). Default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Longest one execution may take before it is cancelled and counted as a failed attempt. Default 2 minutes.</summary>
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>What a restarted runner does with half-done plans. Default <see cref="RecoveryPolicy.Resume"/>.</summary>
    public RecoveryPolicy Recovery { get; set; } = RecoveryPolicy.Resume;

    /// <summary>How often <see cref="IPlanRunner.RunAsync"/> re-checks a soaking gate. Default 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Returns the problems with these options, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxAttempts < 1)
        {
            errors.Add("max_attempts must be ≥ 1");
        }
        if (StepTimeout <= TimeSpan.Zero)
        {
            errors.Add("step_timeout must be > 0");
        }
        if (PollInterval <= TimeSpan.Zero)
        {
            errors.Add("poll_interval must be > 0");
        }
        return errors;
    }
}
