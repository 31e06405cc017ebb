using System.Globalization;
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

    /// <summary>Default size limit of <see cref="CreateAuto"/>: (component, host) pairs CP-SAT takes whole.</summary>
    public const long DefaultMaxWholeVariables = 50_000;

    /// <summary>
    /// CP-SAT on the whole problem when it has at most <paramref name="maxWholeVariables"/> (component, usable host)
    /// pairs (exact: proves the optimum or reports its gap); larger problems, where the model alone would not build in
    /// seconds, go to <see cref="CreateLpPacking"/>. The result's Solver says which ran.
    /// </summary>
    public static IPlacementSolver CreateAuto(long maxWholeVariables = DefaultMaxWholeVariables) => new AutoSolver(maxWholeVariables);

    private sealed class AutoSolver(long maxWholeVariables) : IPlacementSolver
    {
        public string Name => OrToolsSolverRegistration.CpSat;

        public GlobalPlacementResult Solve(GlobalPlacementProblem problem, GlobalPlacementOptions options, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(problem);
            var pairs = (long)problem.Components.Count * problem.Hosts.Count(h => h.Available.All(a => a));
            if (pairs <= maxWholeVariables)
            {
                return Create().Solve(problem, options, cancellationToken);
            }
            var r = CreateLpPacking().Solve(problem, options, cancellationToken);
            return r with { Reasons = [string.Create(CultureInfo.InvariantCulture, $"{pairs:N0} (component, host) pairs > {maxWholeVariables:N0}: CP-SAT whole would not build in time, so LP-guided packing ran"), .. r.Reasons] };
        }
    }

    /// <summary>
    /// LP-guided packing for large instances: the configuration LP (GLOP, column generation seeded by the packing
    /// heuristic's construction, for <paramref name="lpShare"/> of the time limit) decides which replica types share a
    /// host; its whole configurations become hosts, the rest is packed by the heuristic, and the heuristic's local
    /// search runs until the time limit. A configuration is used ⌊λ⌋ times, once more when λ's fractional part is at
    /// least <paramref name="roundUpFrom"/> (1 = never; the default 0.5 was chosen on the 1,000-host bench fleet, bench/RESULTS.md "session 7"). The gap is reported against <see cref="PlacementBounds.Lower"/>.
    /// </summary>
    public static IPlacementSolver CreateLpPacking(double lpShare = 0.5, Action<string>? trace = null, double roundUpFrom = 0.5) => new LpPackingSolver(lpShare, roundUpFrom) { Trace = trace };

    /// <summary>
    /// The hybrid for instances too large for CP-SAT whole (thousands of hosts): the packing heuristic
    /// (<see cref="PlacementSolvers.Packing"/>) builds a plan, then, until the time limit, CP-SAT repacks small
    /// neighbourhoods — the emptiest host and the few hosts with the most room in its zone or fleet — into fewer
    /// hosts (exact on the neighbourhood: capacity per slot and resource, spread limits, one replica per host).
    /// The gap is reported against <see cref="PlacementBounds.Lower"/>, a bound valid for the whole problem.
    /// </summary>
    public static IPlacementSolver CreateNeighbourhoodSearch(int hostsPerNeighbourhood = 8) => new CpSatNeighbourhoodSolver(hostsPerNeighbourhood);
}
