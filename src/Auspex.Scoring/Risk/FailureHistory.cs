using Auspex.Core.Topology;

namespace Auspex.Scoring;

/// <summary>Turns a topology's failure records into exposures for <see cref="FailureRateModel"/>.</summary>
public static class FailureHistory
{
    /// <summary>
    /// One exposure per host, path [zone, rack], over [<paramref name="from"/>, <paramref name="to"/>). A failure
    /// recorded on a host counts for that host; one recorded on a rack or zone (power, switch) counts for every host
    /// in it, since each of them was unavailable. Records outside the span or on unknown targets are ignored.
    /// </summary>
    public static IReadOnlyList<FailureExposure> HostExposures(Topology topology, IEnumerable<FailureEvent> failures, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(failures);
        var hours = Math.Max(0, (to - from).TotalHours);
        var counts = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var f in failures)
        {
            if (f.At < from || f.At >= to || topology.Find(f.Target) is null)
            {
                continue;
            }
            foreach (var h in topology.HostsUnder(f.Target))
            {
                counts[h.Id] = counts.GetValueOrDefault(h.Id) + 1;
            }
        }
        return topology.Hosts.Select(h => new FailureExposure(h.Id, PathOf(topology, h.Id), hours, counts.GetValueOrDefault(h.Id))).ToList();
    }

    /// <summary>The model path of a host: [zone id, rack id] (empty strings where a level is missing).</summary>
    public static IReadOnlyList<string> PathOf(Topology topology, string host)
    {
        ArgumentNullException.ThrowIfNull(topology);
        return [topology.AncestorAt(host, LocalityKind.Zone)?.Id ?? "", topology.AncestorAt(host, LocalityKind.Rack)?.Id ?? ""];
    }
}
