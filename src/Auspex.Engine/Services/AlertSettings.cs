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

    /// <summary>
    /// Webhook receivers, notified in Alertmanager's webhook format (version 4) with its grouping and timing
    /// (group_wait, group_interval, repeat_interval). Default none.
    /// </summary>
    public IReadOnlyList<WebhookReceiver> Webhooks { get; set; } = [];

    /// <summary>
    /// The <c>endsAt</c> sent with firing alerts is the evaluation time plus this (Prometheus sends a future endsAt so
    /// Alertmanager resolves an alert by itself when the sender stops re-sending it). Default 5 min, Alertmanager's
    /// <c>resolve_timeout</c>.
    /// </summary>
    public TimeSpan ResolveTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>This server's external URL: the webhook payload's <c>externalURL</c> and <c>generatorURL</c>. Default none (empty).</summary>
    public Uri? ExternalUrl { get; set; }

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
        if (Webhooks.Select(w => w.Validate()).OfType<string>().FirstOrDefault() is { } we)
        {
            throw new ArgumentException(we);
        }
        if (Webhooks.GroupBy(w => w.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dupHook)
        {
            throw new ArgumentException($"webhook receiver name '{dupHook.Key}' is used twice");
        }
        if (ResolveTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("AlertSettings: ResolveTimeout must be > 0");
        }
        if (Timeout <= TimeSpan.Zero || RetryBackoff < TimeSpan.Zero || MaxAttempts < 1 || HistoryLimit < 1)
        {
            throw new ArgumentException("AlertSettings: Timeout must be > 0, RetryBackoff ≥ 0, MaxAttempts ≥ 1, HistoryLimit ≥ 1");
        }
    }
}

/// <summary>
/// A webhook receiver with Alertmanager's route timing. Alerts are grouped by the values of <see cref="GroupBy"/>; a new
/// group is notified after <see cref="GroupWait"/>, then at most every <see cref="GroupInterval"/> when its alerts
/// changed (a new firing alert, or a resolved one when <see cref="SendResolved"/>), and otherwise re-sent after
/// <see cref="RepeatInterval"/> while anything fires. Silenced and pending alerts are never sent.
/// </summary>
/// <param name="Name">Receiver name (the payload's <c>receiver</c>).</param>
/// <param name="Url">Where the JSON is POSTed.</param>
/// <param name="GroupBy">Labels to group by. Default [alertname].</param>
/// <param name="GroupWait">Default 30 s.</param>
/// <param name="GroupInterval">Default 5 min.</param>
/// <param name="RepeatInterval">Default 4 h.</param>
/// <param name="SendResolved">Notify about resolved alerts. Default true.</param>
/// <param name="MaxAlerts">Alerts per notification, 0 = all (the rest counted in <c>truncatedAlerts</c>).</param>
public sealed record WebhookReceiver(string Name, Uri Url, IReadOnlyList<string>? GroupBy = null, TimeSpan? GroupWait = null,
    TimeSpan? GroupInterval = null, TimeSpan? RepeatInterval = null, bool SendResolved = true, int MaxAlerts = 0)
{
    /// <summary>Group labels in force.</summary>
    public IReadOnlyList<string> GroupLabels => GroupBy ?? ["alertname"];

    /// <summary>group_wait in force.</summary>
    public TimeSpan Wait => GroupWait ?? TimeSpan.FromSeconds(30);

    /// <summary>group_interval in force.</summary>
    public TimeSpan Interval => GroupInterval ?? TimeSpan.FromMinutes(5);

    /// <summary>repeat_interval in force.</summary>
    public TimeSpan Repeat => RepeatInterval ?? TimeSpan.FromHours(4);

    /// <summary>The first problem, or null.</summary>
    public string? Validate() =>
        string.IsNullOrWhiteSpace(Name) ? "a webhook receiver needs a name"
        : Url is null || !Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps) ? $"webhook '{Name}': url must be an absolute http(s) URL"
        : Wait < TimeSpan.Zero || Interval <= TimeSpan.Zero || Repeat <= TimeSpan.Zero ? $"webhook '{Name}': group_wait must be ≥ 0, group_interval and repeat_interval > 0"
        : MaxAlerts < 0 ? $"webhook '{Name}': max_alerts must be ≥ 0"
        : null;
}
