using Auspex.Core.Series;
using Auspex.Storage.DuckDb;
using Auspex.Storage.PromQl;
using Auspex.Testing;
using DuckDB.NET.Data;

namespace Auspex.Storage.Tests;

/// <summary>
/// The raw read that decodes blocks straight into per-series arrays (serial and parallel): the codec against
/// <see cref="BlockCodec.DecodeRaw"/>, and a packed store against an identical store that never packed.
/// </summary>
public sealed class RawDecodeTests : IDisposable
{
    private static readonly DateTimeOffset D0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly double StaleMarker = BitConverter.UInt64BitsToDouble(0x7ff0000000000002);
    private readonly TempDirectory _dir = new();
    private readonly TenantId _t = new("tenant-a");

    public void Dispose() => _dir.Dispose();

    private static (long[] T, double[] V) RandomBlock(Random rng, int n)
    {
        var t = new long[n];
        var v = new double[n];
        var ts = 1_700_000_000_000L + rng.Next(1_000_000);
        for (var i = 0; i < n; i++)
        {
            ts += rng.Next(5) == 0 ? rng.Next(1, 3_600_000) : 15_000; // gaps
            t[i] = ts;
            v[i] = rng.Next(8) switch
            {
                0 => double.NaN,
                1 => StaleMarker,
                2 => 0, // counter reset
                3 => BitConverter.Int64BitsToDouble(rng.NextInt64()),
                _ => (i == 0 ? 0 : v[i - 1]) + Math.Round(rng.NextDouble() * 10, 2),
            };
        }
        return (t, v);
    }

    private static (long[] T, double[] V) OldWay(byte[] data, long from, long to)
    {
        var b = BlockCodec.DecodeRaw(data);
        var keep = Enumerable.Range(0, b.T.Length).Where(i => b.T[i] >= from && b.T[i] < to).ToArray();
        return ([.. keep.Select(i => b.T[i])], [.. keep.Select(i => b.V[i])]);
    }

    private static (long[] T, double[] V) NewWay(byte[] data, long from, long to)
    {
        var n = BlockCodec.RawCount(data);
        var t = new long[n + 3];
        var v = new double[n + 3];
        var k = BlockCodec.DecodeRawInto(data, t, v, from, to);
        return (t[..k], v[..k]);
    }

    private static void AssertSameBits((long[] T, double[] V) a, (long[] T, double[] V) b)
    {
        Assert.Equal(a.T, b.T);
        Assert.Equal(a.V.Select(BitConverter.DoubleToUInt64Bits), b.V.Select(BitConverter.DoubleToUInt64Bits));
    }

    [Fact]
    public void DecodeRawInto_EqualsDecodeRawThenTrim_OnRandomBlocksAndRanges()
    {
        var rng = new Random(11);
        for (var round = 0; round < 300; round++)
        {
            var (t, v) = RandomBlock(rng, rng.Next(1, 400));
            var data = BlockCodec.EncodeRaw(t, v);
            Assert.Equal(t.Length, BlockCodec.RawCount(data));
            var span = t[^1] - t[0];
            // Ranges before, after, around, inside and on the exact edges of the block.
            var from = rng.Next(4) switch { 0 => long.MinValue, 1 => t[rng.Next(t.Length)], _ => t[0] - 100_000 + rng.NextInt64(span + 200_000) };
            var to = rng.Next(4) switch { 0 => long.MaxValue, 1 => t[rng.Next(t.Length)], _ => from + rng.NextInt64(Math.Max(1, span)) };
            AssertSameBits(OldWay(data, from, to), NewWay(data, from, to));
        }
    }

    [Fact]
    public void DecodeRawInto_TruncatedOrCorruptedBlocks_FailExactlyWhenDecodeRawFails()
    {
        var rng = new Random(12);
        var (t, v) = RandomBlock(rng, 120);
        var data = BlockCodec.EncodeRaw(t, v);
        for (var len = 0; len < data.Length; len++)
        {
            Assert.Throws<InvalidDataException>(() => NewWay(data[..len], long.MinValue, long.MaxValue));
        }
        Assert.Throws<InvalidDataException>(() => NewWay([.. data, 0], long.MinValue, long.MaxValue));
        Assert.Throws<InvalidDataException>(() => BlockCodec.RawCount([9, 1, 0]));
        Assert.Throws<InvalidDataException>(() => BlockCodec.RawCount([1, 0xFF, 0xFF, 0xFF, 0x0F]));
        for (var k = 0; k < 2_000; k++)
        {
            var bad = (byte[])data.Clone();
            bad[rng.Next(bad.Length)] ^= (byte)rng.Next(1, 256);
            (long[], double[])? old = null, now = null;
            try
            {
                old = OldWay(bad, t[10], t[100]);
            }
            catch (InvalidDataException)
            {
            }
            try
            {
                now = NewWay(bad, t[10], t[100]);
            }
            catch (InvalidDataException)
            {
            }
            Assert.Equal(old is null, now is null);
            if (old is { } o && now is { } n)
            {
                AssertSameBits(o, n);
            }
        }
    }

