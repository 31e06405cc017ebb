using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Engine.Loop;
using Auspex.Scoring;
using Auspex.Storage;

namespace Auspex.Engine.Services;

/// <summary>One alert as the API shows it.</summary>
/// <param name="Name">Rule name (the <c>alertname</c> label).</param>
/// <param name="Target">Locality or component id (with <c>/resource</c> for exhaustion rules).</param>
/// <param name="State">pending, firing or resolved.</param>
/// <param name="Since">When it entered the state (loop clock).</param>
/// <param name="ActiveAt">When its condition started to hold.</param>
/// <param name="Value">The watched value at the last evaluation.</param>
/// <param name="Severity">The <c>severity</c> label.</param>
/// <param name="Silenced">True when a silence or a maintenance window covers it (tracked, not delivered).</param>
/// <param name="SilencedBy">Ids of the silences that match it; <c>maintenance</c> for a maintenance window.</param>
/// <param name="Labels">Its labels.</param>
/// <param name="Annotations">summary, description (the score's explanation) and value.</param>
/// <param name="StartsAt">Alertmanager's startsAt: when it started firing (null while pending).</param>
/// <param name="EndsAt">Alertmanager's endsAt: when it resolved; for a firing alert the evaluation time plus the resolve timeout.</param>
/// <param name="Fingerprint">Alertmanager's fingerprint of its labels.</param>
public sealed record AlertView(string Name, string Target, string State, DateTimeOffset Since, DateTimeOffset ActiveAt, double Value,
    string Severity, bool Silenced, IReadOnlyList<string> SilencedBy, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset? StartsAt = null, DateTimeOffset? EndsAt = null, string? Fingerprint = null);

/// <summary>A change of an alert's state.</summary>
/// <param name="At">When (loop clock).</param>
/// <param name="Name">Rule name.</param>
/// <param name="Target">Target.</param>
/// <param name="From">Previous state, or <c>inactive</c>.</param>
/// <param name="To">New state, or <c>inactive</c> (a pending alert whose condition cleared, a resolved one forgotten).</param>
/// <param name="Value">The watched value.</param>
/// <param name="Summary">The alert's summary annotation.</param>
/// <param name="StartsAt">Alertmanager's startsAt after the change (firing or resolved), else null.</param>
/// <param name="EndsAt">Alertmanager's endsAt after the change: the resolution time when resolved, else null.</param>
public sealed record AlertTransition(DateTimeOffset At, string Name, string Target, string From, string To, double Value, string Summary,
    DateTimeOffset? StartsAt = null, DateTimeOffset? EndsAt = null);

/// <summary>A rule as the API shows it.</summary>
/// <param name="Name">Rule name.</param>
/// <param name="Condition">desirabilityBelow, hpsBelow, exhaustionWithin or utilisationAbove.</param>
/// <param name="Threshold">Threshold.</param>
/// <param name="ResolveThreshold">Threshold to resolve (hysteresis).</param>
/// <param name="ForSeconds">The <c>for</c> duration.</param>
/// <param name="KeepFiringForSeconds">The <c>keep_firing_for</c> duration.</param>
/// <param name="WithinSeconds">For exhaustion rules: how far ahead.</param>
/// <param name="Severity">Severity label.</param>
/// <param name="Pending">Alerts of this rule now pending.</param>
/// <param name="Firing">Alerts of this rule now firing.</param>
public sealed record AlertRuleView(string Name, AlertCondition Condition, double Threshold, double ResolveThreshold, double ForSeconds,
    double KeepFiringForSeconds, double? WithinSeconds, string Severity, int Pending, int Firing);

/// <summary>How delivery to one Alertmanager goes.</summary>
/// <param name="Url">Its base URL.</param>
/// <param name="LastAttempt">Last delivery attempt (wall clock).</param>
/// <param name="LastSuccess">Last successful delivery.</param>
/// <param name="LastError">The last failure's reason, null after a success.</param>
/// <param name="Delivered">Successful deliveries.</param>
/// <param name="Failed">Deliveries that failed after every retry.</param>
public sealed record DeliveryView(Uri Url, DateTimeOffset? LastAttempt, DateTimeOffset? LastSuccess, string? LastError, long Delivered, long Failed);

/// <summary>The outcome of creating a silence.</summary>
public abstract record SilenceResult
{
    private SilenceResult()
    {
    }

    /// <summary>Stored.</summary>
    /// <param name="Silence">The silence.</param>
    public sealed record Created(Silence Silence) : SilenceResult;

    /// <summary>Refused.</summary>
    /// <param name="Error">Why.</param>
    public sealed record Invalid(string Error) : SilenceResult;
}

