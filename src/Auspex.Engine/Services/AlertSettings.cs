using Auspex.Scoring;

namespace Auspex.Engine.Services;

/// <summary>Alert rules and where firing alerts go. Every default is documented; <see cref="Validate"/> checks them.</summary>
public sealed class AlertSettings
{
    /// <summary>
    /// The rules evaluated after every tick. Default <see cref="DefaultRules"/>: locality desirability below 0.3 for
    /// 15 min, component HPS below 40 for 15 min, predicted peak utilisation above 90% for 10 min, and a capacity
    /// resource likely exhausted within 1 h (fires at once).
    /// </summary>
    public IReadOnlyList<AlertRule> Rules { get; set; } = DefaultRules;

    /// <summary>Alertmanager base URLs (e.g. <c>http://alertmanager:9093</c>); alerts are POSTed to <c>{url}/api/v2/alerts</c>. Default none.</summary>
    public IReadOnlyList<Uri> Alertmanagers { get; set; } = [];

    /// <summary>Time limit of one delivery attempt. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per delivery (first try included) on network errors, 429 and 5xx. Default 4.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Wait before the first retry; doubled before each further one. Default 1 s.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>State changes kept in the alert history (oldest dropped first). Default 1,000.</summary>
    public int HistoryLimit { get; set; } = 1000;

    /// <summary>The default rules (see <see cref="Rules"/>).</summary>
    public static IReadOnlyList<AlertRule> DefaultRules { get; } =
    [
        new("LocalityUndesirable", AlertCondition.DesirabilityBelow, 0.3, TimeSpan.FromMinutes(15), ResolveThreshold: 0.35),
        new("ComponentHealthLow", AlertCondition.HpsBelow, 40, TimeSpan.FromMinutes(15), ResolveThreshold: 45),
        new("PredictedUtilisationHigh", AlertCondition.UtilisationAbove, 0.9, TimeSpan.FromMinutes(10), ResolveThreshold: 0.85),
        new("CapacityExhaustionSoon", AlertCondition.ExhaustionWithin, 0, TimeSpan.Zero, Within: TimeSpan.FromHours(1), Severity: "critical"),
    ];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Rules.Select(r => r.Validate()).OfType<string>().FirstOrDefault() is { } e)
        {
            throw new ArgumentException(e);
        }
        if (Rules.GroupBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dup)
        {
            throw new ArgumentException($"alert rule name '{dup.Key}' is used twice");
        }
        if (Alertmanagers.FirstOrDefault(u => !u.IsAbsoluteUri || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps)) is { } bad)
        {
            throw new ArgumentException($"alertmanager URL '{bad}' must be an absolute http(s) URL");
        }
        if (Timeout <= TimeSpan.Zero || RetryBackoff < TimeSpan.Zero || MaxAttempts < 1 || HistoryLimit < 1)
        {
            throw new ArgumentException("AlertSettings: Timeout must be > 0, RetryBackoff ≥ 0, MaxAttempts ≥ 1, HistoryLimit ≥ 1");
        }
    }
}
