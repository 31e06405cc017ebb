using System.Globalization;
using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Batch;

/// <summary>What to forecast: the transport-independent request behind <c>auspex forecast</c>.</summary>
public sealed class ForecastRequest
{
    /// <summary>Horizon in steps or as a duration.</summary>
    public required HorizonSpec Horizon { get; init; }

    /// <summary>Seasonal periods in steps (e.g. 24 and 168); empty for none.</summary>
    public IReadOnlyList<int> Seasons { get; init; } = [];

    /// <summary>Central interval levels in percent.</summary>
    public IReadOnlyList<double> Levels { get; init; } = [80, 95];

    /// <summary>Model name from <see cref="ModelCatalog"/> (default <c>auto</c>).</summary>
    public string Model { get; init; } = "auto";

    /// <summary>
    /// Series with a backtest needed before <c>auto+gbt+arima-q</c> learns its bands (<see cref="QuantileBands"/>) from them
    /// (default 100); with fewer it keeps Auto's band offsets (still floored at 0 for non-negative series). The 2.5 % tails
    /// of a few series' backtest windows do not carry over: on 20 M4 series the learned bands covered 83.9 %.
    /// </summary>
    public int MinBandSeries { get; init; } = 100;

    /// <summary>Parallelism (default all cores).</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>Outcome of <see cref="ForecastService.Run"/>: forecasts, or the input errors that prevented them.</summary>
/// <param name="Result">The forecasts, when the input was valid.</param>
/// <param name="Errors">Input or request errors, each naming the row and series where it applies.</param>
public sealed record ForecastServiceResult(BatchResult? Result, IReadOnlyList<InputError> Errors);

/// <summary>Progress of a batch: series done out of the total.</summary>
/// <param name="Done">Series finished.</param>
/// <param name="Total">Series in the batch.</param>
public readonly record struct BatchProgress(int Done, int Total);

/// <summary>The application service behind every forecast transport (CLI, HTTP): read, validate, forecast in batch.</summary>
public static class ForecastService
{
    /// <summary>Reads the long-format input and forecasts every series.</summary>
    public static ForecastServiceResult Run(TextReader input, ForecastRequest request, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(request);
        if (!ModelCatalog.Descriptions.ContainsKey(request.Model))
        {
            return new(null, [new InputError(0, null, $"unknown model '{request.Model}'; known: {string.Join(", ", ModelCatalog.Descriptions.Keys)}")]);
        }
        foreach (var level in request.Levels)
        {
            if (!(level > 0 && level < 100))
            {
                return new(null, [new InputError(0, null, string.Create(CultureInfo.InvariantCulture, $"level {level} must be in (0, 100)"))]);
            }
        }
        var read = LongFormatCsv.Read(input);
        if (read.Batch is null)
        {
            return new(null, read.Errors);
        }
        var batch = read.Batch;
        Func<int, IForecastModel> modelFor;
        if (request.Model.Equals("global", StringComparison.OrdinalIgnoreCase))
        {
            var steps = request.Horizon.ToSteps(batch.Count > 0 ? batch.Step(0) : null) ?? 24;
            var m = request.Seasons.Where(s => s > 1).DefaultIfEmpty(24).Max();
            var all = Enumerable.Range(0, batch.Count).Select(i => batch.Values(i).ToArray()).ToList();
            var lags = Math.Min(m * (request.Seasons.Count > 1 ? 1 : 7), Math.Max(2, all.Min(s => s.Length) - 2 * steps));
            try
            {
                var global = GlobalLinear.Train(all, new GlobalLinearOptions { Horizon = steps, Lags = Math.Max(2, lags) });
                modelFor = _ => global;
            }
            catch (ArgumentException ex)
            {
                return new(null, [new InputError(0, null, "global model: " + ex.Message)]);
            }
        }
        else if (ModelCatalog.IsGlobal(request.Model))
        {
            var steps = request.Horizon.ToSteps(batch.Count > 0 ? batch.Step(0) : null) ?? 24;
            var all = Enumerable.Range(0, batch.Count).Select(i => batch.Values(i).ToArray()).Where(s => s.All(double.IsFinite)).ToList();
            var weighted = ModelCatalog.WeightedGlobal(request.Model);
            var seeds = weighted?.GlobalSeeds ?? 1;
            var lengths = all.Select(s => s.Length).ToList();
            // Every tree model is trained in one go (GlobalBoosted.TrainMany: the same models as one Train each, sharing
            // the feature matrix between seeds, side by side on the cores): the members on the whole series and, for the
            // backtest weights, the members trained without each series' last horizon, which forecast it.
            var shortened = weighted is null ? null : all.Where(s => s.Length > steps).Select(s => s[..^steps]).ToList();
            var jobs = new List<(IReadOnlyList<double[]> Series, GlobalBoostedOptions Options)>();
            for (var k = 0; k < seeds; k++)
            {
                jobs.Add((all, weighted?.GlobalOptions(k, lengths, request.Seasons, steps)
                    ?? ModelCatalog.GlobalBoostedFor(lengths, request.Seasons, steps, seed: 1 + k)));
            }
            if (weighted is not null)
            {
                var shortLengths = shortened!.Select(s => s.Length).ToList();
                for (var k = 0; k < seeds; k++)
                {
                    jobs.Add((shortened!, weighted.GlobalOptions(k, shortLengths, request.Seasons, steps)));
                }
            }
            var trained = GlobalBoosted.TrainMany(jobs, request.MaxDegreeOfParallelism);
            var gbts = new GlobalBoosted[seeds];
            for (var k = 0; k < seeds; k++)
            {
                if (trained[k].Error is { } error)
                {
                    return new(null, [new InputError(0, null, "gbt model: " + error.Message)]);
                }
                gbts[k] = trained[k].Model!;
            }
            var gbt = gbts[0];
            if (weighted is { } spec)
            {
                // Backtest weights: GlobalBoosted models trained without each series' last horizon forecast it. When those
                // cannot be trained (too short without the last horizon), the combination falls back to equal weights below.
                GlobalBoosted[]? held = trained.Skip(seeds).Any(t => t.Model is null) ? null : [.. trained.Skip(seeds).Select(t => t.Model!)];
                var season = Math.Max(1, request.Seasons.Where(s => s > 1).DefaultIfEmpty(1).First());
                if (spec.LearnedBands is { } features && held is not null)
                {
                    modelFor = LearnedBandsModels(batch, request, spec, features, gbts, held, season, cancellationToken);
                }
                else
                {
                    modelFor = i =>
                    {
                        var h = request.Horizon.ToSteps(batch.Step(i)) ?? 24;
                        var auto = ModelCatalog.Create("auto", request.Seasons, h)!;
                        List<IForecastModel> members = [auto, .. gbts];
                        if (spec.Arima)
                        {
                            members.Add(ModelCatalog.Create("arima", request.Seasons, h)!);
                        }
                        if (held is null)
                        {
                            return new Combination(members, spec.Name, bandsFrom: 0);
                        }
                        List<IForecastModel> backtest = [auto, .. held];
                        if (spec.Arima)
                        {
                            backtest.Add(members[^1]);
                        }
                        return new BacktestWeightedCombination(members, backtest, h, season, spec.Power, spec.Name, bandsFrom: 0, measure: spec.Measure);
                    };
                }
            }
            else
            {
                modelFor = request.Model.Equals("gbt", StringComparison.OrdinalIgnoreCase)
                    ? _ => gbt
                    : i => new Combination([ModelCatalog.Create("auto", request.Seasons, request.Horizon.ToSteps(batch.Step(i)) ?? 24)!, gbt], "Auto+GlobalBoosted");
            }
        }
        else
        {
            modelFor = i => ModelCatalog.Create(request.Model, request.Seasons, request.Horizon.ToSteps(batch.Step(i)) ?? 24)!;
        }
        var result = BatchForecaster.Run(batch, modelFor, new BatchOptions
        {
            Horizon = request.Horizon,
            Levels = request.Levels,
            MaxDegreeOfParallelism = request.MaxDegreeOfParallelism,
        }, progress is null ? null : new Progress(progress, batch.Count), cancellationToken);
        return new(result, []);
    }

