using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Core.Series;
using Auspex.Core.Topology;

namespace Auspex.Placement.Selection;

/// <summary>
/// The world a placement decision sees, built once and shared by many decisions: the topology, each host's placed
/// requests, its predicted usage at the high quantile, its desirability and its maintenance windows, laid out as
/// flat arrays so a decision over thousands of hosts stays well under a millisecond. Immutable.
/// </summary>
public sealed class PlacementSnapshot
{
    internal static readonly int R = ResourceKinds.All.Count;

    private PlacementSnapshot(Topology topology, DateTimeOffset at, double quantile)
    {
        Topology = topology;
        At = at;
        Quantile = quantile;
    }

    /// <summary>The topology.</summary>
    public Topology Topology { get; }

    /// <summary>When the snapshot was taken (the loop's clock).</summary>
    public DateTimeOffset At { get; }

    /// <summary>The quantile predicted usage was read at.</summary>
    public double Quantile { get; }

    /// <summary>Number of hosts.</summary>
    public int HostCount => HostIds.Length;

    internal string[] HostIds { get; private set; } = [];
    internal Dictionary<string, int> HostIndex { get; private set; } = new(StringComparer.Ordinal);
    internal Locality[] Hosts { get; private set; } = [];
    internal double[] Capacity { get; private set; } = [];
    internal double[] Allocated { get; private set; } = [];
    internal PeakSeries?[] Predicted { get; private set; } = [];
    internal double[] Desirability { get; private set; } = [];
    internal string?[] DesirabilitySource { get; private set; } = [];

    /// <summary>Domain[(int)kind][host] = index into <see cref="LocalityIds"/> of the host's ancestor at that level, or -1.</summary>
    internal int[][] Domain { get; private set; } = [];
    internal string[] LocalityIds { get; private set; } = [];
    internal Dictionary<string, int> LocalityIndex { get; private set; } = new(StringComparer.Ordinal);
    internal MaintenanceWindow[][] Maintenance { get; private set; } = [];

    /// <summary>Host indices of every running replica, keyed by component id and by service id.</summary>
    internal Dictionary<string, List<int>> ReplicaHosts { get; private set; } = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="host"/> is a host of the topology.</summary>
    public bool ContainsHost(string host) => HostIndex.ContainsKey(host);

    /// <summary>The id of host <paramref name="index"/>.</summary>
    public string HostId(int index) => HostIds[index];

    /// <summary>The desirability (0–1) used for a host, and where it came from.</summary>
    public (double Value, string? Source) DesirabilityOf(string host) =>
        HostIndex.TryGetValue(host, out var h) ? (Desirability[h], DesirabilitySource[h]) : (double.NaN, null);

    /// <summary>
    /// Builds a snapshot. Forecasts of hosts not in the topology are ignored; a host without a forecast of a resource
    /// is judged on placed requests alone. A host's desirability is its own score, else its nearest scored ancestor's,
    /// else <see cref="PlacementOptions.MissingDesirability"/>.
    /// </summary>
    public static PlacementSnapshot Create(
        Topology topology,
        IEnumerable<HostUsageForecast> forecasts,
        IEnumerable<LocalityScore> scores,
        DateTimeOffset at,
        PlacementOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(forecasts);
        ArgumentNullException.ThrowIfNull(scores);
        options ??= new PlacementOptions();
        options.Validate();
        var s = new PlacementSnapshot(topology, at, options.Quantile);
        var hosts = topology.Hosts.ToArray();
        var n = hosts.Length;
        s.Hosts = hosts;
        s.HostIds = hosts.Select(h => h.Id).ToArray();
        s.HostIndex = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            s.HostIndex[hosts[i].Id] = i;
        }
        s.LocalityIds = topology.Localities.Select(l => l.Id).ToArray();
        s.LocalityIndex = new Dictionary<string, int>(s.LocalityIds.Length, StringComparer.Ordinal);
        for (var i = 0; i < s.LocalityIds.Length; i++)
        {
            s.LocalityIndex[s.LocalityIds[i]] = i;
        }

        s.Capacity = new double[n * R];
        s.Allocated = new double[n * R];
        s.Predicted = new PeakSeries?[n * R];
        s.Domain = new int[4][];
        for (var k = 0; k < 4; k++)
        {
            s.Domain[k] = new int[n];
        }
        for (var h = 0; h < n; h++)
        {
            foreach (var (kind, v) in hosts[h].Capacity.Values)
            {
                s.Capacity[h * R + (int)kind] = v;
            }
            s.Domain[(int)LocalityKind.Host][h] = s.LocalityIndex[hosts[h].Id];
            for (var k = LocalityKind.Region; k < LocalityKind.Host; k++)
            {
                var a = topology.AncestorAt(hosts[h].Id, k);
                s.Domain[(int)k][h] = a is null ? -1 : s.LocalityIndex[a.Id];
            }
        }

