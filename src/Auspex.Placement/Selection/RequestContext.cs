using System.Globalization;
using Auspex.Core.Resources;
using Auspex.Core.Topology;

namespace Auspex.Placement.Selection;

/// <summary>Replicas already chosen earlier in the same multi-replica request.</summary>
internal sealed class Overlay
{
    public Overlay()
    {
    }

    /// <summary>An overlay sharing allocations with others (replicas of other components chosen in the same plan).</summary>
    public Overlay(Dictionary<int, double[]> alloc) => Alloc = alloc;

    public Dictionary<int, double[]> Alloc { get; } = [];
    public List<int> Placed { get; } = [];
}

/// <summary>Everything one request needs precomputed before the per-host loop.</summary>
internal sealed class RequestContext
{
    private static readonly List<int> None = [];
    private readonly Overlay? _overlay;

    public RequestContext(PlacementSnapshot snapshot, PlacementRequest request, PlacementOptions options, Overlay? overlay, int[] candidates)
    {
        S = snapshot;
        Request = request;
        Options = options;
        _overlay = overlay;
        Candidates = candidates;
        Need = new double[PlacementSnapshot.R];
        foreach (var (k, v) in request.Requests.Values)
        {
            Need[(int)k] = v;
        }
        NeedKinds = request.Requests.Kinds.Where(k => k.IsCapacity()).Select(k => (int)k).ToArray();
        Quantile = request.Quantile ?? snapshot.Quantile;
        QuantileLabel = "p" + (Quantile * 100).ToString("0.#", CultureInfo.InvariantCulture);

        OwnHosts = [.. snapshot.ReplicaHosts.GetValueOrDefault(request.Component, None)];
        if (overlay is not null)
        {
            OwnHosts.AddRange(overlay.Placed);
        }

        var overrides = snapshot.Topology.Policy.Overrides.Where(o => o.Selector == "*" || o.Selector == request.Service || o.Selector == request.Component).ToList();
        Forced = Index(overrides.Where(o => o.Mode == OverrideMode.Force));
        Forbidden = Index(overrides.Where(o => o.Mode == OverrideMode.Forbid));

        AffinityCounts = request.Affinity.Select(t => CountByDomain(ReplicasOf(t.Selector), t.Scope)).ToArray();
        SpreadCounts = request.Spread.Select(c => CountByDomain(OwnHosts, c.Domain)).ToArray();
        SpreadMin = new int[request.Spread.Count];
        for (var i = 0; i < request.Spread.Count; i++)
        {
            var dom = S.Domain[(int)request.Spread[i].Domain];
            var min = int.MaxValue;
            if (ReferenceEquals(candidates, snapshot.AllHosts))
            {
                // Every host: the snapshot knows the distinct domains, no pass over the fleet.
                foreach (var d in snapshot.DistinctDomains(request.Spread[i].Domain))
                {
                    min = Math.Min(min, SpreadCounts[i].GetValueOrDefault(d));
                }
            }
            else
            {
                var seen = new HashSet<int>();
                foreach (var h in candidates)
                {
                    if (seen.Add(dom[h]))
                    {
                        min = Math.Min(min, SpreadCounts[i].GetValueOrDefault(dom[h]));
                    }
                }
            }
            SpreadMin[i] = min == int.MaxValue ? 0 : min;
        }

        var peers = new Dictionary<string, double>(StringComparer.Ordinal);
        var graph = snapshot.Topology.Dependencies;
        foreach (var id in request.Service == request.Component ? [request.Component] : new[] { request.Component, request.Service })
        {
            foreach (var e in graph.Outgoing(id))
            {
                peers[e.To] = peers.GetValueOrDefault(e.To) + Weight(e);
            }
            foreach (var e in graph.Incoming(id))
            {
                peers[e.From] = peers.GetValueOrDefault(e.From) + Weight(e);
            }
        }
        Peers = peers.Where(p => p.Key != request.Component && p.Key != request.Service && snapshot.ReplicaHosts.ContainsKey(p.Key))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => (p.Key, p.Value, snapshot.ReplicaHosts[p.Key].ToArray()))
            .ToArray();
    }

    public PlacementSnapshot S { get; }
    public PlacementRequest Request { get; }
    public PlacementOptions Options { get; }
    public int[] Candidates { get; }
    public double[] Need { get; }
    public int[] NeedKinds { get; }
    public double Quantile { get; }
    public string QuantileLabel { get; }
    public List<int> OwnHosts { get; }
    public HashSet<int>? Forced { get; }
    public HashSet<int>? Forbidden { get; }
    public Dictionary<int, int>[] AffinityCounts { get; }
    public Dictionary<int, int>[] SpreadCounts { get; }
    public int[] SpreadMin { get; }
    public (string Peer, double Weight, int[] Hosts)[] Peers { get; }

    /// <summary>Requests already placed on host <paramref name="h"/> for resource <paramref name="r"/>.</summary>
    public double Allocated(int h, int r) =>
        S.Allocated[h * PlacementSnapshot.R + r] + (_overlay is not null && _overlay.Alloc.TryGetValue(h, out var a) ? a[r] : 0);

    /// <summary>Predicted peak usage at the request's quantile over its lifetime, or NaN without a forecast.</summary>
    public double Predicted(int h, int r)
    {
        var p = S.Predicted[h * PlacementSnapshot.R + r];
        if (p is null)
        {
            return double.NaN;
        }
        return Quantile == S.Quantile ? p.PeakValue(Request.Lifetime) : p.PeakValue(Request.Lifetime, Quantile);
    }

    private double[]? _usedCpuMem;

    /// <summary>Caches <see cref="Used"/> for cpu and memory during the per-host loops (released by <see cref="EndCache"/>).</summary>
    public void BeginCache()
    {
        var n = S.HostCount * 2;
        _usedCpuMem = System.Buffers.ArrayPool<double>.Shared.Rent(n);
        _usedCpuMem.AsSpan(0, n).Fill(double.NaN);
    }

    /// <summary>Returns the cache to the pool.</summary>
    public void EndCache()
    {
        if (_usedCpuMem is { } a)
        {
            _usedCpuMem = null;
            System.Buffers.ArrayPool<double>.Shared.Return(a);
        }
    }

    /// <summary>What is already in use on the host for the fit check: the larger of placed requests and predicted peak.</summary>
    public double Used(int h, int r)
    {
        var slot = r == (int)ResourceKind.Cpu ? 0 : r == (int)ResourceKind.Memory ? 1 : -1;
        if (slot >= 0 && _usedCpuMem is { } cache)
        {
            var c = cache[h * 2 + slot];
            if (!double.IsNaN(c))
            {
                return c;
            }
            return cache[h * 2 + slot] = Compute(h, r);
        }
        return Compute(h, r);
    }

    private double Compute(int h, int r)
    {
        var a = Allocated(h, r);
        var p = Predicted(h, r);
        return double.IsNaN(p) ? a : Math.Max(a, p);
    }

    /// <summary>True when host <paramref name="h"/> lies in one of <paramref name="set"/>'s localities.</summary>
    public bool InAny(HashSet<int> set, int h)
    {
        for (var k = 0; k < 4; k++)
        {
            var d = S.Domain[k][h];
            if (d >= 0 && set.Contains(d))
            {
                return true;
            }
        }
        return false;
    }

    private List<int> ReplicasOf(string selector)
    {
        var list = new List<int>(S.ReplicaHosts.GetValueOrDefault(selector, None));
        if (_overlay is not null && (selector == Request.Component || selector == Request.Service))
        {
            list.AddRange(_overlay.Placed);
        }
        return list;
    }

    private Dictionary<int, int> CountByDomain(List<int> hosts, LocalityKind level)
    {
        var counts = new Dictionary<int, int>();
        var dom = S.Domain[(int)level];
        foreach (var h in hosts)
        {
            counts[dom[h]] = counts.GetValueOrDefault(dom[h]) + 1;
        }
        return counts;
    }

    private HashSet<int>? Index(IEnumerable<PlacementOverride> overrides)
    {
        var set = new HashSet<int>();
        foreach (var o in overrides)
        {
            if (S.LocalityIndex.TryGetValue(o.Locality, out var i))
            {
                set.Add(i);
            }
        }
        return set.Count == 0 ? null : set;
    }

    private static double Weight(DependencyEdge e) => e.CallsPerSecond > 0 ? e.CallsPerSecond : e.BytesPerSecond / 1024;

    public string Format(int r, double v) => Fmt((ResourceKind)r, v);

    public static string Fmt(ResourceKind kind, double v) => kind switch
    {
        ResourceKind.Memory => string.Create(CultureInfo.InvariantCulture, $"{v / (1024 * 1024 * 1024):0.##} GiB"),
        ResourceKind.Cpu => string.Create(CultureInfo.InvariantCulture, $"{v:0.###} cores"),
        ResourceKind.NetworkIn or ResourceKind.NetworkOut or ResourceKind.StorageThroughput => string.Create(CultureInfo.InvariantCulture, $"{v / 1e6:0.##} MB/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{v:0.##} {kind.Unit()}"),
    };
}
