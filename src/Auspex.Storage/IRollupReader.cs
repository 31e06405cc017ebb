using Auspex.Core.Series;

namespace Auspex.Storage;

/// <summary>
/// Reads the rollup tables together with what is needed to answer a closed window exactly: the completed buckets, where
/// each series' rollups stop being trustworthy (its <c>rollup_dirty</c> mark), and the raw samples beyond that point
/// or at chosen instants. Implemented by the embedded store; the PromQL evaluator uses it for aligned range functions.
/// </summary>
public interface IRollupReader
{
    /// <summary>
    /// For each matching series of <paramref name="tenant"/>: the buckets of <paramref name="width"/> (5 minutes or 1
    /// hour) with <paramref name="fromMs"/> ≤ bucket &lt; min(<paramref name="toMs"/>, <see cref="RollupSeries.StaleFromMs"/>), and
    /// the raw samples with <paramref name="fromMs"/> ≤ time ≤ <paramref name="toMs"/> that either fall on one of the
    /// instants <paramref name="pointStartMs"/> + k·<paramref name="pointStepMs"/> (k ≥ 0; a step of 0 means only the
    /// start) or are at or after <see cref="RollupSeries.StaleFromMs"/> − <paramref name="rawLookbackMs"/>.
    /// </summary>
    Task<IReadOnlyList<RollupSeries>> ReadRollupsAsync(
        TenantId tenant, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, TimeSpan width,
        long pointStartMs, long pointStepMs, long rawLookbackMs, CancellationToken cancellationToken = default);
}

/// <summary>One series' completed rollup buckets (in bucket order) and the raw samples asked for (in time order, one per timestamp).</summary>
/// <param name="Key">The series.</param>
/// <param name="StaleFromMs">
/// The first bucket the rollup pass has not completed for this series (its earliest <c>rollup_dirty</c> mark, floored
/// to the bucket); <see cref="long.MaxValue"/> when every bucket is complete, <see cref="long.MinValue"/> when the
/// series has no rollups at all (then <see cref="RawT"/> holds every sample of the range).
/// </param>
/// <param name="Buckets">Bucket starts (Unix ms).</param>
/// <param name="Count">Samples per bucket.</param>
/// <param name="Sum">Sum per bucket.</param>
/// <param name="Min">Minimum per bucket.</param>
/// <param name="Max">Maximum per bucket.</param>
/// <param name="Last">Latest sample per bucket.</param>
/// <param name="RawT">Raw sample times (Unix ms).</param>
/// <param name="RawV">Raw sample values.</param>
public sealed record RollupSeries(
    SeriesKey Key, long StaleFromMs, long[] Buckets, long[] Count, double[] Sum, double[] Min, double[] Max, double[] Last,
    long[] RawT, double[] RawV);

/// <summary>Reads raw samples as typed arrays (no per-sample objects); implemented by the embedded store for the PromQL evaluator.</summary>
public interface IRawArrayReader
{
    /// <summary>Each matching series' samples with <paramref name="fromMs"/> ≤ time ≤ <paramref name="toMs"/> (Unix ms), in time order, one per timestamp (the last written); series without samples are left out.</summary>
    Task<IReadOnlyList<RawSeriesArrays>> ReadRawArraysAsync(
        TenantId tenant, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, CancellationToken cancellationToken = default);
}

/// <summary>
/// One series' raw samples as parallel arrays. The arrays may be shared with the store's decoded-block cache: read
/// them, never modify them.
/// </summary>
/// <param name="Key">The series.</param>
/// <param name="T">Sample times (Unix ms), increasing.</param>
/// <param name="V">Sample values.</param>
public sealed record RawSeriesArrays(SeriesKey Key, long[] T, double[] V);

/// <summary>
/// Streams raw samples series by series through reused buffers instead of handing out one array pair per series: the
/// PromQL evaluator computes a range function while the store reads, so a 7-day, 1,000-series <c>rate()</c> allocates
/// no 7-day arrays. Implemented by the embedded store (docs/storage.md, "Streamed range functions").
/// </summary>
public interface IRawSeriesStreamer
{
    /// <summary>
    /// Calls <see cref="IRawSeriesVisitor.Begin"/> once with the number of matching series, then
    /// <see cref="IRawSeriesVisitor.Visit"/> once for each matching series that has samples with
    /// <paramref name="fromMs"/> ≤ time ≤ <paramref name="toMs"/> (the same samples <see cref="IRawArrayReader.ReadRawArraysAsync"/>
    /// returns), possibly from several threads at once for different series, in no particular order.
    /// </summary>
    Task StreamRawSeriesAsync(
        TenantId tenant, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, IRawSeriesVisitor visitor, CancellationToken cancellationToken = default);
}

/// <summary>What <see cref="IRawSeriesStreamer.StreamRawSeriesAsync"/> hands each series to.</summary>
public interface IRawSeriesVisitor
{
    /// <summary>Called once, before any <see cref="Visit"/>: the series will have indexes 0 … <paramref name="seriesCount"/> − 1.</summary>
    void Begin(int seriesCount);

    /// <summary>
    /// One series' samples, in time order, one per timestamp. <paramref name="index"/> is the series' rank among all
    /// matching series ordered by <see cref="SeriesKey.ToString"/> (ordinal), the order <see cref="IRawArrayReader"/>
    /// returns them in. The spans are valid only during the call (the buffers are reused); calls for different series
    /// may run concurrently. An exception ends the read and is rethrown to the caller.
    /// </summary>
    void Visit(int index, SeriesKey key, ReadOnlySpan<long> t, ReadOnlySpan<double> v);
}
