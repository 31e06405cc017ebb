using Auspex.Core.Series;
using Auspex.Storage.PromQl;

namespace Auspex.Storage.Tests.PromQl;

public sealed class PromQlEngineTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    /// <summary>An in-memory source: what the store would return, filtered the same way (inclusive time bounds).</summary>
    private sealed class Source(params SeriesData[] data) : IPromSeriesSource
    {
        public int Reads { get; private set; }

        public Task<IReadOnlyList<SeriesKey>> FindSeriesAsync(IReadOnlyList<LabelMatcher> matchers, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SeriesKey>>(data.Where(d => matchers.All(m => m.Matches(d.Key))).Select(d => d.Key).ToList());

        public Task<IReadOnlyList<SeriesData>> ReadAsync(IReadOnlyList<LabelMatcher> matchers, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
        {
            Reads++;
            IReadOnlyList<SeriesData> r = data.Where(d => matchers.All(m => m.Matches(d.Key)))
                .Select(d => new SeriesData(d.Key, d.Samples.Where(s => s.At >= from && s.At <= to).ToList()))
                .Where(d => d.Samples.Count > 0).ToList();
            return Task.FromResult(r);
        }
    }

    /// <summary>A series with samples at T0 + the given seconds.</summary>
    private static SeriesData S(string metric, string[] labels, params (double Sec, double V)[] points) =>
        new(new SeriesKey(metric, Labels.Of(labels)), points.Select(p => new Sample(T0.AddSeconds(p.Sec), p.V)).ToList());

    private static DateTimeOffset At(double sec) => T0.AddSeconds(sec);

    private static async Task<double?> Instant(IPromSeriesSource src, string q, double atSec, PromQlOptions? o = null)
    {
        var r = await new PromQlEngine(src, o).InstantQueryAsync(q, At(atSec));
        if (r.ResultType == "scalar")
        {
            return r.Scalar!.Value.Value;
        }
        Assert.Equal("vector", r.ResultType);
        return r.Series.Count == 0 ? null : r.Series.Single().Points.Single().Value;
    }

    // A counter sampled every 15 s that resets between 30 s and 45 s: 10, 20, 5, 15.
    private static readonly SeriesData Counter = S("req_total", ["job", "api"], (15, 10), (30, 20), (45, 5), (60, 15));

    [Fact]
    public async Task Increase_WithCounterReset_ExtrapolatesToTheWindowStart()
    {
        // Window [0, 60]: raw increase 15 − 10 + 20 (reset) = 25 over 45 s sampled; the first sample is 15 s from the
        // start (< 1.1 × 15 s spacing) and the zero point is 45 × 10/25 = 18 s back (further), so extrapolate by 15 s:
        // 25 × 60 / 45 = 33.33…; the last sample sits on the end.
        var v = await Instant(new Source(Counter), "increase(req_total[1m])", 60);
        Assert.Equal(25.0 * 60 / 45, v!.Value, 12);
        var rate = await Instant(new Source(Counter), "rate(req_total[1m])", 60);
        Assert.Equal(25.0 * 60 / 45 / 60, rate!.Value, 12);
    }

    [Fact]
    public async Task Increase_StopsExtrapolatingAtTheCountersZeroPoint()
    {
        // 1, 11, 21, 31 at 15..60 s: increase 30 over 45 s; zero point 45 × 1/30 = 1.5 s before the first sample,
        // nearer than the window start (15 s), so the interval is 45 + 1.5 = 46.5 s: 30 × 46.5 / 45 = 31.
        var src = new Source(S("c", ["a", "b"], (15, 1), (30, 11), (45, 21), (60, 31)));
        Assert.Equal(31, (await Instant(src, "increase(c[1m])", 60))!.Value, 12);
    }

    [Fact]
    public async Task Increase_FarFromTheEnds_ExtrapolatesHalfASpacing()
    {
        // 100, 110, 120 at 30, 40, 50 s, window [0, 60]: start gap 30 s ≥ 11 s → +5 s; end gap 10 s < 11 s → +10 s;
        // zero point 100 s back (beyond). 20 × (20 + 5 + 10) / 20 = 35.
        var src = new Source(S("c", ["a", "b"], (30, 100), (40, 110), (50, 120)));
        Assert.Equal(35, (await Instant(src, "increase(c[1m])", 60))!.Value, 12);
    }

    [Fact]
    public async Task Rate_NeedsTwoSamples()
    {
        var src = new Source(S("c", ["a", "b"], (30, 100)));
        Assert.Null(await Instant(src, "rate(c[1m])", 60));
        Assert.Null(await Instant(src, "irate(c[1m])", 60));
    }

    [Fact]
    public async Task Irate_LastTwoSamples_AndAfterAReset_TheLastValue()
    {
        Assert.Equal(10.0 / 15, (await Instant(new Source(Counter), "irate(req_total[1m])", 60))!.Value, 12);
        Assert.Equal(5.0 / 15, (await Instant(new Source(Counter), "irate(req_total[1m])", 45))!.Value, 12);
    }

    [Theory]
    [InlineData("avg_over_time(g[1m])", 2.5)]
    [InlineData("min_over_time(g[1m])", 1)]
    [InlineData("max_over_time(g[1m])", 4)]
    [InlineData("sum_over_time(g[1m])", 10)]
    [InlineData("count_over_time(g[1m])", 4)]
    [InlineData("last_over_time(g[1m])", 3)]
    [InlineData("quantile_over_time(0.5, g[1m])", 2.5)]
    [InlineData("quantile_over_time(0.25, g[1m])", 1.75)]
    [InlineData("quantile_over_time(1, g[1m])", 4)]
    [InlineData("quantile_over_time(-1, g[1m])", double.NegativeInfinity)]
    [InlineData("quantile_over_time(2, g[1m])", double.PositiveInfinity)]
    [InlineData("avg_over_time(g[30s])", 3)] // window [30, 60] is closed at both ends: 2, 4 and 3
    [InlineData("count_over_time(g[29s])", 2)]
    [InlineData("count_over_time(g[46s])", 4)]
    public async Task OverTimeFunctions_KnownValues(string q, double expected)
    {
        // 1, 2, 4, 3 at 15, 30, 45, 60 s
        var src = new Source(S("g", ["h", "1"], (15, 1), (30, 2), (45, 4), (60, 3)));
        Assert.Equal(expected, (await Instant(src, q, 60))!.Value, 12);
    }

    [Fact]
    public async Task OverTimeFunctions_DropTheNameExceptLastOverTime()
    {
        var src = new Source(S("g", ["h", "1"], (15, 1), (30, 2)));
        var avg = await new PromQlEngine(src).InstantQueryAsync("avg_over_time(g[1m])", At(30));
        Assert.Equal(Labels.Of("h", "1"), avg.Series.Single().Metric);
        var last = await new PromQlEngine(src).InstantQueryAsync("last_over_time(g[1m])", At(30));
        Assert.Equal(Labels.Of("__name__", "g", "h", "1"), last.Series.Single().Metric);
    }

    [Fact]
    public async Task InstantSelector_LooksBackFiveMinutes_Inclusive()
    {
        var src = new Source(S("g", ["h", "1"], (0, 7)));
        Assert.Equal(7, await Instant(src, "g", 0));
        Assert.Equal(7, await Instant(src, "g", 300));
        Assert.Null(await Instant(src, "g", 301));
        Assert.Null(await Instant(src, "g", -1));
        Assert.Equal(7, await Instant(src, "g", 400, new PromQlOptions { LookbackDelta = TimeSpan.FromMinutes(10) }));
    }

    [Fact]
    public async Task InstantSelector_KeepsTheName_AndTakesTheLatestSample()
    {
        var src = new Source(S("g", ["h", "1"], (0, 7), (10, 8), (20, 9)));
        var r = await new PromQlEngine(src).InstantQueryAsync("g{h=\"1\"}", At(15));
        Assert.Equal(Labels.Of("__name__", "g", "h", "1"), r.Series.Single().Metric);
        Assert.Equal(8, r.Series.Single().Points.Single().Value);
        Assert.Equal(At(15).ToUnixTimeMilliseconds(), r.Series.Single().Points.Single().TimestampMs);
    }

    [Fact]
    public async Task RangeQuery_StepsAlignedToStart_InclusiveEnd()
    {
        var src = new Source(S("g", ["h", "1"], (0, 1), (60, 2), (120, 3), (180, 4)));
        var r = await new PromQlEngine(src).RangeQueryAsync("g", At(0), At(180), TimeSpan.FromMinutes(1));
        Assert.Equal("matrix", r.ResultType);
        var pts = r.Series.Single().Points;
        Assert.Equal([0.0, 60, 120, 180], pts.Select(p => (p.TimestampMs - T0.ToUnixTimeMilliseconds()) / 1000.0));
        Assert.Equal([1.0, 2, 3, 4], pts.Select(p => p.Value));
        // Unaligned start: steps at 30, 90, 150 take the latest sample at or before each.
        var r2 = await new PromQlEngine(src).RangeQueryAsync("g", At(30), At(170), TimeSpan.FromMinutes(1));
        Assert.Equal([1.0, 2, 3], r2.Series.Single().Points.Select(p => p.Value));
    }

    [Fact]
    public async Task RangeQuery_GapsLongerThanTheLookback_LeaveNoPoint()
    {
        var src = new Source(S("g", ["h", "1"], (0, 1), (900, 2)));
        var r = await new PromQlEngine(src).RangeQueryAsync("g", At(0), At(900), TimeSpan.FromMinutes(5));
        Assert.Equal([0.0, 300, 900], r.Series.Single().Points.Select(p => (p.TimestampMs - T0.ToUnixTimeMilliseconds()) / 1000.0));
    }

    [Fact]
    public async Task RangeQuery_RateEveryStep_MatchesTheInstantQueries()
    {
        var samples = Enumerable.Range(0, 40).Select(i => (i * 15.0, i < 20 ? i * 3.0 : (i - 20) * 2.0)).ToArray();
        var src = new Source(S("c", ["a", "b"], samples));
        var r = await new PromQlEngine(src).RangeQueryAsync("rate(c[2m])", At(60), At(585), TimeSpan.FromSeconds(35));
        var pts = r.Series.Single().Points;
        Assert.Equal(16, pts.Count);
        foreach (var p in pts)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(p.TimestampMs);
            var single = await new PromQlEngine(src).InstantQueryAsync("rate(c[2m])", at);
            Assert.Equal(single.Series.Single().Points.Single().Value, p.Value, 12);
        }
    }

    private static Source Fleet() => new(
        S("cpu", ["job", "x", "inst", "1"], (0, 1)),
        S("cpu", ["job", "x", "inst", "2"], (0, 3)),
        S("cpu", ["job", "y", "inst", "3"], (0, 10)),
        S("mem", ["job", "x", "inst", "1"], (0, 100)));

    [Theory]
    [InlineData("sum by (job) (cpu)", "{job=\"x\"}=4;{job=\"y\"}=10")]
    [InlineData("sum(cpu) by (job)", "{job=\"x\"}=4;{job=\"y\"}=10")]
    [InlineData("avg without (inst) (cpu)", "{job=\"x\"}=2;{job=\"y\"}=10")]
    [InlineData("min by (job) (cpu)", "{job=\"x\"}=1;{job=\"y\"}=10")]
    [InlineData("max by (job) (cpu)", "{job=\"x\"}=3;{job=\"y\"}=10")]
    [InlineData("count(cpu)", "{}=3")]
    [InlineData("sum(cpu)", "{}=14")]
    [InlineData("sum by (__name__) ({job=\"x\"})", "{__name__=\"cpu\"}=4;{__name__=\"mem\"}=100")]
    [InlineData("count without (inst) ({job=\"x\"})", "{job=\"x\"}=3")]
    [InlineData("cpu{inst=\"2\"} * 100", "{inst=\"2\",job=\"x\"}=300")]
    [InlineData("100 - cpu{inst=\"2\"}", "{inst=\"2\",job=\"x\"}=97")]
    [InlineData("cpu{inst=\"2\"} / 0", "{inst=\"2\",job=\"x\"}=+Inf")]
    [InlineData("cpu{inst=\"2\"} % 2", "{inst=\"2\",job=\"x\"}=1")]
    [InlineData("cpu{inst=\"2\"} ^ 2", "{inst=\"2\",job=\"x\"}=9")]
    [InlineData("-cpu{inst=\"2\"}", "{inst=\"2\",job=\"x\"}=-3")]
    [InlineData("sum by (job) (cpu) / 2 + 1", "{job=\"x\"}=3;{job=\"y\"}=6")]
    [InlineData("cpu{job=~\"x|z\", inst!=\"1\"}", "{__name__=\"cpu\",inst=\"2\",job=\"x\"}=3")]
    [InlineData("cpu{job!~\"x\"}", "{__name__=\"cpu\",inst=\"3\",job=\"y\"}=10")]
    [InlineData("{__name__=~\"c.*\", inst=\"1\"}", "{__name__=\"cpu\",inst=\"1\",job=\"x\"}=1")]
    [InlineData("cpu{job=\"nope\"}", "")]
    public async Task VectorOperations_KnownValues(string q, string expected)
    {
        var r = await new PromQlEngine(Fleet()).InstantQueryAsync(q, At(60));
        var text = string.Join(";", r.Series.Select(s => s.Metric + "=" + PromFormat.Value(s.Points.Single().Value)));
        Assert.Equal(expected, text);
    }

    [Theory]
    [InlineData("1 + 2 * 3", 7)]
    [InlineData("2 ^ 3 ^ 2", 512)]
    [InlineData("-2 ^ 2", -4)]
    [InlineData("(1 + 2) * 3", 9)]
    [InlineData("10 - 4 - 3", 3)]
    [InlineData("7 % 3", 1)]
    [InlineData("-7 % 3", -1)]
    [InlineData("1 / 0", double.PositiveInfinity)]
    [InlineData("0 / 0", double.NaN)]
    public async Task ScalarArithmetic(string q, double expected)
    {
        var r = await new PromQlEngine(new Source()).InstantQueryAsync(q, At(0));
        Assert.Equal("scalar", r.ResultType);
        Assert.Equal(expected, r.Scalar!.Value.Value);
    }

    [Fact]
    public async Task RangeQuery_OfAScalar_IsOneSeriesWithoutLabels()
    {
        var r = await new PromQlEngine(new Source()).RangeQueryAsync("2 * 21", At(0), At(120), TimeSpan.FromMinutes(1));
        var s = Assert.Single(r.Series);
        Assert.Equal(Labels.Empty, s.Metric);
        Assert.Equal([42.0, 42, 42], s.Points.Select(p => p.Value));
    }

    [Fact]
    public async Task MinMax_IgnoreNaN_UnlessEverythingIsNaN()
    {
        var src = new Source(S("g", ["i", "1"], (0, double.NaN)), S("g", ["i", "2"], (0, 5)), S("h", ["i", "1"], (0, double.NaN)));
        Assert.Equal(5, await Instant(src, "min(g)", 0));
        Assert.Equal(5, await Instant(src, "max(g)", 0));
        Assert.True(double.IsNaN((await Instant(src, "max(h)", 0))!.Value));
        Assert.True(double.IsNaN((await Instant(src, "sum(g)", 0))!.Value));
    }

    [Fact]
    public async Task InstantQuery_OfARangeSelector_ReturnsTheRawSamples()
    {
        var r = await new PromQlEngine(new Source(Counter)).InstantQueryAsync("req_total[30s]", At(60));
        Assert.Equal("matrix", r.ResultType);
        Assert.Equal([20.0, 5, 15], r.Series.Single().Points.Select(p => p.Value));
        Assert.Equal("req_total", r.Series.Single().Metric["__name__"]);
    }

    [Fact]
    public async Task RangeQuery_OfARangeSelector_IsBadData()
    {
        var e = await Assert.ThrowsAsync<PromQlException>(() => new PromQlEngine(new Source(Counter)).RangeQueryAsync("req_total[1m]", At(0), At(60), TimeSpan.FromSeconds(15)));
        Assert.Equal(PromQlException.BadData, e.ErrorType);
        Assert.Contains("range vector", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Functions_OverSeriesDifferingOnlyByName_FailAsExecutionErrors()
    {
        var src = new Source(S("a", ["x", "1"], (0, 1), (15, 2)), S("b", ["x", "1"], (0, 1), (15, 2)));
        var e = await Assert.ThrowsAsync<PromQlException>(() => new PromQlEngine(src).InstantQueryAsync("rate({x=\"1\"}[1m])", At(15)));
        Assert.Equal(PromQlException.Execution, e.ErrorType);
        Assert.Contains("same labelset", e.Message, StringComparison.Ordinal);
        // Without overlap in time they are one series, as in Prometheus' range queries.
        var apart = new Source(S("a", ["x", "1"], (0, 1)), S("b", ["x", "1"], (600, 2)));
        var r = await new PromQlEngine(apart).RangeQueryAsync("{x=\"1\"} * 1", At(0), At(600), TimeSpan.FromMinutes(10));
        Assert.Equal([1.0, 2], r.Series.Single().Points.Select(p => p.Value));
    }

    [Fact]
    public async Task Limits_StepsSeriesAndSamples()
    {
        var engine = new PromQlEngine(Fleet(), new PromQlOptions { MaxSeries = 2, MaxSamples = 2 });
        var steps = await Assert.ThrowsAsync<PromQlException>(() => engine.RangeQueryAsync("mem", At(0), At(11_001), TimeSpan.FromSeconds(1)));
        Assert.Equal("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)", steps.Message);
        await engine.RangeQueryAsync("mem", At(0), At(11_000), TimeSpan.FromSeconds(1)).ContinueWith(t => Assert.Equal(PromQlException.Execution, ((PromQlException)t.Exception!.InnerException!).ErrorType));
        var series = await Assert.ThrowsAsync<PromQlException>(() => engine.InstantQueryAsync("cpu", At(0)));
        Assert.Equal(PromQlException.Execution, series.ErrorType);
        Assert.Contains("more than 2 series", series.Message, StringComparison.Ordinal);
        var zero = await Assert.ThrowsAsync<PromQlException>(() => engine.RangeQueryAsync("mem", At(0), At(10), TimeSpan.Zero));
        Assert.Contains("zero or negative query resolution step", zero.Message, StringComparison.Ordinal);
        var back = await Assert.ThrowsAsync<PromQlException>(() => engine.RangeQueryAsync("mem", At(10), At(0), TimeSpan.FromSeconds(1)));
        Assert.Equal("end timestamp must not be before start time", back.Message);
        var samples = new PromQlEngine(new Source(Counter), new PromQlOptions { MaxSamples = 3 });
        var loaded = await Assert.ThrowsAsync<PromQlException>(() => samples.InstantQueryAsync("rate(req_total[1m])", At(60)));
        Assert.Contains("more than 3 samples", loaded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Results_AreSortedByLabels()
    {
        var r = await new PromQlEngine(Fleet()).RangeQueryAsync("{job=~\".+\"}", At(0), At(60), TimeSpan.FromMinutes(1));
        Assert.Equal(["cpu{inst=\"1\",job=\"x\"}", "cpu{inst=\"2\",job=\"x\"}", "cpu{inst=\"3\",job=\"y\"}", "mem{inst=\"1\",job=\"x\"}"],
            r.Series.Select(s => s.Metric["__name__"] + s.Metric.Without("__name__")));
    }

    [Fact]
    public async Task StoreSeriesSource_ReadsOneTenantsRawSamples_EndInclusive()
    {
        using var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = ":memory:" });
        var a = new TenantId("a");
        await using (var app = store.Series.BeginAppend(a))
        {
            app.Add(S("g", ["h", "1"], (0, 1), (60, 2)));
            Assert.True((await app.CommitAsync()).Ok);
        }
        await using (var app = store.Series.BeginAppend(new TenantId("b")))
        {
            app.Add(S("g", ["h", "1"], (0, 100), (60, 200)));
            Assert.True((await app.CommitAsync()).Ok);
        }
        var r = await new PromQlEngine(new StoreSeriesSource(store.Series, a)).RangeQueryAsync("sum_over_time(g[1m])", At(60), At(60), TimeSpan.FromSeconds(1));
        Assert.Equal(3, r.Series.Single().Points.Single().Value);
    }
}
