namespace Auspex.Placement.Footprints;

/// <summary>A component's Health Projection Score (seed 002): 0–100, lower means higher predicted risk.</summary>
/// <param name="Component">Component id.</param>
/// <param name="Hps">The score, 0–100.</param>
public sealed record ComponentHealth(string Component, double Hps);

/// <summary>Where every replica runs: component id → host of each replica.</summary>
/// <param name="Replicas">Component id → hosts (one entry per replica).</param>
public sealed record Footprint(IReadOnlyDictionary<string, IReadOnlyList<string>> Replicas);

/// <summary>How far one component's current footprint is from the desired one.</summary>
/// <param name="Component">Component id.</param>
/// <param name="Discrepancy">Share of desired replicas not where they should be, 0–1.</param>
/// <param name="Impact">Availability impact weight: (1 + callers + callees) ÷ replicas.</param>
/// <param name="Hps">The component's health projection score.</param>
public sealed record ComponentDiscrepancy(string Component, double Discrepancy, double Impact, double Hps);

/// <summary>What a planned change does.</summary>
public enum MoveKind
{
    /// <summary>Replace a replica on a risky host with one on a safer host.</summary>
    Move,
    /// <summary>Add a replica in a safe place (the component itself is at risk).</summary>
    ScaleUp,
}

/// <summary>One change of the footprint.</summary>
/// <param name="Kind">Move or scale-up.</param>
/// <param name="Component">Component id.</param>
/// <param name="From">Host the replica leaves (null for a scale-up).</param>
/// <param name="To">Host the new replica goes to.</param>
/// <param name="Hps">Health projection of the replica being replaced (component HPS for a scale-up), 0–100.</param>
/// <param name="Impact">The component's availability impact weight.</param>
/// <param name="Reason">Why.</param>
public sealed record PlannedMove(MoveKind Kind, string Component, string? From, string To, double Hps, double Impact, string Reason);

/// <summary>The kinds of step a migration phase is made of.</summary>
public enum StepKind
{
    /// <summary>Start a new replica on a host.</summary>
    Provision,
    /// <summary>Wait and check health (readiness, error rate, latency) before going on; fail → roll back the phase.</summary>
    HealthGate,
    /// <summary>Send a share of the component's traffic to the new replica.</summary>
    ShiftTraffic,
    /// <summary>Keep the original replica running without traffic, ready to take it back.</summary>
    Standby,
    /// <summary>Remove a replica.</summary>
    Decommission,
}

/// <summary>One step of a phase (data only: executing it is the executor's job).</summary>
/// <param name="Order">Position within the phase, from 1.</param>
/// <param name="Kind">What to do.</param>
/// <param name="Component">Component id.</param>
/// <param name="Host">The host acted on.</param>
/// <param name="TrafficPercent">For traffic shifts: the new replica's share, 0–100.</param>
/// <param name="Wait">For health gates and standby: how long.</param>
/// <param name="Description">Readable description.</param>
public sealed record MigrationStep(int Order, StepKind Kind, string Component, string Host, double? TrafficPercent, TimeSpan? Wait, string Description);

/// <summary>A phase: a few moves run together, their forward steps and the steps that undo them.</summary>
/// <param name="Number">Phase number, from 1.</param>
/// <param name="IsCanary">True for the first phase: one move, watched before anything else runs.</param>
/// <param name="Moves">The moves of this phase.</param>
/// <param name="Steps">Forward steps in order.</param>
/// <param name="Rollback">Steps that restore the footprint before this phase, in order.</param>
public sealed record MigrationPhase(int Number, bool IsCanary, IReadOnlyList<PlannedMove> Moves, IReadOnlyList<MigrationStep> Steps, IReadOnlyList<MigrationStep> Rollback);

/// <summary>The migration plan: phases in order; standby originals are decommissioned after verification.</summary>
/// <param name="CreatedAt">The snapshot time it was planned at.</param>
/// <param name="Phases">Phases in order.</param>
/// <param name="Moves">Every move, in priority order (lowest health, then greatest availability impact).</param>
public sealed record MigrationPlan(DateTimeOffset CreatedAt, IReadOnlyList<MigrationPhase> Phases, IReadOnlyList<PlannedMove> Moves)
{
    /// <summary>
    /// A stable id for the plan (<c>mp-</c> and 12 hex digits of the SHA-256 of its time and moves): the same plan gets
    /// the same id wherever it is computed, so an executor can recognise a plan it has already run.
    /// </summary>
    public string Id
    {
        get
        {
            var text = new System.Text.StringBuilder();
            text.Append(CreatedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var m in Moves)
            {
                text.Append('|').Append(m.Kind).Append(' ').Append(m.Component).Append(' ').Append(m.From).Append("->").Append(m.To);
            }
            var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString()));
            return "mp-" + Convert.ToHexStringLower(hash)[..12];
        }
    }

    /// <summary>Every forward step of every phase, in execution order.</summary>
    public IEnumerable<(MigrationPhase Phase, MigrationStep Step)> AllSteps() =>
        Phases.SelectMany(p => p.Steps.Select(s => (p, s)));
}

/// <summary>The outcome of footprint planning.</summary>
/// <param name="Current">Where replicas run now.</param>
/// <param name="Desired">Where they should run given health and risk tolerance.</param>
/// <param name="Discrepancy">Impact-weighted discrepancy over components, 0–1.</param>
/// <param name="Components">Per component, worst first.</param>
/// <param name="Threshold">The discrepancy above which a plan is made.</param>
/// <param name="Plan">The migration plan, or null when the discrepancy is within the threshold.</param>
/// <param name="Notes">Replicas that should move but cannot (no safe feasible host), and other remarks.</param>
public sealed record FootprintAssessment(
    Footprint Current, Footprint Desired, double Discrepancy, IReadOnlyList<ComponentDiscrepancy> Components,
    double Threshold, MigrationPlan? Plan, IReadOnlyList<string> Notes)
{
    /// <summary>True when the discrepancy exceeds the threshold and a plan was made.</summary>
    public bool ActionRequired => Plan is not null;
}
