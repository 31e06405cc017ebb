using System.Diagnostics;

namespace Auspex.Placement.Global;

/// <summary>
/// The large-instance heuristic: dependency groups packed as bundles, then local search that empties hosts.
/// <list type="number">
/// <item>Components connected by dependency edges form a group; replica k of every component of a group forms bundle k,
/// so chatty components share a host (distance 0) while the replicas of one component land on different hosts and, by
/// the spread limits, different zones.</item>
/// <item>Bundles largest first (largest share of a host's capacity at any slot and resource, at the plan's quantile),
/// each to the open host it fits best (least room left over every slot and resource; the spread limits kept); a new
/// host only when none fits, cheapest per core first, rack by rack; a bundle bigger than a host is split replica by
/// replica inside one rack.</item>
/// <item>Local search until the time limit: the emptiest host's replicas are moved to other open hosts (same rack
/// first, then best fit); the move is kept when every replica found a place and the objective (host cost + energy +
/// communication) went down.</item>
/// </list>
/// Every plan fits every host at every slot (no overload at the quantile) and keeps the spread limits.
/// </summary>
internal sealed class PackingPlacementSolver : IPlacementSolver
{
    public string Name => "packing";

    public GlobalPlacementResult Solve(GlobalPlacementProblem problem, GlobalPlacementOptions options, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        if (PlanEvaluator.CheckBeforeSolve(Name, problem, options, clock) is { } infeasible)
        {
            return infeasible;
        }
        var state = new PackingState(problem, options);
        var failure = state.Construct();
        if (failure is not null)
        {
            return PlanEvaluator.NoPlan(Name, GlobalSolveStatus.Unknown, clock.Elapsed, [failure]);
        }
        var deadline = options.TimeLimit * 0.97; // the whole solve, construction included, within the time limit
        var report = options.Progress;
        var nextReport = options.ProgressInterval;
        int Open()
        {
            var n = 0;
            for (var h = 0; h < state.HostCount; h++)
            {
                n += state.IsOpen(h) ? 1 : 0;
            }
            return n;
        }
        report?.Invoke(new(clock.Elapsed, "construct", Open()));
        bool More()
        {
            var now = clock.Elapsed;
            if (report is not null && now >= nextReport)
            {
                nextReport = now + options.ProgressInterval;
                report(new(now, "local-search", Open()));
            }
            return now < deadline && !cancellationToken.IsCancellationRequested;
        }
        var closed = state.Improve(More);
        var recreated = state.RuinAndRecreate(More, new Random(options.Seed));
        var assignment = state.Assignment();
        report?.Invoke(new(clock.Elapsed, "done", Open()));
        var metrics = PlanEvaluator.Evaluate(problem, assignment, options);
        var bound = PlacementBounds.Lower(problem, options);
        var gap = metrics.Objective > 0 ? Math.Max(0, (metrics.Objective - bound.Value) / metrics.Objective) : 0;
        return new(Name, GlobalSolveStatus.Feasible, assignment, metrics, bound.Value, gap, clock.Elapsed,
            [$"packed {state.Bundles} bundles; local search closed {closed} host(s); ruin and recreate closed {recreated} more in {state.Attempts} attempts ({state.Sideways} sideways moves kept)", bound.Explanation]);
    }
}

/// <summary>Mutable packing state shared by the heuristic and the CP-SAT neighbourhood search.</summary>
internal sealed class PackingState
{
    private readonly GlobalPlacementProblem _p;
    private readonly GlobalPlacementOptions _o;
    private readonly int _nh, _ns, _nr, _nc;
    private readonly double[] _cap;       // h * nr + r
    private readonly double[] _load;      // (h * ns + s) * nr + r
    private readonly double[] _dem;       // (c * ns + s) * nr + r
    private readonly double[] _hostCost;
    private readonly double[] _meanCap;
    private readonly int[] _rack, _zone;
    private readonly bool[] _usable;
    private readonly int[][] _assign;     // component → host per replica (-1 = not placed)
    private readonly List<(int C, int K)>[] _items; // host → replicas on it
    private readonly Dictionary<int, int>[] _rackCount, _zoneCount;
    private readonly List<(int Peer, double Weight)>[] _nb;
    private readonly int[] _openOrder;

