using Auspex.Core.Resources;
using Auspex.Core.Series;

namespace Auspex.Core.Topology;

/// <summary>
/// The infrastructure a tenant runs: the locality hierarchy (region → zone → rack → host), the components placed on
/// it, their dependency graph, resource tiers, SLOs, maintenance windows, failure history and policy. Immutable;
/// validated on construction (<see cref="Create"/> returns the problems instead of throwing).
/// </summary>
public sealed class Topology
{
    private readonly Dictionary<string, Locality> _byId;
    private readonly Dictionary<string, List<Locality>> _children;

    private Topology(
        TenantId tenant,
        IReadOnlyList<Locality> localities,
        IReadOnlyList<Component> components,
        DependencyGraph dependencies,
        IReadOnlyList<Tier> tiers,
        IReadOnlyList<Slo> slos,
        IReadOnlyList<MaintenanceWindow> maintenance,
        IReadOnlyList<FailureEvent> failures,
        Policy policy)
    {
        Tenant = tenant;
        Localities = localities;
        Components = components;
        Dependencies = dependencies;
        Tiers = tiers;
        Slos = slos;
        Maintenance = maintenance;
        Failures = failures;
        Policy = policy;
        _byId = localities.ToDictionary(l => l.Id, StringComparer.Ordinal);
        _children = new(StringComparer.Ordinal);
        foreach (var l in localities.Where(l => l.Parent is not null))
        {
            if (!_children.TryGetValue(l.Parent!, out var list))
            {
                _children[l.Parent!] = list = [];
            }
            list.Add(l);
        }
    }

    /// <summary>The owning tenant.</summary>
    public TenantId Tenant { get; }

    /// <summary>Every locality, parents before children.</summary>
    public IReadOnlyList<Locality> Localities { get; }

    /// <summary>Application components.</summary>
    public IReadOnlyList<Component> Components { get; }

    /// <summary>Dependencies between components.</summary>
    public DependencyGraph Dependencies { get; }

    /// <summary>Resource tiers.</summary>
    public IReadOnlyList<Tier> Tiers { get; }

    /// <summary>Service-level objectives.</summary>
    public IReadOnlyList<Slo> Slos { get; }

    /// <summary>Planned maintenance.</summary>
    public IReadOnlyList<MaintenanceWindow> Maintenance { get; }

    /// <summary>Failure history.</summary>
    public IReadOnlyList<FailureEvent> Failures { get; }

    /// <summary>Scoring and placement policy.</summary>
    public Policy Policy { get; }

    /// <summary>Every host.</summary>
    public IEnumerable<Locality> Hosts => Localities.Where(l => l.Kind == LocalityKind.Host);

    /// <summary>The locality with this id, or null.</summary>
    public Locality? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>Direct children of a locality.</summary>
    public IReadOnlyList<Locality> Children(string id) => _children.TryGetValue(id, out var l) ? l : [];

    /// <summary>The locality's ancestors, nearest first.</summary>
    public IEnumerable<Locality> Ancestors(string id)
    {
        var cur = Find(id);
        while (cur?.Parent is { } p && Find(p) is { } parent)
        {
            yield return parent;
            cur = parent;
        }
    }

    /// <summary>The ancestor of <paramref name="id"/> at <paramref name="kind"/> (or itself), or null.</summary>
    public Locality? AncestorAt(string id, LocalityKind kind)
    {
        var self = Find(id);
        return self?.Kind == kind ? self : Ancestors(id).FirstOrDefault(a => a.Kind == kind);
    }

    /// <summary>Every host at or below a locality.</summary>
    public IEnumerable<Locality> HostsUnder(string id)
    {
        var self = Find(id);
        if (self is null)
        {
            yield break;
        }
        if (self.Kind == LocalityKind.Host)
        {
            yield return self;
            yield break;
        }
        foreach (var c in Children(id))
        {
            foreach (var h in HostsUnder(c.Id))
            {
                yield return h;
            }
        }
    }

    /// <summary>The capacity of a locality: its own for a host, the sum over its hosts otherwise.</summary>
    public ResourceVector CapacityOf(string id) =>
        HostsUnder(id).Aggregate(ResourceVector.Zero, (acc, h) => acc.Plus(h.Capacity));

    /// <summary>The tier with this name, or null.</summary>
    public Tier? FindTier(string name) => Tiers.FirstOrDefault(t => t.Name == name);

    /// <summary>Maintenance windows affecting a locality (its own and its ancestors').</summary>
    public IEnumerable<MaintenanceWindow> MaintenanceOf(string id)
    {
        var ids = new HashSet<string>(Ancestors(id).Select(a => a.Id).Append(id), StringComparer.Ordinal);
        return Maintenance.Where(m => ids.Contains(m.Locality));
    }

