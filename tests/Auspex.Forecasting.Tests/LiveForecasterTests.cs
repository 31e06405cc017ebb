using Auspex.Forecasting.Internal;
using Auspex.Forecasting.Live;
using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Tests;

public sealed class LiveForecasterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly double[] Levels = [80, 95];

    // These tests pin the selection logic itself, so selection runs inline; LiveForecasterQueueTests covers the queue.
    private static readonly LiveForecasterOptions Inline = new() { SelectionWorkers = 0 };

    private static ForecastOutput Call(LiveForecaster live, string id, double[] y, int length, int horizon = 6, int season = 24) =>
        live.Forecast(id, y.AsSpan(0, length), T0 + Hour * (length - 1), Hour, horizon, [season], Levels, T0 + Hour * length);

    [Fact]
    public void FirstCall_SelectsByCrossValidation_AndExposesTheTable()
    {
        var live = new LiveForecaster(Inline);
        var y = TestSeries.Seasonal(24 * 10, amplitude: 30, noise: 1);
        var f = Call(live, "a", y, y.Length);
        Assert.True(f.IsSuccess);
        Assert.Equal(6, f.Horizon);
        Assert.True(f.Upper(95)[0] > f.Upper(80)[0]);
        var info = live.Get("a")!;
        Assert.Equal(1, info.Retrains);
        Assert.Equal("never fitted", info.RetrainReason);
        Assert.Equal(T0 + Hour * y.Length, info.LastRetrain);
        Assert.Equal(f.Model, info.Model);
        Assert.Equal(AutoSelect.DefaultCandidates([24]).Count, info.Candidates.Count);
        Assert.Equal(Enumerable.Range(1, info.Candidates.Count), info.Candidates.Select(c => c.Rank));
        Assert.Equal(info.Selected[0], info.Candidates[0].Model);
        // Horizon 6 → 4 windows so that at least 24 held-out points judge each candidate.
        Assert.All(info.Candidates, c => Assert.Equal(4, c.Windows.Count));
        Assert.True(double.IsFinite(info.BacktestMae) && info.BacktestMae > 0);
        Assert.NotEqual("Naive", info.Selected[0]);
    }

    [Fact]
    public void LaterCalls_KeepTheChoice_UntilTheScheduleSaysRetrain()
    {
        var live = new LiveForecaster(Inline);
        var y = TestSeries.Seasonal(24 * 12, amplitude: 30, noise: 1);
        var n0 = 24 * 10;
        Call(live, "a", y, n0);
        var first = live.Get("a")!;
        for (var k = 1; k < 24; k++)
        {
            var f = Call(live, "a", y, n0 + k);
            Assert.True(f.IsSuccess);
        }
        var after = live.Get("a")!;
        Assert.True(after.Retrains == 1, after.RetrainReason);
        Assert.Equal(first.Model, after.Model);
        Assert.True(after.LiveForecastsScored > 0);
        Assert.True(double.IsFinite(after.LiveMae));
        // 24 hours after the selection: the 24-hour schedule re-selects.
        Call(live, "a", y, n0 + 24);
        var later = live.Get("a")!;
        Assert.Equal(2, later.Retrains);
        Assert.StartsWith("scheduled", later.RetrainReason, StringComparison.Ordinal);
    }

    [Fact]
    public void RequestRetrain_ReselectsAtTheNextForecast_WithTheReason()
    {
        var live = new LiveForecaster(Inline);
        Assert.False(live.RequestRetrain("never-seen", "anomaly: level shift"));
        var y = TestSeries.Seasonal(24 * 12, amplitude: 30, noise: 1);
        var n0 = 24 * 10;
        Call(live, "a", y, n0);
        Call(live, "a", y, n0 + 1);
        Assert.Equal(1, live.Get("a")!.Retrains);
        Assert.True(live.RequestRetrain("a", "anomaly: level shift"));
        Call(live, "a", y, n0 + 2);
        var info = live.Get("a")!;
        Assert.Equal(2, info.Retrains);
        Assert.Equal("anomaly: level shift", info.RetrainReason);
    }

    [Fact]
    public void LevelShift_DegradesLiveError_AndTriggersReselection()
    {
        var live = new LiveForecaster(new LiveForecasterOptions { SelectionWorkers = 0, Retrain = new RetrainPolicyOptions { MinLiveErrors = 6 } });
        var y = TestSeries.Seasonal(24 * 12, trend: 0, amplitude: 5, noise: 0.5);
        var n0 = 24 * 10;
        for (var t = n0; t < y.Length; t++)
        {
            y[t] += 200;
        }
        Call(live, "a", y, n0, horizon: 2);
        var reasons = new List<string>();
        for (var k = 1; k <= 20; k++)
        {
            Call(live, "a", y, n0 + k, horizon: 2);
            reasons.Add(live.Get("a")!.RetrainReason!);
        }
        Assert.Contains(reasons, r => r.StartsWith("degraded", StringComparison.Ordinal));
        var info = live.Get("a")!;
        Assert.True(info.Retrains >= 2);
    }

    [Fact]
    public void Budget_SpreadsColdSelectionsOverTicks_WithBaselineMeanwhile()
    {
        var live = new LiveForecaster(new LiveForecasterOptions { SelectionWorkers = 0, MaxSelectionsPerTick = 1 });
        var y = TestSeries.Seasonal(24 * 10, amplitude: 30, noise: 1);
        var now = T0 + Hour * y.Length;
        var last = now - Hour;
        live.Forecast("a", y, last, Hour, 6, [24], Levels, now);
        var b = live.Forecast("b", y, last, Hour, 6, [24], Levels, now);
        Assert.Equal(ForecastStatus.Fallback, b.Status);
        Assert.Equal("SeasonalNaive", b.Model);
        Assert.Contains("awaiting selection", live.Get("b")!.Reason, StringComparison.Ordinal);
        Assert.Equal(0, live.Get("b")!.Retrains);
        // Next tick: b gets its selection.
        live.Forecast("b", y, last, Hour, 6, [24], Levels, now + Hour);
        Assert.Equal(1, live.Get("b")!.Retrains);
        Assert.Equal(ForecastStatus.Ok, live.Get("b")!.Status);
    }

    [Fact]
    public void TooShortForCrossValidation_UsesTheBaselineWithTheReason_ThenSelectsWhenLongEnough()
    {
        var live = new LiveForecaster(Inline);
        var y = TestSeries.Seasonal(24 * 10, amplitude: 30, noise: 1);
        var f = Call(live, "a", y, 30);
        Assert.Equal(ForecastStatus.Fallback, f.Status);
        Assert.Equal("Naive", f.Model);
        Assert.Contains("too few for cross-validation", f.Reason, StringComparison.Ordinal);
        Assert.Contains("too few", live.Get("a")!.Reason, StringComparison.Ordinal);
        Call(live, "a", y, 24 * 10);
        var info = live.Get("a")!;
        Assert.Equal(ForecastStatus.Ok, info.Status);
        Assert.Equal("enough history for cross-validation", info.RetrainReason);
        Assert.NotEmpty(info.Candidates);
    }

    [Fact]
    public void FixedModel_IsUsedForEverySeries()
    {
        var live = new LiveForecaster(new LiveForecasterOptions { SelectionWorkers = 0, Model = "snaive" });
        var y = TestSeries.Seasonal(24 * 5);
        var f = Call(live, "a", y, y.Length);
        Assert.Equal("SeasonalNaive", f.Model);
        Assert.Equal(y[^24], f.Mean[0], 12);
        Assert.Empty(live.Get("a")!.Candidates);
    }

    [Fact]
    public void UnknownOrGlobalModel_IsRejectedByName()
    {
        Assert.Contains("'prophet2'", Assert.Throws<ArgumentException>(() => new LiveForecaster(new LiveForecasterOptions { SelectionWorkers = 0, Model = "prophet2" })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new LiveForecaster(new LiveForecasterOptions { SelectionWorkers = 0, Model = "global" }));
        // Global models need training across an input first; the live loop has no factory for them (was a null model).
        Assert.Throws<ArgumentException>(() => new LiveForecaster(new LiveForecasterOptions { SelectionWorkers = 0, Model = "gbt" }));
        Assert.Throws<ArgumentException>(() => new LiveForecaster(new LiveForecasterOptions { SelectionWorkers = 0, Model = "auto+gbt-w" }));
        Assert.Throws<ArgumentException>(() => new LiveForecaster(new LiveForecasterOptions { SelectionWorkers = 0, Model = "auto+gbt+arima-w" }));
        Assert.Throws<ArgumentException>(() => new LiveForecaster(new LiveForecasterOptions { SelectionWorkers = 0, Model = "auto+gbt+arima-q" }));
    }

    [Fact]
    public void ChangedHorizon_ResetsTheSeries()
    {
        var live = new LiveForecaster(Inline);
        var y = TestSeries.Seasonal(24 * 10, amplitude: 30, noise: 1);
        Call(live, "a", y, y.Length, horizon: 6);
        var f = Call(live, "a", y, y.Length, horizon: 12);
        Assert.Equal(12, f.Horizon);
        Assert.Equal(12, live.Get("a")!.Horizon);
        Assert.Equal(2, live.Get("a")!.Retrains);
        Assert.Equal("step, horizon or seasons changed", live.Get("a")!.RetrainReason);
    }

    [Fact]
    public void ManySeriesInParallel_EachGetsItsOwnState()
    {
        var live = new LiveForecaster(new LiveForecasterOptions { SelectionWorkers = 0, MaxSelectionsPerTick = 0 });
        var series = Enumerable.Range(0, 16).Select(i => i % 2 == 0 ? TestSeries.Seasonal(24 * 8, seed: i) : TestSeries.RandomWalk(24 * 8, seed: i)).ToArray();
        Parallel.For(0, series.Length, i => Assert.True(Call(live, "s" + i, series[i], series[i].Length).IsSuccess));
        var snap = live.Snapshot();
        Assert.Equal(16, snap.Count);
        Assert.All(snap, s => Assert.Equal(1, s.Retrains));
        live.Retain(new HashSet<string> { "s1", "s2" });
        Assert.Equal(["s1", "s2"], live.Snapshot().Select(s => s.Series));
    }

    [Fact]
    public void EtsContinue_IsTheStateSpaceUpdate_WithTheFittedParameters()
    {
        // ETS(A,N,N): l_t = l_{t-1} + α (y_t − l_{t-1}); one new observation moves the level by exactly that.
        var y = TestSeries.RandomWalk(100);
        var fit = EtsCore.Fit(y.AsSpan(0, 99), new EtsSpec(EtsError.Additive, EtsTrend.None, EtsSeason.None), 1)!;
        var next = fit.Continue(y, 1)!;
        Assert.Equal(fit.Level + fit.Alpha * (y[99] - fit.Level), next.Level, 12);
        Assert.Equal(fit.Alpha, next.Alpha);
        Assert.Equal(fit.Level, next.Fitted[^1], 12);
        Assert.Equal(fit.Fitted[^1], next.Fitted[^2], 12);
        Assert.Null(fit.Continue(y, 0));
        Assert.Null(fit.Continue(y.AsSpan(0, 3), 4));
    }

    [Fact]
    public void EtsRefresh_ForecastsLikeARefit_OnTheGrownSeries()
    {
        var y = TestSeries.Seasonal(24 * 12, amplitude: 30, noise: 1);
        var fit = new AutoEts(24).Fit(y.AsSpan(0, 240));
        var refreshed = ((IRefreshableFit)fit).Refresh(y.AsSpan(3, 240), 3)!.Predict(6, []).Mean;
        var refit = new AutoEts(24).Fit(y.AsSpan(0, 243)).Predict(6, []).Mean;
        for (var h = 0; h < 6; h++)
        {
            Assert.True(Math.Abs(refit[h] - refreshed[h]) < 1.5, $"step {h}: refit {refit[h]}, refreshed {refreshed[h]}");
        }
    }

    [Fact]
    public void MstlRefresh_AfterAdvancing_ContinuesThePeriodicPattern()
    {
        // A noiseless daily pattern on a flat level: the refreshed fit must forecast the pattern's true continuation.
        static double F(int t) => 50 + 10 * Math.Sin(2 * Math.PI * t / 24) + 3 * Math.Cos(2 * Math.PI * t / 8);
        var y = Enumerable.Range(0, 24 * 12).Select(F).ToArray();
        var fit = new Mstl([24]).Fit(y.AsSpan(0, 24 * 10));
        var refreshed = ((IRefreshableFit)fit).Refresh(y.AsSpan(5, 24 * 10), 5)!;
        var f = refreshed.Predict(24, [95]);
        for (var h = 0; h < 24; h++)
        {
            Assert.Equal(F(24 * 10 + 5 + h), f.Mean[h], 1);
        }
    }
}
