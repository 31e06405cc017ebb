using System.Globalization;
using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Models;

/// <summary>
/// MSTL (Bandara, Hyndman &amp; Bergmeir 2021; R's <c>forecast::mstl</c> + <c>stlf</c>): STL applied iteratively for each
/// seasonal period in ascending order (seasonal windows 11, 15, …; two iterations), then the seasonally adjusted series
/// (trend + remainder) is forecast by a non-seasonal model (AutoETS by default) and each seasonal component by its
/// seasonal naive forecast. Periods with fewer than two full cycles in the data are dropped (with the reason
/// recorded); with none left it is the adjusted model alone. Intervals are those of the adjusted-series model.
/// </summary>
public sealed class Mstl : ForecastModel
{
    private readonly int[] _seasons;
    private readonly IForecastModel _adjustedModel;

    /// <summary>Creates MSTL.</summary>
    /// <param name="seasons">Seasonal periods, e.g. 24 and 168 for hourly data (each at least 2).</param>
    /// <param name="adjustedModel">Model for the seasonally adjusted series; default non-seasonal AutoETS.</param>
    public Mstl(IReadOnlyList<int> seasons, IForecastModel? adjustedModel = null)
    {
        ArgumentNullException.ThrowIfNull(seasons);
        if (seasons.Count == 0 || seasons.Any(s => s < 2))
        {
            throw new ArgumentException("MSTL needs at least one seasonal period, each at least 2.", nameof(seasons));
        }
        _seasons = [.. seasons.Distinct().Order()];
        _adjustedModel = adjustedModel ?? new AutoEts(1);
    }

    /// <summary>The seasonal periods, ascending.</summary>
    public IReadOnlyList<int> Seasons => _seasons;

    /// <summary>The model fitted to the seasonally adjusted series.</summary>
    public IForecastModel AdjustedModel => _adjustedModel;

    /// <inheritdoc/>
    public override string Name => "MSTL";

    private protected override IFittedForecastModel FitCore(ReadOnlySpan<double> y)
    {
        var n = y.Length;
        var periods = _seasons.Where(p => n > 2 * p).ToArray();
        string? reason = null;
        if (periods.Length < _seasons.Length)
        {
            reason = string.Create(CultureInfo.InvariantCulture,
                $"seasons {string.Join(' ', _seasons.Except(periods))} dropped: fewer than two cycles in {n} points");
        }
        var seasonals = new double[periods.Length][];
        for (var i = 0; i < periods.Length; i++)
        {
            seasonals[i] = new double[n];
        }
        var deseason = y.ToArray();
        var iterations = periods.Length > 1 ? 2 : 1;
        for (var it = 0; it < iterations; it++)
        {
            for (var i = 0; i < periods.Length; i++)
            {
                for (var t = 0; t < n; t++)
                {
                    deseason[t] += seasonals[i][t];
                }
                var (s, _) = Stl.Decompose(deseason, periods[i], 7 + 4 * (i + 1));
                seasonals[i] = s;
                for (var t = 0; t < n; t++)
                {
                    deseason[t] -= s[t];
                }
            }
        }
        var inner = _adjustedModel.Fit(deseason);
        if (inner.Status == ForecastStatus.Failed)
        {
            return new FailedFit(Name, inner.Reason ?? "adjusted-series model failed");
        }
        if (inner.Reason is not null)
        {
            reason = reason is null ? inner.Reason : reason + "; " + inner.Reason;
        }
        var fitted = new double[n];
        for (var t = 0; t < n; t++)
        {
            var f = inner.Fitted[t];
            for (var i = 0; i < periods.Length; i++)
            {
                f += seasonals[i][t];
            }
            fitted[t] = f;
        }
        var lastCycles = new double[periods.Length][];
        for (var i = 0; i < periods.Length; i++)
        {
            lastCycles[i] = seasonals[i][(n - periods[i])..];
        }
        var status = reason is null ? ForecastStatus.Ok : ForecastStatus.Fallback;
        return new Fitted(Name, status, reason, fitted, inner, lastCycles, _seasons);
    }

    private sealed class Fitted(string name, ForecastStatus status, string? reason, double[] fitted, IFittedForecastModel inner, double[][] lastCycles, int[] seasons)
        : FittedModel(name, status, reason, fitted), IPinnableFit, IRefreshableFit
    {
        public IForecastModel Pinned => inner is IPinnableFit p ? new Mstl(seasons, p.Pinned) : new Mstl(seasons);

        /// <summary>Keeps the seasonal components (extended periodically from the last cycles) and refreshes the remainder model.</summary>
        public IFittedForecastModel? Refresh(ReadOnlySpan<double> y, int advanced)
        {
            if (inner is not IRefreshableFit r || advanced < 0)
            {
                return null;
            }
            var n = y.Length;
            var seasonal = new double[n];
            foreach (var c in lastCycles)
            {
                var p = c.Length;
                for (var t = 0; t < n; t++)
                {
                    // d = steps after the last point of the original fit (0 = that point).
                    var d = (long)t - (n - 1) + advanced;
                    seasonal[t] += c[(int)((((p - 1 + d) % p) + p) % p)];
                }
            }
            var adjusted = new double[n];
            for (var t = 0; t < n; t++)
            {
                adjusted[t] = y[t] - seasonal[t];
            }
            var next = r.Refresh(adjusted, advanced);
            if (next is null || next.Status == ForecastStatus.Failed)
            {
                return null;
            }
            var fitted = new double[n];
            for (var t = 0; t < n; t++)
            {
                fitted[t] = next.Fitted[t] + seasonal[t];
            }
            var cycles = lastCycles.Select(c => Enumerable.Range(0, c.Length).Select(j => c[(j + advanced) % c.Length]).ToArray()).ToArray();
            return new Fitted(Name, Status, Reason, fitted, next, cycles, seasons);
        }

        public override string ToString() => $"MSTL({string.Join(",", lastCycles.Select(c => c.Length))}) + {inner}";

        protected override ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels)
        {
            var baseOut = inner.Predict(horizon, levels);
            if (!baseOut.IsSuccess)
            {
                return ForecastOutput.Failed(Name, baseOut.Reason ?? "adjusted-series model failed");
            }
            var shift = new double[horizon];
            for (var h = 0; h < horizon; h++)
            {
                foreach (var c in lastCycles)
                {
                    shift[h] += c[h % c.Length];
                }
            }
            var mean = baseOut.Mean.Select((v, h) => v + shift[h]).ToArray();
            var fittedCopy = (double[])FittedValues.Clone();
            if (baseOut.StdDev is { } sd)
            {
                return ForecastOutput.Gaussian(Name, mean, [.. sd], levels, fittedCopy);
            }
            var lower = baseOut.Levels.Select(l => baseOut.Lower(l).Select((v, h) => v + shift[h]).ToArray()).ToArray();
            var upper = baseOut.Levels.Select(l => baseOut.Upper(l).Select((v, h) => v + shift[h]).ToArray()).ToArray();
            return ForecastOutput.WithBands(Name, mean, [.. baseOut.Levels], lower, upper, fittedCopy);
        }
    }
}
