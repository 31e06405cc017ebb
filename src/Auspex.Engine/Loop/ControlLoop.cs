using System.Diagnostics;
using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Scoring;
using Auspex.Storage;

namespace Auspex.Engine.Loop;

/// <summary>The results of one tick, kept in memory for placement decisions.</summary>
public sealed record LoopResults(DateTimeOffset At, Topology Topology, IReadOnlyList<HostForecast> Forecasts, IReadOnlyList<Core.Scores.LocalityScore> Scores)
{
    /// <summary>The whole scoring report of the tick (every part's inputs, component health), or null when not kept.</summary>
    public ScoringReport? Report { get; init; }

    /// <summary>
    /// Forecasts of the tick's component-level demand series (a metric of <see cref="EngineOptions.ComponentMetrics"/>
    /// labelled <c>component</c>), which the scaling stage prefers to host CPU shares. Empty when none are ingested.
    /// </summary>
    public IReadOnlyList<Forecast> ComponentForecasts { get; init; } = [];
}

/// <summary>
/// Seed 002's main loop on a <see cref="TimeProvider"/>: every <see cref="EngineOptions.Interval"/> it tops up each
/// host series from the store, forecasts it, scores every locality and stores both. The same code runs live, in the
/// demo on an accelerated clock, and in tests on a fake clock.
/// </summary>
public sealed class ControlLoop
{
    private readonly EmbeddedStore _store;
    private readonly TimeProvider _clock;
    private readonly EngineOptions _options;
    private readonly LocalityScorer _scorer;
    private readonly ForecastStage _forecast;
    private readonly Func<Topology> _topology;
    private readonly SeriesWindowCache _cache;
    private readonly SeriesWindowCache? _components;
    private readonly AnomalyStage _anomalies;
    private readonly object _gate = new();
    private DateTimeOffset _lastMaintenance = DateTimeOffset.MinValue;
    private TickReport? _last;
    private LoopResults? _latest;
    private long _ticks;
    private long _failures;

    /// <summary>Creates the loop for one tenant. <paramref name="topology"/> is read at every tick, so updates take effect.</summary>
    public ControlLoop(EmbeddedStore store, Func<Topology> topology, TimeProvider clock, EngineOptions options, ScoringOptions? scoring = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _store = store;
        _topology = topology;
        _clock = clock ?? TimeProvider.System;
        _options = options;
        _scorer = new LocalityScorer(scoring);
        _forecast = new ForecastStage(options, _clock);
        Tenant = topology().Tenant;
        _cache = new SeriesWindowCache(store.Series, Tenant,
            [new LabelMatcher("__name__", LabelMatchType.Regex, "auspex_host_.*"), new LabelMatcher("host", LabelMatchType.NotEqual, "")],
            options.History);
        if (options.ComponentMetrics.Count > 0)
        {
            // Component-level demand series (request rates, CPU used by all replicas…), forecast for the scaling stage.
            var names = string.Join("|", options.ComponentMetrics.Select(System.Text.RegularExpressions.Regex.Escape));
            _components = new SeriesWindowCache(store.Series, Tenant,
                [new LabelMatcher("__name__", LabelMatchType.Regex, names), new LabelMatcher("component", LabelMatchType.NotEqual, "")],
                options.History);
        }
        _anomalies = new AnomalyStage(store, Tenant, options.AnomalyDetector, options.Interval * 12);
        _forecast.RetrainSignals = _anomalies;
        Anomalies = new Anomalies.AnomalyService(_anomalies, topology, _clock);
    }

    /// <summary>The anomaly events of this loop (list, mark false positives, subscribe) and its retraining signals.</summary>
    public Anomalies.AnomalyService Anomalies { get; }

    /// <summary>Series the anomaly stage flagged for forecast retraining (the forecast stage takes them).</summary>
    public Anomalies.IRetrainSignals RetrainSignals => _anomalies;

    /// <summary>The tenant this loop serves.</summary>
    public TenantId Tenant { get; }

    /// <summary>The loop's clock.</summary>
    public TimeProvider Clock => _clock;

    /// <summary>The options in force.</summary>
    public EngineOptions Options => _options;

    /// <summary>The last tick, or null before the first.</summary>
    public TickReport? LastTick
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>The last successful tick's host forecasts and locality scores (what placement decides on), or null.</summary>
    public LoopResults? Latest
    {
        get
        {
            lock (_gate)
            {
                return _latest;
            }
        }
    }

    /// <summary>Each series' forecasting model, its cross-validation table and retraining state (docs/forecasting.md).</summary>
    public Auspex.Forecasting.Live.LiveForecaster ForecastModels => _forecast.Models;

    /// <summary>Ticks completed.</summary>
    public long Ticks => Interlocked.Read(ref _ticks);

    /// <summary>Ticks that failed.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Raised after every tick (on the loop's thread).</summary>
    public event Action<TickReport>? Ticked;

    /// <summary>Called before each tick with the tick's time (the demo feeds replayed samples here).</summary>
    public Func<DateTimeOffset, CancellationToken, Task>? BeforeTick { get; set; }

