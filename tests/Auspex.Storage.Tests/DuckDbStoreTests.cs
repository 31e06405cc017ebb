using Auspex.Core.Forecasts;
using Auspex.Core.Scores;
using Auspex.Core.Series;
using Auspex.Storage;
using Auspex.Testing;
using static Auspex.Testing.Builders;

namespace Auspex.Storage.Tests;

public sealed class DuckDbStoreTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);
    private readonly TempDirectory _dir = new();
    private readonly TenantId _a = new("tenant-a");
    private readonly TenantId _b = new("tenant-b");

    private EmbeddedStore Open() => AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("db.duckdb") });

    public void Dispose() => _dir.Dispose();

    private static async Task<AppendResult> Write(ISeriesStore s, TenantId t, params SeriesData[] data)
    {
        await using var app = s.BeginAppend(t);
        foreach (var d in data)
        {
            app.Add(d);
        }
        return await app.CommitAsync();
    }

    [Fact]
    public async Task Commit_ThenRead_ReturnsSamplesInRange()
    {
        using var store = Open();
        var r = await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, 1, 2, 3, 4, 5));
        Assert.True(r.Ok);
        Assert.Equal(5, r.Samples);
        Assert.Equal(1, r.NewSeries);
        var read = await store.Series.ReadAsync(_a, [LabelMatcher.Eq("host", "h1")], new TimeRange(T0 + Step, T0 + Step * 4), Resolution.Raw);
        Assert.Equal([2.0, 3, 4], read.Single().Samples.Select(s => s.Value));
    }

    [Fact]
    public async Task Commit_InterleavedSamplesOfSeveralSeries_EachSampleGoesToItsSeries()
    {
        // The appender groups consecutive samples of one series into runs; equal keys that are different instances
        // (a new Labels object) must still land in the same series, before and after a reopen.
        using (var store = Open())
        {
            await using var app = store.Series.BeginAppend(_a);
            for (var i = 0; i < 6; i++)
            {
                var host = i % 3 == 0 ? "h1" : i % 3 == 1 ? "h2" : "h1";
                app.Add(new SeriesKey("cpu", Labels.Of("host", host)), T0 + Step * i, i);
            }
            app.Add(new SeriesKey("cpu", Labels.Of("host", "h2")), T0 + Step * 10, 10);
            var r = await app.CommitAsync();
            Assert.True(r.Ok);
            Assert.Equal(7, r.Samples);
            Assert.Equal(2, r.NewSeries);
        }
        using (var store = Open())
        {
            var read = await store.Series.ReadAsync(_a, [], new TimeRange(T0, T0 + TimeSpan.FromHours(1)), Resolution.Raw);
            Assert.Equal(2, read.Count);
            Assert.Equal([0.0, 2, 3, 5], read.Single(s => s.Key.Labels["host"] == "h1").Samples.Select(s => s.Value));
            Assert.Equal([1.0, 4, 10], read.Single(s => s.Key.Labels["host"] == "h2").Samples.Select(s => s.Value));
        }
    }

    [Fact]
    public async Task Commit_WithNaN_RefusesWholeBatchAndNamesSeries()
    {
        using var store = Open();
        await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, 1, 2));
        var r = await Write(store.Series, _a, Series(Cpu("h1"), T0 + Step * 2, Step, 3, double.NaN, 5));
        Assert.False(r.Ok);
        Assert.Contains("h1", r.Errors.Single(), StringComparison.Ordinal);
        Assert.Contains("not a finite number", r.Errors.Single(), StringComparison.Ordinal);
        var read = await store.Series.ReadAsync(_a, [], new TimeRange(T0, T0 + TimeSpan.FromDays(1)), Resolution.Raw);
        Assert.Equal([1.0, 2], read.Single().Samples.Select(s => s.Value));
    }

    [Fact]
    public async Task Rollback_WritesNothing()
    {
        using var store = Open();
        await using (var app = store.Series.BeginAppend(_a))
        {
            app.Add(Series(Cpu("h1"), T0, Step, 1, 2));
            app.Rollback();
        }
        Assert.Empty(store.Series.FindSeries(_a, []));
    }

    [Fact]
    public async Task Data_SurvivesReopen()
    {
        using (var store = Open())
        {
            await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, 7, 8));
            await store.State.PutAsync(_a, "topology", "current", "{\"x\":1}", T0);
            await store.State.AuditAsync(_a, new AuditEntry(T0, "alice", "import", "samples", "2 rows"));
        }
        using (var store = Open())
        {
            var read = await store.Series.ReadAsync(_a, [], new TimeRange(T0, T0 + Step * 10), Resolution.Raw);
            Assert.Equal([7.0, 8], read.Single().Samples.Select(s => s.Value));
            Assert.Equal("{\"x\":1}", await store.State.GetAsync(_a, "topology", "current"));
            Assert.Equal("alice", (await store.State.ReadAuditAsync(_a, 10)).Single().Actor);
            // New series after reopen get fresh ids, not colliding with old ones.
            var r = await Write(store.Series, _a, Series(Cpu("h2"), T0, Step, 1));
            Assert.Equal(1, r.NewSeries);
            Assert.Equal(2, store.Series.FindSeries(_a, []).Count);
        }
    }

    [Fact]
    public async Task Tenants_SeeOnlyTheirOwnSeries()
    {
        using var store = Open();
        await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, 1));
        await Write(store.Series, _b, Series(Cpu("h1"), T0, Step, 99));
        var a = await store.Series.ReadAsync(_a, [], new TimeRange(T0, T0 + Step), Resolution.Raw);
        Assert.Equal(1.0, a.Single().Samples.Single().Value);
        Assert.Single(store.Series.FindSeries(_b, []));
        Assert.Null(await store.State.GetAsync(_b, "topology", "current"));
    }

    [Fact]
    public async Task Read_OutOfOrderAndDuplicates_SortedAndLastWriteWins()
    {
        using var store = Open();
        var k = Cpu("h1");
        await Write(store.Series, _a, new SeriesData(k, [new(T0 + Step * 2, 3), new(T0, 1), new(T0 + Step, 2)]));
        await Write(store.Series, _a, new SeriesData(k, [new(T0 + Step, 20)]));
        var read = await store.Series.ReadAsync(_a, [], new TimeRange(T0, T0 + Step * 3), Resolution.Raw);
        Assert.Equal([1.0, 20, 3], read.Single().Samples.Select(s => s.Value));
    }

    [Fact]
    public async Task FindSeries_RegexAndNegativeMatchers_Filter()
    {
        using var store = Open();
        await Write(store.Series, _a, Series(Cpu("web-1"), T0, Step, 1), Series(Cpu("web-2"), T0, Step, 1), Series(Cpu("db-1"), T0, Step, 1));
        Assert.Equal(2, store.Series.FindSeries(_a, [new LabelMatcher("host", LabelMatchType.Regex, "web-.*")]).Count);
        Assert.Single(store.Series.FindSeries(_a, [new LabelMatcher("host", LabelMatchType.NotRegex, "web-.*")]));
        Assert.Equal(2, store.Series.FindSeries(_a, [new LabelMatcher("host", LabelMatchType.NotEqual, "db-1")]).Count);
        Assert.Equal(3, store.Series.FindSeries(_a, [LabelMatcher.Eq("__name__", Cpu("x").Metric)]).Count);
    }

    [Fact]
    public async Task Rollup_AveragesClosedBucketsAndFoldsLateSamples()
    {
        using var store = Open();
        // 10 one-minute samples 0..9 → two 5-minute buckets with means 2 and 7.
        await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        await store.Series.RollupAsync(T0 + TimeSpan.FromMinutes(10));
        var five = await store.Series.ReadAsync(_a, [], new TimeRange(T0, T0 + TimeSpan.FromHours(1)), Resolution.FiveMinutes);
        Assert.Equal([2.0, 7], five.Single().Samples.Select(s => s.Value));
        // A late sample overwriting minute 0 (last write wins in raw) is folded in on the next pass.
        await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, 10));
        await store.Series.RollupAsync(T0 + TimeSpan.FromMinutes(10));
        five = await store.Series.ReadAsync(_a, [], new TimeRange(T0, T0 + TimeSpan.FromHours(1)), Resolution.FiveMinutes);
        Assert.Equal(4.0, five.Single().Samples[0].Value, 9); // (10+1+2+3+4)/5: rollups see what raw reads see
        var hour = await store.Series.ReadAsync(_a, [], new TimeRange(T0, T0 + TimeSpan.FromHours(1)), Resolution.OneHour);
        Assert.Empty(hour); // the hour is still open
    }

    [Fact]
    public async Task Retention_DeletesOnlyOlderThanTenantPolicy()
    {
        using var store = Open();
        await store.Series.SetRetentionAsync(_a, new RetentionPolicy(TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(2)));
        await Write(store.Series, _a, Series(Cpu("h1"), T0, TimeSpan.FromMinutes(30), 1, 2, 3, 4, 5));
        await Write(store.Series, _b, Series(Cpu("h1"), T0, TimeSpan.FromMinutes(30), 1, 2, 3, 4, 5));
        var report = await store.Series.ApplyRetentionAsync(T0 + TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        Assert.Equal(3, report.RawDeleted); // 00:00, 00:30, 01:00 are older than 1 h before 02:01
        var a = await store.Series.ReadAsync(_a, [], new TimeRange(T0, T0 + TimeSpan.FromDays(1)), Resolution.Raw);
        Assert.Equal(2, a.Single().Samples.Count);
        var b = await store.Series.ReadAsync(_b, [], new TimeRange(T0, T0 + TimeSpan.FromDays(1)), Resolution.Raw);
        Assert.Equal(5, b.Single().Samples.Count); // default retention is 15 days
    }

    [Fact]
    public async Task SetRetention_ShrinkingWithCoarserResolution_IsRefused()
    {
        using var store = Open();
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            store.Series.SetRetentionAsync(_a, new RetentionPolicy(TimeSpan.FromDays(10), TimeSpan.FromDays(1), TimeSpan.FromDays(20))));
        Assert.Contains("tenant-a", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forecasts_LatestReplacesPrevious()
    {
        using var store = Open();
        var k = Cpu("h1");
        Forecast F(DateTimeOffset issued, double v) => new(k, "snaive", issued, Step, [0.1, 0.9],
            [new ForecastPoint(issued + Step, v, [v - 1, v + 1])]);
        await store.Results.SaveForecastsAsync(_a, [F(T0, 1)]);
        await store.Results.SaveForecastsAsync(_a, [F(T0 + Step, 5)]);
        var f = await store.Results.LatestForecastAsync(_a, k);
        Assert.NotNull(f);
        Assert.Equal(5, f.Points.Single().Mean);
        Assert.Equal([4.0, 6], f.Points.Single().Quantiles);
        Assert.Null(await store.Results.LatestForecastAsync(_b, k));
    }

    [Fact]
    public async Task Scores_LatestPerLocalityAndHistory()
    {
        using var store = Open();
        LocalityScore S(string l, DateTimeOffset at, double d) =>
            new(l, at, d, new Dictionary<string, ScorePart> { ["capacity"] = new(d, 1, "headroom") });
        await store.Results.SaveScoresAsync(_a, [S("h1", T0, 0.2), S("h2", T0, 0.5)]);
        await store.Results.SaveScoresAsync(_a, [S("h1", T0 + Step, 0.9)]);
        var latest = await store.Results.LatestScoresAsync(_a);
        Assert.Equal([0.9, 0.5], latest.Select(s => s.Desirability));
        Assert.Equal("headroom", latest[0].Parts["capacity"].Explanation);
        var hist = await store.Results.ScoreHistoryAsync(_a, "h1", new TimeRange(T0, T0 + Step * 5));
        Assert.Equal([0.2, 0.9], hist.Select(s => s.Desirability));
    }

    [Fact]
    public async Task State_PutMany_ReplacesAndAdds()
    {
        using var store = Open();
        await store.State.PutAsync(_a, "k", "x", "old", T0);
        await store.State.PutManyAsync(_a, "k", [new("x", "new"), new("y", "1")], T0);
        Assert.Equal("new", await store.State.GetAsync(_a, "k", "x"));
        Assert.Equal(["x", "y"], (await store.State.ListAsync(_a, "k")).Select(d => d.Id));
        Assert.Null(await store.State.GetAsync(_b, "k", "y"));
    }

    [Fact]
    public async Task State_ListAndDelete()
    {
        using var store = Open();
        await store.State.PutAsync(_a, "plan", "p2", "{}", T0);
        await store.State.PutAsync(_a, "plan", "p1", "{}", T0);
        Assert.Equal(["p1", "p2"], (await store.State.ListAsync(_a, "plan")).Select(d => d.Id));
        Assert.True(await store.State.DeleteAsync(_a, "plan", "p1"));
        Assert.False(await store.State.DeleteAsync(_a, "plan", "p1"));
    }
}
