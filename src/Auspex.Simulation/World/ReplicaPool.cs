using Auspex.Core.Topology;

namespace Auspex.Simulation.World;

/// <summary>
/// One policy's replicas in the simulated world, like a Deployment or an auto-scaling group: it keeps the desired
/// count per tier by launching replicas (ready after the tier's lead time, paid from launch) and removing the newest
/// first; failed and preempted replicas disappear and are replaced on the next reconcile. Every replica has a limit in
/// workers (servers), <see cref="WorldOptions.WorkersPerReplica"/> unless a vertically sizing policy sets another with
/// <see cref="SetSize"/>: capacity and cost follow the limit, and a running replica's resize applies after
/// <see cref="WorldOptions.ResizeLeadTime"/>, charged at the larger limit meanwhile and serving as
/// <see cref="WorldOptions.ResizeServing"/> says (by default the smaller); a new ask while one is in flight follows
/// <see cref="WorldOptions.ResizeSemantics"/>.
/// </summary>
internal sealed class ReplicaPool
{
    private readonly WorldOptions _world;
    private readonly Random _random;
    private readonly List<Replica> _replicas = [];
    private readonly Dictionary<string, int> _desired = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tier> _tiers;
    private int _nextReplay;
    private double _size;

    public ReplicaPool(WorldOptions world, int seed)
    {
        _world = world;
        _random = new Random(seed);
        _tiers = world.Tiers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _size = world.WorkersPerReplica;
        foreach (var t in world.Tiers)
        {
            _desired[t.Name] = 0;
        }
    }

    private sealed class Replica(Tier tier, DateTimeOffset launchedAt, DateTimeOffset readyAt, double size)
    {
        public Tier Tier { get; } = tier;
        public DateTimeOffset LaunchedAt { get; } = launchedAt;
        public DateTimeOffset ReadyAt { get; } = readyAt;

        /// <summary>The limit in force (workers).</summary>
        public double Size { get; set; } = size;

        /// <summary>The limit asked for; equals <see cref="Size"/> unless a resize is in flight.</summary>
        public double NewSize { get; set; } = size;

        /// <summary>When a replica under a preemption notice terminates; null = no notice.</summary>
        public DateTimeOffset? TerminatesAt { get; set; }

        /// <summary>When <see cref="NewSize"/> applies.</summary>
        public DateTimeOffset ResizeAt { get; set; }

        public void Settle(DateTimeOffset now)
        {
            if (NewSize != Size && ResizeAt <= now)
            {
                Size = NewSize;
            }
        }

        /// <summary>Whether a resize is in flight now (asked, not landed).</summary>
        public bool InFlight(DateTimeOffset now) => NewSize != Size && ResizeAt > now;

        /// <summary>Workers serving now: while a resize is in flight, the smaller limit, or with <paramref name="inForce"/> the limit in force.</summary>
        public double Serving(DateTimeOffset now, bool inForce) => !InFlight(now) ? NewSize : inForce ? Size : Math.Min(Size, NewSize);

        /// <summary>Workers charged now: the larger limit while a resize is in flight.</summary>
        public double Charged(DateTimeOffset now) => !InFlight(now) ? NewSize : Math.Max(Size, NewSize);
    }

    /// <summary>The per-replica limit (workers) asked for; new replicas launch with it.</summary>
    public double Size => _size;

    /// <summary>
    /// Sets every replica's limit to <paramref name="workers"/> (fractional: a CPU limit is set in millicores, and the
    /// queue's servers are the floor of the ready replicas' summed limits; clamped to the world's
    /// <see cref="WorldOptions.MinWorkersPerReplica"/>..<see cref="WorldOptions.WorkersPerReplica"/>). Replicas not yet
    /// ready take it at once (their spec changes before they start); ready ones after the resize lead time, charged at
    /// the larger of the two limits until then and serving the smaller (or, with <see cref="ResizeServing.InForce"/>,
    /// the limit in force). A resize asked while another is in flight starts from the limit in force: with
    /// <see cref="ResizeSemantics.Restart"/> it lands a full lead after this ask; with
    /// <see cref="ResizeSemantics.LatestSpec"/> it replaces the pending one's target and lands at its time. Either way an
    /// ask equal to the limit in force cancels the pending resize. Returns whether the size asked for changed.
    /// </summary>
    public bool SetSize(double workers, DateTimeOffset now)
    {
        if (!double.IsFinite(workers))
        {
            throw new ArgumentOutOfRangeException(nameof(workers), workers, "the per-replica limit must be finite");
        }
        workers = Math.Clamp(workers, _world.MinWorkersPerReplica, _world.WorkersPerReplica);
        if (workers == _size)
        {
            return false;
        }
        _size = workers;
        foreach (var r in _replicas)
        {
            r.Settle(now);
            if (r.ReadyAt > now)
            {
                r.Size = r.NewSize = workers;
            }
            else if (r.NewSize != workers)
            {
                // Kubelet-like: the actuation already coming applies the newest spec at its own time.
                var keepTime = _world.ResizeSemantics == ResizeSemantics.LatestSpec && r.NewSize != r.Size;
                r.NewSize = workers;
                if (!keepTime)
                {
                    r.ResizeAt = now + _world.ResizeLeadTime;
                }
            }
        }
        return true;
    }

