using Auspex.Core.Series;

namespace Auspex.Core.Forecasts;

/// <summary>One forecast step: the point forecast and quantiles of the predictive distribution.</summary>
/// <param name="At">The time the step predicts.</param>
/// <param name="Mean">Point forecast.</param>
/// <param name="Quantiles">Values at the levels of <see cref="Forecast.Levels"/> (same order, non-decreasing).</param>
public sealed record ForecastPoint(DateTimeOffset At, double Mean, IReadOnlyList<double> Quantiles);

/// <summary>
/// A probabilistic forecast of one series: for each future step, the mean and a set of quantiles (e.g. 0.05, 0.5,
/// 0.95). Produced by a named model at <see cref="IssuedAt"/>.
/// </summary>
public sealed record Forecast(
    SeriesKey Series,
    string Model,
    DateTimeOffset IssuedAt,
    TimeSpan Step,
    IReadOnlyList<double> Levels,
    IReadOnlyList<ForecastPoint> Points)
{
    /// <summary>The quantile levels every forecast carries unless asked otherwise: the 80% and 95% central intervals and the median.</summary>
    public static IReadOnlyList<double> DefaultLevels { get; } = [0.025, 0.1, 0.5, 0.9, 0.975];

    /// <summary>The value at quantile <paramref name="level"/> of step <paramref name="index"/>, interpolating between stored levels.</summary>
    public double Quantile(int index, double level)
    {
        var q = Points[index].Quantiles;
        if (level <= Levels[0])
        {
            return q[0];
        }
        for (var i = 1; i < Levels.Count; i++)
        {
            if (level <= Levels[i])
            {
                var t = (level - Levels[i - 1]) / (Levels[i] - Levels[i - 1]);
                return q[i - 1] + t * (q[i] - q[i - 1]);
            }
        }
        return q[^1];
    }

    /// <summary>The largest value of quantile <paramref name="level"/> over every step.</summary>
    public double MaxQuantile(double level)
    {
        var max = double.NegativeInfinity;
        for (var i = 0; i < Points.Count; i++)
        {
            max = Math.Max(max, Quantile(i, level));
        }
        return max;
    }
}
