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

/// <summary>One tenant's raw series in an <see cref="ISeriesStore"/>.</summary>
public sealed class StoreSeriesSource(ISeriesStore store, TenantId tenant) : IPromSeriesSource
{
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