/// <summary>
/// Alerts on the loop's scores (issue 5): evaluates the rules after every tick, keeps states (pending → firing →
/// resolved, with <c>for</c> durations), a bounded history of state changes, silences (stored in the state store, so
/// they survive restarts), and delivers firing and resolved alerts that are not silenced to every configured
/// Alertmanager (<c>POST /api/v2/alerts</c>, with retries) from <see cref="RunDeliveryAsync"/>.
/// </summary>
public sealed class AlertService : IDisposable
{
    private const string SilenceKind = "silence";
    private readonly IStateStore _state;
    private readonly IAlertStore? _store;
    private readonly WebhookDispatcher _webhooks;
    private readonly TenantId _tenant;
    private readonly AlertSettings _settings;
    private readonly AlertEvaluator _evaluator;
    private readonly TimeProvider _wall;
    private readonly HttpClient _http;
    private readonly Lock _gate = new();
    private readonly LinkedList<AlertTransition> _history = new();
    private readonly Dictionary<string, Silence> _silences = new(StringComparer.Ordinal);
    private readonly Dictionary<Uri, DeliveryView> _deliveries = [];
    private readonly Channel<string> _outbox = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
    private Dictionary<(string, string), Alert> _current = [];
    private IReadOnlyList<AlertView> _views = [];
    private DateTimeOffset? _evaluatedAt;
    private string? _lastError;

    /// <summary>Creates the service; call <see cref="LoadAsync"/> once to read stored silences.</summary>
    /// <param name="state">Where silences are kept.</param>
    /// <param name="tenant">The tenant served.</param>
    /// <param name="settings">Rules and receivers.</param>
    /// <param name="wall">Clock for delivery times and retry waits (the real clock even when the loop's is accelerated).</param>
    /// <param name="handler">HTTP handler for deliveries (tests); default a new socket handler.</param>
    /// <param name="store">Where alert history and current alerts are kept across restarts; null keeps them in memory only.</param>
    public AlertService(IStateStore state, TenantId tenant, AlertSettings settings, TimeProvider? wall = null, HttpMessageHandler? handler = null,
        IAlertStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _state = state;
        _tenant = tenant;
        _settings = settings;
        _evaluator = new AlertEvaluator(settings.Rules);
        _wall = wall ?? TimeProvider.System;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan;
        foreach (var u in settings.Alertmanagers.Concat(settings.Webhooks.Select(w => w.Url)))
        {
            _deliveries[u] = new DeliveryView(u, null, null, null, 0, 0);
        }
        _store = store;
        _webhooks = new WebhookDispatcher(settings.Webhooks, settings.ExternalUrl?.ToString() ?? "");
    }

    /// <summary>The settings in force.</summary>
    public AlertSettings Settings => _settings;

    /// <summary>Loop time of the last evaluation, null before the first.</summary>
    public DateTimeOffset? EvaluatedAt
    {
        get
        {
            lock (_gate)
            {
                return _evaluatedAt;
            }
        }
    }

    /// <summary>The last evaluation error (a rule that threw), or null.</summary>
    public string? LastError
    {
        get
        {
            lock (_gate)
            {
                return _lastError;
            }
        }
    }

    /// <summary>Reads the stored silences and, with an alert store, the alert history and the current alerts (restored into the rules' state).</summary>
    public async Task LoadAsync(CancellationToken ct = default)
    {
        var docs = await _state.ListAsync(_tenant, SilenceKind, ct).ConfigureAwait(false);
        var history = _store is null ? [] : await _store.ReadAlertHistoryAsync(_tenant, _settings.HistoryLimit, ct).ConfigureAwait(false);
        var current = _store is null ? [] : await _store.ReadCurrentAlertsAsync(_tenant, ct).ConfigureAwait(false);
        lock (_gate)
        {
            _history.Clear();
            foreach (var h in history)
            {
                _history.AddLast(new AlertTransition(h.At, h.Rule, h.Target, h.From, h.To, h.Value, h.Summary, h.StartsAt, h.EndsAt));
            }
            var restored = current.Select(p => JsonSerializer.Deserialize<StoredAlert>(p.Value)?.ToAlert()).OfType<Alert>().ToList();
            _evaluator.Restore(restored);
            _current = restored.ToDictionary(a => (a.Rule, a.Target));
            _views = restored.Select(a => View(a, [], null)).ToList();
            foreach (var d in docs)
            {
                if (JsonSerializer.Deserialize<Silence>(d.Json) is { } s)
                {
                    _silences[s.Id] = s;
                }
            }
        }
    }

