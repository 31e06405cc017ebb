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
    };

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
