using Auspex.Scoring;

namespace Auspex.Engine.Services;

/// <summary>A webhook notification due now.</summary>
/// <param name="Receiver">Where it goes.</param>
/// <param name="GroupKey">Its aggregation group.</param>
/// <param name="Payload">The JSON body.</param>
/// <param name="Firing">Fingerprints of the firing alerts it carries.</param>
/// <param name="Resolved">Fingerprints of the resolved alerts it carries.</param>
public sealed record WebhookNotification(WebhookReceiver Receiver, string GroupKey, string Payload, IReadOnlySet<string> Firing, IReadOnlySet<string> Resolved);

/// <summary>
/// Alertmanager's dispatch for webhook receivers, without the HTTP: alerts are put into aggregation groups per
/// receiver (by the receiver's group labels); <see cref="Due"/> flushes a group <c>group_wait</c> after it appeared and
/// then every <c>group_interval</c>, and a flush notifies only when Alertmanager's notification log would
/// (<c>needsUpdate</c>): a firing alert not in the last notification, everything resolved after a notification that had
/// firing alerts, a newly resolved alert when resolved alerts are sent, or <c>repeat_interval</c> passed since the last
/// notification. Resolved alerts leave their group after a successful notification. Not thread-safe: the caller locks.
/// </summary>
internal sealed class WebhookDispatcher(IReadOnlyList<WebhookReceiver> receivers, string externalUrl)
{
    private sealed class Group(string key, DateTimeOffset firstFlush)
    {
        public string Key { get; } = key;
        public Dictionary<string, Alert> Alerts { get; } = new(StringComparer.Ordinal);
        public DateTimeOffset NextFlush { get; set; } = firstFlush;
        // Alertmanager's notification-log entry: what the last successful notification carried, and when.
        public HashSet<string>? SentFiring { get; set; }
        public HashSet<string> SentResolved { get; set; } = new(StringComparer.Ordinal);
        public DateTimeOffset SentAt { get; set; }
        // Resolutions already notified (fingerprint → resolved time), so the evaluator's retention does not re-add them.
        public Dictionary<string, DateTimeOffset> Done { get; } = new(StringComparer.Ordinal);
    }

