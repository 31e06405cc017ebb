using Auspex.Core.Topology;

namespace Auspex.Scoring;

/// <summary>Turns a topology's failure records into exposures for <see cref="FailureRateModel"/>.</summary>
public static class FailureHistory
{
    /// <summary>
    /// One exposure per host, path [zone, rack], over [<paramref name="from"/>, <paramref name="to"/>). A failure
    /// recorded on a host counts for that host; one recorded on a rack or zone (power, switch) counts for every host
    /// in it, since each of them was unavailable. Records outside the span or on unknown targets are ignored.
    /// With a <paramref name="halfLife"/>, a failure or hour of exposure that lies a half-life before
    /// <paramref name="to"/> counts half (exponential forgetting, so a fleet whose failure rate drifts is tracked).
    /// </summary>
    public static IReadOnlyList<FailureExposure> HostExposures(Topology topology, IEnumerable<FailureEvent> failures, DateTimeOffset from, DateTimeOffset to,
        TimeSpan? halfLife = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(failures);
        var hours = DiscountedHours(from, to, halfLife);
        var counts = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var f in failures)
        {
            if (f.At < from || f.At >= to || topology.Find(f.Target) is null)
            {
                continue;
            }
            foreach (var h in topology.HostsUnder(f.Target))
            {
                counts[h.Id] = counts.GetValueOrDefault(h.Id) + Weight(to - f.At, halfLife);
            }
        }
        return topology.Hosts.Select(h => new FailureExposure(h.Id, PathOf(topology, h.Id), hours, counts.GetValueOrDefault(h.Id))).ToList();
    }

    /// <summary>Weight of an event <paramref name="age"/> old: 2^(−age / half-life), or 1 without a half-life.</summary>
    public static double Weight(TimeSpan age, TimeSpan? halfLife) =>
        halfLife is { } hl && hl > TimeSpan.Zero ? Math.Pow(2, -Math.Max(0, age.TotalHours) / hl.TotalHours) : 1;

    /// <summary>∫ weight over [<paramref name="from"/>, <paramref name="to"/>) in hours: the discounted exposure.</summary>
    public static double DiscountedHours(DateTimeOffset from, DateTimeOffset to, TimeSpan? halfLife)
    {
        var hours = Math.Max(0, (to - from).TotalHours);
        if (halfLife is not { } hl || hl <= TimeSpan.Zero)
        {
            return hours;
        }
        return hl.TotalHours / Math.Log(2) * (1 - Math.Pow(2, -hours / hl.TotalHours));
    }

    /// <summary>The model path of a host: [zone id, rack id] (empty strings where a level is missing).</summary>
    public static IReadOnlyList<string> PathOf(Topology topology, string host)
    {
        ArgumentNullException.ThrowIfNull(topology);
        return [topology.AncestorAt(host, LocalityKind.Zone)?.Id ?? "", topology.AncestorAt(host, LocalityKind.Rack)?.Id ?? ""];
    }
}
