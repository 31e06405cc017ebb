using System.Globalization;
using Auspex.Core.Forecasts;
using Auspex.Core.Series;

namespace Auspex.Ingestion.Sink;

/// <summary>
/// How forecasts become ordinary Prometheus series (in the spirit of Grafana ML's <c>:predicted</c> series), so that
/// Grafana, alert rules and prometheus-adapter can use them. For a forecast of <c>metric{labels}</c> by model M:
/// <list type="bullet">
/// <item><c>metric:predicted{labels, auspex_model="M"}</c>: the mean;</item>
/// <item><c>metric:predicted{labels, auspex_model="M", quantile="0.975"}</c>: each quantile level;</item>
/// <item>with <see cref="Ahead"/>, the same names plus <c>auspex_horizon="30m"</c>: one sample at the issue time holding
/// the value predicted that far ahead (what an alert or the HPA wants: "CPU expected in 30 minutes").</item>
/// </list>
/// A source label named <c>quantile</c> (a summary) is kept as <c>exported_quantile</c>.
/// </summary>
public static class ForecastSeries
{
    /// <summary>Appended to the source metric name.</summary>
    public const string Suffix = ":predicted";

    /// <summary>The label naming the model.</summary>
    public const string ModelLabel = "auspex_model";

    /// <summary>The label holding a quantile level.</summary>
    public const string QuantileLabel = "quantile";

    /// <summary>The label holding the look-ahead of <see cref="Ahead"/>, as a Prometheus duration.</summary>
    public const string HorizonLabel = "auspex_horizon";

    /// <summary>
    /// The forecast at its own timestamps, points after <paramref name="notAfter"/> left out. Prometheus' TSDB should not
    /// receive far-future samples (its head block would jump ahead and refuse current data), so writers to Prometheus
    /// pass the current time and write each point once its time has come.
    /// </summary>
    public static IReadOnlyList<SeriesData> Predicted(Forecast forecast, DateTimeOffset? notAfter = null)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        var points = forecast.Points.Where(p => notAfter is null || p.At <= notAfter.Value).ToList();
        if (points.Count == 0)
        {
            return [];
        }
        var baseLabels = BaseLabels(forecast, horizon: null);
        var name = forecast.Series.Metric + Suffix;
        var result = new List<SeriesData> { new(new SeriesKey(name, baseLabels), points.Select(p => new Sample(p.At, p.Mean)).ToArray()) };
        for (var q = 0; q < forecast.Levels.Count; q++)
        {
            var level = q;
            result.Add(new SeriesData(
                new SeriesKey(name, baseLabels.With(QuantileLabel, Level(forecast.Levels[q]))),
                points.Select(p => new Sample(p.At, p.Quantiles[level])).ToArray()));
        }
        return result;
    }

    /// <summary>
    /// One sample per series at <see cref="Forecast.IssuedAt"/> holding the value predicted for the first step at or after
    /// IssuedAt + <paramref name="horizon"/>; empty when the forecast does not reach that far.
    /// </summary>
    public static IReadOnlyList<SeriesData> Ahead(Forecast forecast, TimeSpan horizon)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(horizon, TimeSpan.Zero);
        var target = forecast.IssuedAt + horizon;
        var index = -1;
        for (var i = 0; i < forecast.Points.Count; i++)
        {
            if (forecast.Points[i].At >= target)
            {
                index = i;
                break;
            }
        }
        if (index < 0)
        {
            return [];
        }
        var point = forecast.Points[index];
        var baseLabels = BaseLabels(forecast, horizon);
        var name = forecast.Series.Metric + Suffix;
        var result = new List<SeriesData> { new(new SeriesKey(name, baseLabels), [new Sample(forecast.IssuedAt, point.Mean)]) };
        for (var q = 0; q < forecast.Levels.Count; q++)
        {
            result.Add(new SeriesData(new SeriesKey(name, baseLabels.With(QuantileLabel, Level(forecast.Levels[q]))), [new Sample(forecast.IssuedAt, point.Quantiles[q])]));
        }
        return result;
    }

    /// <summary>A Prometheus duration: the largest of d, h, m, s, ms that divides it (<c>30m</c>, <c>1h</c>, <c>90s</c>).</summary>
    public static string Duration(TimeSpan span)
    {
        (TimeSpan Unit, string Suffix)[] units =
            [(TimeSpan.FromDays(1), "d"), (TimeSpan.FromHours(1), "h"), (TimeSpan.FromMinutes(1), "m"), (TimeSpan.FromSeconds(1), "s")];
        foreach (var (unit, suffix) in units)
        {
            if (span.Ticks % unit.Ticks == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{span.Ticks / unit.Ticks}{suffix}");
            }
        }
        return string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalMilliseconds}ms");
    }

    private static Labels BaseLabels(Forecast forecast, TimeSpan? horizon)
    {
        var labels = forecast.Series.Labels;
        if (labels[QuantileLabel] is { } existing)
        {
            labels = labels.Without(QuantileLabel).With("exported_" + QuantileLabel, existing);
        }
        labels = labels.With(ModelLabel, forecast.Model);
        return horizon is { } h ? labels.With(HorizonLabel, Duration(h)) : labels;
    }

    private static string Level(double level) => level.ToString("0.####", CultureInfo.InvariantCulture);
}
