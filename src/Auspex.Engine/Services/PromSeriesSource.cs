using Auspex.Core.Forecasts;
using Auspex.Core.Series;
using Auspex.Ingestion.Sink;
using Auspex.Storage;
using Auspex.Storage.PromQl;

namespace Auspex.Engine.Services;

/// <summary>
/// What the Prometheus-compatible API reads for one tenant: the stored raw series (including the anomaly stage's
/// <c>auspex_anomaly_score</c>), plus the loop's results as ordinary series under the names /metrics uses —
/// <c>auspex_locality_desirability{locality,kind}</c> and <c>auspex_locality_score_part{locality,part}</c> from the stored
/// score history, and <c>&lt;metric&gt;:predicted{…}</c> (mean) and <c>&lt;metric&gt;:predicted{…,quantile}</c> from each series'
/// latest stored forecast (at the forecast's own, future, timestamps). Forecast series are looked up only for selectors
/// with a <c>__name__</c> matcher, since each costs a read of the series' latest forecast.
/// </summary>
public sealed class PromSeriesSource(EmbeddedStore store, TenantId tenant, Func<string, string?>? localityKind = null) : IPromRollupSource
{
    /// <summary>The desirability series' name (as on /metrics).</summary>
    public const string Desirability = "auspex_locality_desirability";

    /// <summary>The score parts' series name (as on /metrics).</summary>
    public const string ScorePart = "auspex_locality_score_part";

    private readonly StoreSeriesSource _raw = new(store.Series, tenant);

