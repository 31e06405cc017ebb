using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Auspex.Anomalies;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Engine.Anomalies;
using Auspex.Storage;

namespace Auspex.Engine.Loop;

/// <summary>
/// Scores every new sample of every host series with a streaming detector (one per series, the ensemble by default)
/// and, per host, the vector of its metrics with the multivariate robust-Mahalanobis detector. Scores are stored as
/// the series <c>auspex_anomaly_score</c> (the source's labels plus <c>source_metric</c>, which is
/// <c>multivariate</c> for the host detector); points at or above the threshold become <see cref="AnomalyEvent"/>s
/// (persisted, listed by <see cref="AnomalyService"/>); a burst of elevated scores on a series raises a
/// <see cref="RetrainSignal"/>; each host's highest recent score feeds the failure-risk part. Samples inside a
/// maintenance window of the host (or its rack, zone, region) are not scored: planned work is not an anomaly.
/// Detector state and events are saved to the state store and restored on start, so a restart does not forget.
/// Thread-safe: the loop scores while the API lists and marks events.
/// </summary>
internal sealed class AnomalyStage : IRetrainSignals
{
    public const string MetricName = "auspex_anomaly_score";
    private const string StateKind = "anomaly-detector";
    private const string MultiStateKind = "anomaly-detector-mv";
    private const string EventKind = "anomaly-event";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly EmbeddedStore _store;
    private readonly TenantId _tenant;
    private readonly string _detector;
    private readonly TimeSpan _recent;
    private readonly AnomalyPipelineOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<SeriesKey, Tracked> _detectors = [];
    private readonly Dictionary<string, MultiTracked> _multi = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<(DateTimeOffset At, double Score)>> _hostScores = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AnomalyEvent> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _openEvent = new(StringComparer.Ordinal); // series → id of its latest event
    private readonly Dictionary<string, Queue<(DateTimeOffset At, bool Full)>> _elevated = new(StringComparer.Ordinal);
    private readonly Dictionary<SeriesKey, RetrainSignal> _signals = [];
    private readonly object _signalGate = new();
    private bool _restored;

    public AnomalyStage(EmbeddedStore store, TenantId tenant, string detector, TimeSpan recent, AnomalyPipelineOptions? options = null)
    {
        _store = store;
        _tenant = tenant;
        _detector = detector;
        _recent = recent;
        _options = (options ?? AnomalyPipelineOptions.Default).Validate();
    }

    /// <summary>Raised (on the loop's thread) for each new or extended event, after it was stored.</summary>
    public event Action<AnomalyEvent>? Raised;

