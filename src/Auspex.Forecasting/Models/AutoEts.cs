using System.Globalization;
using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Models;

/// <summary>
/// Exponential smoothing state-space models (ETS; Hyndman et al. 2008). With no fixed specification it fits every
/// applicable combination of <see cref="EtsSpec.All"/> (multiplicative components only for positive data, seasonal
/// ones only with at least two full seasons) and keeps the one with the lowest AICc. Smoothing parameters stay in the
/// usual admissible region 0 &lt; β &lt; α &lt; 1, 0 &lt; γ &lt; 1 − α, 0.8 ≤ φ ≤ 0.98; the initial level and slope
/// are estimated with them, the initial seasonal states come from a classical decomposition of the first seasons.
/// Intervals are analytic for the linear class (additive error and season), simulated (seeded) otherwise.
/// </summary>
public sealed class AutoEts : ForecastModel
{
    private const int SimulationPaths = 1000;
    private const int SimulationSeed = 20_181;

    /// <summary>Creates an automatic ETS model.</summary>
    /// <param name="season">Season length (1 for none; at most 24 as in R's <c>ets</c> — use MSTL for longer seasons).</param>
    /// <param name="spec">A fixed specification, or null to select by AICc.</param>
    public AutoEts(int season, EtsSpec? spec = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(season, 1);
        Season = season;
        Spec = spec;
    }

    /// <summary>Season length in steps.</summary>
    public int Season { get; }

    /// <summary>The fixed specification, or null for automatic selection.</summary>
    public EtsSpec? Spec { get; }

    /// <inheritdoc/>
    public override string Name => Spec is null ? "AutoETS" : Spec.Value.ToString();

    private protected override IFittedForecastModel FitCore(ReadOnlySpan<double> y)
    {
        if (InputCheck.IsConstant(y))
        {
            return Naive.FitWalk(y, 1, "Naive", ForecastStatus.Fallback, "constant series; naive fallback");
        }
        var m = Season > 24 ? 1 : Season;
        var positive = true;
        foreach (var v in y)
        {
            positive &= v > 0;
        }
        EtsCore? best = null;
        foreach (var spec in Spec is null ? EtsSpec.All : [Spec.Value])
        {
            if (!positive && (spec.Error == EtsError.Multiplicative || spec.Season == EtsSeason.Multiplicative))
            {
                continue;
            }
            var fit = EtsCore.Fit(y, spec, m);
            if (fit is not null && (best is null || fit.Aicc < best.Aicc))
            {
                best = fit;
            }
        }
        if (best is null)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"no ETS model could be fitted to {y.Length} points; naive fallback");
            return Naive.FitWalk(y, 1, "Naive", ForecastStatus.Fallback, reason);
        }
        return new Fitted(Name, best, Season);
    }

    private sealed class Fitted(string name, EtsCore core, int season) : FittedModel(name, ForecastStatus.Ok, null, core.Fitted), IPinnableFit, IRefreshableFit
    {
        public IForecastModel Pinned => new AutoEts(season, core.Spec);

        public IFittedForecastModel? Refresh(ReadOnlySpan<double> y, int advanced)
        {
            var next = core.Continue(y, advanced);
            return next is null ? null : new Fitted(new AutoEts(season, core.Spec).Name, next, season);
        }

        public override string ToString() => core.Spec.ToString();

        protected override ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels)
        {
            var mean = core.PointForecast(horizon);
            var fitted = (double[])FittedValues.Clone();
            if (core.HasAnalyticVariance)
            {
                return ForecastOutput.Gaussian(Name, mean, core.AnalyticStdDev(horizon), levels, fitted);
            }
            var paths = core.Simulate(horizon, SimulationPaths, SimulationSeed);
            return Bands.FromPaths(Name, mean, paths, levels, fitted);
        }
    }
}
