using Auspex.Placement.Selection;

namespace Auspex.Placement.Footprints;

/// <summary>
/// Seed 002: from Health Projection Scores and the policy's risk tolerance, the desired footprint; its discrepancy
/// with the current one; past the threshold, a phased migration plan with canary steps, health gates, rollback steps,
/// and standby then decommission of the originals. Data only: executing the plan is another component's job.
/// </summary>
public interface IFootprintPlanner
{
    /// <summary>
    /// Assesses <paramref name="snapshot"/>'s topology. The safety bar is <see cref="FootprintOptions.SafeHealthAtZeroTolerance"/>
    /// × (1 − the policy's risk tolerance). Replicas on hosts whose desirability × 100 is below the bar move to the best
    /// feasible host above it; components whose own HPS is below the bar (those without one count as 100) get one more
    /// replica in a safe place. Moves are ordered by the replica's health (the lower of HPS and host health), then by
    /// availability impact.
    /// </summary>
    FootprintAssessment Assess(PlacementSnapshot snapshot, IReadOnlyList<ComponentHealth> health);
}

/// <summary>The registration point of footprint planning.</summary>
public static class FootprintPlanning
{
    /// <summary>Creates a planner that chooses new hosts with <paramref name="selector"/>.</summary>
    public static IFootprintPlanner Create(ILocalitySelector selector, FootprintOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(selector);
        options ??= new FootprintOptions();
        options.Validate();
        return new FootprintPlanner(selector, options);
    }
}
