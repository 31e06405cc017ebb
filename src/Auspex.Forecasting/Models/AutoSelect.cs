using System.Globalization;
using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Models;

/// <summary>Where the intervals of an automatically selected forecast come from.</summary>
public enum IntervalMethod
{
    /// <summary>Conformal intervals from the cross-validation errors of the selected model (or ensemble). Default.</summary>
    Conformal,

    /// <summary>The selected model's own intervals (analytic or simulated); an ensemble still uses conformal ones.</summary>
    Model,
}

/// <summary>Options of <see cref="AutoSelect"/>.</summary>
public sealed class AutoSelectOptions
{
    /// <summary>How the rolling-origin cross-validation runs (default 3 windows of 24 steps).</summary>
    public CrossValidationOptions CrossValidation { get; init; } = new();

    /// <summary>How many of the best models to average (1 = the single best; default 1).</summary>
    public int EnsembleSize { get; init; } = 1;

    /// <summary>Where intervals come from (default conformal).</summary>
    public IntervalMethod Intervals { get; init; } = IntervalMethod.Conformal;

    /// <summary>
    /// A floor at the first candidate (the benchmark, e.g. seasonal naive): with a margin m &gt; 0 another candidate is
    /// chosen only when its mean cross-validation MAE is below (1 − m) × the first candidate's, so a handful of windows
    /// that happen to favour a trend-following model do not displace a strong seasonal pattern. Only for the single best
    /// (<see cref="EnsembleSize"/> = 1). Default 0 (plain minimum). Must be in [0, 1).
    /// </summary>
    public double BenchmarkMargin { get; init; }
}

/// <summary>
/// Automatic model selection per series by rolling-origin cross-validation: every candidate is fitted at each origin
/// and scored by its mean absolute error over the window; the best (or the mean of the <see cref="AutoSelectOptions.EnsembleSize"/>
/// best) is refitted on the whole series. The table is kept in <see cref="ForecastOutput.CrossValidation"/>. A candidate
/// that fails or falls back at any origin is ranked last with its reason. Too short for any window: the first
/// candidate that fits is used, with the reason.
/// </summary>
public sealed class AutoSelect : ForecastModel
{
    private readonly IForecastModel[] _candidates;

