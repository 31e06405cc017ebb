using Auspex.Forecasting.Live;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.Forecasting.Tests.Live;

public sealed class LiveForecasterQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly double[] Levels = [80, 95];

    private static (LiveForecaster Live, FakeTimeProvider Clock, TaskCompletionSource Gate) Gated(int workers = 1, int maxQueued = 10_000) =>
        Gated(out _, workers, maxQueued);

    /// <summary>A forecaster whose workers wait at <c>Gate</c>; <paramref name="entered"/> completes once a worker has started timing a selection and reached the gate.</summary>
    private static (LiveForecaster Live, FakeTimeProvider Clock, TaskCompletionSource Gate) Gated(out Task entered, int workers = 1, int maxQueued = 10_000)
    {
        var clock = new FakeTimeProvider(T0 + Hour * 400);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var live = new LiveForecaster(new LiveForecasterOptions { SelectionWorkers = workers, MaxQueuedSelections = maxQueued }, clock)
        {
            SelectionGate = () =>
            {
                reached.TrySetResult();
                return gate.Task;
            },
        };
        entered = reached.Task;
        return (live, clock, gate);
    }

    private static ForecastOutput Call(LiveForecaster live, FakeTimeProvider clock, string id, double[] y, int length, int horizon = 6) =>
        live.Forecast(id, y.AsSpan(0, length), T0 + Hour * (length - 1), Hour, horizon, [24], Levels, clock.GetUtcNow());

    [Fact]
    public async Task Forecast_WhileTheSelectionIsQueued_UsesTheBaseline_ThenTheChoiceOnceItLands()
    {
        var (live, clock, gate) = Gated(out var entered);
        using var _ = live;
        var y = TestSeries.Seasonal(24 * 12, amplitude: 30, noise: 1);
        var first = Call(live, clock, "a", y, 24 * 10);
        Assert.Equal(ForecastStatus.Fallback, first.Status);
        Assert.Equal("SeasonalNaive", first.Model);
        Assert.Contains("awaiting selection (queued)", first.Reason, StringComparison.Ordinal);
        Assert.True(live.Get("a")!.SelectionQueued);
        Assert.Equal(0, live.Get("a")!.Retrains);
        // Further ticks do not queue the series again, and do not wait.
        Call(live, clock, "a", y, 24 * 10 + 1);
        var q = live.SelectionQueue;
        Assert.Equal(1, q.Queued + q.Running);
        Assert.Equal(0, q.Completed);

        await entered.WaitAsync(TimeSpan.FromSeconds(30)); // the worker has started timing the selection
        clock.Advance(TimeSpan.FromSeconds(3)); // the selection "takes" 3 s on the fake clock
        gate.SetResult();
        await live.WhenIdleAsync();

        var info = live.Get("a")!;
        Assert.Equal(1, info.Retrains);
        Assert.False(info.SelectionQueued);
        Assert.Equal(ForecastStatus.Ok, info.Status);
        Assert.Equal("never fitted", info.RetrainReason);
        Assert.Equal(clock.GetUtcNow(), info.LastRetrain);
        Assert.Equal(TimeSpan.FromSeconds(3), info.SelectionDuration);
        Assert.NotEmpty(info.Candidates);
        q = live.SelectionQueue;
        Assert.Equal((0, 0, 1L, 0L, "a"), (q.Queued, q.Running, q.Completed, q.Failed, q.LastSeries));
        Assert.Equal(TimeSpan.FromSeconds(3), q.LastDuration);

        var next = Call(live, clock, "a", y, 24 * 10 + 2);
        Assert.Equal(ForecastStatus.Ok, next.Status);
        Assert.Equal(info.Model, next.Model);
        Assert.NotEqual("SeasonalNaive", next.Model);
    }

    [Fact]
    public void FullQueue_LeavesTheSeriesOnItsBaseline_WithTheReason()
    {
        var (live, clock, _) = Gated(maxQueued: 1);
        using var __ = live;
        var y = TestSeries.Seasonal(24 * 10, amplitude: 30, noise: 1);
        Call(live, clock, "a", y, y.Length);
        var b = Call(live, clock, "b", y, y.Length);
        Assert.Equal(ForecastStatus.Fallback, b.Status);
        Assert.Contains("queue is full", b.Reason, StringComparison.Ordinal);
        Assert.False(live.Get("b")!.SelectionQueued);
    }

    [Fact]
    public async Task Reset_WhileSelecting_DiscardsTheStaleSelection()
    {
        var (live, clock, gate) = Gated();
        using var _ = live;
        var y = TestSeries.Seasonal(24 * 10, amplitude: 30, noise: 1);
        Call(live, clock, "a", y, y.Length, horizon: 6);
        Call(live, clock, "a", y, y.Length, horizon: 12); // horizon changed: reset, queued again
        gate.SetResult();
        await live.WhenIdleAsync();
        var info = live.Get("a")!;
        Assert.Equal(1, info.Retrains);
        Assert.Equal(12, info.Horizon);
        Assert.Equal("step, horizon or seasons changed", info.RetrainReason);
        Assert.Equal(1, live.SelectionQueue.Completed); // the stale one was dropped, not applied
    }

    [Fact]
    public async Task Restore_OnANewInstance_ForecastsWithTheChoice_WithoutSelectingAgain()
    {
        var (live, clock, gate) = Gated();
        gate.SetResult();
        var y = TestSeries.Seasonal(24 * 12, amplitude: 30, noise: 1);
        Call(live, clock, "a", y, 24 * 10);
        await live.WhenIdleAsync();
        var before = Call(live, clock, "a", y, 24 * 10 + 1);
        var saved = live.TakeCompletedSelections();
        Assert.Single(saved);
        Assert.Empty(live.TakeCompletedSelections());
        live.Dispose();
        var json = saved[0].ToJson();

        var restoredSel = SeriesSelection.FromJson(json, out var error);
        Assert.Null(error);
        var (again, clock2, gate2) = Gated();
        using var _ = again;
        clock2.SetUtcNow(clock.GetUtcNow() + Hour);
        Assert.Empty(again.Restore([restoredSel!]));
        var after = Call(again, clock2, "a", y, 24 * 10 + 1);
        var info = again.Get("a")!;
        Assert.True(info.Restored);
        Assert.False(info.SelectionQueued);
        Assert.Equal(0, again.SelectionQueue.Queued + again.SelectionQueue.Running);
        Assert.Equal(1, again.SelectionQueue.Restored);
        Assert.Equal(ForecastStatus.Ok, after.Status);
        Assert.Equal(before.Model, after.Model);
        Assert.Equal(saved[0].SelectedAt, info.LastRetrain);
        Assert.Equal(saved[0].Candidates.Select(c => c.Model), info.Candidates.Select(c => c.Model));
        // Same conformal source: the same interval half-widths.
        for (var h = 0; h < 6; h++)
        {
            Assert.Equal(before.Upper(95)[h] - before.Mean[h], after.Upper(95)[h] - after.Mean[h], 9);
        }

        // 24 hours after the persisted selection the schedule queues a new one.
        clock2.SetUtcNow(saved[0].SelectedAt + TimeSpan.FromHours(24));
        Call(again, clock2, "a", y, 24 * 10 + 2);
        Assert.True(again.Get("a")!.SelectionQueued);
        gate2.SetResult();
        await again.WhenIdleAsync();
        Assert.StartsWith("scheduled", again.Get("a")!.RetrainReason, StringComparison.Ordinal);
        Assert.Equal(saved[0].Retrains + 1, again.Get("a")!.Retrains);
    }

    [Fact]
    public void Restore_UnknownModel_IsReportedAndSkipped()
    {
        using var live = new LiveForecaster();
        var bad = new SeriesSelection("a", Hour, 6, [24], ["lstm:24"], ["LSTM"], null, [], 1, T0, "never fitted", 1, TimeSpan.Zero);
        var errors = live.Restore([bad]);
        Assert.Equal("a", Assert.Single(errors).Series);
        Assert.Contains("'lstm:24'", errors[0].Error, StringComparison.Ordinal);
        Assert.Null(live.Get("a"));
    }

    [Fact]
    public void FromJson_NotASelection_SaysWhy()
    {
        Assert.Null(SeriesSelection.FromJson("{\"series\":\"a\"}", out var e1));
        Assert.NotNull(e1);
        Assert.Null(SeriesSelection.FromJson("{", out var e2));
        Assert.NotNull(e2);
    }

    [Fact]
    public async Task ManySeries_TwoWorkers_EachSelectedOnce_Deterministically()
    {
        async Task<List<(string, string, double)>> Run()
        {
            var (live, clock, gate) = Gated(workers: 2);
            using var _ = live;
            gate.SetResult();
            var series = Enumerable.Range(0, 6).Select(i => TestSeries.Seasonal(24 * 9, seed: i + 10)).ToArray();
            for (var i = 0; i < series.Length; i++)
            {
                Call(live, clock, "s" + i, series[i], series[i].Length);
            }
            await live.WhenIdleAsync();
            return [.. live.Snapshot().Select(s => (s.Series, string.Join('+', s.Selected), s.BacktestMae))];
        }
        var a = await Run();
        var b = await Run();
        Assert.Equal(6, a.Count);
        Assert.Equal(a, b);
    }
}