    /// <summary>Resizes in flight now (ready replicas whose new limit has not applied yet).</summary>
    public int ResizesInFlight(DateTimeOffset now) => _replicas.Count(r => r.ReadyAt <= now && r.InFlight(now));

    /// <summary>Provisioned worker-hours paid (replica-hours × limit ÷ the default limit = default-size replica-hours).</summary>
    public double SizedReplicaHours { get; private set; }

    public int Preemptions { get; private set; }

    public int Failures { get; private set; }

    public double Cost { get; private set; }

    /// <summary>The part of <see cref="Cost"/> that is the per-replica overhead (<see cref="WorldOptions.ReplicaOverhead"/>).</summary>
    public double OverheadCost { get; private set; }

    public double ReplicaHours { get; private set; }

    public IReadOnlyDictionary<string, int> Desired => _desired;

    public int DesiredTotal => _desired.Values.Sum();

    public Dictionary<string, int> Ready(DateTimeOffset now) => Count(r => r.ReadyAt <= now);

    public Dictionary<string, int> Pending(DateTimeOffset now) => Count(r => r.ReadyAt > now);

    /// <summary>Ready replicas under a preemption notice (still serving, gone when the notice runs out).</summary>
    public int Terminating(DateTimeOffset now) => _replicas.Count(r => r.TerminatesAt is not null && r.ReadyAt <= now);

    /// <summary>Zeroes the counters (cost, failures, preemptions) at the end of the warm-up.</summary>
    public void ResetMeasures()
    {
        Preemptions = 0;
        Failures = 0;
        Cost = 0;
        OverheadCost = 0;
        ReplicaHours = 0;
        SizedReplicaHours = 0;
    }

    /// <summary>Servers (concurrent requests) the ready replicas offer.</summary>
    public int Servers(DateTimeOffset now)
    {
        var s = 0.0;
        var inForce = _world.ResizeServing == ResizeServing.InForce;
        foreach (var r in _replicas)
        {
            if (r.ReadyAt <= now)
            {
                s += r.Serving(now, inForce) * r.Tier.PerformanceFactor;
            }
        }
        return (int)Math.Floor(s + 1e-9);
    }

    /// <summary>
    /// Applies failures and preemptions over (<paramref name="from"/>, <paramref name="to"/>]; replayed failures are
    /// offsets from <paramref name="origin"/>. With a <see cref="WorldOptions.PreemptionNotice"/>, a preemption drawn
    /// now puts the replica under notice (it serves until <paramref name="to"/> + the notice, then goes and counts as
    /// preempted); replicas under notice draw nothing more.
    /// </summary>
    public void Disrupt(DateTimeOffset origin, DateTimeOffset from, DateTimeOffset to)
    {
        var hours = (to - from).TotalHours;
        var pFail = 1 - Math.Exp(-_world.FailureRatePerHour * hours);
        for (var i = _replicas.Count - 1; i >= 0; i--)
        {
            var r = _replicas[i];
            if (r.TerminatesAt is { } end)
            {
                if (end <= to)
                {
                    _replicas.RemoveAt(i);
                    Preemptions++;
                }
                continue;
            }
            if (r.ReadyAt > to)
            {
                continue;
            }
            var pPreempt = r.Tier.PreemptionProbabilityPerHour <= 0 ? 0 : 1 - Math.Pow(1 - r.Tier.PreemptionProbabilityPerHour, hours);
            var u = _random.NextDouble();
            if (u < pPreempt)
            {
                if (_world.PreemptionNotice > TimeSpan.Zero)
                {
                    r.TerminatesAt = to + _world.PreemptionNotice;
                }
                else
                {
                    _replicas.RemoveAt(i);
                    Preemptions++;
                }
            }
            else if (u < pPreempt + pFail)
            {
                _replicas.RemoveAt(i);
                Failures++;
            }
        }
        var replay = _world.ReplayedFailures;
        while (_nextReplay < replay.Count && origin + replay[_nextReplay] <= to)
        {
            if (origin + replay[_nextReplay] > from)
            {
                var ready = _replicas.Select((r, i) => (r, i)).Where(x => x.r.ReadyAt <= to).ToList();
                if (ready.Count > 0)
                {
                    _replicas.RemoveAt(ready[_random.Next(ready.Count)].i);
                    Failures++;
                }
            }
            _nextReplay++;
        }
    }