    /// <inheritdoc />
    public async Task<IReadOnlyList<SeriesKey>> FindSeriesAsync(IReadOnlyList<LabelMatcher> matchers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var keys = new List<SeriesKey>(await _raw.FindSeriesAsync(matchers, cancellationToken).ConfigureAwait(false));
        foreach (var (key, _) in await ScoreSeriesAsync(matchers, null, cancellationToken).ConfigureAwait(false))
        {
            keys.Add(key);
        }
        foreach (var f in await ForecastsAsync(matchers, cancellationToken).ConfigureAwait(false))
        {
            keys.AddRange(ForecastSeries.Predicted(f).Select(s => s.Key).Where(k => matchers.All(m => m.Matches(k))));
        }
        return keys;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SeriesData>> ReadAsync(IReadOnlyList<LabelMatcher> matchers, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var data = new List<SeriesData>(await _raw.ReadAsync(matchers, from, to, cancellationToken).ConfigureAwait(false));
        data.AddRange(await DerivedAsync(matchers, from, to, cancellationToken).ConfigureAwait(false));
        return data;
    }

    /// <inheritdoc />
    /// <remarks>Stored series come from the store's rollups; score and forecast series have none and are evaluated from their samples.</remarks>
    public async Task<IReadOnlyList<RollupSeries>> ReadRollupsAsync(
        IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, TimeSpan width, long pointStartMs, long pointStepMs, long rawLookbackMs,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var data = new List<RollupSeries>(await _raw.ReadRollupsAsync(matchers, fromMs, toMs, width, pointStartMs, pointStepMs, rawLookbackMs, cancellationToken).ConfigureAwait(false));
        var derived = await DerivedAsync(matchers, DateTimeOffset.FromUnixTimeMilliseconds(fromMs), DateTimeOffset.FromUnixTimeMilliseconds(toMs), cancellationToken).ConfigureAwait(false);
        data.AddRange(derived.Select(d => d.AsRawOnly()));
        return data;
    }

    /// <summary>The score and forecast series matching <paramref name="matchers"/>, with their samples in [from, to].</summary>
    private async Task<List<SeriesData>> DerivedAsync(IReadOnlyList<LabelMatcher> matchers, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var data = new List<SeriesData>();
        foreach (var (key, samples) in await ScoreSeriesAsync(matchers, new TimeRange(from, to.AddMilliseconds(1)), cancellationToken).ConfigureAwait(false))
        {
            if (samples.Count > 0)
            {
                data.Add(new SeriesData(key, samples));
            }
        }
        foreach (var f in await ForecastsAsync(matchers, cancellationToken).ConfigureAwait(false))
        {
            foreach (var s in ForecastSeries.Predicted(f).Where(s => matchers.All(m => m.Matches(s.Key))))
            {
                var inRange = s.Samples.Where(p => p.At >= from && p.At <= to).ToList();
                if (inRange.Count > 0)
                {
                    data.Add(new SeriesData(s.Key, inRange));
                }
            }
        }
        return data;
    }

    private static bool NameMayMatch(IReadOnlyList<LabelMatcher> matchers, Func<string, bool> name) =>
        matchers.Where(m => m.Name == "__name__").All(m => name(m.Value) || m.Type != LabelMatchType.Equal);

    private static bool NameMatches(IReadOnlyList<LabelMatcher> matchers, string metric) =>
        matchers.Where(m => m.Name == "__name__").All(m => m.Matches(new SeriesKey(metric, Labels.Empty)));

    /// <summary>Score series whose keys match; with a range, their samples in it (else empty lists).</summary>
    private async Task<List<(SeriesKey Key, List<Sample> Samples)>> ScoreSeriesAsync(IReadOnlyList<LabelMatcher> matchers, TimeRange? range, CancellationToken ct)
    {
        var result = new List<(SeriesKey, List<Sample>)>();
        var wantDesirability = NameMatches(matchers, Desirability);
        var wantParts = NameMatches(matchers, ScorePart);
        if (!wantDesirability && !wantParts)
        {
            return result;
        }
        foreach (var latest in await store.Results.LatestScoresAsync(tenant, ct).ConfigureAwait(false))
        {
            var kind = localityKind?.Invoke(latest.Locality);
            var dKey = new SeriesKey(Desirability, kind is null ? Labels.Of("locality", latest.Locality) : Labels.Of("locality", latest.Locality, "kind", kind));
            var dWanted = wantDesirability && matchers.All(m => m.Matches(dKey));
            var parts = wantParts
                ? latest.Parts.Keys.Select(p => new SeriesKey(ScorePart, Labels.Of("locality", latest.Locality, "part", p))).Where(k => matchers.All(m => m.Matches(k))).ToList()
                : [];
            if (!dWanted && parts.Count == 0)
            {
                continue;
            }
            var history = range is { } r ? await store.Results.ScoreHistoryAsync(tenant, latest.Locality, r, ct).ConfigureAwait(false) : [];
            if (dWanted)
            {
                result.Add((dKey, history.Select(h => new Sample(h.At, h.Desirability)).ToList()));
            }
            foreach (var k in parts)
            {
                var part = k.Labels["part"]!;
                result.Add((k, history.Where(h => h.Parts.ContainsKey(part)).Select(h => new Sample(h.At, h.Parts[part].Value)).ToList()));
            }
        }
        return result;
    }

    /// <summary>The latest forecasts of raw series whose predicted name the selector's name matchers accept.</summary>
    private async Task<List<Forecast>> ForecastsAsync(IReadOnlyList<LabelMatcher> matchers, CancellationToken ct)
    {
        var list = new List<Forecast>();
        if (!matchers.Any(m => m.Name == "__name__") || !NameMayMatch(matchers, n => n.EndsWith(ForecastSeries.Suffix, StringComparison.Ordinal)))
        {
            return list;
        }
        var nonName = matchers.Where(m => m.Name != "__name__" && m.Name != ForecastSeries.QuantileLabel && m.Name != ForecastSeries.ModelLabel).ToList();
        foreach (var key in store.Series.FindSeries(tenant, nonName))
        {
            if (!NameMatches(matchers, key.Metric + ForecastSeries.Suffix))
            {
                continue;
            }
            if (await store.Results.LatestForecastAsync(tenant, key, ct).ConfigureAwait(false) is { } f)
            {
                list.Add(f);
            }
        }
        return list;
    }
}
