using System.Globalization;
using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Models;

/// <summary>Options of <see cref="GlobalLinear"/>.</summary>
public sealed class GlobalLinearOptions
{
    /// <summary>Number of lagged values used as inputs (default 168: one week of hourly data).</summary>
    public int Lags { get; init; } = 168;

    /// <summary>Steps predicted directly (default 48); longer horizons are reached by feeding forecasts back.</summary>
    public int Horizon { get; init; } = 48;

    /// <summary>Ridge penalty per training window (default 1). Larger is smoother.</summary>
    public double Ridge { get; init; } = 1.0;

    /// <summary>Steps between consecutive training windows in a series (default 12).</summary>
    public int Stride { get; init; } = 12;

    /// <summary>Most recent training windows taken per series (default 60), which bounds memory.</summary>
    public int MaxWindowsPerSeries { get; init; } = 60;

    /// <summary>Throws if a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Lags, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(Horizon, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(Ridge);
        ArgumentOutOfRangeException.ThrowIfLessThan(Stride, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWindowsPerSeries, 1);
    }
}

/// <summary>
/// A global model: one direct multi-horizon ridge regression trained across many series at once. Each window of
/// <see cref="GlobalLinearOptions.Lags"/> values is standardised by its own mean and standard deviation, and the
/// next <see cref="GlobalLinearOptions.Horizon"/> standardised values are regressed on it (one coefficient vector per
/// step). Intervals are conformal: per-step quantiles of the standardised absolute errors of a model trained without
/// each series' last horizon, measured on that held-out horizon across all series. <see cref="Train"/> learns the
/// weights; <see cref="IForecastModel.Fit"/> then only conditions on a series, so the per-series contract holds.
/// </summary>
public sealed class GlobalLinear : ForecastModel
{
    private readonly double[] _weights; // (lags+1) × horizon, row-major
    private readonly double[][] _calibration; // [step] sorted standardised absolute errors

    private GlobalLinear(GlobalLinearOptions options, double[] weights, double[][] calibration, int trainedOn)
    {
        Options = options;
        _weights = weights;
        _calibration = calibration;
        TrainedOn = trainedOn;
    }

    /// <summary>The training options.</summary>
    public GlobalLinearOptions Options { get; }

    /// <summary>How many series contributed training windows.</summary>
    public int TrainedOn { get; }

    /// <inheritdoc/>
    public override string Name => "GlobalLinear";