    public async Task<IReadOnlyDictionary<string, double>> ScoreAsync(
        IReadOnlyList<KeyValuePair<SeriesKey, List<Sample>>> windows, Topology topology, DateTimeOffset now, CancellationToken ct)
    {
        List<AnomalyEvent> changed;
        Dictionary<string, double> max;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await RestoreOnceAsync(ct).ConfigureAwait(false);
            var touched = new HashSet<string>(StringComparer.Ordinal);
            await using var app = _store.Series.BeginAppend(_tenant);
            foreach (var (key, samples) in windows)
            {
                var host = key.Labels["host"];
                if (host is null)
                {
                    continue;
                }
                if (!_detectors.TryGetValue(key, out var d))
                {
                    _detectors[key] = d = new Tracked(AnomalyDetectors.Create(_detector), DateTimeOffset.MinValue);
                }
                var maintenance = topology.MaintenanceOf(host).ToList();
                var outKey = new SeriesKey(MetricName, key.Labels.With("source_metric", key.Metric));
                foreach (var s in samples)
                {
                    if (s.At <= d.Last)
                    {
                        continue;
                    }
                    d.Last = s.At;
                    if (maintenance.Any(m => m.When.Contains(s.At)))
                    {
                        continue;
                    }
                    var r = d.Detector.Update(s.At, s.Value);
                    if (r.IsRejected)
                    {
                        continue;
                    }
                    app.Add(outKey, s.At, r.Score);
                    Observe(key.ToString(), key.Metric, host, key, r, touched);
                }
            }
            ScoreHosts(windows, topology, app, touched);
            var result = await app.CommitAsync(ct).ConfigureAwait(false);
            if (!result.Ok)
            {
                throw new InvalidOperationException("storing anomaly scores failed: " + string.Join("; ", result.Errors));
            }
            changed = touched.Select(id => _events[id]).ToList();
            await PersistEventsAsync(changed, now, ct).ConfigureAwait(false);
            max = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (host, q) in _hostScores)
            {
                while (q.Count > 0 && q.Peek().At < now - _recent)
                {
                    q.Dequeue();
                }
                max[host] = q.Count == 0 ? 0 : q.Max(x => x.Score);
            }
        }
        finally
        {
            _gate.Release();
        }
        foreach (var e in changed)
        {
            Raised?.Invoke(e);
        }
        return max;
    }

    /// <summary>Per host: the vector of its metrics at each timestamp of its first metric (as-of join), scored multivariately.</summary>
    private void ScoreHosts(IReadOnlyList<KeyValuePair<SeriesKey, List<Sample>>> windows, Topology topology, ISeriesAppender app, HashSet<string> touched)
    {
        foreach (var group in windows.Where(w => w.Key.Labels["host"] is not null).GroupBy(w => w.Key.Labels["host"]!, StringComparer.Ordinal))
        {
            var series = group.OrderBy(w => w.Key.Metric, StringComparer.Ordinal).ToList();
            if (series.Count < 2)
            {
                continue;
            }
            var host = group.Key;
            var metrics = string.Join(",", series.Select(s => s.Key.Metric));
            if (!_multi.TryGetValue(host, out var m) || m.Metrics != metrics)
            {
                _multi[host] = m = new MultiTracked(AnomalyDetectors.CreateMultivariate(series.Count), metrics, DateTimeOffset.MinValue);
            }
            var maintenance = topology.MaintenanceOf(host).ToList();
            var cursors = new int[series.Count];
            var vector = new double[series.Count];
            var key = MultivariateKey(host);
            var outKey = new SeriesKey(MetricName, Labels.Of("host", host, "source_metric", AnomalyEvent.MultivariateMetric));
            foreach (var driver in series[0].Value)
            {
                if (driver.At <= m.Last)
                {
                    continue;
                }
                var complete = true;
                for (var i = 0; i < series.Count; i++)
                {
                    var samples = series[i].Value;
                    while (cursors[i] + 1 < samples.Count && samples[cursors[i] + 1].At <= driver.At)
                    {
                        cursors[i]++;
                    }
                    if (samples.Count == 0 || samples[cursors[i]].At > driver.At)
                    {
                        complete = false;
                        break;
                    }
                    vector[i] = samples[cursors[i]].Value;
                }
                if (!complete)
                {
                    continue;
                }
                m.Last = driver.At;
                if (maintenance.Any(w => w.When.Contains(driver.At)))
                {
                    continue;
                }
                var r = m.Detector.Update(driver.At, vector);
                if (r.IsRejected)
                {
                    continue;
                }
                app.Add(outKey, driver.At, r.Score);
                var named = NameWorstMetric(r, series);
                Observe(key, AnomalyEvent.MultivariateMetric, host, null, named, touched);
            }
        }
    }

    private static AnomalyResult NameWorstMetric(AnomalyResult r, List<KeyValuePair<SeriesKey, List<Sample>>> series)
    {
        // the detector names metrics by index; the event names them by metric
        const string Marker = "; metric ";
        var i = r.Reason.IndexOf(Marker, StringComparison.Ordinal);
        if (i < 0)
        {
            return r;
        }
        var start = i + Marker.Length;
        var end = r.Reason.IndexOf(' ', start);
        return end > start && int.TryParse(r.Reason.AsSpan(start, end - start), NumberStyles.Integer, CultureInfo.InvariantCulture, out var idx) && idx >= 0 && idx < series.Count
            ? new AnomalyResult(r.At, r.Value, r.Score, string.Concat(r.Reason.AsSpan(0, start), series[idx].Key.Metric, r.Reason.AsSpan(end)))
            : r;
    }

    internal static string MultivariateKey(string host) => new SeriesKey(AnomalyEvent.MultivariateMetric, Labels.Of("host", host)).ToString();

    /// <summary>Host score, events and burst tracking for one scored point.</summary>
    private void Observe(string series, string metric, string host, SeriesKey? source, AnomalyResult r, HashSet<string> touched)
    {
        if (!_hostScores.TryGetValue(host, out var q))
        {
            _hostScores[host] = q = new();
        }
        q.Enqueue((r.At, r.Score));
        var full = r.Score >= _options.Threshold;
        if (source is { } src && r.Score >= _options.Threshold / 2)
        {
            if (!_elevated.TryGetValue(series, out var burst))
            {
                _elevated[series] = burst = new();
            }
            burst.Enqueue((r.At, full));
            while (burst.Peek().At < r.At - _options.BurstWindow)
            {
                burst.Dequeue();
            }
            if (burst.Count >= _options.BurstPoints && burst.Any(b => b.Full))
            {
                lock (_signalGate)
                {
                    _signals[src] = new RetrainSignal(src, r.At, burst.Count, string.Create(CultureInfo.InvariantCulture,
                        $"{burst.Count} elevated anomaly scores within {_options.BurstWindow.TotalMinutes:0} min; last: {r.Reason}"));
                }
            }
        }
        if (!full)
        {
            return;
        }
        if (_openEvent.TryGetValue(series, out var openId) && _events.TryGetValue(openId, out var open)
            && !open.FalsePositive && r.At - open.End <= _options.MergeGap)
        {
            var peak = r.Score > open.PeakScore;
            _events[openId] = open with
            {
                End = r.At,
                Points = open.Points + 1,
                PeakAt = peak ? r.At : open.PeakAt,
                PeakScore = peak ? r.Score : open.PeakScore,
                PeakValue = peak ? r.Value : open.PeakValue,
                Reason = peak ? r.Reason : open.Reason,
            };
            touched.Add(openId);
            return;
        }
        var id = EventId(series, r.At);
        _events[id] = new AnomalyEvent(id, series, metric, host, r.At, r.At, r.At, r.Score, r.Value, r.Reason, 1);
        _openEvent[series] = id;
        touched.Add(id);
        Trim(touched);
    }

    private void Trim(HashSet<string> touched)
    {
        if (_events.Count <= _options.MaxEvents)
        {
            return;
        }
        foreach (var old in _events.Values.OrderBy(e => e.Start).Take(_events.Count - _options.MaxEvents).ToList())
        {
            _events.Remove(old.Id);
            touched.Remove(old.Id);
            _dropped.Add(old.Id);
        }
    }

    private readonly List<string> _dropped = [];

    internal static string EventId(string series, DateTimeOffset start)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(series + "@" + start.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)));
        return "an-" + Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    private async Task PersistEventsAsync(IReadOnlyList<AnomalyEvent> changed, DateTimeOffset now, CancellationToken ct)
    {
        if (changed.Count > 0)
        {
            await _store.State.PutManyAsync(_tenant, EventKind,
                changed.Select(e => new KeyValuePair<string, string>(e.Id, JsonSerializer.Serialize(e, Json))).ToList(), now, ct).ConfigureAwait(false);
        }
        foreach (var id in _dropped)
        {
            await _store.State.DeleteAsync(_tenant, EventKind, id, ct).ConfigureAwait(false);
        }
        _dropped.Clear();
    }

    /// <summary>Events overlapping [since, ∞) matching the filter, newest first.</summary>
    public async Task<IReadOnlyList<AnomalyEvent>> ListAsync(Func<AnomalyEvent, bool> filter, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await RestoreOnceAsync(ct).ConfigureAwait(false);
            return _events.Values.Where(filter).OrderByDescending(e => e.Start).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Marks an event as a false positive: the series' detector is desensitised and saved, the event persisted.</summary>
    public async Task<FalsePositiveResult> MarkFalsePositiveAsync(string id, string actor, DateTimeOffset now, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await RestoreOnceAsync(ct).ConfigureAwait(false);
            if (!_events.TryGetValue(id, out var e))
            {
                return new FalsePositiveResult(FalsePositiveOutcome.NotFound, null);
            }
            if (e.FalsePositive)
            {
                return new FalsePositiveResult(FalsePositiveOutcome.AlreadyMarked, e);
            }
            var peak = new AnomalyResult(e.PeakAt, e.PeakValue, e.PeakScore, e.Reason);
            if (e.Metric == AnomalyEvent.MultivariateMetric)
            {
                if (_multi.TryGetValue(e.Host, out var m))
                {
                    m.Detector.MarkFalsePositive(peak);
                    await _store.State.PutAsync(_tenant, MultiStateKind, e.Host, SaveMulti(m), now, ct).ConfigureAwait(false);
                }
            }
            else
            {
                var tracked = _detectors.FirstOrDefault(p => p.Key.ToString() == e.Series);
                if (tracked.Value is { } t)
                {
                    t.Detector.MarkFalsePositive(peak);
                    await _store.State.PutAsync(_tenant, StateKind, e.Series, Save(t), now, ct).ConfigureAwait(false);
                    lock (_signalGate)
                    {
                        _signals.Remove(tracked.Key);
                    }
                    _elevated.Remove(e.Series);
                }
            }
            var marked = e with { FalsePositive = true, MarkedBy = actor, MarkedAt = now };
            _events[id] = marked;
            await _store.State.PutAsync(_tenant, EventKind, id, JsonSerializer.Serialize(marked, Json), now, ct).ConfigureAwait(false);
            await _store.State.AuditAsync(_tenant, new AuditEntry(now, actor, "anomaly.false-positive", id,
                string.Create(CultureInfo.InvariantCulture, $"{e.Series} peak {e.PeakScore:F3} at {e.PeakAt:O}")), ct).ConfigureAwait(false);
            return new FalsePositiveResult(FalsePositiveOutcome.Marked, marked);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<RetrainSignal> Pending
    {
        get
        {
            lock (_signalGate)
            {
                return _signals.Values.OrderBy(s => s.At).ToList();
            }
        }
    }

    /// <inheritdoc />
    public bool TryTake(SeriesKey series, [NotNullWhen(true)] out RetrainSignal? signal)
    {
        lock (_signalGate)
        {
            return _signals.Remove(series, out signal);
        }
    }

    /// <summary>Saves every detector's state (one document per series, one per host for the multivariate detectors).</summary>
    public async Task SaveAsync(DateTimeOffset now, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var docs = _detectors.Select(p => new KeyValuePair<string, string>(p.Key.ToString(), Save(p.Value))).ToList();
            await _store.State.PutManyAsync(_tenant, StateKind, docs, now, ct).ConfigureAwait(false);
            var multi = _multi.Select(p => new KeyValuePair<string, string>(p.Key, SaveMulti(p.Value))).ToList();
            await _store.State.PutManyAsync(_tenant, MultiStateKind, multi, now, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string Save(Tracked t) =>
        JsonSerializer.Serialize(new SavedDetector(Convert.ToBase64String(t.Detector.SaveState()), t.Last.ToUnixTimeMilliseconds(), null), Json);

    private static string SaveMulti(MultiTracked m) =>
        JsonSerializer.Serialize(new SavedDetector(Convert.ToBase64String(m.Detector.SaveState()), m.Last.ToUnixTimeMilliseconds(), m.Metrics), Json);

    private async Task RestoreOnceAsync(CancellationToken ct)
    {
        if (_restored)
        {
            return;
        }
        _restored = true;
        var keys = _store.Series.FindSeries(_tenant, []).ToDictionary(k => k.ToString(), StringComparer.Ordinal);
        foreach (var doc in await _store.State.ListAsync(_tenant, StateKind, ct).ConfigureAwait(false))
        {
            var saved = Read(doc.Json);
            if (saved is null || !keys.TryGetValue(doc.Id, out var key))
            {
                continue;
            }
            try
            {
                // a state saved by another detector kind (e.g. before the default changed) is replaced by a fresh
                // detector of the configured kind, which relearns; samples already scored are not scored again
                var restored = AnomalyDetectors.Restore(Convert.FromBase64String(saved.State));
                _detectors[key] = new Tracked(restored.Name == _detector ? restored : AnomalyDetectors.Create(_detector), DateTimeOffset.FromUnixTimeMilliseconds(saved.LastMs));
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidDataException)
            {
                // A state from an incompatible version is dropped; the detector relearns.
            }
        }
        foreach (var doc in await _store.State.ListAsync(_tenant, MultiStateKind, ct).ConfigureAwait(false))
        {
            var saved = Read(doc.Json);
            if (saved?.Metrics is null)
            {
                continue;
            }
            try
            {
                _multi[doc.Id] = new MultiTracked(AnomalyDetectors.RestoreMultivariate(Convert.FromBase64String(saved.State)), saved.Metrics,
                    DateTimeOffset.FromUnixTimeMilliseconds(saved.LastMs));
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidDataException)
            {
                // as above
            }
        }
        foreach (var doc in await _store.State.ListAsync(_tenant, EventKind, ct).ConfigureAwait(false))
        {
            AnomalyEvent? e;
            try
            {
                e = JsonSerializer.Deserialize<AnomalyEvent>(doc.Json, Json);
            }
            catch (JsonException)
            {
                continue;
            }
            if (e is not null && e.Id == doc.Id)
            {
                _events[e.Id] = e;
                if (!_openEvent.TryGetValue(e.Series, out var latest) || _events[latest].Start < e.Start)
                {
                    _openEvent[e.Series] = e.Id;
                }
            }
        }
    }

    private static SavedDetector? Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<SavedDetector>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class Tracked(IAnomalyDetector detector, DateTimeOffset last)
    {
        public IAnomalyDetector Detector { get; } = detector;

        public DateTimeOffset Last { get; set; } = last;
    }

    private sealed class MultiTracked(IMultivariateAnomalyDetector detector, string metrics, DateTimeOffset last)
    {
        public IMultivariateAnomalyDetector Detector { get; } = detector;

        public string Metrics { get; } = metrics;

        public DateTimeOffset Last { get; set; } = last;
    }

    private sealed record SavedDetector(string State, long LastMs, string? Metrics);
}
