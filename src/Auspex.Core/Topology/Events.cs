using Auspex.Core.Series;

namespace Auspex.Core.Topology;

/// <summary>Planned unavailability of a locality (and everything inside it).</summary>
public sealed record MaintenanceWindow(string Locality, TimeRange When, string Reason);

/// <summary>A recorded failure of a locality or component.</summary>
/// <param name="Target">Locality or component id.</param>
/// <param name="At">When it failed.</param>
/// <param name="Cause">Root cause category (hardware, software, network, power, human, unknown…).</param>
/// <param name="Downtime">How long it was unavailable, when known.</param>
public sealed record FailureEvent(string Target, DateTimeOffset At, string Cause, TimeSpan? Downtime);
