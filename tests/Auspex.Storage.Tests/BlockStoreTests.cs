using Auspex.Core.Series;
using Auspex.Storage.DuckDb;
using Auspex.Testing;
using DuckDB.NET.Data;
using static Auspex.Testing.Builders;

namespace Auspex.Storage.Tests;

/// <summary>The packed day blocks: the codec (valid, truncated, corrupted input) and the store reading the same before and after packing.</summary>
public sealed class BlockStoreTests : IDisposable
{
    private static readonly DateTimeOffset D0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly TenantId _a = new("tenant-a");
    private readonly TenantId _b = new("tenant-b");

    public void Dispose() => _dir.Dispose();

    private EmbeddedStore Open(RawBlockLayout layout = RawBlockLayout.SegmentFiles) =>
        AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("db.duckdb"), RawBlockLayout = layout });

    private static (long[] T, double[] V) Irregular(int n, int seed)
    {
        var rng = new Random(seed);
        var t = new long[n];
        var v = new double[n];
        var ts = 1_700_000_000_123L;
        for (var i = 0; i < n; i++)
        {
            ts += rng.Next(4) == 0 ? rng.Next(1, 100_000) : 15_000;
            t[i] = ts;
            v[i] = rng.Next(5) switch
            {
                0 => v[Math.Max(0, i - 1)], // unchanged
                1 => -rng.NextDouble() * 1e9,
                2 => Math.Round(rng.NextDouble() * 100, 2),
                3 => i % 2 == 0 ? 0.0 : -0.0,
                _ => BitConverter.Int64BitsToDouble(rng.NextInt64()), // any bit pattern, NaNs included
            };
        }
        return (t, v);
    }

    [Fact]
    public void RawBlock_RoundTripsBitExactly()
    {
        foreach (var n in new[] { 1, 2, 3, 288, 5_000 })
        {
            var (t, v) = Irregular(n, n);
            var b = BlockCodec.DecodeRaw(BlockCodec.EncodeRaw(t, v));
            Assert.Equal(t, b.T);
            Assert.Equal(v.Select(BitConverter.DoubleToInt64Bits), b.V.Select(BitConverter.DoubleToInt64Bits));
        }
    }

    [Fact]
    public void RawBlock_SteadyCounter_TakesUnderTenBytesPerSample()
    {
        var t = Enumerable.Range(0, 288).Select(i => 1_700_000_000_000L + (i * 300_000L)).ToArray();
        var v = new double[288];
        var rng = new Random(1);
        for (var i = 1; i < v.Length; i++)
        {
            v[i] = v[i - 1] + Math.Round(rng.NextDouble() * 3, 2);
        }
        Assert.True(BlockCodec.EncodeRaw(t, v).Length < 10 * 288);
    }

    [Fact]
    public void RawBlock_RefusesUnsortedOrEmptyInput()
    {
        Assert.Throws<ArgumentException>(() => BlockCodec.EncodeRaw([], []));
        Assert.Throws<ArgumentException>(() => BlockCodec.EncodeRaw([2, 1], [0, 0]));
        Assert.Throws<ArgumentException>(() => BlockCodec.EncodeRaw([1, 1], [0, 0]));
        Assert.Throws<ArgumentException>(() => BlockCodec.EncodeRaw([1, 2], [0]));
    }

    [Fact]
    public void RawBlock_EveryTruncation_IsInvalidData()
    {
        var (t, v) = Irregular(50, 3);
        var data = BlockCodec.EncodeRaw(t, v);
        for (var len = 0; len < data.Length; len++)
        {
            Assert.Throws<InvalidDataException>(() => BlockCodec.DecodeRaw(data.AsSpan(0, len)));
        }
        Assert.Throws<InvalidDataException>(() => BlockCodec.DecodeRaw([.. data, 0])); // trailing byte
    }

    [Fact]
    public void RawBlock_CorruptedBytes_FailOnlyWithInvalidData()
    {
        var (t, v) = Irregular(100, 4);
        var data = BlockCodec.EncodeRaw(t, v);
        var rng = new Random(5);
        for (var k = 0; k < 2_000; k++)
        {
            var bad = (byte[])data.Clone();
            bad[rng.Next(bad.Length)] ^= (byte)rng.Next(1, 256);
            try
            {
                var b = BlockCodec.DecodeRaw(bad);
                Assert.Equal(b.T.Length, b.V.Length); // a flip inside a value's bytes decodes to another value
                Assert.True(b.T.Zip(b.T.Skip(1)).All(p => p.First < p.Second));
            }
            catch (InvalidDataException)
            {
            }
        }
        Assert.Throws<InvalidDataException>(() => BlockCodec.DecodeRaw([9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])); // unknown version
        Assert.Throws<InvalidDataException>(() => BlockCodec.DecodeRaw([1, 0xFF, 0xFF, 0xFF, 0x0F])); // count beyond the size
    }

    [Fact]
    public void RollupBlock_RoundTrips_AndChecksWidth()
    {
        var (t, v) = Irregular(3_000, 6);
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = double.IsFinite(v[i]) ? v[i] : 1;
        }
        var r = BlockCodec.Rollup(t, v, 300_000);
        Assert.Equal(t.Length, r.Count.Sum());
        var back = BlockCodec.DecodeRollup(BlockCodec.EncodeRollup(r, 300_000), 300_000);
        Assert.Equal(r.Buckets, back.Buckets);
        Assert.Equal(r.Count, back.Count);
        Assert.Equal(r.Sum, back.Sum);
        Assert.Equal(r.Min, back.Min);
        Assert.Equal(r.Max, back.Max);
        Assert.Equal(r.Last, back.Last);
        Assert.Equal(r.FirstT, back.FirstT);
        Assert.Equal(r.First, back.First);
        Assert.Equal(t[0], back.FirstT[0]);
        Assert.Throws<InvalidDataException>(() => BlockCodec.DecodeRollup(BlockCodec.EncodeRollup(r, 300_000), 3_600_000));
        var data = BlockCodec.EncodeRollup(r, 300_000);
        for (var len = 0; len < data.Length; len += 7)
        {
            Assert.Throws<InvalidDataException>(() => BlockCodec.DecodeRollup(data.AsSpan(0, len), 300_000));
        }
    }

    private static async Task Write(ISeriesStore s, TenantId t, SeriesKey key, IEnumerable<(DateTimeOffset At, double V)> samples)
    {
        await using var app = s.BeginAppend(t);
        foreach (var (at, v) in samples)
        {
            app.Add(key, at, v);
        }
        Assert.True((await app.CommitAsync()).Ok);
    }

    private static IEnumerable<(DateTimeOffset, double)> Minutes(DateTimeOffset from, int count, Func<int, double> value) =>
        Enumerable.Range(0, count).Select(i => (from.AddMinutes(i), value(i)));

    private static async Task<List<(long, double)>> Raw(ISeriesStore s, TenantId t, DateTimeOffset from, DateTimeOffset to) =>
        (await s.ReadAsync(t, [], new TimeRange(from, to), Resolution.Raw)).SelectMany(d => d.Samples.Select(x => (x.At.ToUnixTimeMilliseconds(), x.Value))).ToList();

    [Fact]
    public async Task Packing_KeepsRawReadsAndRollups_AcrossDaysAndReopen()
    {
        var k = Cpu("h1");
        List<(long, double)> before;
        List<Sample> fiveBefore;
        using (var store = Open())
        {
            // 3 days of minutes, written out of order in two halves, with a rewritten timestamp.
            await Write(store.Series, _a, k, Minutes(D0.AddDays(1), 2 * 1440, i => i));
            await Write(store.Series, _a, k, Minutes(D0, 1440, i => -i));
            await Write(store.Series, _a, k, [(D0.AddHours(3), 999.5)]);
            before = await Raw(store.Series, _a, D0.AddHours(-1), D0.AddDays(4));
            Assert.Equal(3 * 1440, before.Count);
            await store.Series.RollupAsync(D0.AddDays(2).AddHours(1)); // packs days 0 and 1; day 2 stays raw
            Assert.Equal(before, await Raw(store.Series, _a, D0.AddHours(-1), D0.AddDays(4)));
            Assert.Equal(before.Where(p => p.Item1 >= D0.AddHours(20).ToUnixTimeMilliseconds() && p.Item1 < D0.AddDays(2).AddHours(2).ToUnixTimeMilliseconds()),
                await Raw(store.Series, _a, D0.AddHours(20), D0.AddDays(2).AddHours(2))); // a range across a packed block and the head
            fiveBefore = [.. (await store.Series.ReadAsync(_a, [], new TimeRange(D0, D0.AddDays(3)), Resolution.FiveMinutes)).Single().Samples];
            Assert.Equal((2 * 288) + 12, fiveBefore.Count); // packed days + the head's closed hour
            Assert.Equal((999.5 - 181 - 182 - 183 - 184) / 5, fiveBefore[36].Value, 9); // the 03:00 bucket sees the rewrite
        }
        using (var store = Open())
        {
            Assert.Equal(before, await Raw(store.Series, _a, D0.AddHours(-1), D0.AddDays(4)));
            Assert.Equal(fiveBefore, (await store.Series.ReadAsync(_a, [], new TimeRange(D0, D0.AddDays(3)), Resolution.FiveMinutes)).Single().Samples);
            Assert.Empty(await Raw(store.Series, _b, D0, D0.AddDays(4))); // another tenant sees nothing
        }
    }

    [Fact]
    public async Task LateWriteIntoAPackedDay_WinsAtOnce_AndIsFoldedIntoItsBlock()
    {
        using var store = Open();
        var k = Cpu("h1");
        await Write(store.Series, _a, k, Minutes(D0, 1440, i => 1));
        await store.Series.RollupAsync(D0.AddDays(1));
        await Write(store.Series, _a, k, [(D0.AddMinutes(10), 61), (D0.AddMinutes(10).AddSeconds(30), 5)]); // a rewrite and a new sample
        var raw = await Raw(store.Series, _a, D0, D0.AddMinutes(15));
        Assert.Equal([1.0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 61, 5, 1, 1, 1, 1], raw.Select(p => p.Item2));
        await store.Series.RollupAsync(D0.AddDays(1));
        Assert.Equal(raw, await Raw(store.Series, _a, D0, D0.AddMinutes(15)));
        var five = (await store.Series.ReadAsync(_a, [], new TimeRange(D0, D0.AddMinutes(15)), Resolution.FiveMinutes)).Single().Samples;
        Assert.Equal([1.0, 1, (61 + 5 + 1 + 1 + 1 + 1) / 6.0], five.Select(s => s.Value));
        var hour = (await store.Series.ReadAsync(_a, [], new TimeRange(D0, D0.AddHours(1)), Resolution.OneHour)).Single().Samples.Single();
        Assert.Equal((59 + 61 + 5) / 61.0, hour.Value, 12); // 60 minutes (one rewritten to 61) and the extra 5
    }

    [Fact]
    public async Task Retention_TrimsPackedBlocksPerTenant()
    {
        using var store = Open();
        var k = Cpu("h1");
        await store.Series.SetRetentionAsync(_a, new RetentionPolicy(TimeSpan.FromHours(30), TimeSpan.FromDays(2), TimeSpan.FromDays(3)));
        await Write(store.Series, _a, k, Minutes(D0, 2 * 1440, i => i));
        await Write(store.Series, _b, k, Minutes(D0, 2 * 1440, i => i));
        await store.Series.RollupAsync(D0.AddDays(2));
        var report = await store.Series.ApplyRetentionAsync(D0.AddDays(2).AddHours(12));
        // Raw: older than 06:00 on day 1 goes (day 0 whole, 6 hours of day 1) for tenant a only; 5-minute buckets older
        // than 12:00 on day 0; hourly ones none.
        Assert.Equal(1440 + 360, report.RawDeleted);
        Assert.Equal(144, report.FiveMinuteDeleted);
        Assert.Equal(0, report.HourDeleted);
        var a = await Raw(store.Series, _a, D0, D0.AddDays(3));
        Assert.Equal(D0.AddDays(1).AddHours(6).ToUnixTimeMilliseconds(), a[0].Item1);
        Assert.Equal(1080, a.Count);
        Assert.Equal(2 * 1440, (await Raw(store.Series, _b, D0, D0.AddDays(3))).Count);
        Assert.Equal(288 + 144, (await store.Series.ReadAsync(_a, [], new TimeRange(D0, D0.AddDays(3)), Resolution.FiveMinutes)).Single().Samples.Count);
        Assert.Equal(48, (await store.Series.ReadAsync(_a, [], new TimeRange(D0, D0.AddDays(3)), Resolution.OneHour)).Single().Samples.Count);
    }

    [Fact]
    public async Task CorruptedBlockOnDisk_ReadFailsNamingTheSeries()
    {
        var path = _dir.File("db.duckdb");
        using (var store = Open(RawBlockLayout.DuckDb))
        {
            await Write(store.Series, _a, Cpu("h1"), Minutes(D0, 100, i => i));
            await store.Series.RollupAsync(D0.AddDays(1));
        }
        using (var db = new DuckDBConnection("Data Source=" + path))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "UPDATE block_raw SET data = '\\x01\\x05\\x00'::BLOB";
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }
        using (var store = Open(RawBlockLayout.DuckDb))
        {
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => Raw(store.Series, _a, D0, D0.AddDays(1)));
            Assert.Contains("block_raw of series 1", e.Message, StringComparison.Ordinal);
            // The rollups are separate blocks and still read.
            Assert.Equal(20, (await store.Series.ReadAsync(_a, [], new TimeRange(D0, D0.AddDays(1)), Resolution.FiveMinutes)).Single().Samples.Count);
        }
    }
}