    /// <summary>Builds and validates a topology, returning it or every problem found.</summary>
    public static TopologyResult Create(
        TenantId tenant,
        IEnumerable<Locality> localities,
        IEnumerable<Component>? components = null,
        IEnumerable<DependencyEdge>? dependencies = null,
        IEnumerable<Tier>? tiers = null,
        IEnumerable<Slo>? slos = null,
        IEnumerable<MaintenanceWindow>? maintenance = null,
        IEnumerable<FailureEvent>? failures = null,
        Policy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(localities);
        var errors = new List<string>();
        var locs = localities.ToList();
        var ids = new Dictionary<string, Locality>(StringComparer.Ordinal);
        foreach (var l in locs)
        {
            if (string.IsNullOrWhiteSpace(l.Id))
            {
                errors.Add("a locality has an empty id");
            }
            else if (!ids.TryAdd(l.Id, l))
            {
                errors.Add($"locality id '{l.Id}' is used twice");
            }
        }
        foreach (var l in locs)
        {
            if (l.Kind == LocalityKind.Region)
            {
                if (l.Parent is not null)
                {
                    errors.Add($"region '{l.Id}' must not have a parent");
                }
                continue;
            }
            if (l.Parent is null || !ids.TryGetValue(l.Parent, out var parent))
            {
                errors.Add($"{l.KindName} '{l.Id}' has unknown parent '{l.Parent}'");
            }
            else if (parent.Kind != l.Kind - 1)
            {
                errors.Add($"{l.KindName} '{l.Id}' must sit in a {(l.Kind - 1).ToString().ToLowerInvariant()}, not in {parent.KindName} '{parent.Id}'");
            }
            if (l.Kind != LocalityKind.Host && l.Capacity.Kinds.Any())
            {
                errors.Add($"{l.KindName} '{l.Id}' has a capacity: only hosts carry capacity");
            }
        }
        var tierList = (tiers ?? []).ToList();
        errors.AddRange(tierList.Select(t => t.Validate()).OfType<string>());
        foreach (var dup in tierList.GroupBy(t => (t.Name, t.Provider)).Where(g => g.Count() > 1))
        {
            errors.Add($"tier '{dup.Key.Name}' of provider '{dup.Key.Provider}' is defined twice");
        }
        var tierNames = tierList.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var h in locs.Where(l => l.Tier is not null && !tierNames.Contains(l.Tier)))
        {
            errors.Add($"host '{h.Id}' uses unknown tier '{h.Tier}'");
        }
        var comps = (components ?? []).ToList();
        var compIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in comps)
        {
            if (!compIds.Add(c.Id))
            {
                errors.Add($"component id '{c.Id}' is used twice");
            }
            if (c.Replicas < 0)
            {
                errors.Add($"component '{c.Id}' has negative replicas");
            }
            foreach (var p in c.Placement.Where(p => !ids.TryGetValue(p, out var h) || h.Kind != LocalityKind.Host))
            {
                errors.Add($"component '{c.Id}' is placed on '{p}', which is not a host of this topology");
            }
        }
        var serviceIds = comps.Select(c => c.Service).ToHashSet(StringComparer.Ordinal);
        DependencyGraph graph;
        try
        {
            var edges = (dependencies ?? []).ToList();
            foreach (var e in edges)
            {
                foreach (var end in new[] { e.From, e.To }.Where(x => !compIds.Contains(x) && !serviceIds.Contains(x)))
                {
                    errors.Add($"dependency {e.From} -> {e.To} names unknown component or service '{end}'");
                }
            }
            graph = new DependencyGraph(edges);
        }
        catch (ArgumentException e)
        {
            errors.Add(e.Message);
            graph = DependencyGraph.Empty;
        }
        var maint = (maintenance ?? []).ToList();
        foreach (var m in maint.Where(m => !ids.ContainsKey(m.Locality)))
        {
            errors.Add($"maintenance window names unknown locality '{m.Locality}'");
        }
        var pol = policy ?? Policy.Default;
        if (pol.Weights.Validate() is { } w)
        {
            errors.Add("policy: " + w);
        }
        foreach (var o in pol.Overrides.Where(o => !ids.ContainsKey(o.Locality)))
        {
            errors.Add($"policy override names unknown locality '{o.Locality}'");
        }
        if (errors.Count > 0)
        {
            return new TopologyResult(null, errors);
        }
        // Order parents before children.
        var ordered = locs.OrderBy(l => l.Kind).ThenBy(l => l.Id, StringComparer.Ordinal).ToList();
        return new TopologyResult(
            new Topology(tenant, ordered, comps, graph, tierList, (slos ?? []).ToList(), maint, (failures ?? []).ToList(), pol),
            []);
    }
}

/// <summary>The outcome of building a topology: the topology, or the list of problems.</summary>
public sealed record TopologyResult(Topology? Topology, IReadOnlyList<string> Errors)
{
    /// <summary>True when the topology is valid.</summary>
    public bool IsValid => Topology is not null;
}