    /// <summary>
    /// Counters with resets (to zero and to a small value), repeats and gaps, for several series over four days. The
    /// store refuses NaN, ±Inf and stale markers at commit (docs/storage.md), so those are covered by the codec tests.
    /// </summary>
    private static List<(SeriesKey Key, DateTimeOffset At, double V)> RandomSamples(int seed, int series)
    {
        var rng = new Random(seed);
        var list = new List<(SeriesKey, DateTimeOffset, double)>();
        for (var s = 0; s < series; s++)
        {
            var key = new SeriesKey("node_cpu_seconds_total", Labels.Of("cpu", s.ToString(System.Globalization.CultureInfo.InvariantCulture), "mode", "user"));
            var at = D0.AddSeconds(rng.Next(600));
            var value = 0.0;
            while (at < D0.AddDays(4))
            {
                value = rng.Next(40) switch
                {
                    0 => 0, // reset
                    1 => Math.Round(rng.NextDouble(), 3), // reset to a small value
                    2 => value, // unchanged
                    _ => value + Math.Round(rng.NextDouble() * 5, 2),
                };
                list.Add((key, at, value));
                at = at.AddSeconds(rng.Next(12) == 0 ? rng.Next(600, 14_400) : 60); // gaps up to 4 h
            }
        }
        return list;
    }

    private static Task Write(ISeriesStore store, TenantId t, IEnumerable<(SeriesKey Key, DateTimeOffset At, double V)> samples) =>
        StoreWrites.CommitAsync(store, t, samples);

    private static async Task<List<(string, long[], ulong[])>> Arrays(EmbeddedStore s, TenantId t, long from, long to) =>
        [.. (await ((IRawArrayReader)s.Series).ReadRawArraysAsync(t, [], from, to))
            .Select(r => (r.Key.ToString(), r.T, r.V.Select(BitConverter.DoubleToUInt64Bits).ToArray()))];

