using Auspex.Placement.Global;

namespace Auspex.Placement.OrTools;

/// <summary>The one entry point that offers the OR-Tools solvers to a host (Server, CLI).</summary>
public static class OrToolsSolverRegistration
{
    /// <summary>Name of the CP-SAT solver in the catalog.</summary>
    public const string CpSat = "cpsat";

    /// <summary>
    /// Adds <c>cpsat</c> to <paramref name="catalog"/>: <see cref="CpSatPlacement.CreateAuto"/> (CP-SAT on the whole
    /// problem, in process, when it has at most <paramref name="maxWholeVariables"/> (component, host) pairs, which proves
    /// optimality or reports its gap; the LP-guided packing with CP-SAT pricing above that).
    /// </summary>
    public static PlacementSolverCatalog AddOrToolsSolver(this PlacementSolverCatalog catalog, long maxWholeVariables = CpSatPlacement.DefaultMaxWholeVariables)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.Add(CpSat,
            $"CP-SAT (Google OR-Tools) on the whole problem up to {maxWholeVariables:N0} (component, host) pairs, proving the optimum or its gap; above that, configuration-LP-guided packing",
            () => CpSatPlacement.CreateAuto(maxWholeVariables));
    }
}
