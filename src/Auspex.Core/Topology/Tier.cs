namespace Auspex.Core.Topology;

/// <summary>A resource tier with its cost and performance characteristics (seed 003's tiered pool).</summary>
/// <param name="Name">Tier name: spot, standard, high-performance, or any a user defines.</param>
/// <param name="Provider">Cloud provider or site the price applies to.</param>
/// <param name="PricePerHour">Price of one unit (host or instance) per hour, in the installation's currency.</param>
/// <param name="PerformanceFactor">Work per unit relative to standard (1.0); 0.5 needs twice the units.</param>
/// <param name="PreemptionProbabilityPerHour">Chance in [0, 1] that a unit is taken away within an hour.</param>
/// <param name="ProvisioningLeadTime">Time from request to a usable unit.</param>
public sealed record Tier(
    string Name,
    string Provider,
    double PricePerHour,
    double PerformanceFactor,
    double PreemptionProbabilityPerHour,
    TimeSpan ProvisioningLeadTime)
{
    /// <summary>Checks the invariants and returns the reason something is wrong, or null.</summary>
    public string? Validate() =>
        string.IsNullOrWhiteSpace(Name) ? "tier name is empty"
        : !double.IsFinite(PricePerHour) || PricePerHour < 0 ? $"tier {Name}: price_per_hour must be ≥ 0"
        : !double.IsFinite(PerformanceFactor) || PerformanceFactor <= 0 ? $"tier {Name}: performance_factor must be > 0"
        : PreemptionProbabilityPerHour is < 0 or > 1 or double.NaN ? $"tier {Name}: preemption_probability_per_hour must be in [0, 1]"
        : ProvisioningLeadTime < TimeSpan.Zero ? $"tier {Name}: provisioning_lead_time must not be negative"
        : null;
}
