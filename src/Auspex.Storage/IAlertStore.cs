using Auspex.Core.Series;

namespace Auspex.Storage;

/// <summary>
/// Alert state kept across restarts: the history of state changes (append-only, trimmed to a limit) and the set of
/// current alerts (pending, firing, recently resolved) as JSON documents owned by the alert service.
/// </summary>
public interface IAlertStore
{
    /// <summary>Appends state changes (in the order given) and keeps only the newest <paramref name="keep"/> of the tenant.</summary>
    Task AppendAlertHistoryAsync(TenantId tenant, IReadOnlyList<AlertHistoryRow> rows, int keep, CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="limit"/> state changes of the tenant, newest first.</summary>
    Task<IReadOnlyList<AlertHistoryRow>> ReadAlertHistoryAsync(TenantId tenant, int limit, CancellationToken cancellationToken = default);

    /// <summary>Replaces the tenant's current alerts with <paramref name="alerts"/> (key → JSON) in one transaction.</summary>
    Task ReplaceCurrentAlertsAsync(TenantId tenant, IReadOnlyList<KeyValuePair<string, string>> alerts, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>The tenant's current alerts (key → JSON), by key.</summary>
    Task<IReadOnlyList<KeyValuePair<string, string>>> ReadCurrentAlertsAsync(TenantId tenant, CancellationToken cancellationToken = default);
}

/// <summary>One stored change of an alert's state.</summary>
/// <param name="At">When (loop clock).</param>
/// <param name="Rule">Rule name.</param>
/// <param name="Target">Target.</param>
/// <param name="From">Previous state or <c>inactive</c>.</param>
/// <param name="To">New state or <c>inactive</c>.</param>
/// <param name="Value">The watched value.</param>
/// <param name="Summary">Summary annotation.</param>
/// <param name="StartsAt">Alertmanager's startsAt at the change, when firing or resolved.</param>
/// <param name="EndsAt">Alertmanager's endsAt at the change, when resolved.</param>
public sealed record AlertHistoryRow(DateTimeOffset At, string Rule, string Target, string From, string To, double Value, string Summary,
    DateTimeOffset? StartsAt, DateTimeOffset? EndsAt);
