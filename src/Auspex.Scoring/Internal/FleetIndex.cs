using System.Runtime.CompilerServices;
using Auspex.Core.Topology;

namespace Auspex.Scoring.Internal;

/// <summary>
/// What a scoring pass needs from a topology in array form, built once per <see cref="Topology"/> object (topologies
/// are immutable; the loop keeps the same object until the fleet changes) and reused every tick: the locality order,
/// each locality's ancestor chain, the hosts in order, and caches of results that depend only on the topology and a
/// reused input (host posteriors per fitted model, proximity per latency matrix).
/// </summary>
internal sealed class FleetIndex
{
    private static readonly ConditionalWeakTable<Topology, FleetIndex> Indexes = [];
    private readonly Lock _gate = new();
    private (FailureRateModel Model, GammaRate[] Posteriors)? _posteriors;
    private (LatencyMatrix Latency, double ReferenceLatencyMs, double BytesPerCall, Dictionary<string, ProximityEstimate> Result)? _proximity;

    private FleetIndex(Topology topology)
    {
        Topology = topology;
        var n = topology.Localities.Count;
        Localities = new Locality[n];
        Parent = new int[n];
        Chains = new Locality[n][];
        Position = new Dictionary<string, int>(n, StringComparer.Ordinal);
        var hosts = new List<int>();
        for (var i = 0; i < n; i++)
        {
            var l = topology.Localities[i];
            Localities[i] = l;
            Position[l.Id] = i;
        }
        for (var i = 0; i < n; i++)
        {
            var l = Localities[i];
            Parent[i] = l.Parent is { } p && Position.TryGetValue(p, out var pi) ? pi : -1;
            if (l.Kind == LocalityKind.Host)
            {
                hosts.Add(i);
            }
        }
        // Chains outermost first, the locality itself last (parents precede children in Localities, but build
        // recursively to be safe with any order).
        for (var i = 0; i < n; i++)
        {
            Chains[i] ??= BuildChain(i);
        }
        Hosts = [.. hosts];
        ChainPositions = new int[n][];
        for (var i = 0; i < n; i++)
        {
            ChainPositions[i] = [.. Chains[i].Select(l => Position[l.Id])];
        }
    }

    private Locality[] BuildChain(int i)
    {
        if (Chains[i] is { } done)
        {
            return done;
        }
        var p = Parent[i];
        // Topology.Create refuses cycles, so the recursion ends at a region.
        Locality[] chain = p < 0 || p == i ? [Localities[i]] : [.. BuildChain(p), Localities[i]];
        return Chains[i] = chain;
    }

    /// <summary>The index of <paramref name="topology"/>, built on first use.</summary>
    public static FleetIndex For(Topology topology) => Indexes.GetValue(topology, t => new FleetIndex(t));

    /// <summary>The topology indexed.</summary>
    public Topology Topology { get; }

    /// <summary>Localities in the topology's order.</summary>
    public Locality[] Localities { get; }

    /// <summary>Parent position per locality, −1 for none.</summary>
    public int[] Parent { get; }

    /// <summary>Ancestor chain per locality: outermost first, itself last.</summary>
    public Locality[][] Chains { get; }

    /// <summary>Positions of <see cref="Chains"/>' localities.</summary>
    public int[][] ChainPositions { get; }

    /// <summary>Positions of the hosts, in the topology's order.</summary>
    public int[] Hosts { get; }

    /// <summary>Position by locality id.</summary>
    public Dictionary<string, int> Position { get; }

    /// <summary>Capacity of <paramref name="kind"/> at position <paramref name="li"/> (the locality's own vector, read once per kind).</summary>
    public double CapacityOf(int li, Auspex.Core.Resources.ResourceKind kind)
    {
        var k = (int)kind;
        var table = Volatile.Read(ref _capacities);
        if (k >= table.Length || table[k] is not { } values)
        {
            lock (_gate)
            {
                table = _capacities;
                if (k >= table.Length)
                {
                    Array.Resize(ref table, k + 1);
                }
                if (table[k] is null)
                {
                    var v = new double[Localities.Length];
                    for (var i = 0; i < v.Length; i++)
                    {
                        v[i] = Localities[i].Capacity[kind];
                    }
                    table[k] = v;
                }
                _capacities = table;
                values = table[k]!;
            }
        }
        return values[li];
    }

    private double[]?[] _capacities = [];

    /// <summary>Every host's posterior failure rate under <paramref name="model"/> (aligned with <see cref="Hosts"/>), computed once per model.</summary>
    public GammaRate[] PosteriorsUnder(FailureRateModel model)
    {
        lock (_gate)
        {
            if (_posteriors is { } c && ReferenceEquals(c.Model, model))
            {
                return c.Posteriors;
            }
        }
        var result = new GammaRate[Hosts.Length];
        for (var i = 0; i < Hosts.Length; i++)
        {
            var id = Localities[Hosts[i]].Id;
            result[i] = model.Posterior(FailureHistory.PathOf(Topology, id), id);
        }
        lock (_gate)
        {
            _posteriors = (model, result);
        }
        return result;
    }

    /// <summary>
    /// Proximity of every locality, computed once per latency matrix and the two options it reads (it depends on nothing
    /// else): scorers with equal settings on one topology (the loop's, the shadow's) share it instead of recomputing it
    /// in turn.
    /// </summary>
    public Dictionary<string, ProximityEstimate> ProximityUnder(LatencyMatrix latency, ScoringOptions options, Func<Dictionary<string, ProximityEstimate>> compute)
    {
        var (reference, bytes) = (options.ReferenceLatencyMs, options.BytesPerCall);
        lock (_gate)
        {
            if (_proximity is { } c && ReferenceEquals(c.Latency, latency) && c.ReferenceLatencyMs.Equals(reference) && c.BytesPerCall.Equals(bytes))
            {
                return c.Result;
            }
        }
        var result = compute();
        lock (_gate)
        {
            _proximity = (latency, reference, bytes, result);
        }
        return result;
    }
}
