using Auspex.Core.Resources;

namespace Auspex.Scoring;

/// <summary>
/// How close one locality is to running out of one resource over the forecast horizon: the Capacity Exhaustion Score
/// and everything it was computed from. For a rack, zone or region the usage is the sum over its hosts that have a
/// forecast of the resource, against the sum of their capacity.
/// </summary>
/// <param name="Locality">Locality id.</param>
/// <param name="Resource">The resource.</param>
/// <param name="Hosts">Hosts whose forecasts were summed.</param>
/// <param name="Capacity">Capacity of those hosts, in the resource's unit.</param>
/// <param name="Quantile">The forecast quantile the headroom is measured at (e.g. 0.9).</param>
/// <param name="PeakQuantile">Largest value of that quantile over the horizon.</param>
/// <param name="PeakAt">When that peak is predicted.</param>
/// <param name="Headroom">1 − peak / capacity (negative when the peak is over capacity).</param>
/// <param name="ProbabilityWithinHorizon">Probability that usage reaches capacity at some step of the horizon.</param>
/// <param name="ExpectedTimeToExhaustion">Expected time from the scoring time until usage first reaches capacity, capped at the horizon (restricted mean).</param>
/// <param name="LikelyExhaustedBy">First step by which exhaustion is more likely than not, or null.</param>
/// <param name="Horizon">From the scoring time to the last forecast step.</param>
/// <param name="Value">Normalised score 0–1 (1 = plenty of room): min(headroom score, 1 − probability).</param>
public sealed record CapacityExhaustion(
    string Locality,
    ResourceKind Resource,
    int Hosts,
    double Capacity,
    double Quantile,
    double PeakQuantile,
    DateTimeOffset PeakAt,
    double Headroom,
    double ProbabilityWithinHorizon,
    TimeSpan ExpectedTimeToExhaustion,
    DateTimeOffset? LikelyExhaustedBy,
    TimeSpan Horizon,
    double Value);
