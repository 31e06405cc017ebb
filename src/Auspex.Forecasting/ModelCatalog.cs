using Auspex.Forecasting.Models;

namespace Auspex.Forecasting;

/// <summary>The models available by name (CLI <c>--model</c>, configuration), with their seasonal periods.</summary>
public static class ModelCatalog
{
    /// <summary>Accepted names (case-insensitive), with what they build.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["auto"] = "automatic selection by rolling-origin cross-validation over snaive, theta, otheta, ets and mstl",
        ["ensemble"] = "mean of the three best models by cross-validation, conformal intervals",
        ["naive"] = "last value",
        ["snaive"] = "seasonal naive (first season)",
        ["naive2"] = "M4 Naive2: naive on multiplicatively seasonally adjusted data",
        ["theta"] = "standard Theta (SES with half drift, M4 seasonal adjustment)",
        ["otheta"] = "optimised Theta",
        ["ets"] = "AutoETS: all error/trend/damped/season combinations, AICc",
        ["arima"] = "AutoARIMA: Hyndman-Khandakar stepwise search, KPSS/seasonal-strength differencing, CSS estimation",
        ["mstl"] = "MSTL over every season with AutoETS on the adjusted series",
        ["global"] = "GlobalLinear: one ridge model on standardised lag windows trained across all input series",
        ["gbt"] = "GlobalBoosted: gradient-boosted trees on lag, seasonal-lag and calendar features trained across all input series",
        ["auto+gbt"] = "mean of the automatic selection (auto) and GlobalBoosted, per series",
        ["auto+gbt-w"] = "auto and GlobalBoosted weighted per series by their errors on the series' last horizon (a backtest: about twice the work of auto+gbt)",
        ["auto+gbt+arima-w"] = "auto, three GlobalBoosted (seeds 1, 2, 3) and arima weighted per series by their backtest sMAPE on the series' last horizon (3x the tree training of auto+gbt-w; the best point forecast on M4 Hourly)",
        ["auto+gbt+arima-q"] = "auto, four GlobalBoosted (seeds 1-3, and seed 4 with 1200 rounds) and arima weighted per series by backtest sMAPE^-4, with interval bands learned across all series by quantile regression of the backtest errors on the series' band, the step, its hour-of-day error profile, level and recent volatility, lower bounds floored at 0 for non-negative series (the best on M4 Hourly; about 5x the tree training of auto+gbt-w)",
    };

    /// <summary>True for the names that need a model trained across the whole input first (<c>global</c>, <c>gbt</c>, <c>auto+gbt</c> and the <see cref="WeightedGlobal"/> ones).</summary>
    public static bool IsGlobal(string name) =>
        name.Equals("global", StringComparison.OrdinalIgnoreCase) || name.Equals("gbt", StringComparison.OrdinalIgnoreCase)
        || name.Equals("auto+gbt", StringComparison.OrdinalIgnoreCase) || WeightedGlobal(name) is not null;

    /// <summary>
    /// The backtest-weighted combinations with GlobalBoosted: <c>auto+gbt-w</c> (Auto and one GlobalBoosted, weights ∝
    /// MASE^−2), <c>auto+gbt+arima-w</c> (Auto, GlobalBoosted with seeds 1, 2 and 3 as three members, AutoARIMA; weights ∝
    /// sMAPE^−2) and <c>auto+gbt+arima-q</c> (a fourth GlobalBoosted with seed 4 and 1,200 rounds, weights ∝ sMAPE^−4,
    /// and <see cref="QuantileBands"/> fitted on the backtest of every series); null for any other name. The settings were chosen on the M4 Hourly validation splits (bench/RESULTS.md).
    /// </summary>
    public static WeightedGlobalSpec? WeightedGlobal(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "auto+gbt-w" => new WeightedGlobalSpec(1, false, BacktestErrorMeasure.Mase, 2, "Auto+GlobalBoosted(weighted)"),
            "auto+gbt+arima-w" => new WeightedGlobalSpec(3, true, BacktestErrorMeasure.Smape, 2, "Auto+GlobalBoosted×3+AutoARIMA(weighted)"),
            "auto+gbt+arima-q" => new WeightedGlobalSpec(4, true, BacktestErrorMeasure.Smape, 4, "Auto+GlobalBoosted×4+AutoARIMA(weighted, learned bands)",
                BandFeatures.OwnOffset | BandFeatures.Constant | BandFeatures.Horizon | BandFeatures.History, [600, 600, 600, 1200]),
            _ => null,
        };
    }

    /// <summary>
    /// GlobalBoosted options fitted to a batch: <paramref name="horizon"/> steps held out, the main season for the
    /// calendar features, seasonal lags (2 × main season, the other seasons and twice them) kept only where at least
    /// half the series are long enough to train with them, and fewer windows per leaf for small batches.
    /// </summary>
    /// <param name="lengths">Lengths of the training series.</param>
    /// <param name="seasons">Seasonal periods (first = main one).</param>
    /// <param name="horizon">Steps held out for early stopping and calibration.</param>
    /// <param name="bags">Tree ensembles averaged (<see cref="GlobalBoostedOptions.Bags"/>; default 1).</param>
    /// <param name="seed">Sampling seed (<see cref="GlobalBoostedOptions.Seed"/>; default 1).</param>
    /// <param name="rounds">Round cap (<see cref="GlobalBoostedOptions.Rounds"/>; null = its default, 600).</param>
    public static GlobalBoostedOptions GlobalBoostedFor(IReadOnlyList<int> lengths, IReadOnlyList<int> seasons, int horizon, int bags = 1, int seed = 1, int? rounds = null)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentNullException.ThrowIfNull(seasons);
        var periods = seasons.Where(s => s > 1).ToArray();
        var m = periods.Length > 0 ? periods[0] : 1;
        var sorted = lengths.Order().ToArray();
        var median = sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
        var lags = Math.Max(2, Math.Min(Math.Max(m, 24), median - horizon - 2));
        var seasonal = new SortedSet<int>();
        if (m > 1)
        {
            seasonal.Add(2 * m);
        }
        foreach (var p in periods.Skip(1))
        {
            seasonal.Add(p);
            seasonal.Add(2 * p);
        }
        var keep = seasonal.Where(l => l > lags && l + horizon + 1 + horizon <= median).ToList();
        var windows = lengths.Sum(n => Math.Max(0, n - Math.Max(lags, keep.Count == 0 ? 0 : keep.Max()) - horizon));
        return new GlobalBoostedOptions
        {
            Horizon = Math.Max(1, horizon),
            Season = m,
            Calendar = m > 1,
            Lags = lags,
            SeasonalLags = keep,
            ScaleWindow = Math.Max(1, Math.Min(periods.Length > 1 ? periods[1] : 7 * m, Math.Max(1, median / 2))),
            MinSamplesLeaf = Math.Clamp(windows / 200, 5, 100),
            Bags = bags,
            Seed = seed,
            Rounds = rounds ?? new GlobalBoostedOptions().Rounds,
            MedianLoss = true, // chosen on the M4 validation split (OWA 0.472 vs 0.565 with squared loss), bench/RESULTS.md
        };
    }

    /// <summary>
    /// The <c>auto</c> model; with a <paramref name="cache"/>, every selection made with that cache uses the same
    /// candidate objects and shares their cross-validation forecasts (the backtest on a series minus its last horizon
    /// and the final selection on the whole series overlap in two of their three windows). The result is the same.
    /// </summary>
    internal static AutoSelect CreateAuto(IReadOnlyList<int> seasons, int horizon, CrossValidationCache? cache)
    {
        var periods = seasons.Where(s => s > 1).ToArray();
        var m = periods.Length > 0 ? periods[0] : 1;
        var cv = new CrossValidationOptions { Horizon = Math.Max(1, horizon), Windows = 3, MinTrainLength = Math.Max(2 * m, 24) };
        if (cache is null)
        {
            return new AutoSelect(AutoSelect.DefaultCandidates(periods), new AutoSelectOptions { CrossValidation = cv });
        }
        cache.Candidates ??= AutoSelect.DefaultCandidates(periods);
        return new AutoSelect(cache.Candidates, new AutoSelectOptions { CrossValidation = cv }) { Cache = cache };
    }

    /// <summary>
    /// Creates the model <paramref name="name"/> for one series. <paramref name="seasons"/> are the seasonal periods
    /// (first = main one; empty or 1 = none); <paramref name="horizon"/> is the cross-validation window of the automatic
    /// models. <c>global</c> needs training data and is built by <see cref="GlobalLinear.Train"/> instead.
    /// </summary>
    /// <returns>The model, or null when the name is unknown (or <c>global</c>).</returns>
    public static IForecastModel? Create(string name, IReadOnlyList<int> seasons, int horizon)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(seasons);
        var periods = seasons.Where(s => s > 1).ToArray();
        var m = periods.Length > 0 ? periods[0] : 1;
        var cv = new CrossValidationOptions { Horizon = Math.Max(1, horizon), Windows = 3, MinTrainLength = Math.Max(2 * m, 24) };
        return name.ToLowerInvariant() switch
        {
            "auto" => CreateAuto(seasons, horizon, null),
            "ensemble" => new AutoSelect(AutoSelect.DefaultCandidates(periods), new AutoSelectOptions { CrossValidation = cv, EnsembleSize = 3 }),
            "naive" => new Naive(),
            "snaive" => m > 1 ? new SeasonalNaive(m) : new Naive(),
            "naive2" => new Naive2(m),
            "theta" => new Theta(m),
            "otheta" => new Theta(m, ThetaVariant.Optimised),
            "ets" => new AutoEts(m),
            "arima" => new AutoArima(m),
            "mstl" => periods.Length > 0 ? new Mstl(periods) : new AutoEts(1),
            _ => null,
        };
    }
}