    /// <summary>Evaluates after every tick of <paramref name="loop"/> that produced a scoring report.</summary>
    public void Attach(ControlLoop loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        loop.Ticked += tick =>
        {
            // Runs on the loop's thread: a failing evaluation is recorded, never allowed to stop the loop.
            try
            {
                if (loop.Latest is { Report: { } report } latest && latest.At == tick.At)
                {
                    Evaluate(report, latest.Topology);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                lock (_gate)
                {
                    _lastError = $"{e.GetType().Name}: {e.Message}";
                }
            }
        };
    }

    /// <summary>Advances every rule to <paramref name="report"/>, applies silences, records state changes and queues delivery.</summary>
    public void Evaluate(ScoringReport report, Topology topology)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(topology);
        IReadOnlyList<Alert> alerts;
        try
        {
            alerts = _evaluator.Evaluate(report, topology);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            lock (_gate)
            {
                _lastError = $"{e.GetType().Name}: {e.Message}";
            }
            return;
        }
        string? payload;
        var changes = new List<AlertTransition>();
        var marked = new List<Alert>(alerts.Count);
        List<Alert> snapshot;
        // Prometheus' ValidUntil: a firing alert's endsAt lies a resolve timeout ahead of the evaluation.
        var validUntil = report.At + _settings.ResolveTimeout;
        lock (_gate)
        {
            var next = new Dictionary<(string, string), Alert>();
            var views = new List<AlertView>(alerts.Count);
            var deliverable = new List<Alert>();
            foreach (var a0 in alerts)
            {
                var by = _silences.Values.Where(s => s.Silences(a0.Labels, report.At)).Select(s => s.Id).Order(StringComparer.Ordinal).ToList();
                if (a0.Silenced)
                {
                    by.Add("maintenance");
                }
                var a = by.Count > 0 ? a0 with { Silenced = true } : a0;
                next[(a.Rule, a.Target)] = a;
                marked.Add(a);
                views.Add(View(a, by, validUntil));
                if (!a.Silenced && a.State != AlertState.Pending)
                {
                    deliverable.Add(a);
                }
                var before = _current.TryGetValue((a.Rule, a.Target), out var prev) ? prev.StateName : "inactive";
                if (before != a.StateName)
                {
                    changes.Add(new AlertTransition(report.At, a.Rule, a.Target, before, a.StateName, a.Value, a.Annotations.GetValueOrDefault("summary", ""),
                        a.State == AlertState.Pending ? null : a.StartsAt, a.State == AlertState.Resolved ? a.Since : null));
                }
            }
            foreach (var (key, gone) in _current.Where(p => !next.ContainsKey(p.Key)))
            {
                changes.Add(new AlertTransition(report.At, gone.Rule, gone.Target, gone.StateName, "inactive", gone.Value, gone.Annotations.GetValueOrDefault("summary", "")));
            }
            foreach (var t in changes)
            {
                Record(t);
            }
            _webhooks.Update(marked, _wall.GetUtcNow());
            _webhooks.SetValidUntil(validUntil);
            _current = next;
            _views = views;
            _evaluatedAt = report.At;
            _lastError = null;
            payload = _settings.Alertmanagers.Count > 0 && deliverable.Count > 0 ? AlertmanagerPayload.PostAlerts(deliverable, null, validUntil) : null;
            snapshot = next.Values.ToList();
        }
        Persist(changes, snapshot, report.At);
        if (payload is not null)
        {
            _outbox.Writer.TryWrite(payload);
        }
    }

    private static AlertView View(Alert a, List<string> silencedBy, DateTimeOffset? validUntil) =>
        new(a.Rule, a.Target, a.StateName, a.Since, a.ActiveAt, a.Value, a.Labels.GetValueOrDefault("severity", ""), a.Silenced, silencedBy, a.Labels,
            a.Annotations, a.State == AlertState.Pending ? null : a.StartsAt, a.EndsAt(validUntil), AlertmanagerPayload.Fingerprint(a.Labels));

    // Writes the evaluation's state changes and current alerts to the alert store. Runs on the loop's thread after the
    // lock is released; a failure is recorded as the last error (the in-memory state stays right).
    private void Persist(List<AlertTransition> changes, List<Alert> current, DateTimeOffset at)
    {
        if (_store is null)
        {
            return;
        }
        try
        {
            _store.AppendAlertHistoryAsync(_tenant, changes.Select(t => new AlertHistoryRow(t.At, t.Name, t.Target, t.From, t.To, t.Value, t.Summary, t.StartsAt, t.EndsAt)).ToList(),
                _settings.HistoryLimit).GetAwaiter().GetResult();
            _store.ReplaceCurrentAlertsAsync(_tenant, current.Select(a => new KeyValuePair<string, string>(a.Rule + "\u001f" + a.Target,
                JsonSerializer.Serialize(StoredAlert.From(a)))).ToList(), at).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            lock (_gate)
            {
                _lastError = $"storing alerts: {e.GetType().Name}: {e.Message}";
            }
        }
    }

