using Auspex.Placement.Global;

namespace Auspex.Placement.OrTools;

/// <summary>The registration point of the CP-SAT (Google OR-Tools) global placement solver.</summary>
public static class CpSatPlacement
{
    /// <summary>
    /// Creates the CP-SAT solver behind <see cref="IPlacementSolver"/>: one boolean per (component, host), capacity per
    /// host, slot and resource at the planning quantile, spread limits per zone or rack, hosts in maintenance left
    /// empty, and an objective of host cost and energy + communication over the dependency graph + moves. It starts
    /// from the greedy plan (or the current placement) as a hint, stops at the time limit or gap, and reports the
    /// bound and gap.
    /// </summary>
    public static IPlacementSolver Create() => new CpSatPlacementSolver();
}
