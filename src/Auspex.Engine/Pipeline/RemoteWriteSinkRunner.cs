using System.Threading.Channels;
using Auspex.Core.Forecasts;
using Auspex.Core.Series;
using Auspex.Engine.Configuration;
using Auspex.Engine.Loop;
using Auspex.Ingestion.Sink;
using Auspex.Storage;

namespace Auspex.Engine.Pipeline;

/// <summary>
/// After every successful tick of the loop, pushes its results to a remote_write receiver as ordinary series:
/// forecast steps whose time has come (<c>metric:predicted</c>, mean and each quantile), the look-ahead series
/// (<c>metric:predicted{auspex_horizon=…}</c>, stamped at the tick), the anomaly scores written since the last push,
/// and locality scores (<c>auspex_locality_desirability</c>, <c>auspex_locality_score_part</c>) — the names /metrics
/// uses. Samples are stamped with the loop's clock; those older than <see cref="RemoteWriteSinkSettings.MaxSampleAge"/>
/// are left out. A push that fails after the client's retries is counted and its window is tried again at the next
/// tick (within the age limit); a push the receiver refuses (4xx) is dropped, since resending it would fail again.
/// </summary>
internal sealed class RemoteWriteSinkRunner
{
    internal const string DesirabilityMetric = "auspex_locality_desirability";
    internal const string ScorePartMetric = "auspex_locality_score_part";
    private readonly RemoteWriteSinkSettings _settings;
    private readonly RemoteWriteClient _client;
    private readonly ControlLoop _loop;
    private readonly EmbeddedStore _store;
    private readonly Channel<TickReport> _ticks = Channel.CreateBounded<TickReport>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly object _gate = new();
    private IReadOnlyList<Forecast> _previous = [];
    private DateTimeOffset? _lastPush;
    private string? _lastError;
    private long _requests;
    private long _samples;
    private long _failures;

    public RemoteWriteSinkRunner(RemoteWriteSinkSettings settings, HttpClient http, ControlLoop loop, EmbeddedStore store, TimeProvider wall)
    {
        _settings = settings;
        _client = new RemoteWriteClient(http, settings.Client, wall);
        _loop = loop;
        _store = store;
        loop.Ticked += report => _ticks.Writer.TryWrite(report);
    }

    public string Describe() =>
        $"remote_write {_settings.Name}: {MetricsPipeline.Redact(_settings.Client.Url)} after every tick (forecasts {(_settings.Forecasts ? "on" : "off")}, anomaly scores {(_settings.AnomalyScores ? "on" : "off")}, locality scores {(_settings.LocalityScores ? "on" : "off")})";

    public SinkStatus Status()
    {
        lock (_gate)
        {
            return new SinkStatus(_settings.Name, MetricsPipeline.Redact(_settings.Client.Url), _lastPush, Interlocked.Read(ref _requests), Interlocked.Read(ref _samples), Interlocked.Read(ref _failures), _lastError);
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var tick in _ticks.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (tick.Error is null && _loop.Latest is { } latest)
                {
                    await PushAsync(latest, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Builds and sends one tick's series; returns what was sent (empty when nothing was due).</summary>
    public async Task<IReadOnlyList<SeriesData>> PushAsync(LoopResults latest, CancellationToken ct)
    {
        var now = latest.At;
        var oldest = now - _settings.MaxSampleAge;
        DateTimeOffset? last;
        lock (_gate)
        {
            last = _lastPush;
        }
        var after = last is { } l && l > oldest ? l : oldest;
        if (last is { } prev && now <= prev)
        {
            return []; // the loop clock did not move on (a replay restarted); nothing new to send
        }
        var series = new List<SeriesData>();
        var forecasts = latest.Forecasts.Select(f => f.Forecast).ToList();
        if (_settings.Forecasts)
        {
            foreach (var f in _previous)
            {
                foreach (var s in ForecastSeries.Predicted(f, notAfter: now))
                {
                    var due = s.Samples.Where(p => p.At > after).ToArray();
                    if (due.Length > 0)
                    {
                        series.Add(new SeriesData(s.Key, due));
                    }
                }
            }
            foreach (var h in _settings.Ahead)
            {
                series.AddRange(forecasts.SelectMany(f => ForecastSeries.Ahead(f, h)).Where(s => s.Samples.Count > 0 && s.Samples[0].At > after));
            }
        }
        if (_settings.AnomalyScores)
        {
            var scores = await _store.Series.ReadAsync(_loop.Tenant, [new LabelMatcher("__name__", LabelMatchType.Equal, AnomalyStage.MetricName)],
                new TimeRange(after + TimeSpan.FromMilliseconds(1), now + TimeSpan.FromMilliseconds(1)), Resolution.Raw, ct).ConfigureAwait(false);
            series.AddRange(scores.Where(s => s.Samples.Count > 0));
        }
        if (_settings.LocalityScores)
        {
            var kinds = latest.Topology.Localities.ToDictionary(x => x.Id, x => x.KindName, StringComparer.Ordinal);
            foreach (var score in latest.Scores)
            {
                var labels = Labels.Of("kind", kinds.GetValueOrDefault(score.Locality, "unknown"), "locality", score.Locality);
                series.Add(new SeriesData(new SeriesKey(DesirabilityMetric, labels), [new Sample(now, score.Desirability)]));
                foreach (var (part, value) in score.Parts)
                {
                    series.Add(new SeriesData(new SeriesKey(ScorePartMetric, Labels.Of("locality", score.Locality, "part", part)), [new Sample(now, value.Value)]));
                }
            }
        }
        series = series.Where(s => s.Samples.All(p => double.IsFinite(p.Value))).ToList();
        _previous = forecasts;
        if (series.Count == 0)
        {
            lock (_gate)
            {
                _lastPush = now;
            }
            return series;
        }
        try
        {
            var sent = await _client.WriteAsync(series, ct).ConfigureAwait(false);
            Interlocked.Add(ref _requests, sent.Requests);
            Interlocked.Add(ref _samples, sent.Samples);
            lock (_gate)
            {
                _lastPush = now;
                _lastError = null;
            }
        }
        catch (RemoteWriteException e)
        {
            Interlocked.Increment(ref _failures);
            lock (_gate)
            {
                _lastError = e.Message;
                if (e.IsPermanent)
                {
                    _lastPush = now;
                }
            }
        }
        return series;
    }
}
