using Auspex.Core.Scores;
using Auspex.Core.Topology;

namespace Auspex.Scoring;

/// <summary>Everything behind one locality's score: the inputs of each part in natural units.</summary>
/// <param name="Locality">Locality id.</param>
/// <param name="Kind">Its level.</param>
/// <param name="Capacity">Exhaustion per capacity resource.</param>
/// <param name="Risk">Failure risk, when computed.</param>
/// <param name="Cost">Cost, when any price is known.</param>
/// <param name="Proximity">Proximity, when the dependency graph has placed traffic.</param>
public sealed record LocalityDetail(
    string Locality,
    LocalityKind Kind,
    IReadOnlyList<CapacityExhaustion> Capacity,
    FailureRisk? Risk,
    CostEstimate? Cost,
    ProximityEstimate? Proximity);

/// <summary>The result of one scoring pass.</summary>
/// <param name="At">Scoring time.</param>
/// <param name="Weights">Weights in force at <paramref name="At"/> by part name (capacity, risk, cost, proximity).</param>
/// <param name="Scores">Locality scores, parents before children (what the loop stores and the API serves).</param>
/// <param name="Details">Inputs per scored locality id, in the order of <paramref name="Scores"/> (the scorer writes each record when first read).</param>
/// <param name="Components">Health Projection Score per component.</param>
public sealed record ScoringReport(
    DateTimeOffset At,
    IReadOnlyDictionary<string, double> Weights,
    IReadOnlyList<LocalityScore> Scores,
    IReadOnlyDictionary<string, LocalityDetail> Details,
    IReadOnlyList<ComponentHealth> Components);
