using System.Globalization;
using System.Text;
using Auspex.Core.Series;
using Auspex.Storage.DuckDb;
using Auspex.Storage.PromQl;
using Auspex.Testing;
using DuckDB.NET.Data;

namespace Auspex.Storage.Tests;

/// <summary>
/// Rollup levels that are not coarser than a series' samples are not stored (marker rows, computed from the raw block
/// on read): reads at every resolution, the rollup reader and PromQL over rollups answer bit-identically to a store
/// that stored every level; retention keeps the coarser levels; a store written before markers converts on open.
/// </summary>
public sealed class DerivedRollupTests : IDisposable
{
    private static readonly DateTimeOffset D0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly TenantId _t = new("tenant-a");

    public void Dispose() => _dir.Dispose();

    /// <summary>Four series over <paramref name="days"/> days: every 5 minutes (jittered), every minute, hourly, and every 2 hours with gaps.</summary>
    private static List<(SeriesKey Key, DateTimeOffset At, double V)> Samples(int seed, int days)
    {
        var rng = new Random(seed);
        var list = new List<(SeriesKey, DateTimeOffset, double)>();
        foreach (var (name, step) in new[] { ("five", 300), ("one", 60), ("hour", 3600), ("twohours", 7200) })
        {
            var key = new SeriesKey("m", Labels.Of("every", name));
            var value = 1000.0;
            for (var at = D0.AddSeconds(rng.Next(step)); at < D0.AddDays(days); at = at.AddSeconds(step + rng.Next(-2, 3)).AddMilliseconds(rng.Next(1000)))
            {
                if (name == "twohours" && rng.Next(6) == 0)
                {
                    continue; // gaps
                }
                value += Math.Round(rng.NextDouble() * 10 - (name == "one" ? 5 : 0), 2);
                list.Add((key, at, value));
            }
        }
        return list;
    }

