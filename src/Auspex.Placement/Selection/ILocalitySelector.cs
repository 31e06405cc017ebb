namespace Auspex.Placement.Selection;

/// <summary>
/// Seed 000's <c>selectLocality</c>: filter plugins rule hosts out (resource fit at the forecast's high quantile over
/// the lifetime, affinity, spread, tier, maintenance, policy overrides), score plugins rank the rest on a shared 0–100
/// scale (LeastAllocated, BalancedAllocation, desirability, proximity, spread, affinity), and a seeded steering
/// function picks one, biased towards high scores without always taking the top one.
/// </summary>
public interface ILocalitySelector
{
    /// <summary>The options in force.</summary>
    PlacementOptions Options { get; }

    /// <summary>Filters and scores every candidate host without choosing (what the scheduler extender needs).</summary>
    PlacementEvaluation Evaluate(PlacementRequest request, PlacementSnapshot snapshot);

    /// <summary>Chooses a host for one replica.</summary>
    PlacementOutcome SelectLocality(PlacementRequest request, PlacementSnapshot snapshot, int seed);

    /// <summary>
    /// Chooses hosts for <paramref name="count"/> replicas one after the other, each seeing the ones before it (their
    /// requests, spread and anti-affinity). Stops at the first infeasible replica, which is the last outcome.
    /// </summary>
    IReadOnlyList<PlacementOutcome> SelectLocalities(PlacementRequest request, PlacementSnapshot snapshot, int count, int seed);
}

/// <summary>The registration point of select-a-locality.</summary>
public static class LocalitySelection
{
    /// <summary>Creates a selector; throws <see cref="ArgumentException"/> when the options are invalid.</summary>
    public static ILocalitySelector Create(PlacementOptions? options = null)
    {
        options ??= new PlacementOptions();
        options.Validate();
        return new LocalitySelector(options);
    }
}