    [Theory]
    [InlineData(RawBlockLayout.SegmentFiles)]
    [InlineData(RawBlockLayout.DuckDb)]
    public async Task PackedStore_ReadsAndRateEqualAnUnpackedStore_SerialAndParallel(RawBlockLayout layout)
    {
        var samples = RandomSamples(21, 12);
        var rng = new Random(22);
        var late = samples.Where(_ => rng.Next(50) == 0).Select(p => (p.Key, p.At, V: p.V + 1000)).ToList(); // rewrites
        late.AddRange(samples.Where(_ => rng.Next(50) == 0).Select(p => (p.Key, At: p.At.AddSeconds(7), V: 3.5))); // new samples
        using var packed = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("packed.duckdb"), RawBlockLayout = layout });
        using var plain = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("plain.duckdb") });
        foreach (var s in new[] { packed, plain })
        {
            await Write(s.Series, _t, samples.Where((_, i) => i % 2 == 1)); // out of order, in two commits
            await Write(s.Series, _t, samples.Where((_, i) => i % 2 == 0));
        }
        await packed.Series.RollupAsync(D0.AddDays(3)); // days 0–2 packed, day 3 stays in samples
        await Write(packed.Series, _t, late); // into packed days: merged from samples at read time
        await Write(plain.Series, _t, late);

        var ranges = new List<(long, long)> { (long.MinValue / 2, long.MaxValue / 2) };
        for (var i = 0; i < 12; i++)
        {
            var from = D0.ToUnixTimeMilliseconds() + rng.NextInt64(4 * 86_400_000L);
            ranges.Add((from, from + rng.NextInt64(3 * 86_400_000L)));
        }
        ranges.Add((D0.AddDays(1).ToUnixTimeMilliseconds(), D0.AddDays(2).ToUnixTimeMilliseconds())); // exactly one block
        foreach (var pass in new[] { 1, 2 }) // the second pass finds blocks in the decoded-block cache
        {
            foreach (var (from, to) in ranges)
            {
                var expected = await Arrays(plain, _t, from, to);
                var actual = await Arrays(packed, _t, from, to);
                Assert.Equal(expected.Count, actual.Count);
                for (var i = 0; i < expected.Count; i++)
                {
                    Assert.Equal(expected[i].Item1, actual[i].Item1);
                    Assert.Equal(expected[i].Item2, actual[i].Item2);
                    Assert.Equal(expected[i].Item3, actual[i].Item3);
                }
            }
            // rate() over the packed arrays, counter resets and gaps included, equals rate() over the unpacked store.
            foreach (var q in new[] { "rate(node_cpu_seconds_total[1h])", "increase(node_cpu_seconds_total[25m])", "max_over_time(node_cpu_seconds_total[2h])" })
            {
                var options = new PromQlOptions { UseRollups = false, MaxSeries = 100 };
                var a = await new PromQlEngine(new StoreSeriesSource(plain.Series, _t), options).RangeQueryAsync(q, D0.AddMinutes(30), D0.AddDays(4), TimeSpan.FromMinutes(20));
                var b = await new PromQlEngine(new StoreSeriesSource(packed.Series, _t), options).RangeQueryAsync(q, D0.AddMinutes(30), D0.AddDays(4), TimeSpan.FromMinutes(20));
                Assert.Equal(a.Series.Count, b.Series.Count);
                Assert.True(a.Series.Sum(s => s.Points.Count) > 500, $"{q}: {a.Series.Count} series, {a.Series.Sum(s => s.Points.Count)} points");
                for (var i = 0; i < a.Series.Count; i++)
                {
                    Assert.Equal(a.Series[i].Metric, b.Series[i].Metric);
                    Assert.Equal(a.Series[i].Points.Select(p => (p.TimestampMs, BitConverter.DoubleToUInt64Bits(p.Value))),
                        b.Series[i].Points.Select(p => (p.TimestampMs, BitConverter.DoubleToUInt64Bits(p.Value))));
                }
            }
        }
        packed.Dispose();
        using var db = new DuckDBConnection("Data Source=" + _dir.File("packed.duckdb"));
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = layout == RawBlockLayout.DuckDb
            ? "SELECT count(*) FROM block_raw"
            : "SELECT (SELECT count(*) FROM block_raw_seg) * 1000 + (SELECT count(*) FROM block_raw)";
        var expectedRows = layout == RawBlockLayout.DuckDb ? 36L : 36_000L; // 12 series × 3 packed days, in the chosen layout only
        Assert.Equal(expectedRows, Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(0L, RawBlockLayout.SegmentFiles)] // cache off
    [InlineData(40_000L, RawBlockLayout.SegmentFiles)] // a few blocks only: evictions
    [InlineData(64L << 20, RawBlockLayout.SegmentFiles)] // everything fits
    [InlineData(0L, RawBlockLayout.DuckDb)]
    [InlineData(40_000L, RawBlockLayout.DuckDb)]
    [InlineData(64L << 20, RawBlockLayout.DuckDb)]
    public async Task DecodedBlockCache_RepeatedReads_Repacking_AndRetention_EqualAnUnpackedStore(long cacheBytes, RawBlockLayout layout)
    {
        var samples = RandomSamples(41, 6);
        using var packed = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("packed.duckdb"), DecodedBlockCacheBytes = cacheBytes, RawBlockLayout = layout });
        using var plain = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("plain.duckdb") });
        await Write(packed.Series, _t, samples);
        await Write(plain.Series, _t, samples);
        await packed.Series.RollupAsync(D0.AddDays(3));
        async Task Same(long from, long to)
        {
            var expected = await Arrays(plain, _t, from, to);
            var actual = await Arrays(packed, _t, from, to);
            Assert.Equal(expected.Select(e => e.Item1), actual.Select(a => a.Item1));
            Assert.Equal(expected.Select(e => e.Item2), actual.Select(a => a.Item2));
            Assert.Equal(expected.Select(e => e.Item3), actual.Select(a => a.Item3));
        }
        long Ms(DateTimeOffset d) => d.ToUnixTimeMilliseconds();
        for (var i = 0; i < 3; i++)
        {
            await Same(Ms(D0), Ms(D0.AddDays(4)));
            await Same(Ms(D0.AddHours(30)), Ms(D0.AddHours(50))); // partial blocks, from the cache when it holds them
            var (blocks, bytes) = packed.Inner.BlockCacheUse;
            Assert.True(bytes <= cacheBytes, $"{bytes} bytes cached over the bound {cacheBytes}");
            Assert.True(cacheBytes < 1_000_000 || blocks == 18, $"{blocks} blocks cached"); // 6 series × 3 packed days
            Assert.True(cacheBytes > 0 || blocks == 0);
        }
        // A late write into a packed day, packed again: the cached blocks of before must not be served.
        var late = samples.Where((p, i) => i % 97 == 0 && p.At < D0.AddDays(2)).Select(p => (p.Key, p.At, V: p.V + 7)).ToList();
        await Write(packed.Series, _t, late);
        await Write(plain.Series, _t, late);
        await Same(Ms(D0), Ms(D0.AddDays(4)));
        await packed.Series.RollupAsync(D0.AddDays(3));
        await Same(Ms(D0), Ms(D0.AddDays(4)));
        await Same(Ms(D0), Ms(D0.AddDays(4)));
        // Retention trims a packed block: reads after it must not see the trimmed samples from the cache.
        var policy = new RetentionPolicy(TimeSpan.FromHours(60), TimeSpan.FromDays(10), TimeSpan.FromDays(30));
        await packed.Series.SetRetentionAsync(_t, policy);
        await plain.Series.SetRetentionAsync(_t, policy);
        await packed.Series.ApplyRetentionAsync(D0.AddDays(3).AddHours(6));
        await plain.Series.ApplyRetentionAsync(D0.AddDays(3).AddHours(6));
        await Same(Ms(D0), Ms(D0.AddDays(4)));
        Assert.True((await Arrays(packed, _t, Ms(D0), Ms(D0.AddDays(4))))[0].Item2[0] >= Ms(D0.AddHours(18)));
    }

    [Fact]
    public async Task CorruptBlockAmongMany_ParallelOrSerial_FailsAsInvalidDataNamingTableSeriesAndDay()
    {
        var path = _dir.File("db.duckdb");
        using (var s = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = path, RawBlockLayout = RawBlockLayout.DuckDb }))
        {
            await Write(s.Series, _t, RandomSamples(31, 8));
            await s.Series.RollupAsync(D0.AddDays(4));
        }
        var day = D0.AddDays(2).ToUnixTimeMilliseconds();
        foreach (var (blob, what) in new[] { ("n+1", "the row's n says"), ("\\x01\\x01\\x02", "truncated"), ("\\x01\\xFF\\xFF\\xFF\\x0F", "count"), ("\\x07\\x01\\x00", "version") })
        {
            using (var db = new DuckDBConnection("Data Source=" + path))
            {
                db.Open();
                using var cmd = db.CreateCommand();
                cmd.CommandText = "SELECT count(*) FROM block_raw";
                Assert.Equal(32L, Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)); // 8 series × 4 days
                // "n+1": a valid block whose row claims one sample more than its header holds.
                cmd.CommandText = blob == "n+1"
                    ? $"UPDATE block_raw SET n = n + 1 WHERE series_id = 5 AND start = {day}"
                    : $"UPDATE block_raw SET data = '{blob}'::BLOB WHERE series_id = 5 AND start = {day}";
                Assert.Equal(1, cmd.ExecuteNonQuery());
            }
            using var s = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = path, RawBlockLayout = RawBlockLayout.DuckDb });
            foreach (var pass in new[] { 1, 2 }) // the second pass with the good blocks cached
            {
                var e = await Assert.ThrowsAsync<InvalidDataException>(() => ((IRawArrayReader)s.Series).ReadRawArraysAsync(_t, [], D0.ToUnixTimeMilliseconds(), D0.AddDays(4).ToUnixTimeMilliseconds()));
                Assert.Contains($"block_raw of series 5 at {day}", e.Message, StringComparison.Ordinal);
                Assert.Contains(what, e.Message, StringComparison.Ordinal);
                // A range that misses the bad day still reads.
                Assert.Equal(8, (await ((IRawArrayReader)s.Series).ReadRawArraysAsync(_t, [], D0.ToUnixTimeMilliseconds(), D0.AddDays(2).ToUnixTimeMilliseconds() - 1)).Count);
            }
        }
    }

    [Fact]
    public async Task DuckDbThreads_IsAppliedAndReadsAreTheSame_NegativeIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("bad.duckdb"), DuckDbThreads = -1 }));
        Assert.Contains("DuckDbThreads", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, new StorageOptions().DuckDbThreads);

        var samples = RandomSamples(51, 5);
        List<(string, long[], ulong[])>? first = null;
        foreach (var threads in new[] { 1, 2, 0 })
        {
            using var s = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File($"t{threads}.duckdb"), DuckDbThreads = threads });
            if (threads > 0)
            {
                Assert.Equal(threads, s.Inner.DuckDbThreadsInEffect);
            }
            else
            {
                Assert.True(s.Inner.DuckDbThreadsInEffect >= 1); // DuckDB's own default, one per core it sees
            }
            await Write(s.Series, _t, samples);
            await s.Series.RollupAsync(D0.AddDays(3));
            var read = await Arrays(s, _t, D0.ToUnixTimeMilliseconds(), D0.AddDays(4).ToUnixTimeMilliseconds());
            Assert.NotEmpty(read);
            if (first is null)
            {
                first = read;
                continue;
            }
            Assert.Equal(first.Count, read.Count);
            for (var i = 0; i < read.Count; i++)
            {
                Assert.Equal(first[i].Item1, read[i].Item1);
                Assert.Equal(first[i].Item2, read[i].Item2);
                Assert.Equal(first[i].Item3, read[i].Item3);
            }
        }
    }
}