    private EmbeddedStore Open(string name, RawBlockLayout layout, bool storeAll = false, RetentionPolicy? retention = null)
    {
        var s = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File(name), RawBlockLayout = layout, DefaultRetention = retention ?? RetentionPolicy.Default });
        s.Inner.StoreRepeatingRollupsForTests = storeAll;
        return s;
    }

    private static long Scalar(string dbPath, string sql)
    {
        using var db = new DuckDBConnection("Data Source=" + dbPath);
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static string Bits(double x) => BitConverter.DoubleToUInt64Bits(x).ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Everything the read paths answer over rollups, as one string (doubles by their bits).</summary>
    private async Task<string> Everything(EmbeddedStore s)
    {
        var sb = new StringBuilder();
        var ranges = new List<(long From, long To)>
        {
            (D0.ToUnixTimeMilliseconds(), D0.AddDays(4).ToUnixTimeMilliseconds()),
            (D0.AddHours(5).AddMinutes(7).ToUnixTimeMilliseconds(), D0.AddDays(2).AddHours(3).ToUnixTimeMilliseconds()),
            (D0.AddDays(1).ToUnixTimeMilliseconds(), D0.AddDays(2).ToUnixTimeMilliseconds()),
        };
        foreach (var res in new[] { Resolution.FiveMinutes, Resolution.OneHour, Resolution.Raw })
        {
            foreach (var (from, to) in ranges)
            {
                foreach (var d in await s.Series.ReadAsync(_t, [], new TimeRange(DateTimeOffset.FromUnixTimeMilliseconds(from), DateTimeOffset.FromUnixTimeMilliseconds(to)), res))
                {
                    sb.Append(CultureInfo.InvariantCulture, $"{res} {d.Key}: ");
                    foreach (var p in d.Samples)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"{p.At.ToUnixTimeMilliseconds()}={Bits(p.Value)} ");
                    }
                    sb.AppendLine();
                }
            }
        }
        var reader = (IRollupReader)s.Series;
        foreach (var width in new[] { TimeSpan.FromMinutes(5), TimeSpan.FromHours(1) })
        {
            foreach (var (from, to) in ranges)
            {
                foreach (var r in await reader.ReadRollupsAsync(_t, [], from, to, width, from - (from % 3_600_000), 1_800_000, 600_000))
                {
                    sb.Append(CultureInfo.InvariantCulture, $"rollups {width} {r.Key} stale {r.StaleFromMs}: ");
                    for (var i = 0; i < r.Buckets.Length; i++)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"{r.Buckets[i]}:{r.Count[i]},{Bits(r.Sum[i])},{Bits(r.Min[i])},{Bits(r.Max[i])},{Bits(r.Last[i])} ");
                    }
                    sb.Append("raw ");
                    for (var i = 0; i < r.RawT.Length; i++)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"{r.RawT[i]}={Bits(r.RawV[i])} ");
                    }
                    sb.AppendLine();
                }
            }
        }
        var options = new PromQlOptions { UseRollups = true, MaxSeries = 100 };
        foreach (var (q, step) in new[] { ("avg_over_time(m[1h])", TimeSpan.FromHours(1)), ("max_over_time(m[5m])", TimeSpan.FromMinutes(5)), ("rate(m[1h])", TimeSpan.FromHours(1)), ("min_over_time(m[1d])", TimeSpan.FromHours(6)) })
        {
            var result = await new PromQlEngine(new StoreSeriesSource(s.Series, _t), options).RangeQueryAsync(q, D0.AddHours(2), D0.AddDays(4), step);
            foreach (var ser in result.Series)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{q} {ser.Metric}: ");
                foreach (var p in ser.Points)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"{p.TimestampMs}={Bits(p.Value)} ");
                }
                sb.AppendLine();
            }
        }
        return sb.ToString();
    }

    [Theory]
    [InlineData(RawBlockLayout.SegmentFiles)]
    [InlineData(RawBlockLayout.DuckDb)]
    public async Task LevelsNotCoarserThanTheSamples_AreNotStored_AndReadIdentically(RawBlockLayout layout)
    {
        var samples = Samples(5, 4);
        using (var all = Open("all.duckdb", layout, storeAll: true))
        using (var derived = Open("derived.duckdb", layout))
        {
            foreach (var s in new[] { all, derived })
            {
                await StoreWrites.CommitAsync(s.Series, _t, samples);
                await s.Series.RollupAsync(D0.AddDays(3).AddHours(1)); // days 0–2 packed, day 3 open
            }
            var expected = await Everything(all);
            Assert.Contains("rollups 00:05:00", expected, StringComparison.Ordinal);
            Assert.Equal(expected, await Everything(derived));
            Assert.Equal(expected, await Everything(derived)); // again, raw blocks now in the decoded-block cache

            // A late write into a packed day re-packs that day: still identical.
            var late = samples.Where((p, i) => i % 97 == 0 && p.At < D0.AddDays(2)).Select(p => (p.Key, At: p.At.AddSeconds(1), V: p.V + 0.5)).ToList();
            foreach (var s in new[] { all, derived })
            {
                await StoreWrites.CommitAsync(s.Series, _t, late);
                await s.Series.RollupAsync(D0.AddDays(3).AddHours(1));
            }
            Assert.Equal(await Everything(all), await Everything(derived));
            var sizes = derived.Inner.RollupBlockBytes();
            // 5-minute level: stored only for the every-minute series; hourly level: stored for the 1- and 5-minute series.
            Assert.Equal((3L, 9L), (sizes[0].Stored, sizes[0].Markers));
            Assert.Equal((6L, 6L), (sizes[1].Stored, sizes[1].Markers));
            var full = all.Inner.RollupBlockBytes();
            Assert.Equal((12L, 0L), (full[0].Stored, full[0].Markers));
            Assert.True(sizes[0].SectionBytes.Sum() < full[0].SectionBytes.Sum(), $"{sizes[0].SectionBytes.Sum()} vs {full[0].SectionBytes.Sum()} bytes");
        }
        // Reopened: the markers are read the same way.
        using var a2 = Open("all.duckdb", layout);
        using var d2 = Open("derived.duckdb", layout);
        Assert.Null(d2.Inner.RollupConversionNote);
        Assert.Equal(await Everything(a2), await Everything(d2));
    }

    [Fact]
    public async Task Retention_StoresDerivedLevels_BeforeTheRawBlocksGo()
    {
        var samples = Samples(9, 6);
        var policy = new RetentionPolicy(TimeSpan.FromDays(2), TimeSpan.FromDays(4), TimeSpan.FromDays(30));
        using var all = Open("all.duckdb", RawBlockLayout.SegmentFiles, storeAll: true, retention: policy);
        using var derived = Open("derived.duckdb", RawBlockLayout.SegmentFiles, retention: policy);
        foreach (var s in new[] { all, derived })
        {
            await StoreWrites.CommitAsync(s.Series, _t, samples);
            await s.Series.RollupAsync(D0.AddDays(6).AddHours(1));
        }
        var now = D0.AddDays(5).AddHours(7); // raw kept from day 3 07:00, 5-minute buckets from day 1 07:00
        var ra = await all.Series.ApplyRetentionAsync(now);
        var rd = await derived.Series.ApplyRetentionAsync(now);
        Assert.Equal(ra, rd);
        Assert.True(ra.RawDeleted > 0 && ra.FiveMinuteDeleted > 0, ra.ToString());
        var text = await Everything(derived);
        Assert.Equal(await Everything(all), text);
        // The 5-minute buckets of day 2, whose raw samples are gone, are still there (stored by retention).
        var day2 = await derived.Series.ReadAsync(_t, [new LabelMatcher("every", LabelMatchType.Equal, "five")], new TimeRange(D0.AddDays(2), D0.AddDays(3)), Resolution.FiveMinutes);
        Assert.True(day2.Single().Samples.Count > 250, $"{day2.Single().Samples.Count} buckets");
        var raw2 = await derived.Series.ReadAsync(_t, [new LabelMatcher("every", LabelMatchType.Equal, "five")], new TimeRange(D0.AddDays(2), D0.AddDays(3)), Resolution.Raw);
        Assert.Empty(raw2);
        // Retention again, a day later: still identical.
        Assert.Equal(await all.Series.ApplyRetentionAsync(now.AddDays(1)), await derived.Series.ApplyRetentionAsync(now.AddDays(1)));
        Assert.Equal(await Everything(all), await Everything(derived));
    }

    [Theory]
    [InlineData(RawBlockLayout.SegmentFiles)]
    [InlineData(RawBlockLayout.DuckDb)]
    public async Task AStoreWrittenBeforeMarkers_ConvertsOnOpen_OnlyBlocksEqualToTheirRawBlock(RawBlockLayout layout)
    {
        var samples = Samples(13, 5);
        var policy = new RetentionPolicy(TimeSpan.FromDays(2), TimeSpan.FromDays(10), TimeSpan.FromDays(30));
        var path = _dir.File("old.duckdb");
        string expected;
        using (var old = Open("old.duckdb", layout, storeAll: true, retention: policy))
        {
            await StoreWrites.CommitAsync(old.Series, _t, samples);
            await old.Series.RollupAsync(D0.AddDays(5).AddHours(1));
            // Raw trimmed inside day 2: that day's rollup blocks keep buckets the raw block no longer has.
            await old.Series.ApplyRetentionAsync(D0.AddDays(4).AddHours(12));
            expected = await Everything(old);
        }
        Assert.Equal(0, Scalar(path, "SELECT count(*) FROM block_5m WHERE n = 0"));
        Scalar(path, "DELETE FROM meta WHERE key = 'rollup_derived_v1' RETURNING 1"); // as written before markers existed
        using (var s = Open("old.duckdb", layout, retention: policy))
        {
            // Days 2–4 of the 5-minute, hourly and two-hourly series at 5 minutes (9) and of the hourly and two-hourly series at
            // 1 hour (6); day 2's raw blocks are trimmed, so that day's 5 blocks stay.
            Assert.Equal("10 rollup blocks that repeat their raw blocks are now computed from them on read (5 kept: they differ from their raw block, e.g. trimmed by retention)", s.Inner.RollupConversionNote);
            Assert.Equal(expected, await Everything(s));
        }
        Assert.Equal(6, Scalar(path, "SELECT count(*) FROM block_5m WHERE n = 0"));
        Assert.Equal(4, Scalar(path, "SELECT count(*) FROM block_1h WHERE n = 0"));
        using (var s = Open("old.duckdb", layout, retention: policy))
        {
            Assert.Null(s.Inner.RollupConversionNote); // once
            Assert.Equal(expected, await Everything(s));
        }
    }

    [Theory]
    [InlineData(RawBlockLayout.SegmentFiles)]
    [InlineData(RawBlockLayout.DuckDb)]
    public async Task RollupBlocksInTheVersion1Format_ReadAndConvert_AsBefore(RawBlockLayout layout)
    {
        var samples = Samples(17, 4);
        var path = _dir.File("v1.duckdb");
        string expected;
        using (var s = Open("v1.duckdb", layout, storeAll: true))
        {
            await StoreWrites.CommitAsync(s.Series, _t, samples);
            await s.Series.RollupAsync(D0.AddDays(3).AddHours(1));
            expected = await Everything(s);
        }
        // Every rollup block rewritten in the version 1 format, as a store written before version 2 holds them.
        using (var db = new DuckDBConnection("Data Source=" + path))
        {
            db.Open();
            foreach (var (table, width) in new[] { ("block_5m", 300_000L), ("block_1h", 3_600_000L) })
            {
                var rows = new List<(long, long, byte[])>();
                using (var cmd = db.CreateCommand())
                {
                    cmd.CommandText = $"SELECT series_id, start, data FROM {table}";
                    using var r = cmd.ExecuteReader();
                    while (r.Read())
                    {
                        using var st = r.GetStream(2);
                        var bytes = new byte[st.Length];
                        st.ReadExactly(bytes);
                        Assert.Equal(2, bytes[0]);
                        rows.Add((r.GetInt64(0), r.GetInt64(1), BlockCodec.EncodeRollupV1(BlockCodec.DecodeRollup(bytes, width), width)));
                    }
                }
                foreach (var (id, start, v1) in rows)
                {
                    using var cmd = db.CreateCommand();
                    cmd.CommandText = $"UPDATE {table} SET data = $d WHERE series_id = {id} AND start = {start}";
                    cmd.Parameters.Add(new DuckDBParameter("d", v1));
                    Assert.Equal(1, cmd.ExecuteNonQuery());
                }
            }
            using var del = db.CreateCommand();
            del.CommandText = "DELETE FROM meta WHERE key = 'rollup_derived_v1'";
            del.ExecuteNonQuery();
        }
        Assert.True(Scalar(path, "SELECT sum(octet_length(data))::BIGINT FROM block_1h") > 0);
        using (var s = Open("v1.duckdb", layout))
        {
            Assert.StartsWith("15 rollup blocks that repeat their raw blocks", s.Inner.RollupConversionNote, StringComparison.Ordinal);
            Assert.Equal(expected, await Everything(s));
        }
    }

    [Fact]
    public void RollupFormat2_RoundTripsBitExact_AndIsSmallerForCounters()
    {
        var rng = new Random(3);
        var t = new List<long>();
        var v = new List<double>();
        var counter = 100.0;
        for (long ts = 0; ts < 86_400_000; ts += 15_000 + rng.Next(-50, 50))
        {
            t.Add(ts);
            counter += Math.Round(rng.NextDouble(), 2);
            // A counter, with a reset, a falling stretch, NaN, a stale marker, −0 and infinities thrown in.
            v.Add(ts is > 30_000_000 and < 31_000_000 ? double.NaN
                : ts is > 40_000_000 and < 40_100_000 ? BitConverter.UInt64BitsToDouble(0x7ff0000000000002)
                : ts is > 50_000_000 and < 50_200_000 ? -0.0
                : ts is > 60_000_000 and < 60_100_000 ? double.NegativeInfinity
                : ts is > 70_000_000 and < 72_000_000 ? 1e6 - counter
                : ts > 80_000_000 ? counter - 5_000 : counter);
        }
        foreach (var width in new[] { 300_000L, 3_600_000L })
        {
            var r = BlockCodec.Rollup(t.ToArray(), v.ToArray(), width);
            var v2 = BlockCodec.EncodeRollup(r, width);
            var v1 = BlockCodec.EncodeRollupV1(r, width);
            Assert.True(BlockCodec.SameRollup(r, BlockCodec.DecodeRollup(v2, width)));
            Assert.True(BlockCodec.SameRollup(r, BlockCodec.DecodeRollup(v1, width)));
            Assert.True(v2.Length < v1.Length * 0.75, $"{v2.Length} vs {v1.Length} bytes at width {width}");
            for (var len = 0; len < v2.Length; len += 7)
            {
                Assert.Throws<InvalidDataException>(() => BlockCodec.DecodeRollup(v2.AsSpan(0, len), width));
            }
        }
    }

    [Fact]
    public void RollupRepeatsRaw_IsAboutOneSamplePerBucket()
    {
        Assert.True(BlockCodec.RollupRepeatsRaw(288, 288));
        Assert.True(BlockCodec.RollupRepeatsRaw(360, 288)); // every 4 minutes
        Assert.False(BlockCodec.RollupRepeatsRaw(576, 288)); // every 2.5 minutes
        Assert.False(BlockCodec.RollupRepeatsRaw(1440, 288)); // every minute
        Assert.True(BlockCodec.RollupRepeatsRaw(24, 24));
        Assert.False(BlockCodec.RollupRepeatsRaw(288, 24));
    }
}