        s.ReplicaHosts = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var c in topology.Components)
        {
            foreach (var p in c.Placement)
            {
                if (!s.HostIndex.TryGetValue(p, out var h))
                {
                    continue;
                }
                foreach (var (kind, v) in c.Requests.Values)
                {
                    s.Allocated[h * R + (int)kind] += v;
                }
                Add(s.ReplicaHosts, c.Id, h);
                if (c.Service != c.Id)
                {
                    Add(s.ReplicaHosts, c.Service, h);
                }
            }
        }

        foreach (var f in forecasts)
        {
            if (f.Forecast.Points.Count > 0 && s.HostIndex.TryGetValue(f.Host, out var h))
            {
                s.Predicted[h * R + (int)f.Resource] = PeakSeries.From(f.Forecast, options.Quantile);
            }
        }

        var byLocality = new Dictionary<string, LocalityScore>(StringComparer.Ordinal);
        foreach (var sc in scores)
        {
            byLocality[sc.Locality] = sc;
        }
        s.Desirability = new double[n];
        s.DesirabilitySource = new string?[n];
        for (var h = 0; h < n; h++)
        {
            var found = byLocality.TryGetValue(hosts[h].Id, out var own)
                ? own
                : topology.Ancestors(hosts[h].Id).Select(a => byLocality.GetValueOrDefault(a.Id)).FirstOrDefault(x => x is not null);
            s.Desirability[h] = found is null ? options.MissingDesirability : Math.Clamp(found.Desirability, 0, 1);
            s.DesirabilitySource[h] = found?.Locality;
        }

        s.Maintenance = new MaintenanceWindow[n][];
        for (var h = 0; h < n; h++)
        {
            s.Maintenance[h] = topology.Maintenance.Count == 0 ? [] : topology.MaintenanceOf(hosts[h].Id).ToArray();
        }
        return s;
    }

    private int[]? _allHosts;
    private int[][]? _distinctDomains;
    private CandidateIndex? _index;

    /// <summary>0, 1, …, HostCount − 1 (shared, read-only).</summary>
    internal int[] AllHosts => _allHosts ??= Enumerable.Range(0, HostCount).ToArray();

    /// <summary>The distinct values of <see cref="Domain"/>[level] over every host (−1 included when some host has no ancestor there).</summary>
    internal int[] DistinctDomains(Core.Topology.LocalityKind level)
    {
        var all = _distinctDomains ??= new int[4][];
        return all[(int)level] ??= Domain[(int)level].Distinct().ToArray();
    }

    /// <summary>
    /// The hosts ordered by their request-independent score under <paramref name="o"/>'s weights, built once per
    /// snapshot and weights (a snapshot is taken once per tick) and shared by every decision.
    /// </summary>
    internal CandidateIndex Index(PlacementOptions o)
    {
        var cached = _index;
        if (cached is not null && cached.Matches(o))
        {
            return cached;
        }
        return _index = CandidateIndex.Build(this, o);
    }

    private static void Add(Dictionary<string, List<int>> map, string key, int h)
    {
        if (!map.TryGetValue(key, out var l))
        {
            map[key] = l = [];
        }
        l.Add(h);
    }
}

/// <summary>A forecast reduced to one quantile per step with a running maximum, for O(1) peak-over-lifetime lookups.</summary>
internal sealed class PeakSeries
{
    private readonly DateTimeOffset[] _at;
    private readonly long[] _ticks;
    private readonly double[] _value;
    private readonly double[] _prefixMax;

    private readonly Core.Forecasts.Forecast _forecast;

    private PeakSeries(Core.Forecasts.Forecast forecast, DateTimeOffset[] at, double[] value)
    {
        _forecast = forecast;
        _at = at;
        _ticks = at.Select(a => a.UtcTicks).ToArray();
        _value = value;
        _prefixMax = new double[value.Length];
        var m = double.NegativeInfinity;
        for (var i = 0; i < value.Length; i++)
        {
            m = Math.Max(m, value[i]);
            _prefixMax[i] = m;
        }
    }

    public static PeakSeries From(Core.Forecasts.Forecast f, double quantile)
    {
        var at = new DateTimeOffset[f.Points.Count];
        var v = new double[f.Points.Count];
        for (var i = 0; i < v.Length; i++)
        {
            at[i] = f.Points[i].At;
            v[i] = Math.Max(0, f.Quantile(i, quantile));
        }
        return new PeakSeries(f, at, v);
    }

    /// <summary>
    /// The peak over the steps inside <paramref name="life"/>. A lifetime that runs past the horizon keeps the peak
    /// of what is forecast; one that starts after the horizon uses the last step.
    /// </summary>
    public (double Peak, DateTimeOffset At) PeakOver(TimeRange life)
    {
        var end = UpperBound(life.End);
        if (end == 0)
        {
            return (_value[0], _at[0]);
        }
        if (life.Start <= _at[0])
        {
            var m = _prefixMax[end - 1];
            var i = end - 1;
            while (i > 0 && _value[i] != m)
            {
                i--;
            }
            return (m, _at[i]);
        }
        var start = UpperBound(life.Start);
        start = Math.Max(0, start - 1);
        var best = start;
        for (var i = start + 1; i < end; i++)
        {
            if (_value[i] > _value[best])
            {
                best = i;
            }
        }
        return (_value[best], _at[best]);
    }