    /// <summary>Sets the desired count of each tier named (others unchanged); unknown tiers are ignored.</summary>
    public bool SetDesired(IReadOnlyDictionary<string, int> desired)
    {
        var changed = false;
        foreach (var (tier, n) in desired)
        {
            if (_desired.TryGetValue(tier, out var old) && old != Math.Max(0, n))
            {
                _desired[tier] = Math.Max(0, n);
                changed = true;
            }
        }
        return changed;
    }

    /// <summary>
    /// Launches or removes replicas so each tier matches its desired count; <paramref name="instant"/> makes launches
    /// ready at once (the run's initial state). Removal cancels pending launches first; ready replicas are removed only
    /// while the ready total stays at or above the desired total (maxUnavailable = 0), so moving replicas between
    /// tiers never dips capacity: the old ones go once their replacements are ready.
    /// </summary>
    public void Reconcile(DateTimeOffset now, bool instant = false)
    {
        foreach (var (name, want) in _desired)
        {
            var tier = _tiers[name];
            // Replicas under a preemption notice are already on their way out: their replacements launch now.
            var have = _replicas.Count(r => r.Tier.Name == name && r.TerminatesAt is null);
            for (var i = have; i < want; i++)
            {
                _replicas.Add(new Replica(tier, now, instant ? now : now + tier.ProvisioningLeadTime, _size));
            }
        }
        var desiredTotal = DesiredTotal;
        foreach (var (name, want) in _desired)
        {
            var mine = _replicas.Where(r => r.Tier.Name == name && r.TerminatesAt is null).ToList();
            var excess = mine.Count - want;
            foreach (var v in mine.Where(r => r.ReadyAt > now).OrderByDescending(r => r.LaunchedAt).Take(Math.Max(0, excess)).ToList())
            {
                _replicas.Remove(v);
                excess--;
            }
            if (excess <= 0)
            {
                continue;
            }
            var readyTotal = _replicas.Count(r => r.ReadyAt <= now && r.TerminatesAt is null);
            var removable = Math.Min(excess, Math.Max(0, readyTotal - desiredTotal));
            foreach (var v in mine.Where(r => r.ReadyAt <= now).OrderByDescending(r => r.LaunchedAt).Take(removable).ToList())
            {
                _replicas.Remove(v);
            }
        }
    }

    /// <summary>
    /// Charges every launched replica for the interval starting at <paramref name="now"/>: tier price × (its charged
    /// limit ÷ the default limit + <see cref="WorldOptions.ReplicaOverhead"/>) (a default-size replica pays the tier's
    /// price, plus the overhead's fraction of it).
    /// </summary>
    public void Charge(DateTimeOffset now, TimeSpan interval)
    {
        var hours = interval.TotalHours;
        var full = (double)_world.WorkersPerReplica;
        foreach (var r in _replicas)
        {
            var share = r.Charged(now) / full;
            var overhead = r.Tier.PricePerHour * _world.ReplicaOverhead * hours;
            Cost += r.Tier.PricePerHour * share * hours + overhead;
            OverheadCost += overhead;
            ReplicaHours += hours;
            SizedReplicaHours += share * hours;
        }
    }

    private Dictionary<string, int> Count(Func<Replica, bool> predicate)
    {
        var d = _world.Tiers.ToDictionary(t => t.Name, _ => 0, StringComparer.Ordinal);
        foreach (var r in _replicas)
        {
            if (predicate(r))
            {
                d[r.Tier.Name]++;
            }
        }
        return d;
    }
}
