namespace Auspex.Orchestration.Scaling;

/// <summary>What the decider may do with its decisions (AWS predictive scaling's modes).</summary>
public enum ScalingMode
{
    /// <summary>Scale out ahead of the forecast and scale in with hysteresis. The default.</summary>
    Full,
    /// <summary>Decide and log, never act: every decision comes back with <see cref="ScalingDecision.Act"/> false.</summary>
    ForecastOnly,
    /// <summary>Scale out ahead of the forecast; never scale in (leave that to a reactive policy).</summary>
    ScaleOutOnly,
}

/// <summary>Options of the scaling decider. Every default is documented; <see cref="Validate"/> checks the ranges.</summary>
public sealed class ScalingOptions
{
    /// <summary>How often the decider runs. Capacity must cover the forecast until the next run can act. Default 5 minutes.</summary>
    public TimeSpan DecisionInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Mode. Default <see cref="ScalingMode.Full"/>.</summary>
    public ScalingMode Mode { get; set; } = ScalingMode.Full;

    /// <summary>Forecast quantile capacity must cover when a request names none (no SLO). Default 0.95.</summary>
    public double DefaultQuantile { get; set; } = 0.95;

    /// <summary>
    /// Probability, when a request names none, that the capacity left after preemptions still covers that quantile
    /// (the SLA's availability). Default 0.99.
    /// </summary>
    public double DefaultAvailability { get; set; } = 0.99;

    /// <summary>
    /// Scale-in hysteresis: capacity is released only when it exceeds the stabilised requirement by more than this
    /// fraction. Default 0.1 (the HPA's tolerance).
    /// </summary>
    public double ScaleInThreshold { get; set; } = 0.1;

    /// <summary>
    /// Scale-in stabilisation: the requirement used for scale-in is the highest of the last window's requirements,
    /// so a dip in the forecast does not release capacity that is needed again minutes later. Default 5 minutes (the
    /// HPA's downscale stabilisation).
    /// </summary>
    public TimeSpan ScaleInStabilization { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Cost of one preemption beyond the lost hour (work redone, cache warm-up), in price units. Added to the expected
    /// cost of a preemptible unit with its hourly preemption probability. Default 0.
    /// </summary>
    public double PreemptionPenalty { get; set; }

    /// <summary>
    /// Cost per hour of not covering the demand quantile (an SLO breach), in price units. Weighs the residual
    /// probability of a shortfall in the expected cost. Default 0: only the availability constraint applies.
    /// </summary>
    public double SloBreachCostPerHour { get; set; }

    /// <summary>Units of one tier the search considers when the pool sets no quota (≥ 1). Default 1000.</summary>
    public int MaxUnitsPerTier { get; set; } = 1000;

    /// <summary>Hourly budget per tenant id (price of all units of the tenant's components). Tenants not listed are unlimited.</summary>
    public IDictionary<string, double> TenantBudgets { get; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>Returns the problems with these options, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (DecisionInterval <= TimeSpan.Zero)
        {
            errors.Add("decision_interval must be > 0");
        }
        if (DefaultQuantile is <= 0 or >= 1 or double.NaN)
        {
            errors.Add("default_quantile must be in (0, 1)");
        }
        if (DefaultAvailability is <= 0 or >= 1 or double.NaN)
        {
            errors.Add("default_availability must be in (0, 1)");
        }
        if (ScaleInThreshold is < 0 or > 10 or double.NaN)
        {
            errors.Add("scale_in_threshold must be in [0, 10]");
        }
        if (ScaleInStabilization < TimeSpan.Zero)
        {
            errors.Add("scale_in_stabilization must not be negative");
        }
        if (!double.IsFinite(PreemptionPenalty) || PreemptionPenalty < 0)
        {
            errors.Add("preemption_penalty must be ≥ 0");
        }
        if (!double.IsFinite(SloBreachCostPerHour) || SloBreachCostPerHour < 0)
        {
            errors.Add("slo_breach_cost_per_hour must be ≥ 0");
        }
        if (MaxUnitsPerTier < 1)
        {
            errors.Add("max_units_per_tier must be ≥ 1");
        }
        foreach (var (tenant, budget) in TenantBudgets)
        {
            if (!double.IsFinite(budget) || budget < 0)
            {
                errors.Add($"budget of tenant {tenant} must be ≥ 0");
            }
        }
        return errors;
    }
}
