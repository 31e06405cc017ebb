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

    /// <summary>
    /// The hybrid for instances too large for CP-SAT whole (thousands of hosts): the packing heuristic
    /// (<see cref="PlacementSolvers.Packing"/>) builds a plan, then, until the time limit, CP-SAT repacks small
    /// neighbourhoods — the emptiest host and the few hosts with the most room in its zone or fleet — into fewer
    /// hosts (exact on the neighbourhood: capacity per slot and resource, spread limits, one replica per host).
    /// The gap is reported against <see cref="PlacementBounds.Lower"/>, a bound valid for the whole problem.
    /// </summary>
    public static IPlacementSolver CreateNeighbourhoodSearch(int hostsPerNeighbourhood = 8) => new CpSatNeighbourhoodSolver(hostsPerNeighbourhood);
}
