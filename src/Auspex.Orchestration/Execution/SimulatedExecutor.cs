using System.Globalization;

namespace Auspex.Orchestration.Execution;

/// <summary>The state of one node in the simulated cluster.</summary>
/// <param name="Name">Node name.</param>
/// <param name="Unschedulable">True when cordoned.</param>
/// <param name="Labels">Labels.</param>
/// <param name="Taints">Taints as <c>key=value:Effect</c>.</param>
public sealed record SimulatedNode(string Name, bool Unschedulable, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> Taints);

/// <summary>
/// The embedded default executor: an in-memory cluster of workloads (replicas per component and tier), tier pools,
/// nodes (cordon, labels, taints), preferred affinities and replica placements. It applies every step kind with the
/// same idempotence and undo semantics as the real executors, so the demo, the simulator and the plan runner's tests
/// exercise the real control flow. Thread-safe.
/// </summary>
public sealed class SimulatedExecutor : IExecutor
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Component, string Tier), int> _replicas = [];
    private readonly Dictionary<string, int> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<AffinityTerm>> _affinity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _placement = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Component, string Host), double> _traffic = [];
    private int _changes;

    private sealed class Node
    {
        public bool Unschedulable { get; set; }
        public Dictionary<string, string> Labels { get; } = new(StringComparer.Ordinal);
        public List<string> Taints { get; } = [];
    }

    /// <inheritdoc />
    public string Name => "simulated";

    /// <summary>Changes applied so far (not counting dry runs or steps already in state).</summary>
    public int Changes
    {
        get
        {
            lock (_gate)
            {
                return _changes;
            }
        }
    }

    /// <summary>Adds a node (or resets nothing when it exists).</summary>
    public void AddNode(string name)
    {
        lock (_gate)
        {
            _nodes.TryAdd(name, new Node());
        }
    }

    /// <summary>Sets the replicas of a component on a tier without counting a change (initial state).</summary>
    public void Seed(string component, string tier, int replicas)
    {
        lock (_gate)
        {
            _replicas[(component, tier)] = replicas;
        }
    }

    /// <summary>Places replicas of a component on hosts without counting a change (initial state).</summary>
    public void SeedPlacement(string component, IEnumerable<string> hosts)
    {
        lock (_gate)
        {
            _placement[component] = [.. hosts];
        }
    }

    /// <summary>Replicas of a component on a tier.</summary>
    public int Replicas(string component, string tier)
    {
        lock (_gate)
        {
            return _replicas.GetValueOrDefault((component, tier));
        }
    }

    /// <summary>Replicas of a component per tier (tiers with zero omitted).</summary>
    public IReadOnlyDictionary<string, int> ReplicasByTier(string component)
    {
        lock (_gate)
        {
            return _replicas.Where(kv => kv.Key.Component == component && kv.Value > 0).ToDictionary(kv => kv.Key.Tier, kv => kv.Value, StringComparer.Ordinal);
        }
    }

    /// <summary>Units of a tier's pool.</summary>
    public int PoolSize(string tier)
    {
        lock (_gate)
        {
            return _pools.GetValueOrDefault(tier);
        }
    }

    /// <summary>A node's state, or null.</summary>
    public SimulatedNode? GetNode(string name)
    {
        lock (_gate)
        {
            return _nodes.TryGetValue(name, out var n)
                ? new SimulatedNode(name, n.Unschedulable, new Dictionary<string, string>(n.Labels, StringComparer.Ordinal), [.. n.Taints])
                : null;
        }
    }

    /// <summary>The hosts of a component's replicas.</summary>
    public IReadOnlyList<string> Placement(string component)
    {
        lock (_gate)
        {
            return _placement.TryGetValue(component, out var l) ? [.. l] : [];
        }
    }

    /// <summary>The traffic share (percent) set for a component's replica on a host, or null when never set.</summary>
    public double? Traffic(string component, string host)
    {
        lock (_gate)
        {
            return _traffic.TryGetValue((component, host), out var v) ? v : null;
        }
    }

    /// <summary>A component's preferred affinity terms.</summary>
    public IReadOnlyList<AffinityTerm> Affinity(string component)
    {
        lock (_gate)
        {
            return _affinity.GetValueOrDefault(component) ?? [];
        }
    }

    /// <inheritdoc />
    public Task<StepResult> ExecuteAsync(ExecutionStep step, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(Apply(step, dryRun));
        }
    }

    private StepResult Apply(ExecutionStep step, bool dryRun)
    {
        switch (step)
        {
            case ScaleStep s:
            {
                if (s.Replicas < 0)
                {
                    return new(StepStatus.Failed, $"{s.Describe()}: replicas must be ≥ 0");
                }
                var now = _replicas.GetValueOrDefault((s.Component, s.Tier));
                return Change(step, dryRun, now == s.Replicas, $"{s.Component}{At(s.Tier)} {now} → {s.Replicas} replicas",
                    () => _replicas[(s.Component, s.Tier)] = s.Replicas, s with { Replicas = now });
            }
            case PoolSizeStep p:
            {
                if (p.Units < 0)
                {
                    return new(StepStatus.Failed, $"{p.Describe()}: units must be ≥ 0");
                }
                var now = _pools.GetValueOrDefault(p.Tier);
                return Change(step, dryRun, now == p.Units, $"pool {p.Tier} {now} → {p.Units} units", () => _pools[p.Tier] = p.Units, p with { Units = now });
            }
            case CordonStep c:
            {
                if (!_nodes.TryGetValue(c.Node, out var n))
                {
                    return new(StepStatus.Failed, $"{c.Describe()}: node {c.Node} not found");
                }
                return Change(step, dryRun, n.Unschedulable == c.Unschedulable, c.Describe(), () => n.Unschedulable = c.Unschedulable, c with { Unschedulable = n.Unschedulable });
            }
            case DrainStep d:
            {
                if (!_nodes.TryGetValue(d.Node, out var n))
                {
                    return new(StepStatus.Failed, $"{d.Describe()}: node {d.Node} not found");
                }
                var hosted = _placement.Where(kv => kv.Value.Contains(d.Node)).Select(kv => kv.Key).ToList();
                var wasCordoned = n.Unschedulable;
                return Change(step, dryRun, n.Unschedulable && hosted.Count == 0, $"drain {d.Node}: evict replicas of {(hosted.Count == 0 ? "nothing" : string.Join(", ", hosted))}", () =>
                {
                    n.Unschedulable = true;
                    foreach (var c in hosted)
                    {
                        _placement[c].RemoveAll(h => h == d.Node);
                    }
                }, wasCordoned ? null : new CordonStep(d.Node, false));
            }
            case LabelStep l:
            {
                if (!_nodes.TryGetValue(l.Node, out var n))
                {
                    return new(StepStatus.Failed, $"{l.Describe()}: node {l.Node} not found");
                }
                var had = n.Labels.TryGetValue(l.Key, out var old) ? old : null;
                return Change(step, dryRun, had == l.Value, l.Describe(), () =>
                {
                    if (l.Value is null)
                    {
                        n.Labels.Remove(l.Key);
                    }
                    else
                    {
                        n.Labels[l.Key] = l.Value;
                    }
                }, l with { Value = had });
            }
            case TaintStep t:
            {
                if (!_nodes.TryGetValue(t.Node, out var n))
                {
                    return new(StepStatus.Failed, $"{t.Describe()}: node {t.Node} not found");
                }
                var text = $"{t.Key}={t.Value}:{t.Effect}";
                var existing = n.Taints.FirstOrDefault(x => x.StartsWith(t.Key + "=", StringComparison.Ordinal) && x.EndsWith(":" + t.Effect, StringComparison.Ordinal));
                var inState = t.Present ? existing == text : existing is null;
                ExecutionStep undo = existing is null
                    ? t with { Present = false }
                    : t with { Value = existing[(t.Key.Length + 1)..existing.LastIndexOf(':')], Present = true };
                return Change(step, dryRun, inState, t.Describe(), () =>
                {
                    n.Taints.RemoveAll(x => x.StartsWith(t.Key + "=", StringComparison.Ordinal) && x.EndsWith(":" + t.Effect, StringComparison.Ordinal));
                    if (t.Present)
                    {
                        n.Taints.Add(text);
                    }
                }, undo);
            }
            case AffinityStep a:
            {
                var old = _affinity.GetValueOrDefault(a.Component) ?? [];
                var same = old.Count == a.Terms.Count && old.Zip(a.Terms).All(x => x.First.Key == x.Second.Key && x.First.Weight == x.Second.Weight && x.First.Values.SequenceEqual(x.Second.Values));
                return Change(step, dryRun, same, a.Describe(), () => _affinity[a.Component] = [.. a.Terms], a with { Terms = old });
            }
            case MoveStep m:
            {
                var hosts = _placement.GetValueOrDefault(m.Component);
                if (hosts is null || (!hosts.Contains(m.From) && !hosts.Contains(m.To)))
                {
                    return new(StepStatus.Failed, $"{m.Describe()}: no replica of {m.Component} on {m.From}");
                }
                if (_nodes.TryGetValue(m.To, out var dest) && dest.Unschedulable)
                {
                    return new(StepStatus.Failed, $"{m.Describe()}: {m.To} is cordoned");
                }
                // Idempotent: a replica already on the destination and none left to move on the source means done.
                var done = !hosts.Contains(m.From) && hosts.Contains(m.To);
                return Change(step, dryRun, done, m.Describe(), () =>
                {
                    hosts.Remove(m.From);
                    hosts.Add(m.To);
                }, new MoveStep(m.Component, m.To, m.From));
            }
            case ReplicaStep rs:
            {
                if (_nodes.Count > 0 && !_nodes.ContainsKey(rs.Host))
                {
                    return new(StepStatus.Failed, $"{rs.Describe()}: node {rs.Host} not found");
                }
                if (rs.Present && _nodes.TryGetValue(rs.Host, out var dest) && dest.Unschedulable)
                {
                    return new(StepStatus.Failed, $"{rs.Describe()}: {rs.Host} is cordoned");
                }
                if (!_placement.TryGetValue(rs.Component, out var hosts))
                {
                    _placement[rs.Component] = hosts = [];
                }
                var has = hosts.Contains(rs.Host);
                return Change(step, dryRun, has == rs.Present, rs.Describe(), () =>
                {
                    if (rs.Present)
                    {
                        hosts.Add(rs.Host);
                    }
                    else
                    {
                        hosts.Remove(rs.Host);
                    }
                }, rs with { Present = has });
            }
            case TrafficStep ts:
            {
                if (!double.IsFinite(ts.Percent) || ts.Percent is < 0 or > 100)
                {
                    return new(StepStatus.Failed, $"{ts.Describe()}: percent must be in [0, 100]");
                }
                var known = _traffic.TryGetValue((ts.Component, ts.Host), out var old);
                ExecutionStep undo = ts with { Percent = known ? old : 0 };
                return Change(step, dryRun, known && old == ts.Percent, ts.Describe(), () => _traffic[(ts.Component, ts.Host)] = ts.Percent, undo);
            }
            default:
                return new(StepStatus.Unsupported, $"the simulated executor cannot run {step.GetType().Name}");
        }
    }

    private static string At(string tier) => tier.Length == 0 ? "" : " on " + tier;

    private StepResult Change(ExecutionStep step, bool dryRun, bool inState, string what, Action apply, ExecutionStep? undo)
    {
        if (inState)
        {
            return new(StepStatus.AlreadyInState, string.Create(CultureInfo.InvariantCulture, $"{step.Target}: already in state ({step.Describe()})"));
        }
        if (dryRun)
        {
            return new(StepStatus.DryRun, "would " + what, undo);
        }
        apply();
        _changes++;
        return new(StepStatus.Applied, what, undo);
    }
}
