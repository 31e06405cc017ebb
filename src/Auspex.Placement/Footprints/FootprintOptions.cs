namespace Auspex.Placement.Footprints;

/// <summary>Options of footprint planning. Every default is documented; <see cref="Validate"/> checks the ranges.</summary>
public sealed class FootprintOptions
{
    /// <summary>
    /// Health (0–100) a replica needs to count as safe when the risk tolerance is 0; the bar is this × (1 − risk
    /// tolerance), so tolerance 1 never moves anything. Default 80 (40 at the default tolerance 0.5).
    /// </summary>
    public double SafeHealthAtZeroTolerance { get; set; } = 80;

    /// <summary>Impact-weighted discrepancy (0–1) above which a plan is made. Default 0.05.</summary>
    public double DiscrepancyThreshold { get; set; } = 0.05;

    /// <summary>How long new replicas must be expected to run (their placement lifetime). Default 24 h.</summary>
    public TimeSpan Horizon { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Traffic shares (percent, increasing, ending at 100) a new replica is taken through. Default 10, 50, 100.</summary>
    public IReadOnlyList<double> CanarySteps { get; set; } = [10, 50, 100];

    /// <summary>Wait at each health gate. Default 5 minutes.</summary>
    public TimeSpan HealthGate { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an original stays on standby before it is decommissioned. Default 30 minutes.</summary>
    public TimeSpan Verification { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Moves run together in one phase after the canary (≥ 1). Default 2.</summary>
    public int MovesPerPhase { get; set; } = 2;

    /// <summary>Throws <see cref="ArgumentException"/> when an option is out of range.</summary>
    public void Validate()
    {
        if (SafeHealthAtZeroTolerance is < 0 or > 100 || double.IsNaN(SafeHealthAtZeroTolerance))
        {
            throw new ArgumentException("FootprintOptions.SafeHealthAtZeroTolerance must be in [0, 100].");
        }
        if (DiscrepancyThreshold is < 0 or > 1 || double.IsNaN(DiscrepancyThreshold))
        {
            throw new ArgumentException("FootprintOptions.DiscrepancyThreshold must be in [0, 1].");
        }
        if (Horizon <= TimeSpan.Zero || HealthGate < TimeSpan.Zero || Verification < TimeSpan.Zero)
        {
            throw new ArgumentException("FootprintOptions.Horizon must be > 0; HealthGate and Verification ≥ 0.");
        }
        if (CanarySteps.Count == 0 || CanarySteps[^1] != 100 || CanarySteps.Any(s => s is <= 0 or > 100) || CanarySteps.Zip(CanarySteps.Skip(1)).Any(p => p.Second <= p.First))
        {
            throw new ArgumentException("FootprintOptions.CanarySteps must increase within (0, 100] and end at 100.");
        }
        if (MovesPerPhase < 1)
        {
            throw new ArgumentException("FootprintOptions.MovesPerPhase must be ≥ 1.");
        }
    }
}