    public PackingState(GlobalPlacementProblem p, GlobalPlacementOptions o)
    {
        _p = p;
        _o = o;
        _nh = p.Hosts.Count;
        _ns = p.SlotCount;
        _nr = p.Resources.Count;
        _nc = p.Components.Count;
        _cap = new double[_nh * _nr];
        _load = new double[_nh * _ns * _nr];
        _dem = new double[_nc * _ns * _nr];
        _hostCost = new double[_nh];
        _rack = new int[_nh];
        _zone = new int[_nh];
        _usable = new bool[_nh];
        var racks = new Dictionary<string, int>(StringComparer.Ordinal);
        var zones = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var h = 0; h < _nh; h++)
        {
            var host = p.Hosts[h];
            for (var r = 0; r < _nr; r++)
            {
                _cap[h * _nr + r] = host.Capacity[r] * (1 + 1e-9);
            }
            _hostCost[h] = o.CostWeight * host.PricePerHour + o.EnergyWeight * host.IdleWatts;
            _rack[h] = racks.TryGetValue(host.Rack, out var ri) ? ri : racks[host.Rack] = racks.Count;
            _zone[h] = zones.TryGetValue(host.Zone, out var zi) ? zi : zones[host.Zone] = zones.Count;
            _usable[h] = host.Available.All(a => a);
        }
        _meanCap = new double[_nr];
        for (var r = 0; r < _nr; r++)
        {
            _meanCap[r] = Math.Max(1e-12, p.Hosts.Where(h => h.Available.All(a => a)).Select(h => h.Capacity[r]).DefaultIfEmpty(1).Average());
        }
        _assign = new int[_nc][];
        _rackCount = new Dictionary<int, int>[_nc];
        _zoneCount = new Dictionary<int, int>[_nc];
        _nb = new List<(int, double)>[_nc];
        for (var c = 0; c < _nc; c++)
        {
            var comp = p.Components[c];
            _assign[c] = Enumerable.Repeat(-1, comp.Replicas).ToArray();
            _rackCount[c] = [];
            _zoneCount[c] = [];
            _nb[c] = [];
            for (var s = 0; s < _ns; s++)
            {
                for (var r = 0; r < _nr; r++)
                {
                    _dem[(c * _ns + s) * _nr + r] = comp.Demand[s][r];
                }
            }
        }
        foreach (var e in p.Edges)
        {
            _nb[e.From].Add((e.To, e.Weight));
            _nb[e.To].Add((e.From, e.Weight));
        }
        _items = new List<(int, int)>[_nh];
        for (var h = 0; h < _nh; h++)
        {
            _items[h] = [];
        }
        // Hosts to open: cheapest per unit of capacity first, rack by rack (racks in order of their best host).
        var cpu = Math.Max(0, PlanEvaluator.CpuIndex(p));
        double PerUnit(int h) => _hostCost[h] / Math.Max(1e-12, _cap[h * _nr + cpu]);
        var rackBest = Enumerable.Range(0, _nh).Where(h => _usable[h]).GroupBy(h => _rack[h]).ToDictionary(g => g.Key, g => g.Min(PerUnit));
        _openOrder = Enumerable.Range(0, _nh).Where(h => _usable[h])
            .OrderBy(h => rackBest[_rack[h]]).ThenBy(h => _rack[h]).ThenBy(PerUnit).ThenBy(h => h).ToArray();
    }

    public int Bundles { get; private set; }

    public bool IsOpen(int h) => _items[h].Count > 0;

    // ---------------------------------------------------------------- construction

    public string? Construct(bool bundles = true)
    {
        // Dependency groups (union-find over edges).
        var parent = Enumerable.Range(0, _nc).ToArray();
        int Find(int x)
        {
            while (parent[x] != x)
            {
                x = parent[x] = parent[parent[x]];
            }
            return x;
        }
        foreach (var e in bundles ? _p.Edges : [])
        {
            parent[Find(e.From)] = Find(e.To);
        }
        var groups = Enumerable.Range(0, _nc).GroupBy(Find).Select(g => g.ToArray()).ToList();
        var list = new List<(int[] Comps, int K, double[] Dem, double Size)>();
        foreach (var g in groups)
        {
            var maxRep = g.Max(c => _p.Components[c].Replicas);
            for (var k = 0; k < maxRep; k++)
            {
                var comps = g.Where(c => _p.Components[c].Replicas > k).ToArray();
                var dem = new double[_ns * _nr];
                foreach (var c in comps)
                {
                    for (var i = 0; i < dem.Length; i++)
                    {
                        dem[i] += _dem[c * _ns * _nr + i];
                    }
                }
                var size = 0.0;
                for (var i = 0; i < dem.Length; i++)
                {
                    size = Math.Max(size, dem[i] / _meanCap[i % _nr]);
                }
                list.Add((comps, k, dem, size));
            }
        }
        Bundles = list.Count;
        foreach (var b in list.OrderByDescending(b => b.Size).ThenBy(b => b.Comps[0]).ThenBy(b => b.K))
        {
            var best = -1;
            var bestRoom = double.PositiveInfinity;
            for (var h = 0; h < _nh; h++)
            {
                if (!IsOpen(h) || !BundleFits(b.Comps, b.Dem, h))
                {
                    continue;
                }
                var room = PeakIncrease(h, b.Dem) * 1000 + Room(h, b.Dem);
                if (room < bestRoom)
                {
                    best = h;
                    bestRoom = room;
                }
            }
            if (best < 0)
            {
                best = OpenNew(h => BundleFits(b.Comps, b.Dem, h));
            }
            if (best >= 0)
            {
                foreach (var c in b.Comps)
                {
                    Place(c, b.K, best);
                }
                continue;
            }
            // Bigger than any free host: replica by replica, in the rack of the previous one where possible.
            var rack = -1;
            foreach (var c in b.Comps.OrderByDescending(c => Size(c)))
            {
                var h = BestHost(c, -1, rack);
                if (h < 0)
                {
                    h = OpenNew(x => Fits(c, x) && SpreadOk(c, x, -1), rack);
                }
                if (h < 0)
                {
                    return $"no host left for replica {b.K + 1} of {_p.Components[c].Id} (the heuristic ran out of hosts; the problem may still be feasible)";
                }
                Place(c, b.K, h);
                rack = _rack[h];
            }
        }
        return null;
    }

    private double Size(int c)
    {
        var m = 0.0;
        for (var i = 0; i < _ns * _nr; i++)
        {
            m = Math.Max(m, _dem[c * _ns * _nr + i] / _meanCap[i % _nr]);
        }
        return m;
    }

    private int OpenNew(Func<int, bool> ok, int preferRack = -1)
    {
        if (preferRack >= 0)
        {
            foreach (var h in _openOrder)
            {
                if (_rack[h] == preferRack && !IsOpen(h) && ok(h))
                {
                    return h;
                }
            }
        }
        for (var i = 0; i < _openOrder.Length; i++)
        {
            var h = _openOrder[i];
            if (!IsOpen(h) && ok(h))
            {
                return h;
            }
        }
        return -1;
    }

    private bool BundleFits(int[] comps, double[] dem, int h)
    {
        if (!_usable[h])
        {
            return false;
        }
        for (var s = 0; s < _ns; s++)
        {
            for (var r = 0; r < _nr; r++)
            {
                if (_load[(h * _ns + s) * _nr + r] + dem[s * _nr + r] > _cap[h * _nr + r])
                {
                    return false;
                }
            }
        }
        foreach (var c in comps)
        {
            if (!SpreadOk(c, h, -1))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// How much adding <paramref name="dem"/> raises <paramref name="h"/>'s peak (over slots) per resource, as shares of
    /// capacity, summed: 0 when the demand fits in the host's valleys (complementary daily profiles), the demand's own
    /// peak on an empty host.
    /// </summary>
    private double PeakIncrease(int h, ReadOnlySpan<double> dem)
    {
        var sum = 0.0;
        for (var r = 0; r < _nr; r++)
        {
            double before = 0, after = 0;
            for (var s = 0; s < _ns; s++)
            {
                var l = _load[(h * _ns + s) * _nr + r];
                before = Math.Max(before, l);
                after = Math.Max(after, l + dem[s * _nr + r]);
            }
            sum += (after - before) / _cap[h * _nr + r];
        }
        return sum;
    }

    private ReadOnlySpan<double> Dem(int c) => _dem.AsSpan(c * _ns * _nr, _ns * _nr);

    /// <summary>Room left on <paramref name="h"/> after adding <paramref name="dem"/>: the sum of free shares over slots and resources.</summary>
    private double Room(int h, double[] dem)
    {
        var room = 0.0;
        for (var s = 0; s < _ns; s++)
        {
            for (var r = 0; r < _nr; r++)
            {
                room += (_cap[h * _nr + r] - _load[(h * _ns + s) * _nr + r] - dem[s * _nr + r]) / _cap[h * _nr + r];
            }
        }
        return room;
    }

    private double RoomFor(int c, int h)
    {
        var room = 0.0;
        for (var s = 0; s < _ns; s++)
        {
            for (var r = 0; r < _nr; r++)
            {
                room += (_cap[h * _nr + r] - _load[(h * _ns + s) * _nr + r] - _dem[(c * _ns + s) * _nr + r]) / _cap[h * _nr + r];
            }
        }
        return room;
    }

    public bool Fits(int c, int h)
    {
        if (!_usable[h])
        {
            return false;
        }
        for (var s = 0; s < _ns; s++)
        {
            for (var r = 0; r < _nr; r++)
            {
                if (_load[(h * _ns + s) * _nr + r] + _dem[(c * _ns + s) * _nr + r] > _cap[h * _nr + r])
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>True when one more replica of <paramref name="c"/> on <paramref name="h"/> keeps the spread limits (one replica leaving <paramref name="from"/>).</summary>
    public bool SpreadOk(int c, int h, int from)
    {
        var comp = _p.Components[c];
        var reps = _assign[c];
        for (var k = 0; k < reps.Length; k++)
        {
            if (reps[k] == h && h != from)
            {
                return false; // one replica per host
            }
        }
        if (comp.MaxPerZone is { } mz)
        {
            var n = _zoneCount[c].GetValueOrDefault(_zone[h]) - (from >= 0 && _zone[from] == _zone[h] ? 1 : 0);
            if (n + 1 > mz)
            {
                return false;
            }
        }
        if (comp.MaxPerRack is { } mr)
        {
            var n = _rackCount[c].GetValueOrDefault(_rack[h]) - (from >= 0 && _rack[from] == _rack[h] ? 1 : 0);
            if (n + 1 > mr)
            {
                return false;
            }
        }
        return true;
    }

    private int BestHost(int c, int exclude, int preferRack)
    {
        var best = -1;
        var bestKey = (double.PositiveInfinity, double.PositiveInfinity);
        for (var h = 0; h < _nh; h++)
        {
            if (h == exclude || !IsOpen(h) || !Fits(c, h) || !SpreadOk(c, h, -1))
            {
                continue;
            }
            var key = (preferRack >= 0 && _rack[h] == preferRack ? 0.0 : 1.0, PeakIncrease(h, Dem(c)) * 1000 + RoomFor(c, h));
            if (key.CompareTo(bestKey) < 0)
            {
                best = h;
                bestKey = key;
            }
        }
        return best;
    }

    public void Place(int c, int k, int h)
    {
        _assign[c][k] = h;
        _items[h].Add((c, k));
        Inc(_rackCount[c], _rack[h], 1);
        Inc(_zoneCount[c], _zone[h], 1);
        for (var i = 0; i < _ns * _nr; i++)
        {
            _load[h * _ns * _nr + i] += _dem[c * _ns * _nr + i];
        }
    }

    public void Remove(int c, int k)
    {
        var h = _assign[c][k];
        _assign[c][k] = -1;
        _items[h].Remove((c, k));
        Inc(_rackCount[c], _rack[h], -1);
        Inc(_zoneCount[c], _zone[h], -1);
        for (var i = 0; i < _ns * _nr; i++)
        {
            _load[h * _ns * _nr + i] -= _dem[c * _ns * _nr + i];
        }
    }

    private static void Inc(Dictionary<int, int> d, int key, int by)
    {
        var v = d.GetValueOrDefault(key) + by;
        if (v == 0)
        {
            d.Remove(key);
        }
        else
        {
            d[key] = v;
        }
    }

    // ---------------------------------------------------------------- communication

    private int Distance(int a, int b)
    {
        foreach (var r in _rackCount[a].Keys)
        {
            if (_rackCount[b].ContainsKey(r))
            {
                return 0;
            }
        }
        foreach (var z in _zoneCount[a].Keys)
        {
            if (_zoneCount[b].ContainsKey(z))
            {
                return 1;
            }
        }
        return 2;
    }

    /// <summary>Weighted communication of the edges touching <paramref name="c"/>.</summary>
    public double Comm(int c)
    {
        var sum = 0.0;
        foreach (var (peer, w) in _nb[c])
        {
            sum += w * Distance(c, peer);
        }
        return _o.CommunicationWeight * sum;
    }

    public double HostUtilisation(int h)
    {
        var u = 0.0;
        for (var i = 0; i < _ns * _nr; i++)
        {
            u += _load[h * _ns * _nr + i] / _cap[h * _nr + i % _nr];
        }
        return u / (_ns * _nr);
    }

    // ---------------------------------------------------------------- local search

    /// <summary>Empties hosts, emptiest first, while <paramref name="more"/> says there is time. Returns how many were closed.</summary>
    public int Improve(Func<bool> more)
    {
        var closed = 0;
        var failed = new HashSet<int>();
        while (more())
        {
            var open = Enumerable.Range(0, _nh).Where(h => IsOpen(h) && !failed.Contains(h)).OrderBy(HostUtilisation).ToList();
            if (open.Count == 0)
            {
                break;
            }
            var progress = false;
            foreach (var h in open)
            {
                if (!more())
                {
                    break;
                }
                if (TryEmpty(h))
                {
                    closed++;
                    progress = true;
                    failed.Clear();
                    break;
                }
                failed.Add(h);
            }
            if (!progress)
            {
                break;
            }
        }
        return closed;
    }

    /// <summary>
    /// Ruin and recreate until <paramref name="more"/> says stop: take every replica off a few hosts (the emptiest
    /// and random others among the emptier half), put them back largest first where they raise a host's peak least
    /// (reopening those hosts only when nothing else fits), and keep the result when fewer hosts are open and the
    /// objective dropped. Returns the hosts closed.
    /// </summary>
    public int RuinAndRecreate(Func<bool> more, Random rng)
    {
        var closed = 0;
        var attempts = 0;
        while (more())
        {
            var open = Enumerable.Range(0, _nh).Where(IsOpen).OrderBy(HostUtilisation).ToList();
            if (open.Count < 3)
            {
                break;
            }
            for (var round = 0; round < 50 && more(); round++)
            {
                attempts++;
                var m = 2 + rng.Next(5);
                var pool = Math.Min(open.Count, Math.Max(m * 4, open.Count / 2));
                var ruined = new HashSet<int> { open[rng.Next(Math.Min(pool, 8))] };
                while (ruined.Count < Math.Min(m, open.Count))
                {
                    ruined.Add(open[rng.Next(pool)]);
                }
                if (TryRecreate(ruined))
                {
                    closed++;
                    break; // utilisations changed: re-sort
                }
            }
        }
        Attempts += attempts;
        return closed;
    }

    /// <summary>Sideways moves kept (same hosts, load more concentrated).</summary>
    public int Sideways { get; private set; }

    /// <summary>Σ over open hosts of the squared mean utilisation: higher when load sits on fewer hosts.</summary>
    private double Concentration()
    {
        var sum = 0.0;
        for (var h = 0; h < _nh; h++)
        {
            if (_items[h].Count > 0)
            {
                var u = HostUtilisation(h);
                sum += u * u;
            }
        }
        return sum;
    }

    /// <summary>Ruin-and-recreate attempts made so far.</summary>
    public int Attempts { get; private set; }

    private bool TryRecreate(HashSet<int> ruined)
    {
        var items = ruined.SelectMany(h => _items[h]).OrderByDescending(x => Size(x.C)).ToList();
        var comps = items.Select(x => x.C).Distinct().ToArray();
        var before = comps.Sum(Comm) + ruined.Sum(h => _hostCost[h]);
        var concentration = Concentration();
        var from = items.Select(x => _assign[x.C][x.K]).ToArray();
        foreach (var (c, k) in items)
        {
            Remove(c, k);
        }
        var ok = true;
        foreach (var (c, k) in items)
        {
            var target = BestTarget(c, -1);
            if (target < 0)
            {
                // Reopen one of the ruined hosts (the first that takes it).
                foreach (var h in ruined)
                {
                    if (!IsOpen(h) && Fits(c, h) && SpreadOk(c, h, -1))
                    {
                        target = h;
                        break;
                    }
                }
            }
            if (target < 0)
            {
                ok = false;
                break;
            }
            Place(c, k, target);
        }
        if (ok)
        {
            var after = comps.Sum(Comm) + ruined.Where(IsOpen).Sum(h => _hostCost[h]);
            if (after < before - 1e-9 && ruined.Any(h => !IsOpen(h)))
            {
                return true;
            }
            // Sideways: as many hosts, objective no worse, load more concentrated (emptier hosts become easier to close).
            if (after <= before + 1e-9 && Concentration() > concentration + 1e-6)
            {
                Sideways++;
                return false;
            }
        }
        // Undo: take back whatever was placed, restore the original hosts.
        foreach (var (c, k) in items)
        {
            if (_assign[c][k] >= 0)
            {
                Remove(c, k);
            }
        }
        for (var i = 0; i < items.Count; i++)
        {
            Place(items[i].C, items[i].K, from[i]);
        }
        return false;
    }

    /// <summary>Moves every replica off <paramref name="h"/> if they all find a place and the objective drops; else undoes.</summary>
    public bool TryEmpty(int h)
    {
        var moved = new List<(int C, int K, int From)>();
        var items = _items[h].OrderByDescending(x => Size(x.C)).ToList();
        var delta = -_hostCost[h];
        foreach (var (c, k) in items)
        {
            var before = Comm(c);
            Remove(c, k);
            var target = BestTarget(c, h);
            if (target < 0)
            {
                Place(c, k, h);
                Undo(moved);
                return false;
            }
            Place(c, k, target);
            moved.Add((c, k, h));
            delta += Comm(c) - before;
        }
        if (delta >= -1e-9)
        {
            Undo(moved);
            return false;
        }
        return true;
    }

    private void Undo(List<(int C, int K, int From)> moved)
    {
        for (var i = moved.Count - 1; i >= 0; i--)
        {
            var (c, k, from) = moved[i];
            Remove(c, k);
            Place(c, k, from);
        }
    }

    /// <summary>An open host other than <paramref name="exclude"/> for a replica of <paramref name="c"/>: close to its peers first, then tightest fit.</summary>
    private int BestTarget(int c, int exclude)
    {
        var best = -1;
        var bestKey = (double.PositiveInfinity, double.PositiveInfinity);
        for (var h = 0; h < _nh; h++)
        {
            if (h == exclude || !IsOpen(h) || !Fits(c, h) || !SpreadOk(c, h, -1))
            {
                continue;
            }
            // Communication if the replica goes there: cheap proxy, peers already in that rack.
            var near = 0.0;
            foreach (var (peer, w) in _nb[c])
            {
                if (!_rackCount[peer].ContainsKey(_rack[h]))
                {
                    near += w;
                }
            }
            var key = (near, PeakIncrease(h, Dem(c)) * 1000 + RoomFor(c, h));
            if (key.CompareTo(bestKey) < 0)
            {
                best = h;
                bestKey = key;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- access for the LP-guided construction

    /// <summary>Usable hosts in the order construction opens them (cheapest per unit of capacity, rack by rack).</summary>
    public IReadOnlyList<int> OpenOrder => _openOrder;

    /// <summary>The dependency edges of component <paramref name="c"/> (peer, calls/s).</summary>
    public IReadOnlyList<(int Peer, double Weight)> Neighbours(int c) => _nb[c];

    /// <summary>True when <paramref name="c"/> has a replica in rack <paramref name="rack"/>.</summary>
    public bool InRack(int c, int rack) => _rackCount[c].ContainsKey(rack);

    /// <summary>
    /// Places every replica not yet placed, largest first: on the open host that suits it best (peers' rack first, then
    /// the smallest rise of the host's peak), else on a new host. Returns why a replica found no host, or null.
    /// </summary>
    public string? PlaceRemaining()
    {
        var left = new List<(int C, int K)>();
        for (var c = 0; c < _nc; c++)
        {
            for (var k = 0; k < _assign[c].Length; k++)
            {
                if (_assign[c][k] < 0)
                {
                    left.Add((c, k));
                }
            }
        }
        foreach (var (c, k) in left.OrderByDescending(x => Size(x.C)).ThenBy(x => x.C).ThenBy(x => x.K))
        {
            var h = BestTarget(c, -1);
            if (h < 0)
            {
                h = OpenNew(x => Fits(c, x) && SpreadOk(c, x, -1));
            }
            if (h < 0)
            {
                return $"no host left for replica {k + 1} of {_p.Components[c].Id} (the heuristic ran out of hosts; the problem may still be feasible)";
            }
            Place(c, k, h);
        }
        return null;
    }

    // ---------------------------------------------------------------- communication swaps

    /// <summary>
    /// Swaps replicas of components with the same demand (every slot and resource) between hosts when that lowers
    /// communication + moves: no host's load changes, so no host opens, closes or overloads, and the spread limits are
    /// checked for both sides. Passes over every group of like components until a pass keeps no swap or
    /// <paramref name="more"/> says stop. Returns the swaps kept.
    /// </summary>
    public int SwapSameDemand(Func<bool> more)
    {
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var c = 0; c < _nc; c++)
        {
            if (_assign[c].Length == 0)
            {
                continue;
            }
            var key = string.Join(',', Dem(c).ToArray().Select(v => BitConverter.DoubleToInt64Bits(v)));
            if (!groups.TryGetValue(key, out var g))
            {
                groups[key] = g = [];
            }
            g.Add(c);
        }
        var hostIndex = PlanEvaluator.HostIndex(_p);
        var current = new HashSet<int>?[_nc];
        for (var c = 0; c < _nc; c++)
        {
            var cur = _p.Components[c].Current;
            if (cur.Count > 0)
            {
                current[c] = cur.Where(hostIndex.ContainsKey).Select(id => hostIndex[id]).ToHashSet();
            }
        }
        double Cost(int c)
        {
            var cost = Comm(c);
            if (current[c] is { } cur && _o.MoveWeight != 0)
            {
                var kept = _assign[c].Count(cur.Contains);
                cost += _o.MoveWeight * Math.Max(0, Math.Min(_p.Components[c].Current.Count, _assign[c].Length) - kept);
            }
            return cost;
        }
        var swaps = 0;
        var work = 0;
        // Per group of like components, its replicas by rack: a replica only trades with a like one in a rack where
        // its peers (or its current hosts) are, so a pass costs about replicas × peer racks × like replicas per rack.
        var groupOf = new int[_nc];
        var groupList = groups.Values.Where(g => g.Count > 1 && g.Any(c => _nb[c].Count > 0 || current[c] is not null)).ToList();
        Array.Fill(groupOf, -1);
        for (var g = 0; g < groupList.Count; g++)
        {
            foreach (var c in groupList[g])
            {
                groupOf[c] = g;
            }
        }
        var targets = new HashSet<int>();
        for (var pass = 0; pass < 20; pass++)
        {
            var byRack = groupList.Select(g =>
            {
                var d = new Dictionary<int, List<(int C, int K)>>();
                foreach (var c in g)
                {
                    for (var k = 0; k < _assign[c].Length; k++)
                    {
                        if (_assign[c][k] >= 0)
                        {
                            var r = _rack[_assign[c][k]];
                            if (!d.TryGetValue(r, out var list))
                            {
                                d[r] = list = [];
                            }
                            list.Add((c, k));
                        }
                    }
                }
                return d;
            }).ToList();
            var kept = 0;
            for (var c1 = 0; c1 < _nc; c1++)
            {
                if (groupOf[c1] < 0 || (_nb[c1].Count == 0 && current[c1] is null))
                {
                    continue;
                }
                targets.Clear();
                foreach (var (peer, _) in _nb[c1])
                {
                    targets.UnionWith(_rackCount[peer].Keys);
                }
                if (current[c1] is { } cur)
                {
                    targets.UnionWith(cur.Select(h => _rack[h]));
                }
                var racks = byRack[groupOf[c1]];
                for (var k1 = 0; k1 < _assign[c1].Length; k1++)
                {
                    foreach (var target in targets)
                    {
                        if (!racks.TryGetValue(target, out var there))
                        {
                            continue;
                        }
                        foreach (var (c2, k2) in there)
                        {
                            if (++work % 1024 == 0 && !more())
                            {
                                return swaps + kept;
                            }
                            int h1 = _assign[c1][k1], h2 = _assign[c2][k2];
                            if (c2 == c1 || h1 < 0 || h2 < 0 || _rack[h2] != target || _rack[h1] == target || !SpreadOk(c1, h2, h1) || !SpreadOk(c2, h1, h2))
                            {
                                continue;
                            }
                            var before = Cost(c1) + Cost(c2);
                            Swap(c1, k1, c2, k2);
                            if (Cost(c1) + Cost(c2) < before - 1e-9)
                            {
                                kept++;
                                break;
                            }
                            Swap(c1, k1, c2, k2);
                        }
                        if (_assign[c1][k1] >= 0 && _rack[_assign[c1][k1]] == target)
                        {
                            break; // this replica moved; the next one
                        }
                    }
                }
            }
            // Small groups (up to 48 replicas): every pair, which also finds swaps that only bring a replica into its
            // peers' zone, or that help the other side.
            foreach (var g in groupList)
            {
                var reps = g.SelectMany(c => Enumerable.Range(0, _assign[c].Length).Select(k => (C: c, K: k))).ToArray();
                if (reps.Length > 48)
                {
                    continue;
                }
                for (var i = 0; i < reps.Length; i++)
                {
                    for (var j = i + 1; j < reps.Length; j++)
                    {
                        var (c1, k1) = reps[i];
                        var (c2, k2) = reps[j];
                        if (++work % 1024 == 0 && !more())
                        {
                            return swaps + kept;
                        }
                        int h1 = _assign[c1][k1], h2 = _assign[c2][k2];
                        if (c1 == c2 || h1 < 0 || h2 < 0 || _rack[h1] == _rack[h2] || !SpreadOk(c1, h2, h1) || !SpreadOk(c2, h1, h2))
                        {
                            continue;
                        }
                        var before = Cost(c1) + Cost(c2);
                        Swap(c1, k1, c2, k2);
                        if (Cost(c1) + Cost(c2) < before - 1e-9)
                        {
                            kept++;
                        }
                        else
                        {
                            Swap(c1, k1, c2, k2);
                        }
                    }
                }
            }
            swaps += kept;
            if (kept == 0 || !more())
            {
                break;
            }
        }
        return swaps;
    }

    /// <summary>Exchanges the hosts of replica <paramref name="k1"/> of <paramref name="c1"/> and <paramref name="k2"/> of <paramref name="c2"/> (same demand: loads stay as they are).</summary>
    private void Swap(int c1, int k1, int c2, int k2)
    {
        int h1 = _assign[c1][k1], h2 = _assign[c2][k2];
        _assign[c1][k1] = h2;
        _assign[c2][k2] = h1;
        _items[h1][_items[h1].IndexOf((c1, k1))] = (c2, k2);
        _items[h2][_items[h2].IndexOf((c2, k2))] = (c1, k1);
        Inc(_rackCount[c1], _rack[h1], -1);
        Inc(_rackCount[c1], _rack[h2], 1);
        Inc(_zoneCount[c1], _zone[h1], -1);
        Inc(_zoneCount[c1], _zone[h2], 1);
        Inc(_rackCount[c2], _rack[h2], -1);
        Inc(_rackCount[c2], _rack[h1], 1);
        Inc(_zoneCount[c2], _zone[h2], -1);
        Inc(_zoneCount[c2], _zone[h1], 1);
    }

    // ---------------------------------------------------------------- access for the CP-SAT neighbourhood search

    public int HostCount => _nh;
    public int SlotCount => _ns;
    public int ResourceCount => _nr;
    public double Capacity(int h, int r) => _cap[h * _nr + r];
    public double Load(int h, int s, int r) => _load[(h * _ns + s) * _nr + r];
    public double Demand(int c, int s, int r) => _dem[(c * _ns + s) * _nr + r];
    public double HostCost(int h) => _hostCost[h];
    public int Rack(int h) => _rack[h];
    public int Zone(int h) => _zone[h];
    public IReadOnlyList<(int C, int K)> ItemsOn(int h) => _items[h];
    public int HostOf(int c, int k) => _assign[c][k];
    public int ZoneCount(int c, int zone) => _zoneCount[c].GetValueOrDefault(zone);
    public int RackCount(int c, int rack) => _rackCount[c].GetValueOrDefault(rack);
    public GlobalPlacementProblem Problem => _p;

    public Dictionary<string, IReadOnlyList<string>> Assignment()
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        for (var c = 0; c < _nc; c++)
        {
            result[_p.Components[c].Id] = _assign[c].Where(h => h >= 0).Select(h => _p.Hosts[h].Id).ToArray();
        }
        return result;
    }
}