    private readonly Dictionary<string, Dictionary<string, Group>> _groups = receivers.ToDictionary(r => r.Name, _ => new Dictionary<string, Group>(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>The receivers.</summary>
    public IReadOnlyList<WebhookReceiver> Receivers => receivers;

    /// <summary>
    /// Takes the alerts of one evaluation (pending and silenced ones are ignored: they are not sent, as Alertmanager mutes
    /// silenced alerts) at wall time <paramref name="now"/>.
    /// </summary>
    public void Update(IReadOnlyList<Alert> alerts, DateTimeOffset now)
    {
        var deliverable = alerts.Where(a => a.State != AlertState.Pending && !a.Silenced).ToList();
        foreach (var r in receivers)
        {
            var groups = _groups[r.Name];
            var seen = new HashSet<(string Group, string Fingerprint)>();
            foreach (var a in deliverable)
            {
                var key = GroupKey(r, a);
                var fp = AlertmanagerPayload.Fingerprint(a.Labels);
                if (!groups.TryGetValue(key, out var g))
                {
                    if (a.State == AlertState.Resolved)
                    {
                        continue; // a resolution of something this receiver never had
                    }
                    groups[key] = g = new Group(key, now + r.Wait);
                }
                if (a.State == AlertState.Resolved && g.Done.TryGetValue(fp, out var doneAt) && doneAt == a.Since)
                {
                    continue;
                }
                g.Alerts[fp] = a;
                seen.Add((key, fp));
            }
            // Alerts gone from the evaluation (forgotten, or now silenced) leave their groups.
            foreach (var g in groups.Values)
            {
                foreach (var fp in g.Alerts.Keys.Where(fp => !seen.Contains((g.Key, fp))).ToList())
                {
                    g.Alerts.Remove(fp);
                }
            }
        }
    }

    /// <summary>The notifications due at <paramref name="now"/>; each group's next flush moves on by its group_interval.</summary>
    public IReadOnlyList<WebhookNotification> Due(DateTimeOffset now)
    {
        var due = new List<WebhookNotification>();
        foreach (var r in receivers)
        {
            var groups = _groups[r.Name];
            foreach (var g in groups.Values.ToList())
            {
                if (now < g.NextFlush)
                {
                    continue;
                }
                g.NextFlush = now + r.Interval;
                var firing = g.Alerts.Where(p => p.Value.State == AlertState.Firing).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
                var resolved = g.Alerts.Where(p => p.Value.State == AlertState.Resolved).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
                if (g.Alerts.Count == 0 && g.SentFiring is null or { Count: 0 })
                {
                    groups.Remove(g.Key);
                    continue;
                }
                if (!NeedsUpdate(g, firing, resolved, r, now))
                {
                    continue;
                }
                var shown = g.Alerts.Values.Where(a => a.State == AlertState.Firing || r.SendResolved)
                    .OrderBy(a => a.State).ThenBy(a => a.Rule, StringComparer.Ordinal).ThenBy(a => a.Target, StringComparer.Ordinal).ToList();
                var n = new WebhookNotification(r, g.Key,
                    AlertmanagerPayload.Webhook(shown, r.Name, externalUrl, r.GroupLabels, r.MaxAlerts, externalUrl.Length == 0 ? null : externalUrl, _validUntil),
                    firing, r.SendResolved ? resolved : new HashSet<string>(StringComparer.Ordinal));
                if (shown.Count == 0)
                {
                    // Only resolved alerts and the receiver does not want them: nothing to send (as Alertmanager).
                    Delivered(n, now);
                    continue;
                }
                due.Add(n);
            }
        }
        return due;
    }

    private DateTimeOffset? _validUntil;

    /// <summary>The <c>endsAt</c> of firing alerts in the next notifications (evaluation time + resolve timeout).</summary>
    public void SetValidUntil(DateTimeOffset? validUntil) => _validUntil = validUntil;

    /// <summary>Records a delivered notification (Alertmanager's notification log) and drops the resolved alerts it carried.</summary>
    public void Delivered(WebhookNotification n, DateTimeOffset now)
    {
        if (!_groups.TryGetValue(n.Receiver.Name, out var groups) || !groups.TryGetValue(n.GroupKey, out var g))
        {
            return;
        }
        g.SentFiring = new HashSet<string>(n.Firing, StringComparer.Ordinal);
        g.SentResolved = new HashSet<string>(n.Resolved, StringComparer.Ordinal);
        g.SentAt = now;
        foreach (var fp in g.Alerts.Where(p => p.Value.State == AlertState.Resolved).Select(p => p.Key).ToList())
        {
            g.Done[fp] = g.Alerts[fp].Since;
            g.Alerts.Remove(fp);
        }
    }

    // Alertmanager's DedupStage.needsUpdate.
    private static bool NeedsUpdate(Group g, HashSet<string> firing, HashSet<string> resolved, WebhookReceiver r, DateTimeOffset now)
    {
        if (g.SentFiring is null)
        {
            return firing.Count > 0;
        }
        if (!firing.IsSubsetOf(g.SentFiring))
        {
            return true;
        }
        if (firing.Count == 0)
        {
            // Everything resolved: notify once if the last notification had firing alerts.
            return g.SentFiring.Count > 0;
        }
        if (r.SendResolved && !resolved.IsSubsetOf(g.SentResolved))
        {
            return true;
        }
        return now - g.SentAt >= r.Repeat;
    }

    private static string GroupKey(WebhookReceiver r, Alert a) =>
        string.Join('\u001f', r.GroupLabels.Select(l => l + "=" + a.Labels.GetValueOrDefault(l, "")));
}
