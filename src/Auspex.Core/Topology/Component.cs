using Auspex.Core.Resources;

namespace Auspex.Core.Topology;

/// <summary>
/// An application component (microservice, database shard…) that runs as replicas on hosts.
/// </summary>
/// <param name="Id">Unique component id.</param>
/// <param name="Service">The application or service it belongs to.</param>
/// <param name="Requests">What one replica asks for.</param>
/// <param name="Replicas">Desired replica count (≥ 0).</param>
/// <param name="Placement">Host id of every running replica (may be shorter than <paramref name="Replicas"/> while pending).</param>
/// <param name="Tiers">Tiers the component may run on; empty means any.</param>
public sealed record Component(
    string Id,
    string Service,
    ResourceVector Requests,
    int Replicas,
    IReadOnlyList<string> Placement,
    IReadOnlyList<string> Tiers);

/// <summary>A directed dependency: <paramref name="From"/> calls <paramref name="To"/>.</summary>
/// <param name="From">Calling component or service id.</param>
/// <param name="To">Called component or service id.</param>
/// <param name="CallsPerSecond">Call rate (≥ 0).</param>
/// <param name="BytesPerSecond">Data volume (≥ 0).</param>
public sealed record DependencyEdge(string From, string To, double CallsPerSecond, double BytesPerSecond);

/// <summary>The dependency graph between components, as adjacency lists weighted by call rate and bytes.</summary>
public sealed class DependencyGraph
{
    private readonly Dictionary<string, List<DependencyEdge>> _out = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DependencyEdge>> _in = new(StringComparer.Ordinal);

    /// <summary>Creates a graph; refuses negative or non-finite weights and self-loops.</summary>
    public DependencyGraph(IEnumerable<DependencyEdge> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        var all = new List<DependencyEdge>();
        foreach (var e in edges)
        {
            if (!double.IsFinite(e.CallsPerSecond) || e.CallsPerSecond < 0 || !double.IsFinite(e.BytesPerSecond) || e.BytesPerSecond < 0)
            {
                throw new ArgumentException($"Dependency {e.From} -> {e.To} has a negative or non-finite weight.");
            }
            if (e.From == e.To)
            {
                throw new ArgumentException($"Dependency {e.From} -> {e.To} is a self-loop.");
            }
            all.Add(e);
            Add(_out, e.From, e);
            Add(_in, e.To, e);
        }
        Edges = all;
    }

    /// <summary>An empty graph.</summary>
    public static DependencyGraph Empty { get; } = new([]);

    /// <summary>Every edge.</summary>
    public IReadOnlyList<DependencyEdge> Edges { get; }

    /// <summary>Edges leaving <paramref name="node"/>.</summary>
    public IReadOnlyList<DependencyEdge> Outgoing(string node) => _out.TryGetValue(node, out var l) ? l : [];

    /// <summary>Edges entering <paramref name="node"/>.</summary>
    public IReadOnlyList<DependencyEdge> Incoming(string node) => _in.TryGetValue(node, out var l) ? l : [];

    private static void Add(Dictionary<string, List<DependencyEdge>> map, string key, DependencyEdge e)
    {
        if (!map.TryGetValue(key, out var l))
        {
            map[key] = l = [];
        }
        l.Add(e);
    }
}
