namespace Auspex.Forecasting.Models;

/// <summary>
/// The naive (random walk) forecast: every future value equals the last observation. Intervals are Gaussian with
/// standard deviation σ·√h, σ² the mean squared one-step residual (as R's <c>forecast::naive</c>).
/// </summary>
public sealed class Naive : ForecastModel
{
    /// <inheritdoc/>
    public override string Name => "Naive";

    private protected override IFittedForecastModel FitCore(ReadOnlySpan<double> y) => FitWalk(y, 1, Name, ForecastStatus.Ok, null);

    /// <summary>Fits a lag-<paramref name="lag"/> walk (lag 1 = naive, lag m = seasonal naive).</summary>
    internal static IFittedForecastModel FitWalk(ReadOnlySpan<double> y, int lag, string name, ForecastStatus status, string? reason)
    {
        var fitted = new double[y.Length];
        var sse = 0.0;
        var count = 0;
        for (var t = 0; t < y.Length; t++)
        {
            if (t < lag)
            {
                fitted[t] = double.NaN;
                continue;
            }
            fitted[t] = y[t - lag];
            var e = y[t] - fitted[t];
            sse += e * e;
            count++;
        }
        var sigma = count > 0 ? Math.Sqrt(sse / count) : 0.0;
        if (count == 0 && status == ForecastStatus.Ok)
        {
            status = ForecastStatus.Fallback;
            reason = "too short to estimate the error: intervals have zero width";
        }
        return new LagWalkFit(name, status, reason, fitted, y[^lag..].ToArray(), sigma);
    }

    private sealed class LagWalkFit(string name, ForecastStatus status, string? reason, double[] fitted, double[] last, double sigma)
        : Internal.FittedModel(name, status, reason, fitted)
    {
        protected override ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels)
        {
            var lag = last.Length;
            var mean = new double[horizon];
            var sd = new double[horizon];
            for (var h = 0; h < horizon; h++)
            {
                mean[h] = last[h % lag];
                sd[h] = sigma * Math.Sqrt(h / lag + 1);
            }
            return ForecastOutput.Gaussian(Name, mean, sd, levels, (double[])FittedValues.Clone());
        }
    }
}
