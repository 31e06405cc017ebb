using System.Globalization;
using System.Text;
using Auspex.Forecasting.Batch;
using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Tests.Batch;

public sealed class BatchTests
{
    private static string Csv(params string[] lines) => string.Join('\n', lines) + "\n";

    private static string HourlyCsv(string id, int n, int seed, int skip = -1)
    {
        var y = TestSeries.Seasonal(n, seed: seed);
        var sb = new StringBuilder();
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var t = 0; t < n; t++)
        {
            if (t == skip)
            {
                continue;
            }
            sb.Append(CultureInfo.InvariantCulture, $"{id},{start.AddHours(t):yyyy-MM-ddTHH:mm:ssZ},{y[t]}\n");
        }
        return sb.ToString();
    }

    [Fact]
    public void Read_ValidTimeSeries_BuildsFlatBatchWithStep()
    {
        var text = "unique_id,ds,y\n" + HourlyCsv("a", 100, 1) + HourlyCsv("b", 50, 2);
        var r = LongFormatCsv.Read(new StringReader(text));
        Assert.Empty(r.Errors);
        var b = r.Batch!;
        Assert.Equal(2, b.Count);
        Assert.Equal(150, b.TotalLength);
        Assert.Equal(TimeSpan.FromHours(1), b.Step(0));
        Assert.True(b.HasTime);
    }

    [Fact]
    public void Read_Gap_IsInterpolatedAndCounted()
    {
        var r = LongFormatCsv.Read(new StringReader(Csv("unique_id,ds,y", "s,1,10", "s,2,20", "s,4,40", "s,5,50")));
        var b = r.Batch!;
        Assert.Equal([10, 20, 30, 40, 50], b.Values(0).ToArray());
        Assert.Equal(1, b.Filled(0));
    }

    [Fact]
    public void Read_IrregularSampling_ResampledToMedianStep()
    {
        var r = LongFormatCsv.Read(new StringReader(Csv("unique_id,ds,y", "s,0,0", "s,10,10", "s,20,20", "s,25,25", "s,40,40")));
        var b = r.Batch!;
        Assert.Equal([0, 10, 20, 30, 40], b.Values(0).ToArray());
    }

    [Theory]
    [InlineData("s,1,abc", "row 3, series 's': y 'abc' is not a number")]
    [InlineData("s,yesterday,1", "row 3, series 's': ds 'yesterday' is neither")]
    [InlineData("s,1,5", "row 3, series 's': duplicate ds '1' (first at row 2)")]
    [InlineData("s", "row 3: expected at least 3")]
    public void Read_BadRow_ErrorNamesRowAndSeries(string badLine, string expected)
    {
        var r = LongFormatCsv.Read(new StringReader(Csv("unique_id,ds,y", "s,1,1", badLine, "s,2,2", "s,3,3", "s,4,4")));
        Assert.Null(r.Batch);
        Assert.Contains(r.Errors, e => e.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_TooShortSeries_ErrorNamesSeries()
    {
        var r = LongFormatCsv.Read(new StringReader(Csv("unique_id,ds,y", "a,1,1", "a,2,2", "a,3,3", "b,1,1")));
        Assert.Contains(r.Errors, e => e.Series == "b" && e.Row == 5 && e.Message.Contains("at least 3", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_MissingHeaderColumns_Error()
    {
        var r = LongFormatCsv.Read(new StringReader(Csv("id,time,value", "a,1,1")));
        Assert.Contains("unique_id, ds and y", r.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Horizon_ParsesStepsAndDurations()
    {
        Assert.True(HorizonSpec.TryParse("48", out var steps));
        Assert.Equal(48, steps.ToSteps(TimeSpan.FromHours(1)));
        Assert.True(HorizonSpec.TryParse("24h", out var day));
        Assert.Equal(96, day.ToSteps(TimeSpan.FromMinutes(15)));
        Assert.True(HorizonSpec.TryParse("15min", out var q));
        Assert.Equal(1, q.ToSteps(TimeSpan.FromHours(1)));
        Assert.Null(day.ToSteps(null));
        Assert.False(HorizonSpec.TryParse("soon", out _));
        Assert.False(HorizonSpec.TryParse("0", out _));
    }

    [Fact]
    public void Service_CsvOutput_HasOneRowPerSeriesAndStepWithLevelColumns()
    {
        var text = "unique_id,ds,y\n" + HourlyCsv("a", 24 * 8, 1, skip: 30) + HourlyCsv("b", 24 * 8, 2);
        var run = ForecastService.Run(new StringReader(text), new ForecastRequest
        {
            Horizon = HorizonSpec.FromDuration(TimeSpan.FromHours(6)),
            Seasons = [24],
            Levels = [80, 95],
            Model = "snaive",
        });
        Assert.Empty(run.Errors);
        var w = new StringWriter();
        ForecastWriter.Write(run.Result!, w, ForecastFormat.Csv);
        var lines = w.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal("unique_id,ds,model,yhat,yhat_lower_80,yhat_upper_80,yhat_lower_95,yhat_upper_95", lines[0]);
        Assert.Equal(1 + 2 * 6, lines.Length);
        Assert.StartsWith("a,2024-01-09T00:00:00Z,SeasonalNaive,", lines[1], StringComparison.Ordinal);
        Assert.Contains("1 missing or irregular points interpolated", run.Result!.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Service_AutoJson_IncludesCvRanking()
    {
        var text = "unique_id,ds,y\n" + HourlyCsv("a", 24 * 10, 1);
        var run = ForecastService.Run(new StringReader(text), new ForecastRequest { Horizon = HorizonSpec.FromSteps(12), Seasons = [24], Model = "auto" });
        var w = new StringWriter();
        ForecastWriter.Write(run.Result!, w, ForecastFormat.Json);
        Assert.Contains("\"cv_ranking\"", w.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"yhat_upper_95\"", w.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("naive")]
    [InlineData("snaive")]
    [InlineData("naive2")]
    [InlineData("theta")]
    [InlineData("otheta")]
    [InlineData("ets")]
    [InlineData("arima")]
    [InlineData("mstl")]
    [InlineData("auto")]
    [InlineData("ensemble")]
    [InlineData("global")]
    [InlineData("gbt")]
    [InlineData("auto+gbt")]
    [InlineData("auto+gbt-w")]
    [InlineData("auto+gbt+arima-w")]
    [InlineData("auto+gbt+arima-q")]
    public void Service_EveryCatalogModel_ForecastsEverySeries(string model)
    {
        var text = "unique_id,ds,y\n" + HourlyCsv("a", 24 * 12, 1) + HourlyCsv("b", 24 * 12, 2);
        var run = ForecastService.Run(new StringReader(text), new ForecastRequest { Horizon = HorizonSpec.FromSteps(12), Seasons = [24], Model = model });
        Assert.Empty(run.Errors);
        Assert.All(run.Result!.Status, s => Assert.NotEqual(ForecastStatus.Failed, s));
        Assert.All(run.Result.Mean, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Service_Gbt_SeriesTooShortForAnyWindow_SaysHowManyPointsAreNeeded()
    {
        var text = "unique_id,ds,y\n" + HourlyCsv("a", 10, 1) + HourlyCsv("b", 10, 2);
        var run = ForecastService.Run(new StringReader(text), new ForecastRequest { Horizon = HorizonSpec.FromSteps(12), Seasons = [24], Model = "gbt" });
        Assert.Null(run.Result);
        Assert.StartsWith("gbt model: ", run.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("points needed to train", run.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Service_AutoPlusGbt_IsTheMeanOfItsMembers()
    {
        var text = "unique_id,ds,y\n" + HourlyCsv("a", 24 * 12, 1) + HourlyCsv("b", 24 * 12, 2);
        ForecastServiceResult Run(string model) => ForecastService.Run(new StringReader(text), new ForecastRequest { Horizon = HorizonSpec.FromSteps(12), Seasons = [24], Model = model });
        var auto = Run("auto").Result!;
        var gbt = Run("gbt").Result!;
        var both = Run("auto+gbt").Result!;
        Assert.Equal(auto.Mean.Length, both.Mean.Length);
        for (var i = 0; i < both.Mean.Length; i++)
        {
            Assert.Equal((auto.Mean[i] + gbt.Mean[i]) / 2, both.Mean[i], 6);
        }
    }

    [Fact]
    public void Service_AutoGbtArimaW_IsTheSMapeWeightedCombinationOfAutoThreeSeedsAndArima()
    {
        var text = "unique_id,ds,y\n" + HourlyCsv("a", 24 * 12, 1) + HourlyCsv("b", 24 * 12, 2) + HourlyCsv("c", 24 * 12, 3);
        var run = ForecastService.Run(new StringReader(text), new ForecastRequest { Horizon = HorizonSpec.FromSteps(12), Seasons = [24], Model = "auto+gbt+arima-w" });
        Assert.Empty(run.Errors);
        var spec = Auspex.Forecasting.ModelCatalog.WeightedGlobal("auto+gbt+arima-w")!;
        Assert.Equal((3, true, BacktestErrorMeasure.Smape, 2.0), (spec.GlobalSeeds, spec.Arima, spec.Measure, spec.Power));
        // Rebuilt by hand from the library parts: GlobalBoosted seeds 1..3 on all series and on all but the last 12.
        var all = new[] { 1, 2, 3 }.Select(seed => TestSeries.Seasonal(24 * 12, seed: seed)).ToList();
        var shortened = all.Select(y => y[..^12]).ToList();
        GlobalBoosted Train(List<double[]> set, int seed) => GlobalBoosted.Train(set, Auspex.Forecasting.ModelCatalog.GlobalBoostedFor(set.Select(y => y.Length).ToList(), [24], 12, seed: seed));
        var g = new[] { 1, 2, 3 }.Select(seed => Train(all, seed)).ToArray();
        var held = new[] { 1, 2, 3 }.Select(seed => Train(shortened, seed)).ToArray();
        Assert.NotEqual(g[0].Forecast(all[0], 12, []).Mean[3], g[1].Forecast(all[0], 12, []).Mean[3], 9);
        for (var i = 0; i < all.Count; i++)
        {
            var auto = Auspex.Forecasting.ModelCatalog.Create("auto", [24], 12)!;
            var arima = Auspex.Forecasting.ModelCatalog.Create("arima", [24], 12)!;
            var expected = new BacktestWeightedCombination([auto, .. g, arima], [auto, .. held, arima], 12, 24, 2, bandsFrom: 0, measure: BacktestErrorMeasure.Smape).Forecast(all[i], 12, [80, 95]);
            var offset = run.Result!.Offsets[i];
            for (var t = 0; t < 12; t++)
            {
                Assert.Equal(expected.Mean[t], run.Result.Mean[offset + t], 6);
            }
        }
        Assert.All(run.Result!.Models, m => Assert.Equal(spec.Name, m));
    }

    [Fact]
    public void Service_AutoGbtArimaQ_IsTheSMape4WeightedCombinationOfFourTreesWithBandsLearnedOnEverySeriesBacktest()
    {
        var text = "unique_id,ds,y\n" + HourlyCsv("a", 24 * 12, 1) + HourlyCsv("b", 24 * 12, 2) + HourlyCsv("c", 24 * 12, 3);
        BatchResult Run(int minBandSeries) => ForecastService.Run(new StringReader(text), new ForecastRequest { Horizon = HorizonSpec.FromSteps(12), Seasons = [24], Model = "auto+gbt+arima-q", MinBandSeries = minBandSeries }).Result!;
        var q = Run(minBandSeries: 3);
        var few = Run(minBandSeries: 100);
        var spec = Auspex.Forecasting.ModelCatalog.WeightedGlobal("auto+gbt+arima-q")!;
        Assert.Equal((4, true, BacktestErrorMeasure.Smape, 4.0), (spec.GlobalSeeds, spec.Arima, spec.Measure, spec.Power));
        Assert.Equal(BandFeatures.OwnOffset | BandFeatures.Constant | BandFeatures.Horizon | BandFeatures.PhaseProfile | BandFeatures.LevelRatio | BandFeatures.RecentVolatility, spec.LearnedBands);
        Assert.Equal([600, 600, 600, 1200], spec.GlobalRounds);
        Assert.Equal(1200, spec.GlobalOptions(3, [288], [24], 12).Rounds);
        Assert.Equal(4, spec.GlobalOptions(3, [288], [24], 12).Seed);
        Assert.All(q.Models, m => Assert.Equal(spec.Name, m));
        // The point forecast rebuilt by hand: GlobalBoosted seeds 1..4 (the fourth with 1,200 rounds) on all series and on
        // all but the last 12 values, Auto and AutoARIMA, weights ∝ backtest sMAPE^-4, Auto's offsets.
        var all = new[] { 1, 2, 3 }.Select(seed => TestSeries.Seasonal(24 * 12, seed: seed)).ToList();
        var shortened = all.Select(y => y[..^12]).ToList();
        var g = Enumerable.Range(0, 4).Select(k => GlobalBoosted.Train(all, spec.GlobalOptions(k, all.Select(y => y.Length).ToList(), [24], 12))).ToArray();
        var held = Enumerable.Range(0, 4).Select(k => GlobalBoosted.Train(shortened, spec.GlobalOptions(k, shortened.Select(y => y.Length).ToList(), [24], 12))).ToArray();
        var l95 = q.Levels.ToList().IndexOf(95);
        var floorMoved = false;
        // The bands rebuilt by hand, as the bench does on cached forecasts: each series' backtest (members fitted without
        // its last 12 values), combined with equal weights and Auto's offsets, is one example with its history (the 276
        // values before), scale and actuals; QuantileBands fitted on the three at season 24 and applied to the weighted
        // forecast with the whole series as history, then floored at 0.
        var examples = new List<BandExample>();
        for (var i = 0; i < all.Count; i++)
        {
            IForecastModel[] backtest = [Auspex.Forecasting.ModelCatalog.Create("auto", [24], 12)!, .. held, Auspex.Forecasting.ModelCatalog.Create("arima", [24], 12)!];
            var outs = backtest.Select(m => m.Forecast(shortened[i], 12, [80, 95])).ToArray();
            var equal = Enumerable.Repeat(1.0 / 6, 6).ToArray();
            examples.Add(new BandExample(Combination.Combine("c", outs, equal, [80, 95], bandsFrom: 0), outs, equal, QuantileBands.Scale(shortened[i], 24), all[i][^12..], shortened[i]));
        }
        var bands = QuantileBands.Fit(examples, [80, 95], spec.LearnedBands!.Value, 24);
        for (var i = 0; i < all.Count; i++)
        {
            var auto = Auspex.Forecasting.ModelCatalog.Create("auto", [24], 12)!;
            var arima = Auspex.Forecasting.ModelCatalog.Create("arima", [24], 12)!;
            var expected = new BacktestWeightedCombination([auto, .. g, arima], [auto, .. held, arima], 12, 24, 4, bandsFrom: 0, measure: BacktestErrorMeasure.Smape).Forecast(all[i], 12, [80, 95]);
            IForecastModel[] members = [auto, .. g, arima];
            var learned = bands.Apply(expected, [.. members.Select(m => m.Forecast(all[i], 12, [80, 95]))], [.. Enumerable.Repeat(1.0, 6)], QuantileBands.Scale(all[i], 24), all[i]);
            var offset = q.Offsets[i];
            for (var t = 0; t < 12; t++)
            {
                Assert.Equal(expected.Mean[t], q.Mean[offset + t], 6);
                Assert.Equal(expected.Mean[t], few.Mean[offset + t], 6);
                // Fewer series with a backtest than MinBandSeries: Auto's offsets, floored at 0.
                Assert.Equal(expected.Upper(95)[t], few.UpperBands[l95][offset + t], 6);
                Assert.Equal(Math.Max(0, expected.Lower(95)[t]), few.LowerBands[l95][offset + t], 6);
                floorMoved |= expected.Lower(95)[t] < 0;
                // Learned: ordered, non-negative (the series are positive), and not Auto's offsets.
                Assert.True(q.LowerBands[l95][offset + t] >= 0 && q.LowerBands[l95][offset + t] <= q.Mean[offset + t] && q.Mean[offset + t] <= q.UpperBands[l95][offset + t]);
                Assert.Equal(learned.Upper(95)[t], q.UpperBands[l95][offset + t], 6);
                Assert.Equal(Math.Max(0, learned.Lower(95)[t]), q.LowerBands[l95][offset + t], 6);
                Assert.Equal(learned.Upper(80)[t], q.UpperBands[q.Levels.ToList().IndexOf(80)][offset + t], 6);
            }
        }
        Assert.False(floorMoved); // these series stay far above 0: the floor is tested in QuantileBandsTests
        Assert.Contains(Enumerable.Range(0, q.Mean.Length), i => Math.Abs(q.UpperBands[l95][i] - few.UpperBands[l95][i]) > 1e-6);
    }

    [Fact]
    public void Service_AutoGbtArimaQ_WithoutASeason_LearnsBandsWithoutTheHistoryInputs()
    {
        // The history inputs need a season ≥ 2; with none given the bands are learned on the other three inputs and
        // differ from Auto's offsets (floored), which is what the model keeps below MinBandSeries.
        var text = "unique_id,ds,y\n" + HourlyCsv("a", 24 * 6, 1) + HourlyCsv("b", 24 * 6, 2) + HourlyCsv("c", 24 * 6, 3);
        BatchResult Run(int minBandSeries) => ForecastService.Run(new StringReader(text), new ForecastRequest { Horizon = HorizonSpec.FromSteps(6), Seasons = [], Model = "auto+gbt+arima-q", MinBandSeries = minBandSeries }).Result!;
        var q = Run(3);
        var few = Run(100);
        Assert.All(q.Status, s => Assert.NotEqual(ForecastStatus.Failed, s));
        var l95 = q.Levels.ToList().IndexOf(95);
        Assert.All(Enumerable.Range(0, q.Mean.Length), i => Assert.True(q.LowerBands[l95][i] <= q.Mean[i] && q.Mean[i] <= q.UpperBands[l95][i]));
        Assert.Contains(Enumerable.Range(0, q.Mean.Length), i => Math.Abs(q.UpperBands[l95][i] - few.UpperBands[l95][i]) > 1e-6);
    }

    [Theory]
    [InlineData(new[] { 200, 200 }, new[] { 24, 168 }, 48)]
    [InlineData(new[] { 30, 40 }, new int[0], 6)]
    [InlineData(new[] { 1000, 1000, 1000 }, new[] { 24 }, 24)]
    public void GlobalBoostedFor_KeepsOnlyLagsTheSeriesCanTrainWith(int[] lengths, int[] seasons, int horizon)
    {
        var o = Auspex.Forecasting.ModelCatalog.GlobalBoostedFor(lengths, seasons, horizon);
        o.Validate();
        var median = lengths.Order().ToArray()[lengths.Length / 2];
        Assert.All(o.SeasonalLags, l => Assert.True(l + 2 * horizon + 1 <= median));
        Assert.True(o.Lags + horizon + 1 <= median || o.Lags == 2);
        Assert.Equal(seasons.Any(s => s > 1), o.Calendar);
    }

    [Fact]
    public void Service_UnknownModel_ErrorListsKnownModels()
    {
        var run = ForecastService.Run(new StringReader("unique_id,ds,y\n"), new ForecastRequest { Horizon = HorizonSpec.FromSteps(1), Model = "prophecy" });
        Assert.Contains("known:", run.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_DurationHorizonOnIntegerSteps_FailsThatSeriesWithReason()
    {
        var run = ForecastService.Run(new StringReader(Csv("unique_id,ds,y", "a,1,1", "a,2,2", "a,3,3", "a,4,4")),
            new ForecastRequest { Horizon = HorizonSpec.FromDuration(TimeSpan.FromHours(1)), Model = "naive" });
        Assert.Equal(ForecastStatus.Failed, run.Result!.Status[0]);
        Assert.Contains("time stamps", run.Result.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Service_M4SampleFile_ForecastsEverySeriesWhenPresent()
    {
        var path = Path.Combine(RepoRoot(), "samples", "m4", "hourly_train.csv");
        if (!File.Exists(path))
        {
            return; // samples/ is optional in a checkout; the generated-data tests above cover the logic.
        }
        using var reader = new StreamReader(path);
        var run = ForecastService.Run(reader, new ForecastRequest { Horizon = HorizonSpec.FromSteps(48), Seasons = [24, 168], Model = "snaive" });
        Assert.Empty(run.Errors);
        Assert.Equal(20, run.Result!.Batch.Count);
        Assert.All(run.Result.Mean, v => Assert.True(double.IsFinite(v)));
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Auspex.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        return dir ?? ".";
    }
}
