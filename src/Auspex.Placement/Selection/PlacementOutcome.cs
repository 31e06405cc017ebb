namespace Auspex.Placement.Selection;

/// <summary>One score plugin's contribution to a host's total: natural units, normalised 0–100, weight and why.</summary>
/// <param name="Plugin">Plugin name (LeastAllocated, BalancedAllocation, Desirability, Proximity, Spread, Affinity).</param>
/// <param name="Raw">The score in the plugin's natural units.</param>
/// <param name="Normalized">The score on the shared 0–100 scale.</param>
/// <param name="Weight">The plugin's weight.</param>
/// <param name="Reason">What the value means for this host.</param>
public sealed record PluginScore(string Plugin, double Raw, double Normalized, double Weight, string Reason);

/// <summary>A host a filter plugin ruled out, and why.</summary>
/// <param name="Host">Host id (or the unknown name given).</param>
/// <param name="Plugin">Filter that rejected it (Override, Tier, Maintenance, Fit, Affinity, Spread, Topology).</param>
/// <param name="Reason">Why, with the numbers.</param>
public sealed record Rejection(string Host, string Plugin, string Reason);

/// <summary>A feasible host and its weighted total score (0–100).</summary>
public readonly record struct CandidateScore(string Host, double Total);

/// <summary>The outcome of select-a-locality: a placed replica or a typed infeasible result. Never an exception.</summary>
/// <param name="Request">The request decided.</param>
/// <param name="At">The snapshot's time.</param>
/// <param name="Seed">The steering seed (replaying with the same seed and snapshot gives the same choice).</param>
public abstract record PlacementOutcome(PlacementRequest Request, DateTimeOffset At, int Seed)
{
    /// <summary>The replica goes to <paramref name="Host"/>.</summary>
    /// <param name="Request">The request decided.</param>
    /// <param name="At">The snapshot's time.</param>
    /// <param name="Seed">The steering seed.</param>
    /// <param name="Host">The chosen host.</param>
    /// <param name="Score">Its weighted total (0–100).</param>
    /// <param name="Probability">The chance the steering function gave it (1 for greedy; NaN when not computed).</param>
    /// <param name="Parts">Each score plugin's contribution for the chosen host.</param>
    /// <param name="Alternatives">The best other feasible hosts, best first.</param>
    /// <param name="Feasible">How many hosts passed every filter.</param>
    /// <param name="Rejected">How many hosts a filter ruled out.</param>
    public sealed record Placed(
        PlacementRequest Request, DateTimeOffset At, int Seed,
        string Host, double Score, double Probability,
        IReadOnlyList<PluginScore> Parts, IReadOnlyList<CandidateScore> Alternatives,
        int Feasible, int Rejected) : PlacementOutcome(Request, At, Seed);

    /// <summary>No host passes every filter.</summary>
    /// <param name="Request">The request decided.</param>
    /// <param name="At">The snapshot's time.</param>
    /// <param name="Seed">The steering seed.</param>
    /// <param name="Reasons">One line per filter: how many hosts it ruled out, with an example.</param>
    /// <param name="Rejections">Every rejection.</param>
    public sealed record Infeasible(
        PlacementRequest Request, DateTimeOffset At, int Seed,
        IReadOnlyList<string> Reasons, IReadOnlyList<Rejection> Rejections) : PlacementOutcome(Request, At, Seed);
}
