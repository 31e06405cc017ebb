using Auspex.Core.Forecasts;
using Auspex.Core.Series;

namespace Auspex.Orchestration.Scaling;

/// <summary>
/// What the decider needs to size one component: the forecast of its demand (requests/s, cores, messages… any unit)
/// and how much of that demand one unit serves on a tier of performance 1.0.
/// </summary>
/// <param name="Tenant">The owning tenant (budgets are per tenant).</param>
/// <param name="Component">Component id.</param>
/// <param name="Demand">Probabilistic forecast of the component's demand.</param>
/// <param name="CapacityPerUnit">Demand one unit serves at performance factor 1.0 (&gt; 0). A tier of factor f serves f times that.</param>
/// <param name="Current">Units running now, by tier key (<c>provider/name</c>).</param>
public sealed record ScalingRequest(
    TenantId Tenant,
    string Component,
    Forecast Demand,
    double CapacityPerUnit,
    IReadOnlyDictionary<string, int> Current)
{
    /// <summary>Tier selectors the component may use (keys, names, <c>provider/*</c>); empty means every tier of the pool.</summary>
    public IReadOnlyList<string> AllowedTiers { get; init; } = [];

    /// <summary>The forecast quantile the SLO demands, or null for the options' default.</summary>
    public double? Quantile { get; init; }

    /// <summary>The SLA availability (probability capacity survives preemptions and still covers the quantile), or null for the default.</summary>
    public double? Availability { get; init; }

    /// <summary>Fewest units in total (≥ 0). Default 0.</summary>
    public int MinUnits { get; init; }

    /// <summary>Most units in total, or null for no limit.</summary>
    public int? MaxUnits { get; init; }

    /// <summary>
    /// Time until the next decision for this component, or null for <see cref="ScalingOptions.DecisionInterval"/>. The
    /// loop sets it from the spacing of its ticks on its own clock (on an accelerated replay a tick can be hours of
    /// replay time apart), so capacity covers the forecast until the next decision really comes and no request is
    /// deferred to a run that comes too late.
    /// </summary>
    public TimeSpan? DecisionInterval { get; init; }

    /// <summary>Returns the reason this request cannot be decided, or null.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Component))
        {
            return "component id is empty";
        }
        if (Demand is null || Demand.Points.Count == 0)
        {
            return $"component {Component}: the demand forecast has no points";
        }
        if (!double.IsFinite(CapacityPerUnit) || CapacityPerUnit <= 0)
        {
            return $"component {Component}: capacity_per_unit must be > 0";
        }
        if (Quantile is { } q && (q is <= 0 or >= 1 || double.IsNaN(q)))
        {
            return $"component {Component}: quantile must be in (0, 1)";
        }
        if (Availability is { } a && (a is <= 0 or >= 1 || double.IsNaN(a)))
        {
            return $"component {Component}: availability must be in (0, 1)";
        }
        if (DecisionInterval is { } di && di <= TimeSpan.Zero)
        {
            return $"component {Component}: decision interval must be > 0";
        }
        if (MinUnits < 0 || MaxUnits is < 0 || (MaxUnits is { } mx && mx < MinUnits))
        {
            return $"component {Component}: need 0 ≤ min_units ≤ max_units";
        }
        if (Current is null || Current.Any(kv => kv.Value < 0))
        {
            return $"component {Component}: current units must be ≥ 0";
        }
        foreach (var p in Demand.Points)
        {
            if (!double.IsFinite(p.Mean) || p.Quantiles.Any(v => !double.IsFinite(v)))
            {
                return $"component {Component}: the demand forecast has a non-finite value at {p.At:O}";
            }
        }
        return null;
    }
}