    // auto+gbt+arima-q: every series' backtest (members fitted without its last horizon) is made once, up front. It gives
    // the series' weights and, combined with equal weights, one example for the QuantileBands fitted across all series;
    // the per-series models then combine the members with those fixed weights and apply the learned bands.
    private static Func<int, IForecastModel> LearnedBandsModels(SeriesBatch batch, ForecastRequest request, WeightedGlobalSpec spec, BandFeatures features,
        GlobalBoosted[] gbts, GlobalBoosted[] held, int season, CancellationToken cancellationToken)
    {
        var count = batch.Count;
        var weights = new double[count][];
        var examples = new BandExample?[count];
        var levels = request.Levels.ToArray();
        // Auto's cross-validation forecasts per series, shared by its backtest (series minus the last horizon) and its
        // final selection (whole series): two of the three windows are the same (ModelCatalog.CreateAuto).
        var caches = new CrossValidationCache?[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.MaxDegreeOfParallelism), CancellationToken = cancellationToken }, i =>
        {
            var y = batch.Values(i).ToArray();
            var h = request.Horizon.ToSteps(batch.Step(i)) ?? 24;
            var k = 1 + gbts.Length + (spec.Arima ? 1 : 0);
            weights[i] = [.. Enumerable.Repeat(1.0 / k, k)];
            if (y.Length < 2 * h + season || !y.All(double.IsFinite))
            {
                return;
            }
            var train = y[..^h];
            var actual = y[^h..];
            var scale = QuantileBands.Scale(train, season);
            if (!(scale > 0))
            {
                return;
            }
            caches[i] = new CrossValidationCache(y);
            List<IForecastModel> backtest = [ModelCatalog.CreateAuto(request.Seasons, h, caches[i]), .. held];
            if (spec.Arima)
            {
                backtest.Add(ModelCatalog.Create("arima", request.Seasons, h)!);
            }
            var outs = backtest.Select(m => m.Forecast(train, h, levels)).ToArray();
            weights[i] = BacktestWeightedCombination.WeightsFromBacktest(outs, actual, scale, spec.Measure, spec.Power);
            var equal = Enumerable.Repeat(1.0 / k, k).ToArray();
            var combined = Combination.Combine(spec.Name, outs, equal, levels, bandsFrom: 0);
            if (combined.IsSuccess && outs[0].IsSuccess)
            {
                examples[i] = new BandExample(combined, outs, equal, scale, actual, train);
            }
        });
        QuantileBands? bands = null;
        var usable = examples.OfType<BandExample>().ToList();
        if (usable.Count > 0 && usable.Count >= request.MinBandSeries)
        {
            // The history inputs need a season (phase profile, last 7 seasons); without one the bands use the others.
            bands = QuantileBands.Fit(usable, levels, season >= 2 ? features : features & ~(BandFeatures.History | BandFeatures.ScaleByLevel), season);
        }
        return i =>
        {
            var h = request.Horizon.ToSteps(batch.Step(i)) ?? 24;
            List<IForecastModel> members = [ModelCatalog.CreateAuto(request.Seasons, h, caches[i]), .. gbts];
            if (spec.Arima)
            {
                members.Add(ModelCatalog.Create("arima", request.Seasons, h)!);
            }
            return new Combination(members, spec.Name, weights[i], bandsFrom: 0, learnedBands: bands, season: season, nonNegative: true);
        };
    }

    private sealed class Progress(IProgress<BatchProgress> inner, int total) : IProgress<int>
    {
        public void Report(int value) => inner.Report(new BatchProgress(value, total));
    }
}