    /// <summary>
    /// Called after each successful tick's forecasts and scores are published, with them (the scaling stage acts
    /// here). Its time is reported as the tick's <c>scale</c> stage.
    /// </summary>
    public Func<LoopResults, CancellationToken, Task>? AfterTick { get; set; }

    /// <summary>Ticks now, then at every interval boundary of the clock until cancelled. A tick that overruns skips the boundaries it missed.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await TickAsync(cancellationToken).ConfigureAwait(false);
            var now = _clock.GetUtcNow();
            var interval = _options.Interval.Ticks;
            var next = new DateTimeOffset((now.UtcTicks / interval + 1) * interval, TimeSpan.Zero);
            try
            {
                await Task.Delay(next - now, _clock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Runs one tick at the clock's current time.</summary>
    public async Task<TickReport> TickAsync(CancellationToken cancellationToken = default)
    {
        var now = _clock.GetUtcNow();
        var sw = Stopwatch.StartNew();
        TickReport report;
        var stages = new Dictionary<string, double>();
        var mark = sw.Elapsed;
        void Stage(string name)
        {
            stages[name] = (sw.Elapsed - mark).TotalMilliseconds;
            mark = sw.Elapsed;
        }
        try
        {
            if (BeforeTick is { } before)
            {
                await before(now, cancellationToken).ConfigureAwait(false);
            }
            Stage("replay");
            await _cache.RefreshAsync(now, cancellationToken).ConfigureAwait(false);
            if (_components is not null)
            {
                await _components.RefreshAsync(now, cancellationToken).ConfigureAwait(false);
            }
            Stage("refresh");
            var topology = _topology();
            var windows = _cache.Windows.Where(w => w.Value.Count > 0).ToList();
            var anomalyByHost = await _anomalies.ScoreAsync(windows, topology, now, cancellationToken).ConfigureAwait(false);
            Stage("anomalies");
            await _forecast.RestoreOnceAsync(_store.Models, Tenant, cancellationToken).ConfigureAwait(false);
            var forecasts = new Forecast?[windows.Count];
            Parallel.For(0, windows.Count, new ParallelOptions { CancellationToken = cancellationToken },
                i => forecasts[i] = _forecast.ForecastOne(windows[i].Key, windows[i].Value, now));
            var componentWindows = _components?.Windows.Where(w => w.Value.Count > 0).ToList() ?? [];
            var componentForecasts = new Forecast?[componentWindows.Count];
            Parallel.For(0, componentWindows.Count, new ParallelOptions { CancellationToken = cancellationToken },
                i => componentForecasts[i] = _forecast.ForecastOne(componentWindows[i].Key, componentWindows[i].Value, now));
            var madeComponents = componentForecasts.OfType<Forecast>().ToList();
            var made = forecasts.OfType<Forecast>().Concat(madeComponents).ToList();
            Stage("forecast");
            // Selections run on background workers; those that landed since the last tick are persisted here.
            await _forecast.PersistAsync(_store.Models, Tenant, cancellationToken).ConfigureAwait(false);
            Stage("store_models");
            await _store.Results.SaveForecastsAsync(Tenant, made, cancellationToken).ConfigureAwait(false);
            Stage("store_forecasts");
            var hostForecasts = forecasts.OfType<Forecast>()
                .Where(f => f.Series.Labels["host"] is not null && ResourceKinds.TryFromMetric(f.Series.Metric, out _))
                .Select(f =>
                {
                    ResourceKinds.TryFromMetric(f.Series.Metric, out var kind);
                    return new HostForecast(f.Series.Labels["host"]!, kind, f);
                }).ToList();
            var scoring = _scorer.Assess(topology, hostForecasts, now, new ScoringContext { AnomalyScores = anomalyByHost });
            var scores = scoring.Scores;
            Stage("score");
            await _store.Results.SaveScoresAsync(Tenant, scores, cancellationToken).ConfigureAwait(false);
            Stage("store_scores");
            var results = new LoopResults(now, topology, hostForecasts, scores) { Report = scoring, ComponentForecasts = madeComponents };
            lock (_gate)
            {
                _latest = results;
            }
            if (AfterTick is { } after)
            {
                await after(results, cancellationToken).ConfigureAwait(false);
                Stage("scale");
            }
            if (now - _lastMaintenance >= _options.MaintenanceEvery)
            {
                _lastMaintenance = now;
                await _store.Series.RollupAsync(now, cancellationToken).ConfigureAwait(false);
                Stage("rollup");
                await _store.Series.ApplyRetentionAsync(now, cancellationToken).ConfigureAwait(false);
                Stage("retention");
                await _anomalies.SaveAsync(now, cancellationToken).ConfigureAwait(false);
                Stage("save_detectors");
            }
            Stage("maintenance");
            report = new TickReport(now, windows.Count + componentWindows.Count, made.Count, scores.Count, sw.Elapsed, null, stages);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failed tick is reported and counted; the loop goes on at the next interval.
            Interlocked.Increment(ref _failures);
            report = new TickReport(now, 0, 0, 0, sw.Elapsed, e.GetType().Name + ": " + e.Message);
        }
        lock (_gate)
        {
            _last = report;
        }
        Interlocked.Increment(ref _ticks);
        Ticked?.Invoke(report);
        return report;
    }
}
