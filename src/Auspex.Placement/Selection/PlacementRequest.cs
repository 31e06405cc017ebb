using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;

namespace Auspex.Placement.Selection;

/// <summary>
/// A request to place one replica of a component: what it asks for, how long it will run, and its constraints.
/// </summary>
/// <param name="Component">Component id (used for spread, proximity over the dependency graph and overrides).</param>
/// <param name="Service">Service the component belongs to (overrides and affinity may select by service).</param>
/// <param name="Requests">What one replica asks for.</param>
/// <param name="Lifetime">When it will run: resources must fit at the forecast's high quantile over this whole range.</param>
public sealed record PlacementRequest(string Component, string Service, ResourceVector Requests, TimeRange Lifetime)
{
    /// <summary>Tiers the replica may run on; empty means any.</summary>
    public IReadOnlyList<string> Tiers { get; init; } = [];

    /// <summary>Affinity and anti-affinity terms (required ones filter, preferred ones score).</summary>
    public IReadOnlyList<AffinityTerm> Affinity { get; init; } = [];

    /// <summary>Spread constraints over failure domains for the replicas of <see cref="Component"/>.</summary>
    public IReadOnlyList<SpreadConstraint> Spread { get; init; } = [];

    /// <summary>When set, only these hosts are considered (e.g. the nodes kube-scheduler sent); null means every host.</summary>
    public IReadOnlyList<string>? CandidateHosts { get; init; }

    /// <summary>Forecast quantile the fit filter covers for this request (e.g. from the component's SLO); null uses the options' quantile.</summary>
    public double? Quantile { get; init; }
}

/// <summary>
/// Affinity (run near) or anti-affinity (run away from) replicas of the components or services that match
/// <paramref name="Selector"/>, within the same locality at level <paramref name="Scope"/>.
/// </summary>
/// <param name="Selector">A component id or a service id.</param>
/// <param name="Scope">The level that counts as "together": host, rack, zone or region.</param>
/// <param name="Anti">True for anti-affinity.</param>
/// <param name="Required">True: a hard filter. False: a preference that scores.</param>
/// <param name="Weight">Weight of a preferred term (1–100, as kube-scheduler's preferred terms).</param>
public sealed record AffinityTerm(string Selector, LocalityKind Scope, bool Anti, bool Required, double Weight = 1);

/// <summary>
/// Spread the replicas of the requested component across failure domains at level <paramref name="Domain"/>:
/// after placing, the domain chosen may hold at most <paramref name="MaxSkew"/> more replicas than the emptiest
/// eligible domain (kube-scheduler's PodTopologySpread with whenUnsatisfiable: DoNotSchedule).
/// </summary>
/// <param name="Domain">Failure-domain level: host, rack, zone or region.</param>
/// <param name="MaxSkew">Largest allowed difference in replica counts (≥ 1).</param>
public sealed record SpreadConstraint(LocalityKind Domain, int MaxSkew = 1);
