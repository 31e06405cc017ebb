using System.Globalization;
using Auspex.Placement.Global;

namespace Auspex.Placement.OrTools;

/// <summary>A stronger lower bound than <see cref="PlacementBounds.Lower"/>: the configuration LP solved by column generation.</summary>
public static class ConfigurationBound
{
    /// <summary>
    /// A lower bound on <see cref="PlanEvaluator"/>'s objective over every plan without an overloaded host-slot: the
    /// larger of <see cref="PlacementBounds.Lower"/> and the configuration LP's host cost (rounded up to whole hosts
    /// when every usable host is alike) plus the same energy-per-core term. The configuration LP requires each host's
    /// own replicas to fit it in every slot and resource (the fractional cover only asks the fleet's total), so it sees
    /// the room lost to unlike daily profiles. Its bound is a Lagrangian/Farley bound from the LP's duals and CP-SAT's
    /// proved bound on the pricing knapsack, valid even when <paramref name="timeLimit"/> stops column generation early.
    /// <paramref name="seed"/>, a known plan, gives the first configurations; <paramref name="proveSeconds"/> of CP-SAT
    /// after column generation tighten the pricing's upper bound on the last duals. Uses GLOP (the master LP) and CP-SAT (pricing) from Google OR-Tools.
    /// </summary>
    public static PlacementBound Compute(GlobalPlacementProblem problem, GlobalPlacementOptions options, TimeSpan timeLimit, IReadOnlyDictionary<string, IReadOnlyList<string>>? seed = null, double proveSeconds = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        var simple = PlacementBounds.Lower(problem, options);
        var lp = new ConfigurationLp(problem, options) { ProveSeconds = proveSeconds };
        var outcome = lp.Solve(timeLimit, seed, cancellationToken);
        return Combine(simple, lp, outcome);
    }

    /// <summary>
    /// The larger of <paramref name="simple"/> and the configuration LP's valid (Lagrangian/Farley) host bound from
    /// <paramref name="outcome"/>, rounded up to whole hosts when every usable host is alike, plus the same energy term.
    /// The LP's own value (<see cref="ConfigurationLp.Outcome.LpValue"/>) is never used: it is an upper limit on the LP
    /// optimum unless pricing proved that no column is left.
    /// </summary>
    internal static PlacementBound Combine(PlacementBound simple, ConfigurationLp lp, ConfigurationLp.Outcome outcome)
    {
        var hostBound = outcome.HostBound;
        if (lp.HostTypes.Count == 1 && hostBound > 0)
        {
            var cost = lp.HostTypes[0].Cost;
            hostBound = Math.Ceiling(hostBound / cost - 1e-6) * cost;
        }
        var energy = simple.Value - simple.HostCost;
        var value = hostBound + energy;
        var how = string.Create(CultureInfo.InvariantCulture,
            $"configuration LP (column generation, {outcome.Note}; LP value {outcome.LpValue:0.###}, {(outcome.Converged ? "converged" : "stopped early")} in {outcome.Elapsed.TotalSeconds:0.#} s): hosts {hostBound:0.###}");
        return value > simple.Value
            ? new(value, hostBound, string.Create(CultureInfo.InvariantCulture, $"lower bound {value:0.###}: {how} + energy per core {energy:0.###}; communication and moves counted as 0"))
            : simple with { Explanation = simple.Explanation + "; " + how + " (not stronger)" };
    }
}