    /// <summary>Peak only (no time): the fast path.</summary>
    public double PeakValue(TimeRange life)
    {
        var end = UpperBound(life.End.UtcTicks);
        if (end == 0)
        {
            return _value[0];
        }
        return life.Start.UtcTicks <= _ticks[0] ? _prefixMax[end - 1] : PeakOver(life).Peak;
    }

    /// <summary>The peak at another quantile (slow path: reads the forecast).</summary>
    public double PeakValue(TimeRange life, double quantile)
    {
        var end = UpperBound(life.End);
        var start = life.Start <= _at[0] ? 0 : Math.Max(0, UpperBound(life.Start) - 1);
        if (end <= start)
        {
            return Math.Max(0, _forecast.Quantile(Math.Min(start, _at.Length - 1), quantile));
        }
        var m = 0.0;
        for (var i = start; i < end; i++)
        {
            m = Math.Max(m, _forecast.Quantile(i, quantile));
        }
        return m;
    }

    private int UpperBound(DateTimeOffset t) => UpperBound(t.UtcTicks);

    private int UpperBound(long t)
    {
        int lo = 0, hi = _ticks.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_ticks[mid] < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}

/// <summary>
/// A snapshot's hosts sorted by the part of the score that does not depend on the request: kube-scheduler's
/// LeastAllocated and BalancedAllocation on what is in use at the snapshot's quantile over the whole forecast (the
/// larger of placed requests and the predicted peak), and desirability, weighted as the options say; plus each rack's
/// hosts in the same order. A decision walks this order and stops after a few tens of feasible hosts.
/// </summary>
internal sealed class CandidateIndex
{
    private readonly double _wLeast, _wBalanced, _wDesirability;

    private CandidateIndex(double wLeast, double wBalanced, double wDesirability, int[] order, double[] prior, Dictionary<int, int[]> racks)
    {
        _wLeast = wLeast;
        _wBalanced = wBalanced;
        _wDesirability = wDesirability;
        Order = order;
        Prior = prior;
        Racks = racks;
    }

    /// <summary>Host indices, best prior first (ties by index).</summary>
    public int[] Order { get; }

    /// <summary>Prior score (0–100) per host index.</summary>
    public double[] Prior { get; }

    /// <summary>Rack locality index → its hosts, best prior first.</summary>
    public Dictionary<int, int[]> Racks { get; }

    public bool Matches(PlacementOptions o) =>
        o.LeastAllocatedWeight == _wLeast && o.BalancedAllocationWeight == _wBalanced && o.DesirabilityWeight == _wDesirability;

    public static CandidateIndex Build(PlacementSnapshot s, PlacementOptions o)
    {
        var n = s.HostCount;
        var R = PlacementSnapshot.R;
        var prior = new double[n];
        var wsum = o.LeastAllocatedWeight + o.BalancedAllocationWeight + o.DesirabilityWeight;
        Span<double> used = stackalloc double[2];
        Span<double> cap = stackalloc double[2];
        Span<int> kinds = [(int)ResourceKind.Cpu, (int)ResourceKind.Memory];
        var everything = new TimeRange(DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        for (var h = 0; h < n; h++)
        {
            for (var i = 0; i < 2; i++)
            {
                var r = kinds[i];
                var a = s.Allocated[h * R + r];
                var p = s.Predicted[h * R + r];
                var basis = o.Basis == ResourceBasis.Requests || p is null ? a : Math.Max(a, p.PeakValue(everything));
                used[i] = basis;
                cap[i] = s.Capacity[h * R + r];
            }
            var v = o.LeastAllocatedWeight * Scores.KubeResourceScores.LeastAllocated(used, cap, Scores.ResourceBasisHelper.Weights)
                + o.BalancedAllocationWeight * Scores.KubeResourceScores.BalancedAllocation(used, cap)
                + o.DesirabilityWeight * 100 * s.Desirability[h];
            prior[h] = wsum > 0 ? v / wsum : 0;
        }
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => prior[a] != prior[b] ? prior[b].CompareTo(prior[a]) : a.CompareTo(b));
        var racks = new Dictionary<int, List<int>>();
        var rackOf = s.Domain[(int)Core.Topology.LocalityKind.Rack];
        foreach (var h in order)
        {
            if (rackOf[h] < 0)
            {
                continue;
            }
            if (!racks.TryGetValue(rackOf[h], out var l))
            {
                racks[rackOf[h]] = l = [];
            }
            l.Add(h);
        }
        return new CandidateIndex(o.LeastAllocatedWeight, o.BalancedAllocationWeight, o.DesirabilityWeight, order, prior,
            racks.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()));
    }
}
