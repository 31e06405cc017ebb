namespace Auspex.Scoring;

/// <summary>
/// The Failure Risk Score of a locality: the probability that it fails within <see cref="Horizon"/>, and its inputs.
/// For a rack, zone or region it is the mean over its hosts: the chance that a workload on a host chosen at random
/// inside it is hit.
/// </summary>
/// <param name="Locality">Locality id.</param>
/// <param name="Probability">P(failure within the horizon), 0–1.</param>
/// <param name="Horizon">The time frame.</param>
/// <param name="Hosts">Hosts averaged.</param>
/// <param name="RatePerYear">Mean posterior failure rate per host-year before covariates.</param>
/// <param name="Multiplier">Mean covariate multiplier applied to the rate (1 = none).</param>
/// <param name="HostsInMaintenance">Hosts with a maintenance window inside the horizon (certain unavailability).</param>
/// <param name="Reasons">What drove the value, most important first (maintenance, temperature, load, anomalies, history).</param>
/// <param name="Value">Normalised desirability: 1 at probability 0, 0 at <see cref="ScoringOptions.IntolerableRisk"/> and above.</param>
public sealed record FailureRisk(
    string Locality,
    double Probability,
    TimeSpan Horizon,
    int Hosts,
    double RatePerYear,
    double Multiplier,
    int HostsInMaintenance,
    IReadOnlyList<string> Reasons,
    double Value);

/// <summary>Covariates of one host that scale its failure rate.</summary>
/// <param name="TemperatureCelsius">Predicted (or current) temperature, when known.</param>
/// <param name="Utilisation">Predicted peak utilisation of its tightest resource (0–1+), when known.</param>
/// <param name="AnomalyScore">Highest recent anomaly score (0–1), when known.</param>
public readonly record struct HostCovariates(double? TemperatureCelsius, double? Utilisation, double? AnomalyScore);
