using System.Globalization;
using System.Text.Json;
using Auspex.Core.Series;
using Auspex.Engine.Configuration;
using Auspex.Engine.Services;
using Auspex.Ingestion.PrometheusApi;
using Auspex.Storage;

namespace Auspex.Engine.Pipeline;

/// <summary>
/// Reads a Prometheus source into the store, the way KRR reads the Prometheus a user already runs: the first read of a
/// query covers the backfill (default the loop's history), later reads the range since the previous one, each through
/// <c>query_range</c> (chunked, retried with backoff, step chosen from the range unless fixed). The evaluation instants
/// are aligned to the step, so consecutive reads neither overlap nor leave gaps. How far each query has been read is
/// kept in the state store, so a restart resumes instead of reading the backfill again.
/// </summary>
internal sealed class PrometheusSourceRunner
{
    private const string StateKind = "prometheus-source";
    private readonly PrometheusSourceSettings _settings;
    private readonly PrometheusQueryClient _client;
    private readonly IngestService _ingest;
    private readonly EmbeddedStore _store;
    private readonly TenantId _tenant;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _backfill;
    private readonly Dictionary<int, DateTimeOffset> _readUpTo = [];
    private readonly object _gate = new();
    private DateTimeOffset? _lastRead;
    private string? _lastError;
    private long _requests;
    private long _samples;

    public PrometheusSourceRunner(PrometheusSourceSettings settings, HttpClient http, IngestService ingest, EmbeddedStore store, TenantId tenant, TimeProvider clock, EngineOptions engine)
    {
        _settings = settings;
        _client = new PrometheusQueryClient(http, settings.Client, clock);
        _ingest = ingest;
        _store = store;
        _tenant = tenant;
        _clock = clock;
        _interval = settings.Interval ?? engine.Interval;
        _backfill = settings.Backfill ?? engine.History;
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"source {_settings.Name}: {_settings.Queries.Count} queries from {MetricsPipeline.Redact(_settings.Client.BaseUrl)} every {Auspex.Ingestion.Sink.ForecastSeries.Duration(_interval)}, backfill {Auspex.Ingestion.Sink.ForecastSeries.Duration(_backfill)}");

