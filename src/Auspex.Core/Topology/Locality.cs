using Auspex.Core.Resources;
using Auspex.Core.Series;

namespace Auspex.Core.Topology;

/// <summary>The levels of the locality hierarchy, outermost first.</summary>
public enum LocalityKind
{
    /// <summary>A region (a set of zones, e.g. a data centre campus or cloud region).</summary>
    Region,
    /// <summary>A zone (an availability zone or data hall; a failure domain).</summary>
    Zone,
    /// <summary>A rack (shares power and top-of-rack switch; a failure domain).</summary>
    Rack,
    /// <summary>A host (a physical or virtual machine that runs workloads).</summary>
    Host,
}

/// <summary>
/// A place workloads can run, at one level of the hierarchy. Only hosts carry capacity of their own; the capacity of
/// a rack, zone or region is the sum over its hosts.
/// </summary>
/// <param name="Id">Unique id across the topology.</param>
/// <param name="Kind">Level.</param>
/// <param name="Parent">Id of the enclosing locality; null for a region.</param>
/// <param name="Capacity">For hosts: what the host offers. Empty for other levels.</param>
/// <param name="Tier">For hosts: the resource tier it belongs to (e.g. spot, standard), or null.</param>
/// <param name="Labels">Free-form labels (provider, instance type, failure-domain codes…).</param>
public sealed record Locality(
    string Id,
    LocalityKind Kind,
    string? Parent,
    ResourceVector Capacity,
    string? Tier,
    Labels Labels)
{
    /// <summary>The level name as used in files and APIs: region, zone, rack, host.</summary>
    public string KindName => Kind.ToString().ToLowerInvariant();
}
