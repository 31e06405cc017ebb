using System.Globalization;

namespace Auspex.Forecasting;

/// <summary>
/// Conformal recalibration of a model's interval bands from backtest forecasts (forecasts of held-out values made
/// without them): for each level L and step h the band's distance from the point forecast is multiplied by a factor
/// c(L, h), separately below and above the point forecast, so asymmetric bands keep their shape.
/// <para>
/// The score of a held-out value y against a band [lo, hi] around the point forecast ŷ is
/// <c>max((ŷ − y)/(ŷ − lo), (y − ŷ)/(hi − ŷ))</c>: y lies inside the band stretched by c exactly when its score is at
/// most c. c(L, h) is the ⌈(k+1)·L⌉-th smallest of the k scores pooled over every backtest series at the steps within
/// ±<c>window</c> of h (split-conformal, as in conformalised quantile regression with a multiplicative score), so
/// under exchangeability of the series the recalibrated L% band covers at least L% of new values. A factor above 1
/// widens an under-covering band, below 1 narrows an over-covering one (e.g. an average of members' bands). An infinite
/// factor (zero-width backtest bands that missed) leaves the band unchanged.
/// </para>
/// </summary>
public sealed class IntervalRecalibration
{
    private readonly double[] _levels;
    private readonly double[][] _factors;

    private IntervalRecalibration(double[] levels, double[][] factors, int samples)
    {
        _levels = levels;
        _factors = factors;
        Samples = samples;
    }

    /// <summary>The calibrated levels (percent), ascending.</summary>
    public IReadOnlyList<double> Levels => _levels;

    /// <summary>Steps calibrated; later steps use the last step's factor.</summary>
    public int Horizon => _factors.Length == 0 ? 0 : _factors[0].Length;

    /// <summary>Backtest values (series × steps) the factors were computed from.</summary>
    public int Samples { get; }

    /// <summary>The multiplier of the band at <paramref name="level"/> for <paramref name="step"/> (0-based).</summary>
    /// <exception cref="ArgumentException">The level was not calibrated.</exception>
    public double Factor(double level, int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var l = Array.IndexOf(_levels, level);
        if (l < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Level {level} was not calibrated (calibrated: {string.Join(", ", _levels)})."), nameof(level));
        }
        return _factors[l][Math.Min(step, Horizon - 1)];
    }