/// <summary>Settings of a backtest-weighted Auto + GlobalBoosted model (<see cref="ModelCatalog.WeightedGlobal"/>).</summary>
/// <param name="GlobalSeeds">GlobalBoosted members, trained alike with the seeds 1, 2, …, each weighted on its own.</param>
/// <param name="Arima">AutoARIMA is a member too.</param>
/// <param name="Measure">Backtest error that sets the weights.</param>
/// <param name="Power">Weight exponent: member weight ∝ error^−power.</param>
/// <param name="Name">Model name in the output.</param>
/// <param name="LearnedBands">When set, the bands are <see cref="QuantileBands"/> with these inputs, fitted on the equal-weight
/// backtest combinations of all series, and lower bounds of non-negative series are floored at 0; null = Auto's offsets.</param>
/// <param name="GlobalRounds">Round cap of each GlobalBoosted member (seed 1, 2, …); null = the default (600) for all.</param>
public sealed record WeightedGlobalSpec(int GlobalSeeds, bool Arima, BacktestErrorMeasure Measure, double Power, string Name, BandFeatures? LearnedBands = null, IReadOnlyList<int>? GlobalRounds = null)
{
    /// <summary>The GlobalBoosted options of member <paramref name="k"/> (0-based: seed k + 1) for a batch.</summary>
    public GlobalBoostedOptions GlobalOptions(int k, IReadOnlyList<int> lengths, IReadOnlyList<int> seasons, int horizon)
    {
        return ModelCatalog.GlobalBoostedFor(lengths, seasons, horizon, seed: 1 + k, rounds: GlobalRounds is { } r && k < r.Count ? r[k] : null);
    }
}
