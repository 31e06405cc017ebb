using System.Globalization;
using Auspex.Core.Series;
using Auspex.Storage.PromQl;
using Auspex.Testing;

namespace Auspex.Storage.Tests;

/// <summary>
/// Range functions evaluated while the store streams each series (<see cref="PromQlOptions.StreamRangeFunctions"/>,
/// <see cref="IRawSeriesStreamer"/>) against the array path and against a store that never packed: bit-identical
/// results with counter resets, gaps, late writes into packed days, windows across day (block) boundaries, several
/// chunks read in parallel, the decoded-block cache cold, warm and evicting; NaN and stale markers (which the store
/// refuses at commit) through an in-memory source.
/// </summary>
public sealed class StreamedRangeTests : IDisposable
{
    private static readonly DateTimeOffset D0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly double StaleMarker = BitConverter.UInt64BitsToDouble(0x7ff0000000000002);
    private readonly TempDirectory _dir = new();
    private readonly TenantId _t = new("tenant-a");

    public void Dispose() => _dir.Dispose();

    private static readonly string[] Queries =
    [
        "rate(node_cpu_seconds_total[1h])",
        "increase(node_cpu_seconds_total[25m])",
        "irate(node_cpu_seconds_total[10m])",
        "avg_over_time(node_cpu_seconds_total[7m])",
        "max_over_time(node_cpu_seconds_total[2h])",
        "min_over_time(node_cpu_seconds_total{cpu=~\"1.*\"}[3h])",
        "count_over_time(node_cpu_seconds_total[90m])",
        "last_over_time(node_cpu_seconds_total[5m])",
        "quantile_over_time(0.9, node_cpu_seconds_total[1h])",
        "sum by (mode) (rate(node_cpu_seconds_total[30m]))",
        "rate(node_cpu_seconds_total[1h]) * 60",
    ];

    /// <summary>Counters with resets (to zero and to a small value), repeats and gaps up to 4 h, over four days.</summary>
    private static List<(SeriesKey Key, DateTimeOffset At, double V)> Counters(int seed, int series)
    {
        var rng = new Random(seed);
        var list = new List<(SeriesKey, DateTimeOffset, double)>();
        for (var s = 0; s < series; s++)
        {
            var key = new SeriesKey("node_cpu_seconds_total", Labels.Of("cpu", s.ToString(CultureInfo.InvariantCulture), "mode", s % 3 == 0 ? "user" : "system"));
            var at = D0.AddSeconds(rng.Next(900));
            var value = 0.0;
            while (at < D0.AddDays(4))
            {
                value = rng.Next(40) switch
                {
                    0 => 0,
                    1 => Math.Round(rng.NextDouble(), 3),
                    2 => value,
                    _ => value + Math.Round(rng.NextDouble() * 5, 2),
                };
                list.Add((key, at, value));
                at = at.AddSeconds(rng.Next(15) == 0 ? rng.Next(600, 14_400) : 300);
            }
        }
        return list;
    }

    private static List<(long, string, ulong)> Flat(PromQueryResult r) =>
        [.. r.Series.SelectMany(s => s.Points.Select(p => (p.TimestampMs, s.Metric.ToString(), BitConverter.DoubleToUInt64Bits(p.Value))))];