    /// <summary>
    /// Computes the factors from backtest forecasts and the values they forecast.
    /// </summary>
    /// <param name="forecasts">One backtest forecast per series, each carrying every level in <paramref name="levels"/>; failed ones are skipped.</param>
    /// <param name="actuals">The held-out values of each series, at least as many as the forecast's steps used.</param>
    /// <param name="levels">Levels to calibrate, each in (0, 100).</param>
    /// <param name="window">Steps pooled either side of each step; default max(1, H/8) for a calibrated horizon H.</param>
    /// <exception cref="ArgumentException">Mismatched counts, a level out of range or missing from a forecast, a non-finite actual, or no usable forecast.</exception>
    public static IntervalRecalibration Fit(IReadOnlyList<ForecastOutput> forecasts, IReadOnlyList<double[]> actuals, IReadOnlyList<double> levels, int? window = null)
    {
        ArgumentNullException.ThrowIfNull(forecasts);
        ArgumentNullException.ThrowIfNull(actuals);
        ArgumentNullException.ThrowIfNull(levels);
        if (forecasts.Count != actuals.Count)
        {
            throw new ArgumentException($"{forecasts.Count} forecasts but {actuals.Count} series of actual values.", nameof(actuals));
        }
        if (levels.Count == 0 || levels.Any(l => !(l > 0 && l < 100)))
        {
            throw new ArgumentException("Levels must be given, each in (0, 100).", nameof(levels));
        }
        var used = Enumerable.Range(0, forecasts.Count).Where(i => forecasts[i].IsSuccess).ToArray();
        if (used.Length == 0)
        {
            throw new ArgumentException("No successful backtest forecast to calibrate on.", nameof(forecasts));
        }
        var horizon = used.Min(i => Math.Min(forecasts[i].Horizon, actuals[i].Length));
        if (horizon == 0)
        {
            throw new ArgumentException("The backtest forecasts or actual values are empty.", nameof(actuals));
        }
        foreach (var i in used)
        {
            for (var t = 0; t < horizon; t++)
            {
                if (!double.IsFinite(actuals[i][t]))
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Actual value {t} of backtest series {i} is not finite."), nameof(actuals));
                }
            }
        }
        var w = window ?? Math.Max(1, horizon / 8);
        ArgumentOutOfRangeException.ThrowIfNegative(w, nameof(window));
        var sorted = levels.Distinct().Order().ToArray();
        var factors = new double[sorted.Length][];
        var scores = new double[horizon][];
        var pool = new List<double>();
        for (var l = 0; l < sorted.Length; l++)
        {
            for (var t = 0; t < horizon; t++)
            {
                scores[t] = new double[used.Length];
            }
            for (var k = 0; k < used.Length; k++)
            {
                var f = forecasts[used[k]];
                var lo = f.Lower(sorted[l]);
                var hi = f.Upper(sorted[l]);
                for (var t = 0; t < horizon; t++)
                {
                    scores[t][k] = Score(actuals[used[k]][t], f.Mean[t], lo[t], hi[t]);
                }
            }
            factors[l] = new double[horizon];
            for (var t = 0; t < horizon; t++)
            {
                pool.Clear();
                for (var j = Math.Max(0, t - w); j <= Math.Min(horizon - 1, t + w); j++)
                {
                    pool.AddRange(scores[j]);
                }
                pool.Sort();
                var rank = (int)Math.Ceiling((pool.Count + 1) * sorted[l] / 100.0);
                factors[l][t] = pool[Math.Clamp(rank, 1, pool.Count) - 1];
            }
        }
        return new IntervalRecalibration(sorted, factors, used.Length * horizon);
    }

    /// <summary>
    /// The nonconformity score of <paramref name="actual"/> against the band [<paramref name="lower"/>,
    /// <paramref name="upper"/>] around <paramref name="mean"/>: the smallest stretch of the band that contains it.
    /// A zero-width side gives 0 when the value equals the forecast, else +∞.
    /// </summary>
    public static double Score(double actual, double mean, double lower, double upper)
    {
        var below = mean - actual;
        var above = actual - mean;
        return Math.Max(Ratio(below, mean - lower), Ratio(above, upper - mean));

        static double Ratio(double distance, double width)
        {
            if (distance <= 0)
            {
                return 0;
            }
            return width > 0 ? distance / width : double.PositiveInfinity;
        }
    }

    /// <summary>
    /// Stretches the bands of <paramref name="forecast"/> at the calibrated levels by their factors (other levels are
    /// kept; bands stay nested). The point forecast, fitted values, status and reason are unchanged.
    /// </summary>
    public ForecastOutput Apply(ForecastOutput forecast)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        if (!forecast.IsSuccess)
        {
            return forecast;
        }
        var levels = forecast.Levels;
        var lower = new double[levels.Count][];
        var upper = new double[levels.Count][];
        var mean = forecast.Mean;
        for (var l = 0; l < levels.Count; l++)
        {
            var lo = forecast.Lower(levels[l]);
            var hi = forecast.Upper(levels[l]);
            var c = Array.IndexOf(_levels, levels[l]);
            if (c < 0)
            {
                lower[l] = lo;
                upper[l] = hi;
                continue;
            }
            lower[l] = new double[mean.Length];
            upper[l] = new double[mean.Length];
            for (var t = 0; t < mean.Length; t++)
            {
                var f = _factors[c][Math.Min(t, Horizon - 1)];
                if (!double.IsFinite(f))
                {
                    // Backtests with zero-width bands missing their values: no finite stretch exists; keep the band.
                    f = 1;
                }
                lower[l][t] = mean[t] - f * (mean[t] - lo[t]);
                upper[l][t] = mean[t] + f * (hi[t] - mean[t]);
            }
        }
        var result = ForecastOutput.WithBands(forecast.Model, mean, levels, lower, upper, forecast.Fitted, forecast.Status, forecast.Reason);
        return forecast.CrossValidation is { } cv ? result.WithCrossValidation(cv) : result;
    }
}
