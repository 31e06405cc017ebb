namespace Auspex.Placement.Global;

/// <summary>
/// Options of global placement: the scenario (slots, quantile), the availability rule and the objective weights. All
/// objective weights are in price-per-hour units so the terms add up: one unit = what one hour of a host priced 1 costs.
/// </summary>
public sealed class GlobalPlacementOptions
{
    /// <summary>Forecast quantile demand must fit at (0–1). Default 0.95.</summary>
    public double Quantile { get; set; } = 0.95;

    /// <summary>Length of one time slot. Default 1 hour.</summary>
    public TimeSpan SlotLength { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Number of slots in the horizon (≥ 1). Default 24.</summary>
    public int Slots { get; set; } = 24;

    /// <summary>Weight of host price per hour. Default 1.</summary>
    public double CostWeight { get; set; } = 1;

    /// <summary>Weight of one watt for one hour. Default 0.0002 (0.20 per kWh).</summary>
    public double EnergyWeight { get; set; } = 0.0002;

    /// <summary>Idle power of a host when the topology does not say. Default 100 W.</summary>
    public double DefaultIdleWatts { get; set; } = 100;

    /// <summary>Power per busy core when the topology does not say. Default 10 W.</summary>
    public double DefaultWattsPerCore { get; set; } = 10;

    /// <summary>
    /// Weight of communication: per call/s between two components and per level of distance (0 when some rack holds
    /// replicas of both, 1 when only a zone does, 2 otherwise). Default 0.001.
    /// </summary>
    public double CommunicationWeight { get; set; } = 0.001;

    /// <summary>Weight of moving one running replica. Default 0.05.</summary>
    public double MoveWeight { get; set; } = 0.05;

    /// <summary>
    /// Risk tolerance (0–1) at or below which replicated components spread over zones; above it over racks only.
    /// Default 0.5. Components with an availability SLO of 0.999 or more always spread over zones.
    /// </summary>
    public double ZoneSpreadAtOrBelowRiskTolerance { get; set; } = 0.5;

    /// <summary>Solver wall-time limit. Default 10 s.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Stop once the relative gap to the bound is at most this (0 = prove optimality). Default 0.005.</summary>
    public double RelativeGapLimit { get; set; } = 0.005;

    /// <summary>Solver worker threads (≥ 1). Default 2.</summary>
    public int Workers { get; set; } = 2;

    /// <summary>Seed of the solver's randomness (runs are repeatable with one worker). Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>
    /// Called as a long solve goes (the packing heuristic: after construction, then about every
    /// <see cref="ProgressInterval"/> of local search) with the hosts the best plan so far uses; null = no reports.
    /// </summary>
    public Action<GlobalSolveProgress>? Progress { get; set; }

    /// <summary>How often <see cref="Progress"/> is called during local search. Default 0.5 s.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Throws <see cref="ArgumentException"/> when an option is out of range.</summary>
    public void Validate()
    {
        if (Quantile is <= 0 or >= 1 || double.IsNaN(Quantile))
        {
            throw new ArgumentException("GlobalPlacementOptions.Quantile must be in (0, 1).");
        }
        if (SlotLength <= TimeSpan.Zero || Slots < 1)
        {
            throw new ArgumentException("GlobalPlacementOptions.SlotLength must be > 0 and Slots ≥ 1.");
        }
        double[] w = [CostWeight, EnergyWeight, CommunicationWeight, MoveWeight, DefaultIdleWatts, DefaultWattsPerCore, RelativeGapLimit];
        if (w.Any(x => !double.IsFinite(x) || x < 0))
        {
            throw new ArgumentException("GlobalPlacementOptions weights, watts and gap limit must be finite and ≥ 0.");
        }
        if (ZoneSpreadAtOrBelowRiskTolerance is < 0 or > 1 || double.IsNaN(ZoneSpreadAtOrBelowRiskTolerance))
        {
            throw new ArgumentException("GlobalPlacementOptions.ZoneSpreadAtOrBelowRiskTolerance must be in [0, 1].");
        }
        if (ProgressInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("GlobalPlacementOptions.ProgressInterval must be > 0.");
        }
        if (TimeLimit <= TimeSpan.Zero || Workers < 1)
        {
            throw new ArgumentException("GlobalPlacementOptions.TimeLimit must be > 0 and Workers ≥ 1.");
        }
    }
}

/// <summary>A progress report of a running global solve.</summary>
/// <param name="Elapsed">Time since the solve started.</param>
/// <param name="Stage">construct, local-search, lp-rounding (the LP-guided packing) or done.</param>
/// <param name="HostsUsed">Hosts the current plan uses.</param>
public sealed record GlobalSolveProgress(TimeSpan Elapsed, string Stage, int HostsUsed);