    public SourceStatus Status()
    {
        lock (_gate)
        {
            DateTimeOffset? upTo = _readUpTo.Count == _settings.Queries.Count && _readUpTo.Count > 0 ? _readUpTo.Values.Min() : null;
            return new SourceStatus(_settings.Name, MetricsPipeline.Redact(_settings.Client.BaseUrl), _lastRead, upTo, Interlocked.Read(ref _requests), Interlocked.Read(ref _samples), _lastError);
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await ReadOnceAsync(ct).ConfigureAwait(false);
                await Task.Delay(_interval, _clock, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reads every query from where it stopped up to now; a failing query is reported and retried next time.</summary>
    public async Task ReadOnceAsync(CancellationToken ct)
    {
        var errors = new List<string>();
        for (var i = 0; i < _settings.Queries.Count; i++)
        {
            var q = _settings.Queries[i];
            try
            {
                var error = await ReadQueryAsync(i, q, ct).ConfigureAwait(false);
                if (error is not null)
                {
                    errors.Add(error);
                }
            }
            catch (PrometheusApiException e)
            {
                errors.Add(e.Message);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or ArgumentException or KeyNotFoundException)
            {
                errors.Add($"query '{q.Query}': {e.Message}");
            }
        }
        lock (_gate)
        {
            _lastRead = _clock.GetUtcNow();
            _lastError = errors.Count == 0 ? null : string.Join("; ", errors);
        }
    }

    private async Task<string?> ReadQueryAsync(int index, SourceQuery q, CancellationToken ct)
    {
        var stateId = string.Create(CultureInfo.InvariantCulture, $"{_settings.Name}/{index}/{q.Query}");
        DateTimeOffset? from;
        lock (_gate)
        {
            from = _readUpTo.TryGetValue(index, out var f) ? f : null;
        }
        if (from is null && await _store.State.GetAsync(_tenant, StateKind, stateId, ct).ConfigureAwait(false) is { } saved)
        {
            from = DateTimeOffset.FromUnixTimeMilliseconds(JsonSerializer.Deserialize<long>(saved));
        }
        var now = _clock.GetUtcNow();
        var start = from ?? now - _backfill;
        if (start < now - _backfill)
        {
            start = now - _backfill; // down longer than the backfill: the gap beyond it is not read
        }
        var step = _settings.Step ?? QueryPlan.ChooseStep(now - start, _settings.Client.MinStep, _settings.Client.TargetPoints);
        var alignedStart = Align(start, step, up: true);
        var end = Align(now, step, up: false); // exclusive: the last instant read is end - step, complete by now
        if (end <= alignedStart)
        {
            return null;
        }
        var result = await _client.QueryRangeAsync(q.Query, new TimeRange(alignedStart, end), step, q.Metric ?? "query_result", ct).ConfigureAwait(false);
        Interlocked.Add(ref _requests, result.Requests);
        var mapped = result.Series.Select(s => new SeriesData(Map(s.Key, q), s.Samples)).ToList();
        foreach (var batch in Batches(mapped, 200_000))
        {
            var stored = await _ingest.AppendAsync(_tenant, batch, ct).ConfigureAwait(false);
            for (var attempt = 0; stored.Overloaded && attempt < 20; attempt++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), _clock, ct).ConfigureAwait(false);
                stored = await _ingest.AppendAsync(_tenant, batch, ct).ConfigureAwait(false);
            }
            if (!stored.Ok)
            {
                // Not advanced: the same range is read again next time (the store keeps one value per timestamp).
                return stored.Overloaded
                    ? $"query '{q.Query}': the store stayed busy; the range is read again next time"
                    : $"query '{q.Query}': storing failed: {string.Join("; ", stored.Errors)}";
            }
            Interlocked.Add(ref _samples, stored.Accepted);
        }
        lock (_gate)
        {
            _readUpTo[index] = end;
        }
        await _store.State.PutAsync(_tenant, StateKind, stateId, JsonSerializer.Serialize(end.ToUnixTimeMilliseconds()), now, ct).ConfigureAwait(false);
        return result.Warnings.Count == 0 ? null : $"query '{q.Query}': Prometheus warned: {string.Join("; ", result.Warnings)}";
    }

    /// <summary>Renames the metric and copies the host label (without a :port suffix) to <c>host</c>, as configured.</summary>
    internal static SeriesKey Map(SeriesKey key, SourceQuery q)
    {
        var labels = key.Labels;
        if (q.HostLabel is { } hl && labels[hl] is { Length: > 0 } value)
        {
            var colon = value.LastIndexOf(':');
            var host = colon > 0 && !value.EndsWith(']') && value[(colon + 1)..].All(char.IsAsciiDigit) ? value[..colon] : value;
            labels = labels.With("host", host);
        }
        return new SeriesKey(q.Metric ?? key.Metric, labels);
    }

    private static DateTimeOffset Align(DateTimeOffset t, TimeSpan step, bool up)
    {
        var ms = t.ToUnixTimeMilliseconds();
        var s = (long)step.TotalMilliseconds;
        var down = Math.Floor(ms / (double)s) * s;
        var aligned = up && down < ms ? down + s : down;
        return DateTimeOffset.FromUnixTimeMilliseconds((long)aligned);
    }

    private static IEnumerable<List<SeriesData>> Batches(List<SeriesData> series, int maxSamples)
    {
        var batch = new List<SeriesData>();
        var count = 0;
        foreach (var s in series)
        {
            if (count > 0 && count + s.Samples.Count > maxSamples)
            {
                yield return batch;
                batch = [];
                count = 0;
            }
            batch.Add(s);
            count += s.Samples.Count;
        }
        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
