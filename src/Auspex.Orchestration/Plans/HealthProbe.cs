using System.Globalization;
using Auspex.Core.Series;
using Auspex.Orchestration.Execution;
using Auspex.Storage;

namespace Auspex.Orchestration.Plans;

/// <summary>The verdict of one health check.</summary>
/// <param name="Check">The check.</param>
/// <param name="Passed">True when healthy.</param>
/// <param name="Value">The aggregate read, or null with no data.</param>
/// <param name="Detail">One line: the value against the threshold, or why there is none.</param>
public sealed record HealthReading(HealthCheck Check, bool Passed, double? Value, string Detail);

/// <summary>Reads health checks from live metrics.</summary>
public interface IHealthProbe
{
    /// <summary>Evaluates <paramref name="check"/> over the window ending at <paramref name="now"/>.</summary>
    Task<HealthReading> EvaluateAsync(TenantId tenant, HealthCheck check, DateTimeOffset now, CancellationToken cancellationToken = default);
}

/// <summary>Health checks read from the series store (the live metrics Auspex ingests).</summary>
public sealed class SeriesHealthProbe(ISeriesStore store) : IHealthProbe
{
    /// <inheritdoc />
    public async Task<HealthReading> EvaluateAsync(TenantId tenant, HealthCheck check, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(check);
        var matchers = SeriesSelector.TryParse(check.Selector, out var error);
        if (matchers is null)
        {
            return new(check, false, null, $"{check.Name}: selector '{check.Selector}' is invalid: {error}");
        }
        var data = await store.ReadAsync(tenant, matchers, TimeRange.Ending(now, check.Window), Resolution.Raw, cancellationToken).ConfigureAwait(false);
        var samples = data.SelectMany(d => d.Samples).Where(s => double.IsFinite(s.Value)).ToList();
        if (samples.Count == 0)
        {
            return new(check, !check.FailOnNoData, null, string.Create(CultureInfo.InvariantCulture,
                $"{check.Name}: no samples of {check.Selector} in the last {check.Window.TotalSeconds:0}s{(check.FailOnNoData ? " (fails: no data)" : " (passes: no data allowed)")}"));
        }
        var value = check.Aggregation switch
        {
            HealthAggregation.Max => samples.Max(s => s.Value),
            HealthAggregation.Last => data.Where(d => d.Samples.Count > 0).Max(d => d.Samples[^1].Value),
            _ => samples.Average(s => s.Value),
        };
        var ok = check.AtMost ? value <= check.Threshold : value >= check.Threshold;
        return new(check, ok, value, string.Create(CultureInfo.InvariantCulture,
            $"{check.Name}: {check.Aggregation.ToString().ToLowerInvariant()} {value:0.####} {(check.AtMost ? "≤" : "≥")} {check.Threshold:0.####} {(ok ? "holds" : "BREACHED")} over {check.Window.TotalSeconds:0}s"));
    }
}
