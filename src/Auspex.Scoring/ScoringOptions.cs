namespace Auspex.Scoring;

/// <summary>Options of the locality scorer.</summary>
public sealed class ScoringOptions
{
    /// <summary>Forecast quantile capacity must cover (0–1). Default 0.9: plan for the bad-but-plausible case.</summary>
    public double Quantile { get; set; } = 0.9;

    /// <summary>Headroom (fraction of capacity left at the predicted peak) at and above which the capacity part is fully desirable. Default 0.5.</summary>
    public double ComfortableHeadroom { get; set; } = 0.5;

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
    }
}