    private void Record(AlertTransition t)
    {
        _history.AddFirst(t);
        while (_history.Count > _settings.HistoryLimit)
        {
            _history.RemoveLast();
        }
    }

    /// <summary>Current alerts (pending, firing, recently resolved), optionally only those in <paramref name="state"/>.</summary>
    public IReadOnlyList<AlertView> Alerts(string? state = null)
    {
        lock (_gate)
        {
            return state is null ? _views : _views.Where(v => string.Equals(v.State, state, StringComparison.OrdinalIgnoreCase)).ToList();
        }
    }

    /// <summary>The rules with how many of their alerts are pending and firing.</summary>
    public IReadOnlyList<AlertRuleView> Rules()
    {
        lock (_gate)
        {
            return _settings.Rules.Select(r => new AlertRuleView(r.Name, r.Condition, r.Threshold, r.ResolveThreshold ?? r.Threshold,
                r.For.TotalSeconds, r.KeepFiringFor.TotalSeconds, r.Within?.TotalSeconds, r.Severity,
                _views.Count(v => v.Name == r.Name && v.State == "pending"), _views.Count(v => v.Name == r.Name && v.State == "firing"))).ToList();
        }
    }

    /// <summary>State changes, newest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<AlertTransition> History(int limit)
    {
        lock (_gate)
        {
            return _history.Take(Math.Max(0, limit)).ToList();
        }
    }

    /// <summary>Every stored silence (active, future and expired), soonest end first.</summary>
    public IReadOnlyList<Silence> Silences()
    {
        lock (_gate)
        {
            return _silences.Values.OrderBy(s => s.EndsAt).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Validates and stores a silence (audited); it applies from the next evaluation.</summary>
    public async Task<SilenceResult> AddSilenceAsync(IReadOnlyDictionary<string, string> matchers, DateTimeOffset startsAt, DateTimeOffset endsAt,
        string createdBy, string comment, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var id = "sil-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
        var s = new Silence(id, new SortedDictionary<string, string>(matchers.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), StringComparer.Ordinal),
            startsAt, endsAt, createdBy, comment ?? "");
        if (s.Validate() is { } error)
        {
            return new SilenceResult.Invalid(error);
        }
        var now = _wall.GetUtcNow();
        await _state.PutAsync(_tenant, SilenceKind, id, JsonSerializer.Serialize(s), now, ct).ConfigureAwait(false);
        await _state.AuditAsync(_tenant, new AuditEntry(now, createdBy, "silence.create", id,
            string.Create(CultureInfo.InvariantCulture, $"{string.Join(",", s.Matchers.Select(m => m.Key + "=" + m.Value))} from {startsAt:O} to {endsAt:O}: {comment}")), ct).ConfigureAwait(false);
        lock (_gate)
        {
            _silences[id] = s;
        }
        return new SilenceResult.Created(s);
    }

    /// <summary>Deletes a silence (audited); false for an unknown id.</summary>
    public async Task<bool> DeleteSilenceAsync(string id, string actor, CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (!_silences.ContainsKey(id))
            {
                return false;
            }
        }
        await _state.DeleteAsync(_tenant, SilenceKind, id, ct).ConfigureAwait(false);
        await _state.AuditAsync(_tenant, new AuditEntry(_wall.GetUtcNow(), actor, "silence.delete", id, ""), ct).ConfigureAwait(false);
        lock (_gate)
        {
            return _silences.Remove(id);
        }
    }

    /// <summary>Delivery status per configured Alertmanager.</summary>
    public IReadOnlyList<DeliveryView> Deliveries()
    {
        lock (_gate)
        {
            return _deliveries.Values.ToList();
        }
    }

    /// <summary>
    /// Delivers queued alerts until cancelled: the latest evaluation's firing and resolved alerts go to every
    /// Alertmanager (an older batch still waiting is replaced by the newer one, as every batch is complete).
    /// </summary>
    public Task RunDeliveryAsync(CancellationToken ct) => Task.WhenAll(RunAlertmanagerDeliveryAsync(ct), RunWebhookDeliveryAsync(ct));

