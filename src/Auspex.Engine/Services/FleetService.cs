using System.Globalization;
using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Core.Series;
using Auspex.Engine.Loop;
using Auspex.Storage;

namespace Auspex.Engine.Services;

/// <summary>Read-side application service: localities with scores, series, forecasts. HTTP and CLI call this.</summary>
public sealed class FleetService(EmbeddedStore store, TopologyHolder topology, ControlLoop loop)
{
    /// <summary>The tenant served.</summary>
    public TenantId Tenant => loop.Tenant;

    /// <summary>Every locality, parents first, each with its latest score.</summary>
    public async Task<IReadOnlyList<LocalityView>> LocalitiesAsync(CancellationToken ct = default)
    {
        var scores = (await store.Results.LatestScoresAsync(Tenant, ct).ConfigureAwait(false)).ToDictionary(s => s.Locality, StringComparer.Ordinal);
        return topology.Current.Localities.Select(l => View(l, scores.GetValueOrDefault(l.Id))).ToList();
    }

    /// <summary>One locality, or null for an unknown id.</summary>
    public async Task<LocalityView?> LocalityAsync(string id, CancellationToken ct = default)
    {
        var l = topology.Current.Find(id);
        if (l is null)
        {
            return null;
        }
        var scores = await store.Results.LatestScoresAsync(Tenant, ct).ConfigureAwait(false);
        return View(l, scores.FirstOrDefault(s => s.Locality == id));
    }

    /// <summary>A locality's score history over <paramref name="range"/>, or null for an unknown id.</summary>
    public async Task<IReadOnlyList<ScoreView>?> ScoreHistoryAsync(string id, TimeRange range, CancellationToken ct = default)
    {
        if (topology.Current.Find(id) is null)
        {
            return null;
        }
        var h = await store.Results.ScoreHistoryAsync(Tenant, id, range, ct).ConfigureAwait(false);
        return h.Select(ToView).ToList();
    }

    /// <summary>The keys of the series matching every matcher.</summary>
    public IReadOnlyList<SeriesView> Series(IReadOnlyList<LabelMatcher> matchers) =>
        store.Series.FindSeries(Tenant, matchers).Select(k => new SeriesView(k.ToString(), k.Metric, k.Labels.ToDictionary(p => p.Key, p => p.Value))).ToList();

    /// <summary>Samples of matching series in a range.</summary>
    public async Task<IReadOnlyList<SeriesPointsView>> ReadAsync(IReadOnlyList<LabelMatcher> matchers, TimeRange range, Resolution resolution, CancellationToken ct = default)
    {
        var data = await store.Series.ReadAsync(Tenant, matchers, range, resolution, ct).ConfigureAwait(false);
        return data.Select(s => new SeriesPointsView(s.Key.ToString(), s.Key.Metric, s.Key.Labels.ToDictionary(p => p.Key, p => p.Value),
            s.Samples.Select(p => new[] { p.At.ToUnixTimeMilliseconds(), p.Value }).ToList())).ToList();
    }

    /// <summary>The latest forecast of each matching series.</summary>
    public async Task<IReadOnlyList<ForecastView>> ForecastsAsync(IReadOnlyList<LabelMatcher> matchers, CancellationToken ct = default)
    {
        var list = new List<ForecastView>();
        foreach (var key in store.Series.FindSeries(Tenant, matchers))
        {
            var f = await store.Results.LatestForecastAsync(Tenant, key, ct).ConfigureAwait(false);
            if (f is null)
            {
                continue;
            }
            list.Add(new ForecastView(key.ToString(), f.Model, f.IssuedAt, f.Step.TotalSeconds,
                f.Points.Select(p => new ForecastPointView(p.At, p.Mean,
                    f.Levels.Select((lv, i) => (lv, i)).ToDictionary(x => x.lv.ToString("0.###", CultureInfo.InvariantCulture), x => p.Quantiles[x.i]))).ToList()));
        }
        return list;
    }

    /// <summary>The loop's status.</summary>
    public LoopStatusView Status()
    {
        var last = loop.LastTick;
        return new LoopStatusView(loop.Clock.GetUtcNow(), loop.Ticks, loop.Failures, last?.At, last?.Elapsed.TotalMilliseconds,
            last?.Forecasts ?? 0, last?.Scored ?? 0, last?.Error, loop.Options.Interval.TotalSeconds)
        {
            ModelSelection = Selection(loop.ForecastModels.SelectionQueue),
        };
    }

    private static ModelSelectionStatusView Selection(Auspex.Forecasting.Live.SelectionQueueStatus q) =>
        new(q.Workers, q.Queued, q.Running, q.Completed, q.Failed, q.Restored, q.LastSeries, q.LastDuration?.TotalMilliseconds, q.LastCompletedAt);

    /// <summary>Latest scores as stored (for /metrics).</summary>
    public Task<IReadOnlyList<LocalityScore>> LatestScoresAsync(CancellationToken ct = default) => store.Results.LatestScoresAsync(Tenant, ct);

    private static LocalityView View(Core.Topology.Locality l, LocalityScore? s) =>
        new(l.Id, l.KindName, l.Parent, l.Tier,
            l.Capacity.Values.ToDictionary(p => p.Key.Key(), p => p.Value),
            l.Labels.ToDictionary(p => p.Key, p => p.Value),
            s is null ? null : ToView(s));

    private static ScoreView ToView(LocalityScore s) =>
        new(s.Desirability,
            s.Parts.ToDictionary(p => p.Key, p => p.Value.Value),
            s.Parts.ToDictionary(p => p.Key, p => p.Value.Weight),
            s.Parts.ToDictionary(p => p.Key, p => p.Value.Explanation),
            s.At);
}
