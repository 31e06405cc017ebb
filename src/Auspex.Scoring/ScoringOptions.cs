namespace Auspex.Scoring;

/// <summary>Options of the locality scorer. Every default is documented; <see cref="Validate"/> checks the ranges.</summary>
public sealed class ScoringOptions
{
    /// <summary>Forecast quantile capacity must cover (0–1). Default 0.9: plan for the bad-but-plausible case.</summary>
    public double Quantile { get; set; } = 0.9;

    /// <summary>Headroom (fraction of capacity left at the predicted peak) at and above which the capacity part is fully desirable. Default 0.5.</summary>
    public double ComfortableHeadroom { get; set; } = 0.5;

    /// <summary>Time frame of the failure risk: the probability of a failure within this. Default 24 h.</summary>
    public TimeSpan RiskHorizon { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Failure probability (within <see cref="RiskHorizon"/>) at and above which the risk part is 0; 0 scores 1, linear between. Default 0.1.</summary>
    public double IntolerableRisk { get; set; } = 0.1;

    /// <summary>Host temperature (°C) above which the failure rate is raised. Default 30 °C.</summary>
    public double TemperatureReferenceCelsius { get; set; } = 30;

    /// <summary>Degrees above the reference that double the failure rate (the Arrhenius rule of thumb). Default 10 °C.</summary>
    public double TemperatureDoublingCelsius { get; set; } = 10;

    /// <summary>Predicted utilisation (peak quantile / capacity, tightest resource) above which the failure rate is raised. Default 0.8.</summary>
    public double LoadReference { get; set; } = 0.8;

    /// <summary>Failure-rate multiplier at 100 % predicted utilisation (geometric between the reference and 100 %). Default 2.</summary>
    public double LoadMultiplierAtFull { get; set; } = 2;

    /// <summary>Failure-rate multiplier for a recent anomaly score of 1 (geometric in the score). Default 4.</summary>
    public double AnomalyMultiplierAtOne { get; set; } = 4;

    /// <summary>
    /// Half-life of failure history in the fitted failure-rate model (old failures and exposure count less, so a drifting
    /// rate is tracked); null keeps all history at full weight. Default 90 days, between the 30 (OLCF disks) and 180 days
    /// (LANL nodes) chosen on held-back years in bench/RESULTS.md.
    /// </summary>
    public TimeSpan? FailureHistoryHalfLife { get; set; } = TimeSpan.FromDays(90);

    /// <summary>History assumed when no observation start is given and no failure is recorded. Default 30 days.</summary>
    public TimeSpan DefaultObservationWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Mean call latency (ms) at which the proximity part scores 0.5 (hyperbolic decay). Default 1 ms.</summary>
    public double ReferenceLatencyMs { get; set; } = 1;

    /// <summary>Bytes per second that weigh as much as one call per second in the proximity part. Default 65,536.</summary>
    public double BytesPerCall { get; set; } = 65536;

    /// <summary>Component failure probability (within <see cref="RiskHorizon"/>) at which the HPS is 0. Default 0.2.</summary>
    public double ComponentIntolerableRisk { get; set; } = 0.2;

    /// <summary>A component failure this soon after a dependency's failure counts as correlated. Default 15 min.</summary>
    public TimeSpan DependencyCorrelationWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Threads the capacity pass may use for host forecasts (the sums into racks and up stay in one fixed order, so
    /// the result does not depend on it); null uses every core. Default null. On a machine shared with other busy
    /// processes 1 costs less CPU time (no waiting for a descheduled worker) at the price of wall time.
    /// </summary>
    public int? Parallelism { get; set; }

    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        if (Quantile is <= 0 or >= 1 || double.IsNaN(Quantile))
        {
            throw new ArgumentException("ScoringOptions.Quantile must be in (0, 1).");
        }
        if (ComfortableHeadroom is <= 0 or > 1 || double.IsNaN(ComfortableHeadroom))
        {
            throw new ArgumentException("ScoringOptions.ComfortableHeadroom must be in (0, 1].");
        }
        if (RiskHorizon <= TimeSpan.Zero || DefaultObservationWindow <= TimeSpan.Zero || DependencyCorrelationWindow < TimeSpan.Zero)
        {
            throw new ArgumentException("ScoringOptions: RiskHorizon and DefaultObservationWindow must be positive, DependencyCorrelationWindow not negative.");
        }
        if (IntolerableRisk is <= 0 or > 1 || ComponentIntolerableRisk is <= 0 or > 1 || double.IsNaN(IntolerableRisk) || double.IsNaN(ComponentIntolerableRisk))
        {
            throw new ArgumentException("ScoringOptions: IntolerableRisk and ComponentIntolerableRisk must be in (0, 1].");
        }
        if (!(TemperatureDoublingCelsius > 0) || LoadReference is < 0 or >= 1 || double.IsNaN(LoadReference)
            || !(LoadMultiplierAtFull >= 1) || !(AnomalyMultiplierAtOne >= 1) || !double.IsFinite(TemperatureReferenceCelsius))
        {
            throw new ArgumentException("ScoringOptions: covariate settings out of range (doubling > 0, load reference in [0, 1), multipliers ≥ 1).");
        }
        if (FailureHistoryHalfLife is { } hl && hl <= TimeSpan.Zero)
        {
            throw new ArgumentException("ScoringOptions.FailureHistoryHalfLife must be positive or null.");
        }
        if (Parallelism is < 1)
        {
            throw new ArgumentException("ScoringOptions.Parallelism must be at least 1, or null for every core.");
        }
        if (!(ReferenceLatencyMs > 0) || !(BytesPerCall > 0))
        {
            throw new ArgumentException("ScoringOptions: ReferenceLatencyMs and BytesPerCall must be > 0.");
        }
    }
}