    /// <summary>Trains on <paramref name="series"/> (each oldest first, finite). Series shorter than lags + horizon are skipped.</summary>
    /// <exception cref="ArgumentException">No series is long enough.</exception>
    public static GlobalLinear Train(IReadOnlyList<double[]> series, GlobalLinearOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var o = options ?? new GlobalLinearOptions();
        o.Validate();
        var usable = series.Where(s => s.Length >= o.Lags + 2 * o.Horizon && s.All(double.IsFinite)).ToList();
        if (usable.Count == 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"No series has the {o.Lags + 2 * o.Horizon} points needed to train (lags + two horizons)."), nameof(series));
        }
        // 1. Calibration: train without each series' last horizon, measure errors on it.
        var heldOut = Solve(usable.Select(s => s[..^o.Horizon]).ToList(), o);
        var errors = new double[o.Horizon][];
        for (var h = 0; h < o.Horizon; h++)
        {
            errors[h] = new double[usable.Count];
        }
        var x = new double[o.Lags + 1];
        var pred = new double[o.Horizon];
        for (var i = 0; i < usable.Count; i++)
        {
            var s = usable[i];
            var end = s.Length - o.Horizon;
            var (mu, sd) = Standardise(s.AsSpan(end - o.Lags, o.Lags), x);
            Apply(heldOut, x, o, pred);
            for (var h = 0; h < o.Horizon; h++)
            {
                errors[h][i] = sd > 0 ? Math.Abs((s[end + h] - mu) / sd - pred[h]) : 0;
            }
        }
        foreach (var e in errors)
        {
            Array.Sort(e);
        }
        // 2. Final weights on everything.
        var weights = Solve(usable, o);
        return new GlobalLinear(o, weights, errors, usable.Count);
    }

    private static double[] Solve(List<double[]> series, GlobalLinearOptions o)
    {
        var p = o.Lags + 1;
        var k = o.Horizon;
        var xtx = new double[p * p];
        var xty = new double[p * k];
        var x = new double[p];
        var count = 0;
        foreach (var s in series)
        {
            var last = s.Length - k; // window end (exclusive) = first target index
            var windows = 0;
            for (var end = last; end >= o.Lags && windows < o.MaxWindowsPerSeries; end -= o.Stride, windows++)
            {
                var (mu, sd) = Standardise(s.AsSpan(end - o.Lags, o.Lags), x);
                if (sd == 0)
                {
                    continue;
                }
                for (var a = 0; a < p; a++)
                {
                    var xa = x[a];
                    if (xa == 0)
                    {
                        continue;
                    }
                    for (var b = 0; b <= a; b++)
                    {
                        xtx[a * p + b] += xa * x[b];
                    }
                    for (var h = 0; h < k; h++)
                    {
                        xty[a * k + h] += xa * (s[end + h] - mu) / sd;
                    }
                }
                count++;
            }
        }
        for (var a = 0; a < p; a++)
        {
            for (var b = a + 1; b < p; b++)
            {
                xtx[a * p + b] = xtx[b * p + a];
            }
            xtx[a * p + a] += o.Ridge * Math.Max(1, count) / 1000.0 + 1e-8;
        }
        if (!LinearAlgebra.CholeskySolve(xtx, p, xty, k))
        {
            throw new InvalidOperationException("Ridge system is not positive definite.");
        }
        return xty;
    }

    private static (double Mu, double Sd) Standardise(ReadOnlySpan<double> window, double[] x)
    {
        var mu = 0.0;
        foreach (var v in window)
        {
            mu += v;
        }
        mu /= window.Length;
        var ss = 0.0;
        foreach (var v in window)
        {
            ss += (v - mu) * (v - mu);
        }
        var sd = Math.Sqrt(ss / window.Length);
        if (!(sd > 1e-9 * Math.Max(1, Math.Abs(mu))))
        {
            // A flat window: inputs are all zero and the scale is 0, so the forecast is the flat value.
            Array.Clear(x);
            x[window.Length] = 1;
            return (mu, 0);
        }
        for (var i = 0; i < window.Length; i++)
        {
            x[i] = (window[i] - mu) / sd;
        }
        x[window.Length] = 1;
        return (mu, sd);
    }

    private static void Apply(double[] w, double[] x, GlobalLinearOptions o, double[] output)
    {
        var p = o.Lags + 1;
        var k = o.Horizon;
        Array.Clear(output);
        for (var a = 0; a < p; a++)
        {
            var xa = x[a];
            for (var h = 0; h < k; h++)
            {
                output[h] += xa * w[a * k + h];
            }
        }
    }

    private protected override IFittedForecastModel FitCore(ReadOnlySpan<double> y)
    {
        if (y.Length < Options.Lags)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"series of {y.Length} points is shorter than the {Options.Lags} lags; naive fallback");
            return Naive.FitWalk(y, 1, "Naive", ForecastStatus.Fallback, reason);
        }
        // In-sample fit: one-step-ahead predictions where a full window exists.
        var fitted = new double[y.Length];
        Array.Fill(fitted, double.NaN);
        var x = new double[Options.Lags + 1];
        var pred = new double[Options.Horizon];
        for (var t = Options.Lags; t < y.Length; t++)
        {
            var (mu, sd) = Standardise(y.Slice(t - Options.Lags, Options.Lags), x);
            Apply(_weights, x, Options, pred);
            fitted[t] = mu + sd * pred[0];
        }
        return new Fitted(this, y[^Options.Lags..].ToArray(), fitted);
    }

    private sealed class Fitted(GlobalLinear model, double[] lastWindow, double[] fitted) : FittedModel(model.Name, ForecastStatus.Ok, null, fitted)
    {
        protected override ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels)
        {
            var o = model.Options;
            var mean = new double[horizon];
            var scales = new double[horizon];
            var window = new List<double>(lastWindow);
            var x = new double[o.Lags + 1];
            var pred = new double[o.Horizon];
            var done = 0;
            while (done < horizon)
            {
                var (mu, sd) = Standardise(window.ToArray().AsSpan(window.Count - o.Lags, o.Lags), x);
                Apply(model._weights, x, o, pred);
                var take = Math.Min(o.Horizon, horizon - done);
                for (var h = 0; h < take; h++)
                {
                    mean[done + h] = mu + sd * pred[h];
                    scales[done + h] = sd;
                    window.Add(mean[done + h]);
                }
                done += take;
            }
            var lower = new double[levels.Count][];
            var upper = new double[levels.Count][];
            for (var l = 0; l < levels.Count; l++)
            {
                lower[l] = new double[horizon];
                upper[l] = new double[horizon];
                var prev = 0.0;
                for (var h = 0; h < horizon; h++)
                {
                    var cal = model._calibration[Math.Min(h, o.Horizon - 1)];
                    var q = Bands.QuantileSorted(cal, levels[l] / 100) * scales[h];
                    if (h >= o.Horizon)
                    {
                        q *= Math.Sqrt((h + 1.0) / o.Horizon);
                    }
                    q = Math.Max(q, prev);
                    prev = q;
                    lower[l][h] = mean[h] - q;
                    upper[l][h] = mean[h] + q;
                }
            }
            return ForecastOutput.WithBands(Name, mean, levels, lower, upper, (double[])FittedValues.Clone());
        }
    }
}
