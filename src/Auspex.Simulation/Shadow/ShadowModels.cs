namespace Auspex.Simulation.Shadow;

/// <summary>Options of the shadow infrastructure.</summary>
public sealed record ShadowOptions
{
    /// <summary>The forecast quantile the shadow holds (what capacity must cover). Default 0.9.</summary>
    public double Quantile { get; init; } = 0.9;

    /// <summary>How far ahead the shadow looks; null = each forecast's whole horizon. Default 1 h.</summary>
    public TimeSpan? Horizon { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Predicted utilisation (tightest resource) at which a shadow locality warns. Default 0.8.</summary>
    public double WarningUtilisation { get; init; } = 0.8;

    /// <summary>Predicted utilisation at which it is critical and pre-provisioning is queued. Default 0.95.</summary>
    public double CriticalUtilisation { get; init; } = 0.95;

    /// <summary>How many live-vs-shadow differences are listed (largest first). Default 50.</summary>
    public int MaxDiffs { get; init; } = 50;

    /// <summary>How long finished or cancelled queue items stay visible. Default 1 h.</summary>
    public TimeSpan KeepFinished { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Lead time used when the locality's tier has none. Default 10 min.</summary>
    public TimeSpan DefaultLeadTime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Returns every problem with these options.</summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (!double.IsFinite(Quantile) || Quantile is <= 0 or >= 1)
        {
            e.Add("quantile must be in (0, 1)");
        }
        if (Horizon is { } h && (h <= TimeSpan.Zero || h > TimeSpan.FromDays(30)))
        {
            e.Add("horizon must be positive and at most 30 days");
        }
        if (!double.IsFinite(WarningUtilisation) || !double.IsFinite(CriticalUtilisation) || WarningUtilisation <= 0 || CriticalUtilisation < WarningUtilisation)
        {
            e.Add("thresholds must satisfy 0 < warning ≤ critical");
        }
        if (MaxDiffs is < 0 or > 100_000)
        {
            e.Add("max diffs must be in 0..100000");
        }
        return e;
    }
}

/// <summary>Alert level of a shadow locality.</summary>
public enum ShadowLevel
{
    /// <summary>Predicted utilisation below the warning threshold.</summary>
    Ok,
    /// <summary>At or above the warning threshold.</summary>
    Warning,
    /// <summary>At or above the critical threshold; pre-provisioning is queued.</summary>
    Critical,
}

/// <summary>One locality of the shadow: its capacity and, per resource, the live value and the value predicted at the horizon.</summary>
/// <param name="Id">Locality id.</param>
/// <param name="Kind">region, zone, rack or host.</param>
/// <param name="Parent">Enclosing locality, or null.</param>
/// <param name="Tier">The host's tier, or null.</param>
/// <param name="Capacity">Resource key → capacity (sum over hosts for racks, zones, regions).</param>
/// <param name="Live">Resource key → the latest observed value (sum over hosts).</param>
/// <param name="Predicted">Resource key → the forecast quantile's peak over the horizon (sum over hosts).</param>
/// <param name="LiveUtilisation">Tightest resource's live value ÷ capacity, or null without data.</param>
/// <param name="PredictedUtilisation">Tightest resource's predicted value ÷ capacity, or null without forecasts.</param>
/// <param name="Level">Alert level from the predicted utilisation.</param>
/// <param name="Desirability">The loop's latest desirability score (0–1), or null.</param>
public sealed record ShadowNode(
    string Id,
    string Kind,
    string? Parent,
    string? Tier,
    IReadOnlyDictionary<string, double> Capacity,
    IReadOnlyDictionary<string, double> Live,
    IReadOnlyDictionary<string, double> Predicted,
    double? LiveUtilisation,
    double? PredictedUtilisation,
    ShadowLevel Level,
    double? Desirability);

/// <summary>A difference between the live and the shadow value of one resource of one locality.</summary>
/// <param name="Locality">Locality id.</param>
/// <param name="Resource">Resource key.</param>
/// <param name="Live">Live value.</param>
/// <param name="Predicted">Shadow (predicted) value.</param>
/// <param name="Change">Predicted − live.</param>
/// <param name="ChangeOfCapacity">Change ÷ capacity (how much of the locality the change is).</param>
public sealed record ShadowDiff(string Locality, string Resource, double Live, double Predicted, double Change, double ChangeOfCapacity);

/// <summary>A threshold crossed on the shadow.</summary>
/// <param name="Locality">Locality id.</param>
/// <param name="Kind">Its level.</param>
/// <param name="Resource">The tightest resource.</param>
/// <param name="Severity">warning or critical.</param>
/// <param name="PredictedUtilisation">Predicted utilisation of that resource.</param>
/// <param name="LiveUtilisation">Live utilisation of that resource, or null.</param>
/// <param name="Threshold">The threshold crossed.</param>
/// <param name="CrossesAt">For hosts: the first forecast step at or above the threshold, else null.</param>
public sealed record ShadowAlert(string Locality, string Kind, string Resource, ShadowLevel Severity, double PredictedUtilisation, double? LiveUtilisation, double Threshold, DateTimeOffset? CrossesAt);

/// <summary>The whole shadow at one time.</summary>
/// <param name="At">The forecasts' time (the loop tick), or the build time.</param>
/// <param name="HorizonSeconds">How far ahead the predicted values look.</param>
/// <param name="Quantile">The forecast quantile they hold.</param>
/// <param name="WarningUtilisation">Warning threshold.</param>
/// <param name="CriticalUtilisation">Critical threshold.</param>
/// <param name="Nodes">Every locality, parents first.</param>
/// <param name="Diffs">Largest live-vs-shadow differences first.</param>
/// <param name="Alerts">Thresholds crossed on the shadow, critical first.</param>
/// <param name="Queue">The pre-provisioning queue.</param>
public sealed record ShadowSnapshot(
    DateTimeOffset At,
    double HorizonSeconds,
    double Quantile,
    double WarningUtilisation,
    double CriticalUtilisation,
    IReadOnlyList<ShadowNode> Nodes,
    IReadOnlyList<ShadowDiff> Diffs,
    IReadOnlyList<ShadowAlert> Alerts,
    IReadOnlyList<ProvisioningItem> Queue);
