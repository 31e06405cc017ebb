using Auspex.Core.Forecasts;
using Auspex.Core.Series;
using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting;

/// <summary>
/// A probabilistic forecast of one series: the point forecast for each step and central prediction intervals at the
/// requested levels, plus the in-sample fit, and why the model fell back or failed if it did.
/// </summary>
public sealed class ForecastOutput
{
    private readonly double[] _levels;
    private readonly double[][] _lower;
    private readonly double[][] _upper;
    private readonly double[]? _stdDev;

    private ForecastOutput(
        string model, ForecastStatus status, string? reason, double[] mean, double[] levels, double[][] lower,
        double[][] upper, double[] fitted, double[]? stdDev)
    {
        Model = model;
        Status = status;
        Reason = reason;
        Mean = mean;
        _levels = levels;
        _lower = lower;
        _upper = upper;
        Fitted = fitted;
        _stdDev = stdDev;
    }

    /// <summary>Name of the model that produced the forecast (the fallback's name if it fell back).</summary>
    public string Model { get; }

    /// <summary>Whether the requested model produced this forecast, a fallback did, or it failed.</summary>
    public ForecastStatus Status { get; }

    /// <summary>True unless <see cref="Status"/> is <see cref="ForecastStatus.Failed"/>.</summary>
    public bool IsSuccess => Status != ForecastStatus.Failed;

    /// <summary>Why the model fell back or failed; <c>null</c> when it did not.</summary>
    public string? Reason { get; }

    /// <summary>Point forecasts, one per step (empty when failed).</summary>
    public double[] Mean { get; }

    /// <summary>Number of steps forecast.</summary>
    public int Horizon => Mean.Length;

    /// <summary>The central interval levels (percent) this output carries, ascending.</summary>
    public IReadOnlyList<double> Levels => _levels;

    /// <summary>In-sample one-step-ahead fitted values (NaN where the model has none); empty if the model has none.</summary>
    public double[] Fitted { get; }

    /// <summary>The cross-validation table when the forecast came from automatic selection, else <c>null</c>.</summary>
    public CrossValidationTable? CrossValidation { get; private init; }

    /// <summary>Standard deviation of the forecast error per step when the model's intervals are Gaussian, else <c>null</c>.</summary>
    public IReadOnlyList<double>? StdDev => _stdDev;

    /// <summary>Lower bounds of the central <paramref name="level"/>% interval, one per step.</summary>
    /// <exception cref="ArgumentException">The level was not requested and cannot be derived (non-Gaussian intervals).</exception>
    public double[] Lower(double level) => Band(level, lower: true);

    /// <summary>Upper bounds of the central <paramref name="level"/>% interval, one per step.</summary>
    /// <exception cref="ArgumentException">The level was not requested and cannot be derived (non-Gaussian intervals).</exception>
    public double[] Upper(double level) => Band(level, lower: false);

    /// <summary>
    /// The quantile <paramref name="p"/> (in (0, 1)) of step <paramref name="step"/>: the mean at 0.5, an interval bound
    /// otherwise (from the Gaussian error if known, else interpolated between the stored levels, flat beyond them).
    /// </summary>
    public double Quantile(int step, double p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(p, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p, 1);
        if (p == 0.5)
        {
            return Mean[step];
        }
        if (_stdDev is not null)
        {
            return Mean[step] + Internal.Gaussian.Quantile(p) * _stdDev[step];
        }
        var level = Math.Abs(1 - 2 * p) * 100;
        var below = p < 0.5;
        var idx = Array.IndexOf(_levels, level);
        if (idx >= 0)
        {
            return below ? _lower[idx][step] : _upper[idx][step];
        }
        // Interpolate in level between stored bands (mean acts as the 0% band).
        var prevLevel = 0.0;
        var prevValue = Mean[step];
        for (var i = 0; i < _levels.Length; i++)
        {
            var value = below ? _lower[i][step] : _upper[i][step];
            if (level < _levels[i])
            {
                var t = (level - prevLevel) / (_levels[i] - prevLevel);
                return prevValue + t * (value - prevValue);
            }
            prevLevel = _levels[i];
            prevValue = value;
        }
        return prevValue;
    }

    /// <summary>
    /// Converts to the Core vocabulary: one <see cref="ForecastPoint"/> per step at <paramref name="firstAt"/> + i·<paramref name="step"/>,
    /// with quantiles at <paramref name="quantileLevels"/> (probabilities, ascending; default <see cref="Forecast.DefaultLevels"/>).
    /// </summary>
    public Forecast ToForecast(SeriesKey series, DateTimeOffset issuedAt, DateTimeOffset firstAt, TimeSpan step, IReadOnlyList<double>? quantileLevels = null)
    {
        var qs = quantileLevels ?? Forecast.DefaultLevels;
        var points = new ForecastPoint[Horizon];
        for (var i = 0; i < Horizon; i++)
        {
            var q = new double[qs.Count];
            for (var j = 0; j < q.Length; j++)
            {
                q[j] = Quantile(i, qs[j]);
            }
            for (var j = 1; j < q.Length; j++)
            {
                q[j] = Math.Max(q[j], q[j - 1]);
            }
            points[i] = new ForecastPoint(firstAt + step * i, Mean[i], q);
        }
        return new Forecast(series, Model, issuedAt, step, qs, points);
    }

