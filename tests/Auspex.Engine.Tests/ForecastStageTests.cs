using Auspex.Core.Series;
using Auspex.Engine.Loop;
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
    public void ForecastOne_Auto_KeepsTheChoiceAndItsCrossValidationTable()
    {
        var stage = new ForecastStage(new EngineOptions());
        var samples = Enumerable.Range(0, 288 * 3).Select(i => new Sample(T0 + Step * i, 2 + Math.Sin(2 * Math.PI * i / 288) + 0.01 * (i % 7))).ToList();
        var f = stage.ForecastOne(Cpu("h1"), samples, samples[^1].At)!;
        var info = stage.Models.Get(Cpu("h1").ToString())!;
        Assert.Equal(f.Model, info.Model);
        Assert.Equal(1, info.Retrains);
        Assert.Equal(samples[^1].At, info.LastRetrain);
        Assert.Equal(5, info.Candidates.Count);
        Assert.Equal([288], info.Seasons);
        Assert.Equal(24, info.Horizon);
        // The next tick reuses the choice.
        samples.Add(new Sample(samples[^1].At + Step, 2));
        stage.ForecastOne(Cpu("h1"), samples, samples[^1].At);
        Assert.Equal(1, stage.Models.Get(Cpu("h1").ToString())!.Retrains);
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

    [Fact]
    public void ForecastOne_TooFewSamples_ReturnsNull() =>
        Assert.Null(new ForecastStage(new EngineOptions()).ForecastOne(Cpu("h1"), [new(T0, 1), new(T0 + Step, 2)], T0));
}
