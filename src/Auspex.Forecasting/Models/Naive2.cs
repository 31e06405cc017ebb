using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Models;

/// <summary>
/// The M4 competition's Naive2 benchmark: when the series passes the 90% autocorrelation seasonality test at lag m,
/// it is divided by the seasonal indices of a classical multiplicative decomposition, forecast naively, and
/// reseasonalised; otherwise it is the plain naive forecast. Intervals are the naive ones on the adjusted scale,
/// multiplied by the seasonal index.
/// </summary>
public sealed class Naive2 : ForecastModel
{
    /// <summary>Creates Naive2 with season length <paramref name="season"/> (24 for hourly data in M4).</summary>
    public Naive2(int season)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(season, 1);
        Season = season;
    }

    /// <summary>Season length in steps.</summary>
    public int Season { get; }

    /// <inheritdoc/>
    public override string Name => "Naive2";

    private protected override IFittedForecastModel FitCore(ReadOnlySpan<double> y)
    {
        var idx = Decomposition.MultiplicativeIndicesIfSeasonal(y, Season);
        var n = y.Length;
        var adjusted = new double[n];
        for (var t = 0; t < n; t++)
        {
            adjusted[t] = idx is null ? y[t] : y[t] / idx[t % Season];
        }
        var fitted = new double[n];
        var sse = 0.0;
        fitted[0] = double.NaN;
        for (var t = 1; t < n; t++)
        {
            var e = adjusted[t] - adjusted[t - 1];
            sse += e * e;
            fitted[t] = idx is null ? adjusted[t - 1] : adjusted[t - 1] * idx[t % Season];
        }
        var sigma = n > 1 ? Math.Sqrt(sse / (n - 1)) : 0;
        return new Fitted(Name, ForecastStatus.Ok, null, fitted, adjusted[^1], sigma, idx, n, Season);
    }

    private sealed class Fitted(string name, ForecastStatus status, string? reason, double[] fitted, double last, double sigma, double[]? idx, int n, int m)
        : FittedModel(name, status, reason, fitted)
    {
        protected override ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels)
        {
            var mean = new double[horizon];
            var sd = new double[horizon];
            for (var h = 0; h < horizon; h++)
            {
                var s = idx is null ? 1 : idx[(n + h) % m];
                mean[h] = last * s;
                sd[h] = sigma * Math.Sqrt(h + 1) * s;
            }
            return ForecastOutput.Gaussian(Name, mean, sd, levels, (double[])FittedValues.Clone());
        }
    }
}
