using Auspex.Anomalies;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Storage;

namespace Auspex.Engine.Loop;

/// <summary>
/// Scores every new sample of every host series with a streaming detector (one per series, the ensemble by default),
/// stores the scores as the series <c>auspex_anomaly_score</c> (the source's labels plus <c>source_metric</c>), and
/// reports each host's highest recent score for the failure-risk part. Samples inside a maintenance window of the
/// host (or its rack, zone, region) are not scored: planned work is not an anomaly. Detector state is saved to the
/// state store periodically and restored on start, so a restart does not forget what was learned.
/// </summary>
internal sealed class AnomalyStage(EmbeddedStore store, TenantId tenant, string detector, TimeSpan recent)
{
    public const string MetricName = "auspex_anomaly_score";
    private const string StateKind = "anomaly-detector";
    private readonly Dictionary<SeriesKey, (IAnomalyDetector Detector, DateTimeOffset Last)> _detectors = [];
    private readonly Dictionary<string, Queue<(DateTimeOffset At, double Score)>> _hostScores = new(StringComparer.Ordinal);
    private bool _restored;

    public async Task<IReadOnlyDictionary<string, double>> ScoreAsync(
        IReadOnlyList<KeyValuePair<SeriesKey, List<Sample>>> windows, Topology topology, DateTimeOffset now, CancellationToken ct)
    {
        if (!_restored)
        {
            _restored = true;
            await RestoreAsync(ct).ConfigureAwait(false);
        }
        await using var app = store.Series.BeginAppend(tenant);
        foreach (var (key, samples) in windows)
        {
            var host = key.Labels["host"];
            if (!_detectors.TryGetValue(key, out var d))
            {
                d = (AnomalyDetectors.Create(detector), DateTimeOffset.MinValue);
            }
            var maintenance = host is null ? [] : topology.MaintenanceOf(host).ToList();
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
                if (host is not null)
                {
                    if (!_hostScores.TryGetValue(host, out var q))
                    {
                        _hostScores[host] = q = new();
                    }
                    q.Enqueue((s.At, r.Score));
                }
            }
            _detectors[key] = d;
        }
        var result = await app.CommitAsync(ct).ConfigureAwait(false);
        if (!result.Ok)
        {
            throw new InvalidOperationException("storing anomaly scores failed: " + string.Join("; ", result.Errors));
        }
        var max = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (host, q) in _hostScores)
        {
            while (q.Count > 0 && q.Peek().At < now - recent)
            {
                q.Dequeue();
            }
            max[host] = q.Count == 0 ? 0 : q.Max(x => x.Score);
        }
        return max;
    }

    /// <summary>Saves every detector's state (one document per series).</summary>
    public async Task SaveAsync(DateTimeOffset now, CancellationToken ct)
    {
        var docs = _detectors.Select(p => new KeyValuePair<string, string>(p.Key.ToString(),
            System.Text.Json.JsonSerializer.Serialize(new SavedDetector(Convert.ToBase64String(p.Value.Detector.SaveState()), p.Value.Last.ToUnixTimeMilliseconds())))).ToList();
        await store.State.PutManyAsync(tenant, StateKind, docs, now, ct).ConfigureAwait(false);
    }

    private async Task RestoreAsync(CancellationToken ct)
    {
        foreach (var doc in await store.State.ListAsync(tenant, StateKind, ct).ConfigureAwait(false))
        {
            var saved = System.Text.Json.JsonSerializer.Deserialize<SavedDetector>(doc.Json);
            var key = store.Series.FindSeries(tenant, []).FirstOrDefault(k => k.ToString() == doc.Id);
            if (saved is null || key.Metric is null)
            {
                continue;
            }
            try
            {
                _detectors[key] = (AnomalyDetectors.Restore(Convert.FromBase64String(saved.State)), DateTimeOffset.FromUnixTimeMilliseconds(saved.LastMs));
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidDataException)
            {
                // A state from an incompatible version is dropped; the detector relearns.
            }
        }
    }

    private sealed record SavedDetector(string State, long LastMs);
}
