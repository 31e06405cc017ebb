namespace Auspex.Placement.Global;

/// <summary>How a solve ended.</summary>
public enum GlobalSolveStatus
{
    /// <summary>Proven optimal (within the gap limit).</summary>
    Optimal,
    /// <summary>A feasible plan, not proven optimal within the time limit.</summary>
    Feasible,
    /// <summary>No plan satisfies the constraints; see the reasons.</summary>
    Infeasible,
    /// <summary>No plan found within the time limit, and no proof that none exists.</summary>
    Unknown,
}

/// <summary>The measures of a plan, computed the same way for every solver.</summary>
/// <param name="HostsUsed">Hosts carrying at least one replica.</param>
/// <param name="CostPerHour">Σ price of used hosts.</param>
/// <param name="EnergyWatts">Σ idle watts of used hosts + watts per core × mean cpu demand.</param>
/// <param name="CommunicationCost">Σ calls/s × distance level (0 same rack, 1 same zone, 2 apart) over edges.</param>
/// <param name="Moves">Running replicas that change host.</param>
/// <param name="OverloadedHostSlots">(host, slot) pairs where some resource's demand exceeds capacity.</param>
/// <param name="SpreadViolations">Components whose replicas break their zone or rack limit.</param>
/// <param name="Objective">The weighted objective (price-per-hour units).</param>
public sealed record PlanMetrics(int HostsUsed, double CostPerHour, double EnergyWatts, double CommunicationCost, int Moves, int OverloadedHostSlots, int SpreadViolations, double Objective);

/// <summary>The outcome of a global solve: the assignment, its measures, the bound and gap, or reasons it is infeasible.</summary>
/// <param name="Solver">Which solver produced it.</param>
/// <param name="Status">How the solve ended.</param>
/// <param name="Assignment">Component id → hosts of its replicas (empty when infeasible or unknown).</param>
/// <param name="Metrics">The plan's measures (null without a plan).</param>
/// <param name="BestBound">Lower bound on the objective proven by the solver (NaN for heuristics).</param>
/// <param name="Gap">(objective − bound) / objective (NaN for heuristics).</param>
/// <param name="WallTime">Time spent solving.</param>
/// <param name="Reasons">Why the problem is infeasible, or what the solver could not do (e.g. CP-SAT ran out of time and returned its greedy warm start); empty otherwise.</param>
public sealed record GlobalPlacementResult(
    string Solver,
    GlobalSolveStatus Status,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Assignment,
    PlanMetrics? Metrics,
    double BestBound,
    double Gap,
    TimeSpan WallTime,
    IReadOnlyList<string> Reasons)
{
    /// <summary>True when the result carries a plan.</summary>
    public bool HasPlan => Status is GlobalSolveStatus.Optimal or GlobalSolveStatus.Feasible;
}

/// <summary>A global placement solver (CP-SAT in Auspex.Placement.OrTools, the greedy heuristic here).</summary>
public interface IPlacementSolver
{
    /// <summary>Solver name, shown in results.</summary>
    string Name { get; }

    /// <summary>Solves <paramref name="problem"/>; infeasibility and time-outs are results, not exceptions.</summary>
    GlobalPlacementResult Solve(GlobalPlacementProblem problem, GlobalPlacementOptions options, CancellationToken cancellationToken = default);
}
