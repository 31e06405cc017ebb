using Auspex.Core.Topology;

namespace Auspex.Simulation.World;

/// <summary>
/// One policy's replicas in the simulated world, like a Deployment or an auto-scaling group: it keeps the desired
/// count per tier by launching replicas (ready after the tier's lead time, paid from launch) and removing the newest
/// first; failed and preempted replicas disappear and are replaced on the next reconcile.
/// </summary>
internal sealed class ReplicaPool
{
    private readonly WorldOptions _world;
    private readonly Random _random;
    private readonly List<Replica> _replicas = [];
    private readonly Dictionary<string, int> _desired = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tier> _tiers;
    private int _nextReplay;

    public ReplicaPool(WorldOptions world, int seed)
    {
        _world = world;
        _random = new Random(seed);
        _tiers = world.Tiers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var t in world.Tiers)
        {
            _desired[t.Name] = 0;
        }
    }

    private sealed record Replica(Tier Tier, DateTimeOffset LaunchedAt, DateTimeOffset ReadyAt);

    public int Preemptions { get; private set; }

    public int Failures { get; private set; }

    public double Cost { get; private set; }

    public double ReplicaHours { get; private set; }

    public IReadOnlyDictionary<string, int> Desired => _desired;

    public int DesiredTotal => _desired.Values.Sum();

    public Dictionary<string, int> Ready(DateTimeOffset now) => Count(r => r.ReadyAt <= now);

    public Dictionary<string, int> Pending(DateTimeOffset now) => Count(r => r.ReadyAt > now);

    /// <summary>Servers (concurrent requests) the ready replicas offer.</summary>
    public int Servers(DateTimeOffset now)
    {
        var s = 0.0;
        foreach (var r in _replicas)
        {
            if (r.ReadyAt <= now)
            {
                s += _world.WorkersPerReplica * r.Tier.PerformanceFactor;
            }
        }
        return (int)Math.Floor(s + 1e-9);
    }

    /// <summary>Applies failures and preemptions over (<paramref name="from"/>, <paramref name="to"/>]; replayed failures are offsets from <paramref name="origin"/>.</summary>
    public void Disrupt(DateTimeOffset origin, DateTimeOffset from, DateTimeOffset to)
    {
        var hours = (to - from).TotalHours;
        var pFail = 1 - Math.Exp(-_world.FailureRatePerHour * hours);
        for (var i = _replicas.Count - 1; i >= 0; i--)
        {
            var r = _replicas[i];
            if (r.ReadyAt > to)
            {
                continue;
            }
            var pPreempt = r.Tier.PreemptionProbabilityPerHour <= 0 ? 0 : 1 - Math.Pow(1 - r.Tier.PreemptionProbabilityPerHour, hours);
            var u = _random.NextDouble();
            if (u < pPreempt)
            {
                _replicas.RemoveAt(i);
                Preemptions++;
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

    /// <summary>Launches or removes replicas so each tier matches its desired count.</summary>
    public void Reconcile(DateTimeOffset now)
    {
        foreach (var (name, want) in _desired)
        {
            var tier = _tiers[name];
            var have = _replicas.Count(r => r.Tier.Name == name);
            for (var i = have; i < want; i++)
            {
                _replicas.Add(new Replica(tier, now, now + tier.ProvisioningLeadTime));
            }
            var excess = have - want;
            if (excess <= 0)
            {
                continue;
            }
            // Remove pending replicas first (cancel launches), then the newest ready ones.
            var victims = _replicas.Where(r => r.Tier.Name == name).OrderByDescending(r => r.ReadyAt > now).ThenByDescending(r => r.LaunchedAt).Take(excess).ToList();
            foreach (var v in victims)
            {
                _replicas.Remove(v);
            }
        }
    }

    /// <summary>Charges every launched replica for the interval.</summary>
    public void Charge(TimeSpan interval)
    {
        var hours = interval.TotalHours;
        foreach (var r in _replicas)
        {
            Cost += r.Tier.PricePerHour * hours;
            ReplicaHours += hours;
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
