namespace Auspex.Scoring;

/// <summary>
/// Seed 002's Health Projection Score of a component: 0–100, lower = higher predicted risk. It is
/// 100 · (1 − P / <see cref="ScoringOptions.ComponentIntolerableRisk"/>), clamped, where P is the probability that the
/// component is hit within the risk horizon by any of four independent causes, each listed in <see cref="Risks"/>:
/// <c>history</c> (its own failure record, gamma–Poisson pooled over its service and the fleet),
/// <c>hosts</c> (mean failure probability of the hosts its replicas run on, which carries their temperature, load and
/// anomaly covariates and maintenance windows), <c>dependencies</c> (each dependency's own risk times the estimated
/// chance it drags this component down), and <c>load</c> (mean probability that its hosts run out of capacity).
/// </summary>
/// <param name="Component">Component id.</param>
/// <param name="Hps">0–100.</param>
/// <param name="Probability">P, 0–1.</param>
/// <param name="Hosts">Hosts its replicas run on.</param>
/// <param name="Risks">Probability per cause.</param>
/// <param name="Reasons">One line per cause, largest first.</param>
public sealed record ComponentHealth(
    string Component,
    double Hps,
    double Probability,
    IReadOnlyList<string> Hosts,
    IReadOnlyDictionary<string, double> Risks,
    IReadOnlyList<string> Reasons);
