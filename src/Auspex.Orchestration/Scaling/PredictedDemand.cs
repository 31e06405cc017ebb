using System.Globalization;
using Auspex.Core.Forecasts;

namespace Auspex.Orchestration.Scaling;

/// <summary>
/// What a KEDA ScaledObject's trigger asks for (its <c>metadata</c> block, passed as <c>scalerMetadata</c>).
/// </summary>
/// <param name="Selectors">Series selectors whose forecasts make the demand, tried in order until one matches: <c>series</c>, or for <c>service: X</c> the selectors <c>{service="X"}</c> then <c>{component="X"}</c>.</param>
/// <param name="Quantile">Forecast quantile to serve (<c>quantile</c>, default 0.9).</param>
/// <param name="LeadTime">How far ahead to look (<c>leadTime</c>, default 5m): the peak over now … now + lead time is served, so replicas are there before the load.</param>
/// <param name="TargetValue">Demand one replica handles (<c>targetValue</c>, alias <c>threshold</c>), required, &gt; 0: the HPA's AverageValue target.</param>
/// <param name="ActivationThreshold">Predicted demand above which the workload is active (<c>activationThreshold</c>, default 0).</param>
/// <param name="MetricName">Metric name reported to KEDA (<c>metricName</c>, default <c>auspex-predicted-</c> + the service or "series").</param>
public sealed record ScalerQuery(IReadOnlyList<string> Selectors, double Quantile, TimeSpan LeadTime, double TargetValue, double ActivationThreshold, string MetricName)
{
    /// <summary>The component id the trigger names (<c>service</c>), or null when it gives a <c>series</c> selector.</summary>
    public string? Service { get; init; }

    /// <summary>Reads a trigger's metadata; every problem is named with its key.</summary>
    public static (ScalerQuery? Query, string? Error) Parse(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string? Get(string key) => metadata.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var series = Get("series");
        var service = Get("service");
        if (series is null && service is null)
        {
            return (null, "scalerMetadata needs 'service' (a component id) or 'series' (a series selector)");
        }
        if (service is not null && service.Any(c => c is '"' or '\\' or '{' or '}'))
        {
            return (null, $"scalerMetadata 'service' value '{service}' contains a quote, backslash or brace");
        }
        IReadOnlyList<string> selectors = series is not null ? [series] : [$"{{service=\"{service}\"}}", $"{{component=\"{service}\"}}"];
        var quantile = 0.9;
        if (Get("quantile") is { } q && (!double.TryParse(q, NumberStyles.Float, CultureInfo.InvariantCulture, out quantile) || quantile is <= 0 or >= 1))
        {
            return (null, $"scalerMetadata 'quantile' value '{q}' is not a number in (0, 1)");
        }
        var lead = TimeSpan.FromMinutes(5);
        if (Get("leadTime") is { } l && !TryDuration(l, out lead))
        {
            return (null, $"scalerMetadata 'leadTime' value '{l}' is not a duration such as 300s, 5m, 1h or 1h30m (at most 7 days)");
        }
        var targetText = Get("targetValue") ?? Get("threshold");
        if (targetText is null)
        {
            return (null, "scalerMetadata needs 'targetValue': the demand one replica handles");
        }
        if (!double.TryParse(targetText, NumberStyles.Float, CultureInfo.InvariantCulture, out var target) || !double.IsFinite(target) || target <= 0)
        {
            return (null, $"scalerMetadata 'targetValue' value '{targetText}' is not a number > 0");
        }
        var activation = 0.0;
        if (Get("activationThreshold") is { } a && (!double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out activation) || !double.IsFinite(activation)))
        {
            return (null, $"scalerMetadata 'activationThreshold' value '{a}' is not a number");
        }
        var name = Get("metricName") ?? "auspex-predicted-" + (service ?? "series");
        return (new ScalerQuery(selectors, quantile, lead, target, activation, name) { Service = series is null ? service : null }, null);
    }

    /// <summary>Parses 300, 300s, 5m, 1h, 1h30m, 90s (Go-style, no fractions); at most 7 days.</summary>
    public static bool TryDuration(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            value = TimeSpan.FromSeconds(seconds);
            return double.IsFinite(seconds) && seconds >= 0 && value <= TimeSpan.FromDays(7);
        }
        var i = 0;
        var total = 0.0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            if (start == i || i == text.Length)
            {
                return false;
            }
            var n = double.Parse(text[start..i], CultureInfo.InvariantCulture);
            var unit = text[i++];
            total += unit switch { 's' => n, 'm' => n * 60, 'h' => n * 3600, 'd' => n * 86400, _ => double.NaN };
            if (double.IsNaN(total))
            {
                return false;
            }
        }
        value = TimeSpan.FromSeconds(total);
        return value <= TimeSpan.FromDays(7);
    }
}

/// <summary>Predicted demand over a lead time.</summary>
/// <param name="Value">Sum over the series of each one's peak quantile in the window (conservative: quantiles of a sum are at most the sum of quantiles for comonotonic series).</param>
/// <param name="Series">Forecasts used.</param>
/// <param name="Stale">Forecasts skipped because they ended before now.</param>
public sealed record DemandPrediction(double Value, int Series, int Stale);

/// <summary>Predicted demand from forecasts, as the KEDA external scaler and the prometheus-adapter rules serve it.</summary>
public static class PredictedDemand
{
    /// <summary>For each forecast, the peak of quantile <paramref name="quantile"/> over (now − step, now + <paramref name="lead"/>] (or its first point when it starts later); summed.</summary>
    public static DemandPrediction Over(IReadOnlyList<Forecast> forecasts, DateTimeOffset now, double quantile, TimeSpan lead)
    {
        ArgumentNullException.ThrowIfNull(forecasts);
        double sum = 0;
        int used = 0, stale = 0;
        foreach (var f in forecasts)
        {
            var peak = double.NegativeInfinity;
            for (var i = 0; i < f.Points.Count; i++)
            {
                var at = f.Points[i].At;
                if (at > now - f.Step && at <= now + lead)
                {
                    peak = Math.Max(peak, f.Quantile(i, quantile));
                }
            }
            if (double.IsNegativeInfinity(peak))
            {
                var next = Enumerable.Range(0, f.Points.Count).FirstOrDefault(i => f.Points[i].At > now + lead, -1);
                if (next < 0)
                {
                    stale++;
                    continue;
                }
                peak = f.Quantile(next, quantile);
            }
            if (double.IsFinite(peak))
            {
                sum += Math.Max(0, peak);
                used++;
            }
        }
        return new DemandPrediction(sum, used, stale);
    }
}