    [Theory]
    [InlineData(RawBlockLayout.SegmentFiles, 0L, 1)]
    [InlineData(RawBlockLayout.SegmentFiles, 0L, 4)]
    [InlineData(RawBlockLayout.SegmentFiles, 150_000L, 2)] // a few blocks fit: evictions between queries
    [InlineData(RawBlockLayout.SegmentFiles, 64L << 20, 0)]
    [InlineData(RawBlockLayout.DuckDb, 64L << 20, 2)]
    public async Task Streamed_EqualsArraysAndAnUnpackedStore_BitForBit(RawBlockLayout layout, long cacheBytes, int threads)
    {
        // 150 series: several chunks of at most 64 series, read in parallel when threads > 1.
        var samples = Counters(61, 150);
        var rng = new Random(62);
        var late = samples.Where(_ => rng.Next(80) == 0).Select(p => (p.Key, p.At, V: p.V + 1000)).ToList();
        late.AddRange(samples.Where(_ => rng.Next(80) == 0).Select(p => (p.Key, At: p.At.AddSeconds(7), V: 3.5)));
        using var packed = AuspexStorage.OpenEmbedded(new StorageOptions
        {
            DatabasePath = _dir.File("packed.duckdb"), RawBlockLayout = layout, DecodedBlockCacheBytes = cacheBytes, RawReadThreads = threads,
        });
        using var plain = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("plain.duckdb") });
        foreach (var s in new[] { packed, plain })
        {
            await StoreWrites.CommitAsync(s.Series, _t, samples);
        }
        await packed.Series.RollupAsync(D0.AddDays(3)); // days 0–2 packed (blocks), day 3 in samples
        await StoreWrites.CommitAsync(packed.Series, _t, late); // late writes into packed days: merged at read time
        await StoreWrites.CommitAsync(plain.Series, _t, late);

        var streamed = new PromQlOptions { UseRollups = false, MaxSeries = 1000, MaxSamples = 10_000_000 };
        var arrays = new PromQlOptions { UseRollups = false, MaxSeries = 1000, MaxSamples = 10_000_000, StreamRangeFunctions = false };
        Assert.True(streamed.StreamRangeFunctions);
        // Ranges: the whole span with an unaligned step, windows across midnight, one starting exactly on a block start,
        // and one inside a single day.
        var ranges = new (DateTimeOffset From, DateTimeOffset To, TimeSpan Step)[]
        {
            (D0.AddMinutes(13), D0.AddDays(4), TimeSpan.FromMinutes(47)),
            (D0.AddDays(1).AddMinutes(-50), D0.AddDays(2).AddMinutes(50), TimeSpan.FromMinutes(10)),
            (D0.AddDays(2), D0.AddDays(3), TimeSpan.FromHours(1)),
            (D0.AddHours(30), D0.AddHours(31), TimeSpan.FromSeconds(150)),
        };
        foreach (var pass in new[] { 1, 2 }) // the second pass with the decoded-block cache filled (when on)
        {
            foreach (var (from, to, step) in ranges)
            {
                foreach (var q in Queries)
                {
                    var reference = await new PromQlEngine(new StoreSeriesSource(plain.Series, _t), arrays).RangeQueryAsync(q, from, to, step);
                    var viaArrays = await new PromQlEngine(new StoreSeriesSource(packed.Series, _t), arrays).RangeQueryAsync(q, from, to, step);
                    var viaStream = await new PromQlEngine(new StoreSeriesSource(packed.Series, _t), streamed).RangeQueryAsync(q, from, to, step);
                    var expected = Flat(reference);
                    Assert.True(expected.Count > 10, $"{q} over {from:O}…{to:O}: only {expected.Count} points");
                    Assert.Equal(expected, Flat(viaArrays));
                    Assert.Equal(expected, Flat(viaStream));
                }
            }
            var (_, bytes) = packed.Inner.BlockCacheUse;
            Assert.True(bytes <= cacheBytes, $"{bytes} bytes cached over the bound {cacheBytes}");
        }
        if (cacheBytes >= 1_000_000)
        {
            Assert.Equal(450, packed.Inner.BlockCacheUse.Blocks); // 150 series × 3 packed days, each cached once
        }
    }

    [Fact]
    public async Task CacheSlabs_GivenBackByOneStore_ReusedByAnother_NeitherStoresAnswersChange()
    {
        // Store A caches everything; B's cache holds a few blocks (evicting, so it gives slabs back as it goes). A is
        // closed and reopened between rounds, giving all its slabs back for B (and other tests) to reuse.
        var pathA = _dir.File("a.duckdb");
        var pathB = _dir.File("b.duckdb");
        var samplesA = Counters(101, 90);
        var samplesB = Counters(102, 80);
        using var plainA = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("pa.duckdb") });
        using var plainB = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("pb.duckdb") });
        await StoreWrites.CommitAsync(plainA.Series, _t, samplesA);
        await StoreWrites.CommitAsync(plainB.Series, _t, samplesB);
        var a = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = pathA, RawReadThreads = 2 });
        using var b = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = pathB, DecodedBlockCacheBytes = 600_000, RawReadThreads = 2 });
        try
        {
            await StoreWrites.CommitAsync(a.Series, _t, samplesA);
            await StoreWrites.CommitAsync(b.Series, _t, samplesB);
            await a.Series.RollupAsync(D0.AddDays(3));
            await b.Series.RollupAsync(D0.AddDays(3));
            var streamed = new PromQlOptions { UseRollups = false, MaxSeries = 1000, MaxSamples = 10_000_000 };
            var arrays = new PromQlOptions { UseRollups = false, MaxSeries = 1000, MaxSamples = 10_000_000, StreamRangeFunctions = false };
            const string Q = "rate(node_cpu_seconds_total[1h])";
            var (from, to, step) = (D0.AddHours(1), D0.AddDays(4), TimeSpan.FromMinutes(30));
            var expectA = Flat(await new PromQlEngine(new StoreSeriesSource(plainA.Series, _t), arrays).RangeQueryAsync(Q, from, to, step));
            var expectB = Flat(await new PromQlEngine(new StoreSeriesSource(plainB.Series, _t), arrays).RangeQueryAsync(Q, from.AddHours(5), to, step));
            for (var round = 0; round < 6; round++)
            {
                Assert.Equal(expectA, Flat(await new PromQlEngine(new StoreSeriesSource(a.Series, _t), streamed).RangeQueryAsync(Q, from, to, step)));
                Assert.Equal(expectB, Flat(await new PromQlEngine(new StoreSeriesSource(b.Series, _t), streamed).RangeQueryAsync(Q, from.AddHours(5), to, step)));
                // The array path reads A's cached blocks (in pooled slabs) too.
                Assert.Equal(expectA, Flat(await new PromQlEngine(new StoreSeriesSource(a.Series, _t), arrays).RangeQueryAsync(Q, from, to, step)));
                Assert.Equal(270, a.Inner.BlockCacheUse.Blocks); // 90 series × 3 packed days
                Assert.True(b.Inner.BlockCacheUse.Bytes <= 600_000);
                if (round % 2 == 1)
                {
                    a.Dispose();
                    a = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = pathA, RawReadThreads = 2 });
                    Assert.Equal(0, a.Inner.BlockCacheUse.Blocks);
                }
            }
        }
        finally
        {
            a.Dispose();
        }
    }

    [Fact]
    public async Task Stream_VisitsEverySeriesOnceWithItsRank_SameSamplesAsTheArrayRead()
    {
        var samples = Counters(71, 140);
        using var s = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("db.duckdb"), RawReadThreads = 3 });
        await StoreWrites.CommitAsync(s.Series, _t, samples);
        await s.Series.RollupAsync(D0.AddDays(3));
        // Series 5 has samples only after day 1: a range inside day 0 leaves it out, without changing the others' ranks.
        var from = D0.AddHours(5).ToUnixTimeMilliseconds();
        var to = D0.AddDays(2).AddHours(3).ToUnixTimeMilliseconds();
        var expected = await ((IRawArrayReader)s.Series).ReadRawArraysAsync(_t, [], from, to);
        var visitor = new Recorder();
        await ((IRawSeriesStreamer)s.Series).StreamRawSeriesAsync(_t, [], from, to, visitor);
        Assert.Equal(140, visitor.Count);
        Assert.Equal(expected.Count, visitor.Seen.Count);
        var ranked = visitor.Seen.OrderBy(p => p.Key).Select(p => p.Value).ToList();
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Key, ranked[i].Key);
            Assert.Equal(expected[i].T, ranked[i].T);
            Assert.Equal(expected[i].V, ranked[i].V);
        }
        // Ranks are positions in key order among all matching series.
        var keys = s.Series.FindSeries(_t, []);
        foreach (var (rank, seen) in visitor.Seen)
        {
            Assert.Equal(keys[rank], seen.Key);
        }
        // No series matches: Begin(0), nothing visited.
        var none = new Recorder();
        await ((IRawSeriesStreamer)s.Series).StreamRawSeriesAsync(_t, [LabelMatcher.Eq("__name__", "nope")], from, to, none);
        Assert.Equal(0, none.Count);
        Assert.Empty(none.Seen);
    }

    [Fact]
    public async Task CorruptSegmentBlocks_StreamedFailsNamingTheSameBlock_SerialOrParallel()
    {
        var path = _dir.File("db.duckdb");
        using (var s = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = path }))
        {
            await StoreWrites.CommitAsync(s.Series, _t, Counters(81, 130));
            await s.Series.RollupAsync(D0.AddDays(3));
        }
        // Flip a byte in the middle of two blocks (two different chunks of the day-1 file).
        var file = Directory.GetFiles(path + ".segments", "raw-20261102-*.seg", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(file);
        foreach (var at in new[] { bytes.Length / 4, bytes.Length * 3 / 4 })
        {
            bytes[at] ^= 0x5A;
        }
        File.WriteAllBytes(file, bytes);
        string? message = null;
        foreach (var threads in new[] { 1, 4, 2, 4 })
        {
            using var s = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = path, RawReadThreads = threads });
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => new PromQlEngine(new StoreSeriesSource(s.Series, _t), new PromQlOptions { MaxSeries = 1000 })
                .RangeQueryAsync("rate(node_cpu_seconds_total[1h])", D0.AddHours(1), D0.AddDays(3), TimeSpan.FromHours(1)));
            Assert.Contains("checksum mismatch", e.Message, StringComparison.Ordinal);
            Assert.Contains(file, e.Message, StringComparison.Ordinal);
            Assert.Contains($"at {D0.AddDays(1).ToUnixTimeMilliseconds()}", e.Message, StringComparison.Ordinal);
            message ??= e.Message;
            Assert.Equal(message, e.Message); // the first failing chunk in file order, whatever the threads
            // Days the damage does not touch still answer.
            var ok = await new PromQlEngine(new StoreSeriesSource(s.Series, _t), new PromQlOptions { MaxSeries = 1000 })
                .RangeQueryAsync("rate(node_cpu_seconds_total[1h])", D0.AddDays(2).AddHours(1), D0.AddDays(3), TimeSpan.FromHours(1));
            Assert.Equal(130, ok.Series.Count);
        }
    }

    [Fact]
    public async Task SampleLimit_StreamedFailsLikeTheArrayPath_AndNegativeThreadsAreRefused()
    {
        using var s = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("db.duckdb"), RawReadThreads = 2 });
        await StoreWrites.CommitAsync(s.Series, _t, Counters(91, 100));
        await s.Series.RollupAsync(D0.AddDays(3));
        var messages = new List<string>();
        foreach (var stream in new[] { false, true })
        {
            var o = new PromQlOptions { MaxSeries = 1000, MaxSamples = 20_000, UseRollups = false, StreamRangeFunctions = stream };
            var e = await Assert.ThrowsAsync<PromQlException>(() => new PromQlEngine(new StoreSeriesSource(s.Series, _t), o)
                .RangeQueryAsync("rate(node_cpu_seconds_total[1h])", D0.AddHours(1), D0.AddDays(3), TimeSpan.FromHours(1)));
            messages.Add(e.Message);
        }
        Assert.Equal(messages[0], messages[1]);
        Assert.Contains("20,000 samples", messages[1], StringComparison.Ordinal);
        var bad = Assert.Throws<ArgumentException>(() => AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("bad.duckdb"), RawReadThreads = -1 }));
        Assert.Contains("RawReadThreads", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NaNStaleMarkersAndResets_InMemorySource_StreamedOutOfOrderFromThreads_EqualsArrays()
    {
        var rng = new Random(5);
        var data = new List<RawSeriesArrays>();
        for (var s = 0; s < 40; s++)
        {
            var t = new List<long>();
            var v = new List<double>();
            var at = D0.ToUnixTimeMilliseconds() + rng.Next(60_000);
            var x = 0.0;
            while (at < D0.AddDays(2).ToUnixTimeMilliseconds())
            {
                x = rng.Next(30) switch
                {
                    0 => double.NaN,
                    1 => StaleMarker,
                    2 => 0,
                    3 => double.PositiveInfinity,
                    _ => (double.IsFinite(x) ? x : 0) + rng.NextDouble() * 4,
                };
                t.Add(at);
                v.Add(x);
                at += rng.Next(10) == 0 ? rng.Next(600_000, 7_200_000) : 30_000;
            }
            data.Add(new RawSeriesArrays(new SeriesKey("node_cpu_seconds_total", Labels.Of("cpu", s.ToString("D2", CultureInfo.InvariantCulture), "mode", "user")), [.. t], [.. v]));
        }
        var src = new ShuffledSource(data);
        foreach (var q in Queries)
        {
            var a = await new PromQlEngine(src, new PromQlOptions { StreamRangeFunctions = false }).RangeQueryAsync(q, D0.AddMinutes(7), D0.AddDays(2), TimeSpan.FromMinutes(13));
            var b = await new PromQlEngine(src, new PromQlOptions()).RangeQueryAsync(q, D0.AddMinutes(7), D0.AddDays(2), TimeSpan.FromMinutes(13));
            Assert.True(Flat(a).Count > 100, q);
            Assert.Equal(Flat(a), Flat(b));
            // Instant queries take the same path.
            foreach (var at in new[] { D0.AddHours(13).AddMinutes(1), D0.AddDays(1), D0.AddDays(1).AddSeconds(1) })
            {
                var ia = await new PromQlEngine(src, new PromQlOptions { StreamRangeFunctions = false }).InstantQueryAsync(q, at);
                var ib = await new PromQlEngine(src, new PromQlOptions()).InstantQueryAsync(q, at);
                Assert.Equal(Flat(ia), Flat(ib));
            }
        }
        Assert.True(src.Streams > 0 && src.ArrayReads > 0, $"{src.Streams} streams, {src.ArrayReads} array reads");
    }

    private sealed class Recorder : IRawSeriesVisitor
    {
        public int Count { get; private set; } = -1;
        public Dictionary<int, RawSeriesArrays> Seen { get; } = [];

        public void Begin(int seriesCount) => Count = seriesCount;

        public void Visit(int index, SeriesKey key, ReadOnlySpan<long> t, ReadOnlySpan<double> v)
        {
            var copy = new RawSeriesArrays(key, t.ToArray(), v.ToArray());
            lock (Seen)
            {
                Assert.True(Seen.TryAdd(index, copy), $"series {index} visited twice");
            }
        }
    }

    /// <summary>Hands series over in a shuffled order from several threads at once, as the store may.</summary>
    private sealed class ShuffledSource(List<RawSeriesArrays> data) : IPromArraySource, IPromStreamSource
    {
        public int Streams { get; private set; }
        public int ArrayReads { get; private set; }

        private List<RawSeriesArrays> Matching(IReadOnlyList<LabelMatcher> m) =>
            [.. data.Where(d => m.All(x => x.Matches(d.Key))).OrderBy(d => d.Key.ToString(), StringComparer.Ordinal)];

        public Task<IReadOnlyList<SeriesKey>> FindSeriesAsync(IReadOnlyList<LabelMatcher> matchers, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SeriesKey>>([.. Matching(matchers).Select(d => d.Key)]);

        public Task<IReadOnlyList<SeriesData>> ReadAsync(IReadOnlyList<LabelMatcher> matchers, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<RawSeriesArrays>> ReadArraysAsync(IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, CancellationToken cancellationToken)
        {
            ArrayReads++;
            return Task.FromResult<IReadOnlyList<RawSeriesArrays>>([.. Matching(matchers).Select(d => Cut(d, fromMs, toMs)).Where(d => d.T.Length > 0)]);
        }

        public Task StreamArraysAsync(IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, IRawSeriesVisitor visitor, CancellationToken cancellationToken)
        {
            Streams++;
            var all = Matching(matchers);
            visitor.Begin(all.Count);
            var order = Enumerable.Range(0, all.Count).OrderBy(i => (i * 7919) % 41).ToArray();
            Parallel.ForEach(order, new ParallelOptions { MaxDegreeOfParallelism = 3 }, i =>
            {
                var d = Cut(all[i], fromMs, toMs);
                if (d.T.Length > 0)
                {
                    visitor.Visit(i, d.Key, d.T, d.V);
                }
            });
            return Task.CompletedTask;
        }

        private static RawSeriesArrays Cut(RawSeriesArrays d, long fromMs, long toMs)
        {
            var keep = Enumerable.Range(0, d.T.Length).Where(i => d.T[i] >= fromMs && d.T[i] <= toMs).ToArray();
            return new RawSeriesArrays(d.Key, [.. keep.Select(i => d.T[i])], [.. keep.Select(i => d.V[i])]);
        }
    }
}
