using Auspex.Core.Series;
using Auspex.Storage.PromQl;

namespace Auspex.Storage.Tests.PromQl;

/// <summary>The evaluator's rollup path gives the raw path's answers, including over spans the rollup pass has not completed.</summary>
public sealed class PromQlRollupTests
{
    private static readonly DateTimeOffset H0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TenantId Tenant = new("a");

    private static readonly string[] Functions =
        ["sum_over_time", "avg_over_time", "count_over_time", "min_over_time", "max_over_time", "last_over_time"];

    /// <summary>Counts how often the evaluator asked for rollups.</summary>
    private sealed class Counting(IPromRollupSource inner) : IPromRollupSource
    {
        public int RollupReads { get; set; }

        public Task<IReadOnlyList<SeriesKey>> FindSeriesAsync(IReadOnlyList<LabelMatcher> matchers, CancellationToken cancellationToken) =>
            inner.FindSeriesAsync(matchers, cancellationToken);

        public Task<IReadOnlyList<SeriesData>> ReadAsync(IReadOnlyList<LabelMatcher> matchers, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
            inner.ReadAsync(matchers, from, to, cancellationToken);

        public Task<IReadOnlyList<RollupSeries>> ReadRollupsAsync(IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, TimeSpan width,
            long pointStartMs, long pointStepMs, long rawLookbackMs, CancellationToken cancellationToken)
        {
            RollupReads++;
            return inner.ReadRollupsAsync(matchers, fromMs, toMs, width, pointStartMs, pointStepMs, rawLookbackMs, cancellationToken);
        }
    }

