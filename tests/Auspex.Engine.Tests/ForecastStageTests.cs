using Auspex.Core.Series;
using Auspex.Engine.Loop;
using Auspex.Storage;
using Microsoft.Extensions.Time.Testing;
using Auspex.Testing;
using static Auspex.Testing.Builders;

namespace Auspex.Engine.Tests;

public sealed class ForecastStageTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(5);

    [Fact]
    public void InferStep_IsTheMedianSpacing()
    {
        var w = new List<Sample> { new(T0, 1), new(T0 + Step, 1), new(T0 + Step * 2, 1), new(T0 + Step * 4, 1), new(T0 + Step * 5, 1) };
        Assert.Equal(Step, ForecastStage.InferStep(w));
    }

    [Fact]
    public void Regularise_InterpolatesGaps()
    {
        var w = new List<Sample> { new(T0, 0), new(T0 + Step * 2, 2), new(T0 + Step * 3, 3) };
        Assert.Equal([0.0, 1, 2, 3], ForecastStage.Regularise(w, Step));
    }

    [Fact]
    public void ForecastOne_DailySeasonality_UsesSeasonalNaiveAndNeverGoesNegative()
    {
        var stage = new ForecastStage(new EngineOptions());
        var samples = Enumerable.Range(0, 288 * 3).Select(i => new Sample(T0 + Step * i, i % 288 < 144 ? 0.1 : 3.0)).ToList();
        var f = stage.ForecastOne(Cpu("h1"), samples, samples[^1].At)!;
        Assert.Equal("SeasonalNaive", f.Model);
        Assert.Equal(24, f.Points.Count); // 2 h at 5 min
        Assert.Equal(samples[^1].At + Step, f.Points[0].At);
        Assert.All(f.Points, p => Assert.All(p.Quantiles, q => Assert.True(q >= 0)));
        Assert.Equal(0.1, f.Points[0].Mean, 9); // one day earlier, same time of day
    }

    [Fact]
    public void ForecastOne_ShortHistory_FallsBackToNaive()
    {
        var stage = new ForecastStage(new EngineOptions());
        var samples = Enumerable.Range(0, 20).Select(i => new Sample(T0 + Step * i, 5 + (i % 3))).ToList();
        var f = stage.ForecastOne(Cpu("h1"), samples, samples[^1].At)!;
        Assert.Equal("Naive", f.Model);
        Assert.Equal(samples[^1].Value, f.Points[0].Mean);
    }

    [Fact]
    public async Task ForecastOne_Auto_SelectsInTheBackground_KeepsTheChoiceAndItsCrossValidationTable()
    {
        var samples = Enumerable.Range(0, 288 * 3).Select(i => new Sample(T0 + Step * i, 2 + Math.Sin(2 * Math.PI * i / 288) + 0.01 * (i % 7))).ToList();
        var clock = new FakeTimeProvider(samples[^1].At);
        using var stage = new ForecastStage(new EngineOptions(), clock);
        var first = stage.ForecastOne(Cpu("h1"), samples, samples[^1].At)!;
        Assert.Equal("SeasonalNaive", first.Model); // the baseline while the selection is queued: the tick never waits
        await stage.Models.WhenIdleAsync();
        var info = stage.Models.Get(Cpu("h1").ToString())!;
        Assert.Equal(1, info.Retrains);
        Assert.Equal(samples[^1].At, info.LastRetrain);
        Assert.Equal(5, info.Candidates.Count);
        Assert.Equal([288], info.Seasons);
        Assert.Equal(24, info.Horizon);
        // The next tick uses the choice and does not select again.
        samples.Add(new Sample(samples[^1].At + Step, 2));
        clock.Advance(Step);
        var f = stage.ForecastOne(Cpu("h1"), samples, samples[^1].At)!;
        Assert.Equal(info.Model, f.Model);
        Assert.Equal(0, stage.Models.SelectionQueue.Queued + stage.Models.SelectionQueue.Running);
        Assert.Equal(1, stage.Models.Get(Cpu("h1").ToString())!.Retrains);
    }

    [Fact]
    public async Task Selections_PersistedInTheStore_AreUsedByANewStage_OnANewStoreInstance()
    {
        using var dir = new TempDirectory();
        var tenant = new TenantId("t");
        var samples = Enumerable.Range(0, 288 * 3).Select(i => new Sample(T0 + Step * i, 2 + Math.Sin(2 * Math.PI * i / 288) + 0.01 * (i % 7))).ToList();
        var clock = new FakeTimeProvider(samples[^1].At);
        string model;
        using (var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = dir.File("a.duckdb") }))
        using (var stage = new ForecastStage(new EngineOptions(), clock))
        {
            await stage.RestoreOnceAsync(store.Models, tenant, default);
            stage.ForecastOne(Cpu("h1"), samples, samples[^1].At);
            await stage.Models.WhenIdleAsync();
            Assert.Equal(1, await stage.PersistAsync(store.Models, tenant, default));
            Assert.Equal(0, await stage.PersistAsync(store.Models, tenant, default));
            model = stage.Models.Get(Cpu("h1").ToString())!.Model;
        }
        // "Restart": a new store on the same file, a new stage.
        using var store2 = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = dir.File("a.duckdb") });
        using var stage2 = new ForecastStage(new EngineOptions(), clock);
        await stage2.RestoreOnceAsync(store2.Models, tenant, default);
        Assert.Empty(stage2.RestoreErrors);
        samples.Add(new Sample(samples[^1].At + Step, 2));
        clock.Advance(Step);
        var f = stage2.ForecastOne(Cpu("h1"), samples, samples[^1].At)!;
        Assert.Equal(model, f.Model);
        var info = stage2.Models.Get(Cpu("h1").ToString())!;
        Assert.True(info.Restored);
        Assert.False(info.SelectionQueued);
        Assert.Equal(1, stage2.Models.SelectionQueue.Restored);
        Assert.Equal(0, stage2.Models.SelectionQueue.Completed + stage2.Models.SelectionQueue.Queued + stage2.Models.SelectionQueue.Running);
    }

    [Fact]
    public void ForecastOne_FixedModel_FromOptions()
    {
        var stage = new ForecastStage(new EngineOptions { ForecastModel = "snaive" });
        var samples = Enumerable.Range(0, 288 * 3).Select(i => new Sample(T0 + Step * i, i % 288 < 144 ? 0.1 : 3.0)).ToList();
        Assert.Equal("SeasonalNaive", stage.ForecastOne(Cpu("h1"), samples, samples[^1].At)!.Model);
    }

    [Fact]
    public void Options_UnknownForecastModel_IsRejectedByName() =>
        Assert.Contains("'lstm9'", Assert.Throws<ArgumentException>(() => new EngineOptions { ForecastModel = "lstm9" }.Validate()).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("global")]
    [InlineData("gbt")]
    [InlineData("auto+gbt")]
    [InlineData("auto+gbt-w")]
    [InlineData("auto+gbt+arima-w")]
    [InlineData("auto+gbt+arima-q")]
    public void Options_GlobalForecastModel_IsRejectedWithTheReason(string model)
    {
        var message = Assert.Throws<ArgumentException>(() => new EngineOptions { ForecastModel = model }.Validate()).Message;
        Assert.Contains($"'{model}'", message, StringComparison.Ordinal);
        Assert.Contains("global model", message, StringComparison.Ordinal);
        // The message lists every global name from the catalog, and the per-series names the loop takes.
        var listed = message[(message.IndexOf("global model (", StringComparison.Ordinal) + 14)..message.IndexOf(" are trained", StringComparison.Ordinal)];
        Assert.Contains(model, listed.Split(", "));
        Assert.Contains("the loop takes a per-series model: ", message, StringComparison.Ordinal);
        Assert.Contains("snaive", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForecastOne_TooFewSamples_ReturnsNull() =>
        Assert.Null(new ForecastStage(new EngineOptions()).ForecastOne(Cpu("h1"), [new(T0, 1), new(T0 + Step, 2)], T0));
}
