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
        ["auto+gbt-w"] = "auto and GlobalBoosted weighted per series by their errors on the series' last horizon (a backtest: about twice the work of auto+gbt; the best on M4 Hourly)",
    };

    /// <summary>True for the names that need a model trained across the whole input first (<c>global</c>, <c>gbt</c>, <c>auto+gbt</c>).</summary>
    public static bool IsGlobal(string name) =>
        name.Equals("global", StringComparison.OrdinalIgnoreCase) || name.Equals("gbt", StringComparison.OrdinalIgnoreCase)
        || name.Equals("auto+gbt", StringComparison.OrdinalIgnoreCase) || name.Equals("auto+gbt-w", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// GlobalBoosted options fitted to a batch: <paramref name="horizon"/> steps held out, the main season for the
    /// calendar features, seasonal lags (2 × main season, the other seasons and twice them) kept only where at least
    /// half the series are long enough to train with them, and fewer windows per leaf for small batches.
    /// </summary>
    public static GlobalBoostedOptions GlobalBoostedFor(IReadOnlyList<int> lengths, IReadOnlyList<int> seasons, int horizon)
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
            MedianLoss = true, // chosen on the M4 validation split (OWA 0.472 vs 0.565 with squared loss), bench/RESULTS.md
        };
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
            "auto" => new AutoSelect(AutoSelect.DefaultCandidates(periods), new AutoSelectOptions { CrossValidation = cv }),
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
