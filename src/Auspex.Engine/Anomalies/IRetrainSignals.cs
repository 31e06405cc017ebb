using System.Diagnostics.CodeAnalysis;
using Auspex.Core.Series;

namespace Auspex.Engine.Anomalies;

/// <summary>
/// Series the anomaly stage asks the forecast stage to retrain: an anomaly burst (see
/// <see cref="AnomalyPipelineOptions.BurstPoints"/>) means the series changed and its forecast model is likely stale.
/// The anomaly stage raises signals; the forecast stage (or its retrain policy) takes them. Thread-safe: the forecast
/// stage may take signals from parallel workers. A signal stays pending until taken; a new burst on a series with a
/// pending signal updates it. An operator's false-positive mark withdraws the pending signal of that series.
/// </summary>
public interface IRetrainSignals
{
    /// <summary>Every pending signal (a snapshot).</summary>
    IReadOnlyList<RetrainSignal> Pending { get; }

    /// <summary>Removes and returns the pending signal for <paramref name="series"/>; false when there is none.</summary>
    bool TryTake(SeriesKey series, [NotNullWhen(true)] out RetrainSignal? signal);
}

/// <summary>A request to retrain the forecast model of <paramref name="Series"/>.</summary>
/// <param name="Series">The source series (e.g. <c>auspex_host_cpu_used_cores{host="h1"}</c>).</param>
/// <param name="At">The time of the point that completed the burst.</param>
/// <param name="Points">Elevated points in the burst window.</param>
/// <param name="Reason">Why, for logs and the UI.</param>
public sealed record RetrainSignal(SeriesKey Series, DateTimeOffset At, int Points, string Reason);