    /// <summary>
    /// Three series over two days: samples every 5 minutes on the clock (so on every bucket boundary), extra samples at
    /// odd seconds, a gap of several hours in one series, and a rewritten timestamp (the last write wins).
    /// </summary>
    private static async Task<EmbeddedStore> StoreWithDataAsync()
    {
        var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = ":memory:" });
        var rng = new Random(7);
        await using (var app = store.Series.BeginAppend(Tenant))
        {
            for (var s = 0; s < 3; s++)
            {
                var key = new SeriesKey("m", Labels.Of("i", s.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                for (var j = 0; j < 2 * 24 * 12; j++)
                {
                    if (s == 2 && j is >= 100 and < 160)
                    {
                        continue; // a five-hour gap
                    }
                    var at = H0.AddMinutes(5 * j);
                    app.Add(key, at, Math.Round((rng.NextDouble() * 200) - 50, 3));
                    if (j % 7 == 3)
                    {
                        app.Add(key, at.AddSeconds(97), rng.NextDouble() * 1e6);
                    }
                }
            }
            Assert.True((await app.CommitAsync()).Ok);
        }
        await using (var app = store.Series.BeginAppend(Tenant))
        {
            app.Add(new SeriesKey("m", Labels.Of("i", "0")), H0.AddHours(5), 12345.5); // rewrites an on-the-hour sample
            Assert.True((await app.CommitAsync()).Ok);
        }
        return store;
    }

    private static async Task<PromQueryResult> Run(IPromSeriesSource src, string q, DateTimeOffset start, DateTimeOffset end, TimeSpan step, bool rollups) =>
        await new PromQlEngine(src, new PromQlOptions { UseRollups = rollups }).RangeQueryAsync(q, start, end, step);

    private static void AssertSame(PromQueryResult raw, PromQueryResult rolled, string what)
    {
        Assert.Equal(raw.Series.Count, rolled.Series.Count);
        Assert.NotEmpty(raw.Series);
        for (var i = 0; i < raw.Series.Count; i++)
        {
            Assert.Equal(raw.Series[i].Metric, rolled.Series[i].Metric);
            Assert.Equal(raw.Series[i].Points.Select(p => p.TimestampMs), rolled.Series[i].Points.Select(p => p.TimestampMs));
            for (var k = 0; k < raw.Series[i].Points.Count; k++)
            {
                var a = raw.Series[i].Points[k].Value;
                var b = rolled.Series[i].Points[k].Value;
                // Sums and means are added up in another order (per bucket, then across buckets): equal to ~1e-12 relative.
                Assert.True(a == b || Math.Abs(a - b) <= 1e-12 * Math.Max(Math.Abs(a), Math.Abs(b)),
                    $"{what}: series {raw.Series[i].Metric} at {raw.Series[i].Points[k].TimestampMs}: raw {a:R}, rollups {b:R}");
            }
        }
    }

    [Theory]
    [InlineData("1h", 60, 60)] // hourly buckets
    [InlineData("3h", 60, 120)]
    [InlineData("15m", 5, 10)] // 5-minute buckets
    [InlineData("1h", 5, 5)]
    public async Task AlignedWindows_AfterARollupPass_MatchTheRawPath_AndUseRollups(string range, int stepMinutes, int startMinutes)
    {
        using var store = await StoreWithDataAsync();
        await store.Series.RollupAsync(H0.AddDays(3));
        var src = new Counting(new StoreSeriesSource(store.Series, Tenant));
        foreach (var f in Functions)
        {
            var q = $"{f}(m[{range}])";
            var start = H0.AddMinutes(startMinutes);
            var end = H0.AddHours(47);
            var raw = await Run(src, q, start, end, TimeSpan.FromMinutes(stepMinutes), rollups: false);
            Assert.Equal(0, src.RollupReads);
            var rolled = await Run(src, q, start, end, TimeSpan.FromMinutes(stepMinutes), rollups: true);
            Assert.Equal(1, src.RollupReads);
            src.RollupReads = 0;
            AssertSame(raw, rolled, q);
        }
    }

    [Fact]
    public async Task AlignedInstantQuery_MatchesTheRawPath()
    {
        using var store = await StoreWithDataAsync();
        await store.Series.RollupAsync(H0.AddDays(3));
        var src = new Counting(new StoreSeriesSource(store.Series, Tenant));
        foreach (var f in Functions)
        {
            var q = $"{f}(m[2h])";
            var raw = await new PromQlEngine(src, new PromQlOptions { UseRollups = false }).InstantQueryAsync(q, H0.AddHours(5));
            var rolled = await new PromQlEngine(src).InstantQueryAsync(q, H0.AddHours(5));
            Assert.Equal("vector", rolled.ResultType);
            AssertSame(raw, rolled, q);
        }
        Assert.Equal(Functions.Length, src.RollupReads);
    }

    [Fact]
    public async Task UnalignedWindows_ReadRaw()
    {
        using var store = await StoreWithDataAsync();
        await store.Series.RollupAsync(H0.AddDays(3));
        var src = new Counting(new StoreSeriesSource(store.Series, Tenant));
        // A start off the 5-minute grid, a 7-minute range, a 90-second step: no bucket width fits.
        await Run(src, "sum_over_time(m[1h])", H0.AddMinutes(62).AddSeconds(1), H0.AddHours(20), TimeSpan.FromHours(1), true);
        await Run(src, "sum_over_time(m[7m])", H0.AddHours(1), H0.AddHours(20), TimeSpan.FromHours(1), true);
        await Run(src, "sum_over_time(m[1h])", H0.AddHours(1), H0.AddHours(20), TimeSpan.FromSeconds(90), true);
        // rate has no rollup form.
        await Run(src, "rate(m[1h])", H0.AddHours(1), H0.AddHours(20), TimeSpan.FromHours(1), true);
        Assert.Equal(0, src.RollupReads);
    }

    [Fact]
    public async Task DirtyAndUnrolledSpans_FallBackToRaw_ForThoseSteps()
    {
        using var store = await StoreWithDataAsync();
        // The pass completes buckets before H0 + 30 h; later buckets are not rolled up (the series stay marked).
        await store.Series.RollupAsync(H0.AddHours(30).AddMinutes(20));
        var src = new Counting(new StoreSeriesSource(store.Series, Tenant));
        const string Q = "sum_over_time(m[1h])";
        var before = await Run(src, Q, H0.AddHours(1), H0.AddHours(47), TimeSpan.FromHours(1), rollups: true);

        // Late samples into hour 10 of series i="1" after the pass: its rollups from hour 10 on are stale.
        await using (var app = store.Series.BeginAppend(Tenant))
        {
            app.Add(new SeriesKey("m", Labels.Of("i", "1")), H0.AddHours(10).AddMinutes(31), 1_000_000);
            app.Add(new SeriesKey("m", Labels.Of("i", "1")), H0.AddHours(10), -77.25); // rewrites a boundary sample
            Assert.True((await app.CommitAsync()).Ok);
        }
        foreach (var f in Functions)
        {
            var q = $"{f}(m[1h])";
            var raw = await Run(src, q, H0.AddHours(1), H0.AddHours(47), TimeSpan.FromHours(1), rollups: false);
            var rolled = await Run(src, q, H0.AddHours(1), H0.AddHours(47), TimeSpan.FromHours(1), rollups: true);
            AssertSame(raw, rolled, q);
        }
        var after = await Run(src, Q, H0.AddHours(1), H0.AddHours(47), TimeSpan.FromHours(1), rollups: true);
        var at11 = H0.AddHours(11).ToUnixTimeMilliseconds();
        double Value(PromQueryResult r, string i, long at) => r.Series.Single(s => s.Metric["i"] == i).Points.Single(p => p.TimestampMs == at).Value;
        Assert.True(Value(after, "1", at11) > Value(before, "1", at11) + 999_000, "the late sample is counted");
        Assert.Equal(Value(before, "0", at11), Value(after, "0", at11));

        // A second pass folds the late samples in; the answers still match.
        await store.Series.RollupAsync(H0.AddDays(3));
        foreach (var f in Functions)
        {
            var q = $"{f}(m[1h])";
            AssertSame(await Run(src, q, H0.AddHours(1), H0.AddHours(47), TimeSpan.FromHours(1), false),
                await Run(src, q, H0.AddHours(1), H0.AddHours(47), TimeSpan.FromHours(1), true), q);
        }
    }

    [Fact]
    public async Task NoRollupPassYet_MatchesTheRawPath()
    {
        using var store = await StoreWithDataAsync();
        var src = new Counting(new StoreSeriesSource(store.Series, Tenant));
        foreach (var f in Functions)
        {
            var q = $"{f}(m[1h])";
            AssertSame(await Run(src, q, H0.AddHours(1), H0.AddHours(47), TimeSpan.FromHours(1), false),
                await Run(src, q, H0.AddHours(1), H0.AddHours(47), TimeSpan.FromHours(1), true), q);
        }
        Assert.Equal(Functions.Length, src.RollupReads);
    }

    [Fact]
    public async Task StoreReadRollups_ReportsTheStaleBucket_AndOnlyCompletedBuckets()
    {
        using var store = await StoreWithDataAsync();
        await store.Series.RollupAsync(H0.AddHours(30).AddMinutes(20));
        var reader = (IRollupReader)store.Series;
        var r = await reader.ReadRollupsAsync(Tenant, [LabelMatcher.Eq("i", "0")], H0.ToUnixTimeMilliseconds(), H0.AddHours(48).ToUnixTimeMilliseconds(),
            TimeSpan.FromHours(1), H0.ToUnixTimeMilliseconds(), 3_600_000, 0);
        var s = Assert.Single(r);
        Assert.Equal(H0.AddHours(30).ToUnixTimeMilliseconds(), s.StaleFromMs);
        Assert.Equal(30, s.Buckets.Length);
        Assert.All(s.Count, c => Assert.True(c >= 12));
        // Raw: the 48 on-the-hour samples before the stale point's tail, then every sample from hour 30.
        Assert.Equal(Enumerable.Range(0, 30).Select(h => H0.AddHours(h).ToUnixTimeMilliseconds()), s.RawT.Take(30));
        Assert.Equal(12345.5, s.RawV[5]);
        Assert.True(s.RawT.Skip(30).All(t => t >= H0.AddHours(30).ToUnixTimeMilliseconds()));
        Assert.Throws<ArgumentException>(() => { _ = reader.ReadRollupsAsync(Tenant, [], 0, 1, TimeSpan.FromMinutes(10), 0, 0, 0).GetAwaiter().GetResult(); });
    }
}