    /// <summary>Creates a selector over <paramref name="candidates"/> (distinct names).</summary>
    public AutoSelect(IReadOnlyList<IForecastModel> candidates, AutoSelectOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("At least one candidate model is needed.", nameof(candidates));
        }
        if (candidates.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count() != candidates.Count)
        {
            throw new ArgumentException("Candidate names must be distinct.", nameof(candidates));
        }
        Options = options ?? new AutoSelectOptions();
        Options.CrossValidation.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.EnsembleSize, 1);
        if (!(Options.BenchmarkMargin >= 0 && Options.BenchmarkMargin < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.BenchmarkMargin, "AutoSelectOptions.BenchmarkMargin must be in [0, 1).");
        }
        _candidates = [.. candidates];
    }

    /// <summary>
    /// Cross-validation forecasts to share with other selections on the same series (e.g. a backtest on the series
    /// minus its last horizon, whose windows overlap the full series' windows): a candidate's forecast from an origin is
    /// computed once. Null (default) = no sharing.
    /// </summary>
    internal CrossValidationCache? Cache { get; init; }

    /// <summary>The default candidate set for the given seasonal periods (first = shortest): seasonal naive, Theta,
    /// optimised Theta, AutoETS, and MSTL over all periods.</summary>
    public static IReadOnlyList<IForecastModel> DefaultCandidates(IReadOnlyList<int> seasons)
    {
        ArgumentNullException.ThrowIfNull(seasons);
        var m = seasons.Count > 0 ? seasons.Min() : 1;
        var list = new List<IForecastModel>
        {
            m > 1 ? new SeasonalNaive(m) : new Naive(),
            new Theta(m),
            new Theta(m, ThetaVariant.Optimised),
            new AutoEts(m),
        };
        var periods = seasons.Where(s => s > 1).ToArray();
        if (periods.Length > 0)
        {
            list.Add(new Mstl(periods));
        }
        return list;
    }

    /// <summary>The options.</summary>
    public AutoSelectOptions Options { get; }

    /// <summary>The candidate models.</summary>
    public IReadOnlyList<IForecastModel> Candidates => _candidates;

    /// <inheritdoc/>
    public override string Name => "Auto";

    private protected override IFittedForecastModel FitCore(ReadOnlySpan<double> y)
    {
        var cv = Options.CrossValidation;
        var n = y.Length;
        var origins = cv.Origins(n);
        if (origins.Length == 0)
        {
            foreach (var c in _candidates)
            {
                var fit = c.Fit(y);
                if (fit.Status != ForecastStatus.Failed)
                {
                    var reason = string.Create(CultureInfo.InvariantCulture,
                        $"{n} points are too few for cross-validation ({cv.Horizon}-step window after at least {cv.MinTrainLength}); used {fit.Name}");
                    return new Single(Name + "(" + fit.Name + ")", ForecastStatus.Fallback, fit.Reason is null ? reason : reason + "; " + fit.Reason, c, fit, null, Options);
                }
            }
            return new FailedFit(Name, "no candidate could fit");
        }
        var h = cv.Horizon;
        var series = y.ToArray();
        var rows = new List<CrossValidationRow>();
        // forecasts[c][w][step]
        var forecasts = new double[_candidates.Length][][];
        var meanMae = new double[_candidates.Length];
        for (var c = 0; c < _candidates.Length; c++)
        {
            forecasts[c] = new double[origins.Length][];
            var sum = 0.0;
            var ok = true;
            for (var w = 0; w < origins.Length; w++)
            {
                var o = origins[w];
                var f = Cache?.Forecast(_candidates[c], y[..o], h) ?? CrossValidationCache.Point(_candidates[c].Forecast(y[..o], h, []));
                string? failure = f.Status == ForecastStatus.Ok ? null : f.Reason ?? f.Status.ToString();
                if (!f.IsSuccess)
                {
                    rows.Add(new CrossValidationRow(_candidates[c].Name, o, double.NaN, double.NaN, failure));
                    ok = false;
                    forecasts[c][w] = [];
                    continue;
                }
                forecasts[c][w] = f.Mean;
                var (mae, smape) = Errors(y.Slice(o, h), f.Mean);
                rows.Add(new CrossValidationRow(_candidates[c].Name, o, mae, smape, failure));
                sum += mae;
                ok &= f.Status == ForecastStatus.Ok;
            }
            meanMae[c] = ok ? sum / origins.Length : double.PositiveInfinity;
        }
        var order = Enumerable.Range(0, _candidates.Length).OrderBy(c => meanMae[c]).ThenBy(c => c).ToArray();
        if (Options.BenchmarkMargin > 0 && Options.EnsembleSize == 1 && order[0] != 0 && double.IsFinite(meanMae[0])
            && !(meanMae[order[0]] < (1 - Options.BenchmarkMargin) * meanMae[0]))
        {
            // The best does not beat the benchmark (first candidate) by the margin: keep the benchmark.
            order = [0, .. order.Where(c => c != 0)];
        }
        var ranking = order.Select(c => (_candidates[c].Name, meanMae[c])).ToArray();
        var k = Math.Min(Options.EnsembleSize, order.Count(c => double.IsFinite(meanMae[c])));
        if (k == 0)
        {
            // Nothing survived every window cleanly: fall back to the first candidate that fits the whole series.
            var fallback = _candidates.Select(c => (Model: c, Fit: c.Fit(series))).FirstOrDefault(f => f.Fit.Status != ForecastStatus.Failed);
            if (fallback.Fit is null)
            {
                return new FailedFit(Name, "no candidate could fit");
            }
            var table0 = new CrossValidationTable(rows, ranking, [fallback.Fit.Name]);
            return new Single(Name + "(" + fallback.Fit.Name + ")", ForecastStatus.Fallback, "every candidate failed or fell back in cross-validation; used " + fallback.Fit.Name, fallback.Model, fallback.Fit, table0, Options);
        }
        var chosen = order.Take(k).ToArray();
        var table = new CrossValidationTable(rows, ranking, chosen.Select(c => _candidates[c].Name).ToArray());
        // Cross-validation errors of the chosen combination, for conformal intervals.
        var absErrors = new double[origins.Length][];
        for (var w = 0; w < origins.Length; w++)
        {
            absErrors[w] = new double[h];
            for (var s = 0; s < h; s++)
            {
                var f = 0.0;
                foreach (var c in chosen)
                {
                    f += forecasts[c][w][s];
                }
                absErrors[w][s] = Math.Abs(y[origins[w] + s] - f / k);
            }
        }
        var fits = chosen.Select(c => _candidates[c].Fit(series)).ToArray();
        var name = Name + "(" + string.Join('+', chosen.Select(c => _candidates[c].Name)) + ")";
        var status = fits.All(f => f.Status == ForecastStatus.Ok) ? ForecastStatus.Ok : ForecastStatus.Fallback;
        var why = status == ForecastStatus.Ok ? null : string.Join("; ", fits.Where(f => f.Reason is not null).Select(f => f.Reason));
        if (fits.Any(f => f.Status == ForecastStatus.Failed))
        {
            return new FailedFit(name, why ?? "selected model failed on the full series");
        }
        return new Ensemble(name, status, why, chosen.Select(c => _candidates[c]).ToArray(), fits, absErrors, table, Options);
    }

    /// <summary>What a selection chose, for callers that keep the choice (the engine's live forecaster).</summary>
    internal interface ISelection
    {
        /// <summary>The cross-validation table, or null when the series was too short for any window.</summary>
        CrossValidationTable? Table { get; }

        /// <summary>Absolute errors [window][step] of the chosen combination in cross-validation (conformal source), or null.</summary>
        double[][]? AbsErrors { get; }

        /// <summary>The chosen candidate models.</summary>
        IReadOnlyList<IForecastModel> Models { get; }

        /// <summary>Their fits on the whole series.</summary>
        IReadOnlyList<IFittedForecastModel> Fits { get; }
    }

    private static (double Mae, double Smape) Errors(ReadOnlySpan<double> actual, double[] forecast)
    {
        double mae = 0, smape = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var e = Math.Abs(actual[i] - forecast[i]);
            mae += e;
            var d = Math.Abs(actual[i]) + Math.Abs(forecast[i]);
            smape += d == 0 ? 0 : 2 * e / d;
        }
        return (mae / actual.Length, 100 * smape / actual.Length);
    }

    private sealed class Single(string name, ForecastStatus status, string? reason, IForecastModel model, IFittedForecastModel inner, CrossValidationTable? table, AutoSelectOptions options)
        : FittedModel(name, status, reason, [.. inner.Fitted]), ISelection
    {
        public CrossValidationTable? Table => table;

        public double[][]? AbsErrors => null;

        public IReadOnlyList<IForecastModel> Models => [model];

        public IReadOnlyList<IFittedForecastModel> Fits => [inner];

        public override string ToString() => Name;

        protected override ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels)
        {
            _ = options;
            var output = inner.Predict(horizon, levels).WithModel(Name);
            return table is null ? output : output.WithCrossValidation(table);
        }
    }

    private sealed class Ensemble(
        string name, ForecastStatus status, string? reason, IForecastModel[] models, IFittedForecastModel[] fits, double[][] absErrors,
        CrossValidationTable table, AutoSelectOptions options)
        : FittedModel(name, status, reason, Average(fits.Select(f => f.Fitted).ToArray())), ISelection
    {
        public CrossValidationTable? Table => table;

        public double[][]? AbsErrors => absErrors;

        public IReadOnlyList<IForecastModel> Models => models;

        public IReadOnlyList<IFittedForecastModel> Fits => fits;

        public override string ToString() => Name;

        protected override ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels)
        {
            if (fits.Length == 1 && options.Intervals == IntervalMethod.Model)
            {
                return fits[0].Predict(horizon, levels).WithModel(Name).WithCrossValidation(table);
            }
            var outputs = fits.Select(f => f.Predict(horizon, [])).ToArray();
            var mean = Average(outputs.Select(o => (IReadOnlyList<double>)o.Mean).ToArray());
            return Conformal.Apply(Name, mean, absErrors, levels, (double[])FittedValues.Clone(), ForecastStatus.Ok, null).WithCrossValidation(table);
        }

        private static double[] Average(IReadOnlyList<double>[] parts)
        {
            var n = parts[0].Count;
            var r = new double[n];
            foreach (var p in parts)
            {
                for (var i = 0; i < n; i++)
                {
                    r[i] += p[i] / parts.Length;
                }
            }
            return r;
        }
    }
}

