namespace Auspex.Scoring;

/// <summary>
/// The Cost Factor of a locality: what running there costs per hour, from instance prices (price sheet or tier price)
/// and energy (predicted power × the time-of-day tariff over the forecast horizon), per CPU core-hour so hosts of
/// different sizes compare fairly.
/// </summary>
/// <param name="Locality">Locality id.</param>
/// <param name="PerHour">Total price per hour of the priced hosts.</param>
/// <param name="InstancePerHour">The instance (or tier) part.</param>
/// <param name="EnergyPerHour">The energy part (mean over the horizon).</param>
/// <param name="PerCoreHour">PerHour / cores (per host-hour when no host has CPU capacity): the quantity normalised.</param>
/// <param name="HostsPriced">Hosts with a price.</param>
/// <param name="Sources">Where the prices came from.</param>
/// <param name="Value">Normalised desirability among localities of the same level: 1 = cheapest, 0 = dearest.</param>
public sealed record CostEstimate(
    string Locality,
    double PerHour,
    double InstancePerHour,
    double EnergyPerHour,
    double PerCoreHour,
    int HostsPriced,
    IReadOnlyList<string> Sources,
    double Value);
