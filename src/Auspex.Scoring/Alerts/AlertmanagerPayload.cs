using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Auspex.Scoring;

/// <summary>
/// Builds Alertmanager-compatible JSON from alerts: the body of <c>POST /api/v2/alerts</c> and the webhook
/// notification format (version 4). Only firing and resolved alerts that are not silenced are included; pending
/// alerts are internal, as in Prometheus. The caller does the HTTP.
/// </summary>
public static class AlertmanagerPayload
{
    /// <summary>
    /// The JSON array for <c>POST /api/v2/alerts</c>: per alert <c>labels</c>, <c>annotations</c>, <c>startsAt</c>
    /// (when it fired), <c>endsAt</c> (only for resolved alerts, when it resolved) and <c>generatorURL</c>.
    /// Re-send firing alerts on every evaluation; Alertmanager resolves them itself if they stop arriving.
    /// </summary>
    /// <param name="alerts">Alerts; pending and silenced ones are left out.</param>
    /// <param name="generatorUrl">Link back to the sender, when known.</param>
    /// <param name="validUntil">For firing alerts, the <c>endsAt</c> to send (evaluation time + resolve timeout); null omits it.</param>
    public static string PostAlerts(IEnumerable<Alert> alerts, string? generatorUrl = null, DateTimeOffset? validUntil = null)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartArray();
            foreach (var a in Deliverable(alerts))
            {
                w.WriteStartObject();
                WriteMap(w, "labels", a.Labels);
                WriteMap(w, "annotations", a.Annotations);
                w.WriteString("startsAt", Rfc3339(a.StartsAt));
                if (a.EndsAt(validUntil) is { } ends)
                {
                    w.WriteString("endsAt", Rfc3339(ends));
                }
                if (generatorUrl is not null)
                {
                    w.WriteString("generatorURL", generatorUrl);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>
    /// A webhook notification in Alertmanager's format (version "4"): <c>receiver</c>, <c>status</c> (firing when any
    /// alert fires), <c>alerts[]</c> (status, labels, annotations, startsAt, endsAt — zero time while firing —,
    /// generatorURL, fingerprint), <c>groupLabels</c>, <c>commonLabels</c>, <c>commonAnnotations</c>,
    /// <c>externalURL</c>, <c>groupKey</c> and <c>truncatedAlerts</c> (alerts beyond <paramref name="maxAlerts"/>; 0 = no limit).
    /// </summary>
    public static string Webhook(IEnumerable<Alert> alerts, string receiver, string externalUrl, IReadOnlyList<string>? groupBy = null, int maxAlerts = 0, string? generatorUrl = null) =>
        Webhook(alerts, receiver, externalUrl, groupBy, maxAlerts, generatorUrl, null);

    /// <summary>
    /// As the overload above; <paramref name="validUntil"/> is the <c>endsAt</c> of firing alerts (null: Alertmanager's
    /// zero time). The group key is that of a route at the root: <c>{}:{label="value", …}</c> over the group labels.
    /// </summary>
    public static string Webhook(IEnumerable<Alert> alerts, string receiver, string externalUrl, IReadOnlyList<string>? groupBy, int maxAlerts,
        string? generatorUrl, DateTimeOffset? validUntil)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        var list = Deliverable(alerts).ToList();
        var shown = maxAlerts > 0 ? list.Take(maxAlerts).ToList() : list;
        var groupLabels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in groupBy ?? ["alertname"])
        {
            if (list.Count > 0 && list.All(a => a.Labels.TryGetValue(name, out var v) && v == list[0].Labels[name]))
            {
                groupLabels[name] = list[0].Labels[name];
            }
        }
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("version", "4");
            w.WriteString("groupKey", "{}:{" + string.Join(", ", groupLabels.Select(p => $"{p.Key}=\"{p.Value}\"")) + "}");
            w.WriteNumber("truncatedAlerts", list.Count - shown.Count);
            w.WriteString("status", list.Any(a => a.State == AlertState.Firing) ? "firing" : "resolved");
            w.WriteString("receiver", receiver);
            WriteMap(w, "groupLabels", groupLabels);
            WriteMap(w, "commonLabels", Common(list.Select(a => a.Labels)));
            WriteMap(w, "commonAnnotations", Common(list.Select(a => a.Annotations)));
            w.WriteString("externalURL", externalUrl);
            w.WriteStartArray("alerts");
            foreach (var a in shown)
            {
                w.WriteStartObject();
                w.WriteString("status", a.State == AlertState.Firing ? "firing" : "resolved");
                WriteMap(w, "labels", a.Labels);
                WriteMap(w, "annotations", a.Annotations);
                w.WriteString("startsAt", Rfc3339(a.StartsAt));
                w.WriteString("endsAt", a.EndsAt(validUntil) is { } ends ? Rfc3339(ends) : "0001-01-01T00:00:00Z");
                w.WriteString("generatorURL", generatorUrl ?? "");
                w.WriteString("fingerprint", Fingerprint(a.Labels));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>
    /// Alertmanager's label-set fingerprint: 64-bit FNV-1a over the label names in order, each name and value followed
    /// by the byte 0xFF, as 16 lower-case hex digits.
    /// </summary>
    public static string Fingerprint(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var h = 14695981039346656037UL;
        void Add(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                h ^= b;
                h *= 1099511628211UL;
            }
        }
        ReadOnlySpan<byte> sep = [0xFF];
        foreach (var name in labels.Keys.Order(StringComparer.Ordinal))
        {
            Add(Encoding.UTF8.GetBytes(name));
            Add(sep);
            Add(Encoding.UTF8.GetBytes(labels[name]));
            Add(sep);
        }
        return h.ToString("x16", CultureInfo.InvariantCulture);
    }

    private static IEnumerable<Alert> Deliverable(IEnumerable<Alert> alerts) =>
        alerts.Where(a => a.State != AlertState.Pending && !a.Silenced);

    private static SortedDictionary<string, string> Common(IEnumerable<IReadOnlyDictionary<string, string>> maps)
    {
        SortedDictionary<string, string>? common = null;
        foreach (var m in maps)
        {
            if (common is null)
            {
                common = new SortedDictionary<string, string>(m.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), StringComparer.Ordinal);
                continue;
            }
            foreach (var k in common.Keys.Where(k => !m.TryGetValue(k, out var v) || v != common[k]).ToList())
            {
                common.Remove(k);
            }
        }
        return common ?? new SortedDictionary<string, string>(StringComparer.Ordinal);
    }

    private static void WriteMap(Utf8JsonWriter w, string name, IEnumerable<KeyValuePair<string, string>> map)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteString(k, v);
        }
        w.WriteEndObject();
    }

    private static string Rfc3339(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