/// <summary>What a selection keeps of a candidate's cross-validation forecast.</summary>
internal sealed record CvForecast(ForecastStatus Status, string? Reason, double[] Mean)
{
    public bool IsSuccess => Status != ForecastStatus.Failed;
}

/// <summary>
/// Memo of cross-validation forecasts for one series (<see cref="AutoSelect.Cache"/>): a candidate's point forecast of h
/// steps from the first o values of <see cref="Series"/>, computed once and reused for the same candidate object and h.
/// A history that is not a prefix of the series (bit for bit) is forecast without the memo; so a selection with the
/// cache returns exactly what it returns without it. Not thread-safe: one series' selections run one after the other.
/// </summary>
internal sealed class CrossValidationCache(double[] series)
{
    private readonly Dictionary<(IForecastModel Model, int Origin, int Horizon), CvForecast> _entries = [];

    /// <summary>The series whose prefixes are forecast.</summary>
    public double[] Series { get; } = series ?? throw new ArgumentNullException(nameof(series));

    /// <summary>The candidate objects shared by the selections that use this memo (set by the first of them).</summary>
    public IReadOnlyList<IForecastModel>? Candidates { get; set; }

    /// <summary>Forecasts computed through the memo.</summary>
    public int Computed { get; private set; }

    /// <summary>Forecasts served from the memo.</summary>
    public int Reused { get; private set; }

    public static CvForecast Point(ForecastOutput f) => new(f.Status, f.Reason, f.Mean);

    public CvForecast Forecast(IForecastModel model, ReadOnlySpan<double> history, int horizon)
    {
        var isPrefix = history.Length <= Series.Length
            && System.Runtime.InteropServices.MemoryMarshal.AsBytes(Series.AsSpan(0, history.Length)).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(history));
        if (!isPrefix)
        {
            return Point(model.Forecast(history, horizon, []));
        }
        var key = (model, history.Length, horizon);
        if (_entries.TryGetValue(key, out var hit))
        {
            Reused++;
            return hit;
        }
        var f = Point(model.Forecast(history, horizon, []));
        _entries[key] = f;
        Computed++;
        return f;
    }
}