    private double[] Band(double level, bool lower)
    {
        var idx = Array.IndexOf(_levels, level);
        if (idx >= 0)
        {
            return (double[])(lower ? _lower[idx] : _upper[idx]).Clone();
        }
        if (_stdDev is not null && level > 0 && level < 100)
        {
            var z = Internal.Gaussian.Quantile(0.5 + level / 200.0);
            var band = new double[Horizon];
            for (var i = 0; i < band.Length; i++)
            {
                band[i] = lower ? Mean[i] - z * _stdDev[i] : Mean[i] + z * _stdDev[i];
            }
            return band;
        }
        throw new ArgumentException($"Level {level.ToString(System.Globalization.CultureInfo.InvariantCulture)} was not requested and this model's intervals are not Gaussian.", nameof(level));
    }

    /// <summary>Creates a failed output carrying <paramref name="reason"/>.</summary>
    public static ForecastOutput Failed(string model, string reason) =>
        new(model, ForecastStatus.Failed, reason, [], [], [], [], [], null);

    /// <summary>Creates a forecast whose intervals come from a Gaussian error with the given per-step standard deviation.</summary>
    /// <param name="model">Model name.</param>
    /// <param name="mean">Point forecasts.</param>
    /// <param name="stdDev">Standard deviation of the forecast error per step (same length as <paramref name="mean"/>).</param>
    /// <param name="levels">Central interval levels in percent.</param>
    /// <param name="fitted">In-sample fitted values (may be empty).</param>
    /// <param name="status">Ok or Fallback.</param>
    /// <param name="reason">Why it fell back, if it did.</param>
    public static ForecastOutput Gaussian(
        string model, double[] mean, double[] stdDev, IReadOnlyList<double> levels, double[] fitted,
        ForecastStatus status = ForecastStatus.Ok, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(stdDev);
        ArgumentNullException.ThrowIfNull(levels);
        if (stdDev.Length != mean.Length)
        {
            throw new ArgumentException("stdDev and mean differ in length.", nameof(stdDev));
        }
        var sorted = SortedLevels(levels);
        var lower = new double[sorted.Length][];
        var upper = new double[sorted.Length][];
        for (var l = 0; l < sorted.Length; l++)
        {
            var z = Internal.Gaussian.Quantile(0.5 + sorted[l] / 200.0);
            lower[l] = new double[mean.Length];
            upper[l] = new double[mean.Length];
            for (var i = 0; i < mean.Length; i++)
            {
                lower[l][i] = mean[i] - z * stdDev[i];
                upper[l][i] = mean[i] + z * stdDev[i];
            }
        }
        return new(model, status, reason, mean, sorted, lower, upper, fitted ?? [], stdDev);
    }

    /// <summary>Creates a forecast with explicit interval bounds (e.g. conformal or simulated), one pair per level.</summary>
    /// <param name="model">Model name.</param>
    /// <param name="mean">Point forecasts.</param>
    /// <param name="levels">Central interval levels in percent (any order).</param>
    /// <param name="lower">Lower bounds per level (same order as <paramref name="levels"/>), each one per step.</param>
    /// <param name="upper">Upper bounds per level.</param>
    /// <param name="fitted">In-sample fitted values (may be empty).</param>
    /// <param name="status">Ok or Fallback.</param>
    /// <param name="reason">Why it fell back, if it did.</param>
    public static ForecastOutput WithBands(
        string model, double[] mean, IReadOnlyList<double> levels, IReadOnlyList<double[]> lower, IReadOnlyList<double[]> upper,
        double[] fitted, ForecastStatus status = ForecastStatus.Ok, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        var order = Enumerable.Range(0, levels.Count).OrderBy(i => levels[i]).ToArray();
        var sorted = order.Select(i => levels[i]).ToArray();
        var lo = order.Select(i => lower[i]).ToArray();
        var hi = order.Select(i => upper[i]).ToArray();
        // Enforce nested, ordered bands: wider level never inside a narrower one, lower <= mean <= upper.
        for (var l = 0; l < sorted.Length; l++)
        {
            for (var i = 0; i < mean.Length; i++)
            {
                var prevLo = l == 0 ? mean[i] : lo[l - 1][i];
                var prevHi = l == 0 ? mean[i] : hi[l - 1][i];
                lo[l][i] = Math.Min(lo[l][i], prevLo);
                hi[l][i] = Math.Max(hi[l][i], prevHi);
            }
        }
        return new(model, status, reason, mean, sorted, lo, hi, fitted ?? [], null);
    }

    /// <summary>Returns a copy of this output marked as a fallback with <paramref name="reason"/>.</summary>
    public ForecastOutput AsFallback(string reason) =>
        new(Model, Status == ForecastStatus.Failed ? ForecastStatus.Failed : ForecastStatus.Fallback, reason, Mean, _levels, _lower, _upper, Fitted, _stdDev) { CrossValidation = CrossValidation };

    /// <summary>Returns a copy of this output carrying <paramref name="table"/>.</summary>
    public ForecastOutput WithCrossValidation(CrossValidationTable table) =>
        new(Model, Status, Reason, Mean, _levels, _lower, _upper, Fitted, _stdDev) { CrossValidation = table };

    /// <summary>Returns a copy of this output renamed to <paramref name="model"/>.</summary>
    public ForecastOutput WithModel(string model) =>
        new(model, Status, Reason, Mean, _levels, _lower, _upper, Fitted, _stdDev) { CrossValidation = CrossValidation };

    private static double[] SortedLevels(IReadOnlyList<double> levels)
    {
        var sorted = levels.Distinct().ToArray();
        Array.Sort(sorted);
        return sorted;
    }
}
