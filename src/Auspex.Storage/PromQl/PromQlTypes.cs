using Auspex.Core.Series;

namespace Auspex.Storage.PromQl;

/// <summary>Where the evaluator reads series from: one tenant's view of the data.</summary>
public interface IPromSeriesSource
{
    /// <summary>The keys of every series matching all matchers.</summary>
    Task<IReadOnlyList<SeriesKey>> FindSeriesAsync(IReadOnlyList<LabelMatcher> matchers, CancellationToken cancellationToken);

    /// <summary>Raw samples of the matching series with <paramref name="from"/> ≤ time ≤ <paramref name="to"/>, in time order.</summary>
    Task<IReadOnlyList<SeriesData>> ReadAsync(IReadOnlyList<LabelMatcher> matchers, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

/// <summary>
/// A source that can also answer from the store's rollups (see <see cref="IRollupReader.ReadRollupsAsync"/> for what
/// is returned). The evaluator uses it for range functions whose windows align to whole buckets.
/// </summary>
public interface IPromRollupSource : IPromSeriesSource
{
    /// <summary>The matching series' completed buckets and the raw samples needed around them; see <see cref="IRollupReader"/>.</summary>
    Task<IReadOnlyList<RollupSeries>> ReadRollupsAsync(
        IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, TimeSpan width, long pointStartMs, long pointStepMs, long rawLookbackMs,
        CancellationToken cancellationToken);
}

/// <summary>A source that can hand raw samples over as typed arrays, sparing the evaluator a per-sample conversion.</summary>
public interface IPromArraySource : IPromSeriesSource
{
    /// <summary>Raw samples of the matching series with <paramref name="fromMs"/> ≤ time ≤ <paramref name="toMs"/>, in time order.</summary>
    Task<IReadOnlyList<RawSeriesArrays>> ReadArraysAsync(IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, CancellationToken cancellationToken);
}

/// <summary>
/// A source that can stream raw samples series by series through reused buffers (<see cref="IRawSeriesStreamer"/>):
/// the evaluator computes a range function such as <c>rate(x[1h])</c> per series while it is read, without holding
/// every series' samples at once.
/// </summary>
public interface IPromStreamSource : IPromSeriesSource
{
    /// <summary>The samples <see cref="IPromArraySource.ReadArraysAsync"/> would return, handed to <paramref name="visitor"/> series by series (see <see cref="IRawSeriesVisitor"/>).</summary>
    Task StreamArraysAsync(IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, IRawSeriesVisitor visitor, CancellationToken cancellationToken);
}

/// <summary>Helpers for <see cref="RollupSeries"/>.</summary>
public static class RollupSeriesExtensions
{
    /// <summary>A series without rollups: every raw sample, to be evaluated from raw (<see cref="RollupSeries.StaleFromMs"/> = <see cref="long.MinValue"/>).</summary>
    public static RollupSeries AsRawOnly(this SeriesData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var t = new long[data.Samples.Count];
        var v = new double[data.Samples.Count];
        for (var j = 0; j < t.Length; j++)
        {
            t[j] = data.Samples[j].At.ToUnixTimeMilliseconds();
            v[j] = data.Samples[j].Value;
        }
        return new RollupSeries(data.Key, long.MinValue, [], [], [], [], [], [], t, v);
    }
}

/// <summary>One tenant's raw series in an <see cref="ISeriesStore"/> (and its rollups when the store keeps them).</summary>
public sealed class StoreSeriesSource(ISeriesStore store, TenantId tenant) : IPromRollupSource, IPromArraySource, IPromStreamSource
{
    /// <inheritdoc />
    public async Task StreamArraysAsync(IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, IRawSeriesVisitor visitor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        if (store is IRawSeriesStreamer streamer)
        {
            await streamer.StreamRawSeriesAsync(tenant, matchers, fromMs, toMs, visitor, cancellationToken).ConfigureAwait(false);
            return;
        }
        var all = await ReadArraysAsync(matchers, fromMs, toMs, cancellationToken).ConfigureAwait(false);
        visitor.Begin(all.Count);
        for (var i = 0; i < all.Count; i++)
        {
            visitor.Visit(i, all[i].Key, all[i].T, all[i].V);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RawSeriesArrays>> ReadArraysAsync(IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        if (store is IRawArrayReader arrays)
        {
            return await arrays.ReadRawArraysAsync(tenant, matchers, fromMs, toMs, cancellationToken).ConfigureAwait(false);
        }
        var raw = await ReadAsync(matchers, DateTimeOffset.FromUnixTimeMilliseconds(fromMs), DateTimeOffset.FromUnixTimeMilliseconds(toMs), cancellationToken).ConfigureAwait(false);
        return raw.Select(d => d.AsRawOnly()).Select(r => new RawSeriesArrays(r.Key, r.RawT, r.RawV)).ToList();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RollupSeries>> ReadRollupsAsync(
        IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, TimeSpan width, long pointStartMs, long pointStepMs, long rawLookbackMs,
        CancellationToken cancellationToken)
    {
        if (store is IRollupReader rollups)
        {
            return await rollups.ReadRollupsAsync(tenant, matchers, fromMs, toMs, width, pointStartMs, pointStepMs, rawLookbackMs, cancellationToken).ConfigureAwait(false);
        }
        var raw = await ReadAsync(matchers, DateTimeOffset.FromUnixTimeMilliseconds(fromMs), DateTimeOffset.FromUnixTimeMilliseconds(toMs), cancellationToken).ConfigureAwait(false);
        return raw.Select(d => d.AsRawOnly()).ToList();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SeriesKey>> FindSeriesAsync(IReadOnlyList<LabelMatcher> matchers, CancellationToken cancellationToken) =>
        Task.FromResult(store.FindSeries(tenant, matchers));

    /// <inheritdoc />
    public Task<IReadOnlyList<SeriesData>> ReadAsync(IReadOnlyList<LabelMatcher> matchers, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        store.ReadAsync(tenant, matchers, new TimeRange(from, to.AddMilliseconds(1)), Resolution.Raw, cancellationToken);
}

/// <summary>Limits and semantics of the evaluator.</summary>
public sealed class PromQlOptions
{
    /// <summary>How far back an instant selector looks for the latest sample. Default 5 minutes, as in Prometheus.</summary>
    public TimeSpan LookbackDelta { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most series all selectors of one query may match together. Default 500.</summary>
    public int MaxSeries { get; set; } = 500;

    /// <summary>Most samples one query may load, and most points it may return. Default 2,000,000.</summary>
    public long MaxSamples { get; set; } = 2_000_000;

    /// <summary>
    /// Answer <c>sum/avg/count/min/max/last_over_time(x[d])</c> from the rollups when the source keeps them and d, the
    /// first step and the step are whole multiples of a bucket (5 minutes or 1 hour); see docs/storage.md. Default true;
    /// false always reads raw samples.
    /// </summary>
    public bool UseRollups { get; set; } = true;

    /// <summary>
    /// Evaluate a range function over raw samples (<c>rate(x[1h])</c>, <c>max_over_time(x[5m])</c>, …) series by series
    /// while the source streams them (<see cref="IPromStreamSource"/>), instead of reading every series' samples into
    /// arrays first; the result is the same. Default true; false reads arrays (the path before, kept for comparison).
    /// </summary>
    public bool StreamRangeFunctions { get; set; } = true;

    /// <summary>Most steps of a range query, as Prometheus enforces: 11,000.</summary>
    public int MaxPointsPerSeries { get; set; } = 11_000;
}

/// <summary>One point of a result: Unix milliseconds and a value.</summary>
public readonly record struct PromPoint(long TimestampMs, double Value);

/// <summary>One series of a result; <see cref="Metric"/> includes <c>__name__</c> when the series keeps its name.</summary>
public sealed record PromSeries(Labels Metric, IReadOnlyList<PromPoint> Points);

/// <summary>What a query returned: a matrix or vector (<see cref="Series"/>) or a scalar (<see cref="Scalar"/>).</summary>
/// <param name="ResultType"><c>matrix</c>, <c>vector</c> or <c>scalar</c>.</param>
/// <param name="Series">The series (a vector's series have one point each).</param>
/// <param name="Scalar">The scalar's point, for <c>scalar</c>.</param>
public sealed record PromQueryResult(string ResultType, IReadOnlyList<PromSeries> Series, PromPoint? Scalar = null);