    // Flushes the webhook groups once a second (wall clock) until cancelled.
    private async Task RunWebhookDeliveryAsync(CancellationToken ct)
    {
        if (_settings.Webhooks.Count == 0)
        {
            return;
        }
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await FlushWebhooksAsync(ct).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(1), _wall, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Sends the webhook notifications due now (wall clock), each with retries on network errors, 429 and 5xx; a
    /// delivered one is entered in the notification log, a failed one is tried again at the group's next flush.
    /// Returns how many were delivered.
    /// </summary>
    internal async Task<int> FlushWebhooksAsync(CancellationToken ct)
    {
        IReadOnlyList<WebhookNotification> due;
        lock (_gate)
        {
            due = _webhooks.Due(_wall.GetUtcNow());
        }
        var ok = await Task.WhenAll(due.Select(n => PostAsync(n.Receiver.Url, n.Receiver.Url, n.Payload, ct))).ConfigureAwait(false);
        lock (_gate)
        {
            for (var i = 0; i < due.Count; i++)
            {
                if (ok[i])
                {
                    _webhooks.Delivered(due[i], _wall.GetUtcNow());
                }
            }
        }
        return ok.Count(x => x);
    }

    private async Task RunAlertmanagerDeliveryAsync(CancellationToken ct)
    {
        if (_settings.Alertmanagers.Count == 0)
        {
            return;
        }
        try
        {
            await foreach (var payload in _outbox.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await Task.WhenAll(_settings.Alertmanagers.Select(u => DeliverAsync(u, payload, ct))).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Posts <paramref name="payload"/> to one Alertmanager with retries; true on a 2xx answer.</summary>
    internal Task<bool> DeliverAsync(Uri alertmanager, string payload, CancellationToken ct) =>
        PostAsync(alertmanager, new Uri(alertmanager, alertmanager.AbsolutePath.TrimEnd('/') + "/api/v2/alerts"), payload, ct);

    // POSTs with retries, recording the outcome under the receiver's configured URL.
    private async Task<bool> PostAsync(Uri alertmanager, Uri url, string payload, CancellationToken ct)
    {
        var wait = _settings.RetryBackoff;
        string? error = null;
        for (var attempt = 1; attempt <= _settings.MaxAttempts; attempt++)
        {
            Update(alertmanager, d => d with { LastAttempt = _wall.GetUtcNow() });
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(_settings.Timeout);
            bool retry;
            try
            {
                using var content = new StringContent(payload, Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync(url, content, cts.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Update(alertmanager, d => d with { LastSuccess = _wall.GetUtcNow(), LastError = null, Delivered = d.Delivered + 1 });
                    return true;
                }
                var body = await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
                error = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} from {url}: {Truncate(body)}");
                retry = (int)response.StatusCode is 429 or >= 500;
            }
            catch (HttpRequestException e)
            {
                error = $"{url}: {e.Message}";
                retry = true;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                error = string.Create(CultureInfo.InvariantCulture, $"{url}: no answer within {_settings.Timeout.TotalSeconds:0.#} s");
                retry = true;
            }
            if (!retry || attempt == _settings.MaxAttempts)
            {
                break;
            }
            await Task.Delay(wait, _wall, ct).ConfigureAwait(false);
            wait *= 2;
        }
        Update(alertmanager, d => d with { LastError = error, Failed = d.Failed + 1 });
        return false;
    }

    private void Update(Uri u, Func<DeliveryView, DeliveryView> change)
    {
        lock (_gate)
        {
            _deliveries[u] = change(_deliveries.TryGetValue(u, out var d) ? d : new DeliveryView(u, null, null, null, 0, 0));
        }
    }

    private static string Truncate(string s) => s.Length <= 200 ? s.Trim() : s[..200] + "…";

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}

/// <summary>An alert as kept in the alert store.</summary>
internal sealed record StoredAlert(string Rule, string Target, AlertState State, DateTimeOffset Since, DateTimeOffset ActiveAt, double? Value, bool Silenced,
    Dictionary<string, string> Labels, Dictionary<string, string> Annotations, DateTimeOffset? FiredAt)
{
    public static StoredAlert From(Alert a) => new(a.Rule, a.Target, a.State, a.Since, a.ActiveAt, double.IsFinite(a.Value) ? a.Value : null, a.Silenced,
        new Dictionary<string, string>(a.Labels, StringComparer.Ordinal), new Dictionary<string, string>(a.Annotations, StringComparer.Ordinal), a.FiredAt);

    public Alert ToAlert() => new(Rule, Target, State, Since, ActiveAt, Value ?? double.PositiveInfinity, Silenced, Labels, Annotations) { FiredAt = FiredAt };
}
