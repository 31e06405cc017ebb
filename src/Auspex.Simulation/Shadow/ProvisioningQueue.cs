using Auspex.Core.Topology;

namespace Auspex.Simulation.Shadow;

/// <summary>State of a pre-provisioning item.</summary>
public enum ProvisioningState
{
    /// <summary>Asked for; not started.</summary>
    Queued,
    /// <summary>Being provisioned; <see cref="ProvisioningItem.Progress"/> says how far.</summary>
    Provisioning,
    /// <summary>Capacity is ready.</summary>
    Ready,
    /// <summary>The prediction that asked for it cleared before it was ready.</summary>
    Cancelled,
}

/// <summary>Capacity queued for pre-provisioning because the shadow predicts a locality will run out.</summary>
/// <param name="Id">Stable id (<c>pp-N</c>).</param>
/// <param name="Locality">Where the capacity goes (the rack of the critical hosts, or the critical locality).</param>
/// <param name="Tier">The tier to provision from, or null.</param>
/// <param name="Resource">The resource predicted short.</param>
/// <param name="Units">Hosts to add (of the locality's typical capacity).</param>
/// <param name="Reason">Why, in words.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Progress">0–1: elapsed share of the tier's lead time (1 when ready).</param>
/// <param name="RequestedAt">When it was queued (loop clock).</param>
/// <param name="ReadyAt">When it is (or was) expected ready.</param>
public sealed record ProvisioningItem(
    string Id,
    string Locality,
    string? Tier,
    string Resource,
    int Units,
    string Reason,
    ProvisioningState State,
    double Progress,
    DateTimeOffset RequestedAt,
    DateTimeOffset ReadyAt);

/// <summary>
/// The pre-provisioning queue: critical shadow localities ask for capacity on their rack; an item provisions over its
/// tier's lead time on the given clock (queued → provisioning → ready), is cancelled when the prediction clears first,
/// and stays visible for <see cref="ShadowOptions.KeepFinished"/> afterwards. Thread-safe.
/// </summary>
public sealed class ProvisioningQueue(TimeProvider clock, ShadowOptions options)
{
    private readonly Lock _gate = new();
    private readonly List<ProvisioningItem> _items = [];
    private int _next;

    /// <summary>The items, oldest first, with state and progress as of now.</summary>
    public IReadOnlyList<ProvisioningItem> Items
    {
        get
        {
            lock (_gate)
            {
                Advance(clock.GetUtcNow());
                return _items.ToList();
            }
        }
    }

    /// <summary>Takes the latest critical alerts: queues capacity for new shortages and cancels items whose shortage cleared.</summary>
    public void Update(Topology topology, IReadOnlyList<ShadowNode> nodes, IReadOnlyList<ShadowAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(alerts);
        var now = clock.GetUtcNow();
        var byId = nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        // Shortage per target locality: critical hosts roll up to their rack; higher levels ask for themselves.
        var wants = new Dictionary<(string Locality, string Resource), (double Excess, double UnitCapacity, string? Tier, List<string> From)>();
        foreach (var a in alerts.Where(a => a.Severity == ShadowLevel.Critical))
        {
            if (!byId.TryGetValue(a.Locality, out var node) || !node.Capacity.TryGetValue(a.Resource, out var cap) || cap <= 0)
            {
                continue;
            }
            var target = a.Kind == "host" ? node.Parent ?? node.Id : node.Id;
            var predicted = node.Predicted.GetValueOrDefault(a.Resource);
            var excess = predicted - options.WarningUtilisation * cap;
            var hosts = topology.HostsUnder(target).ToList();
            var unit = hosts.Count > 0 && Auspex.Core.Resources.ResourceKinds.TryParse(a.Resource, out var kind) ? hosts.Average(h => h.Capacity[kind]) : cap;
            if (unit <= 0)
            {
                unit = cap;
            }
            var tier = hosts.Select(h => h.Tier).FirstOrDefault(t => t is not null);
            var key = (target, a.Resource);
            var cur = wants.TryGetValue(key, out var w) ? w : (0.0, unit, tier, new List<string>());
            if (a.Kind == "host" || !cur.Item4.Contains(a.Locality))
            {
                cur.Item1 += Math.Max(0, excess);
                cur.Item4.Add(a.Locality);
            }
            wants[key] = cur;
        }
        lock (_gate)
        {
            Advance(now);
            foreach (var ((loc, res), (excess, unit, tier, from)) in wants)
            {
                if (_items.Any(i => i.Locality == loc && i.Resource == res && i.State is ProvisioningState.Queued or ProvisioningState.Provisioning))
                {
                    continue;
                }
                var units = Math.Max(1, (int)Math.Ceiling(excess / (unit * options.WarningUtilisation)));
                var lead = (tier is not null ? topology.FindTier(tier)?.ProvisioningLeadTime : null) ?? options.DefaultLeadTime;
                _items.Add(new ProvisioningItem($"pp-{++_next}", loc, tier, res, units,
                    $"predicted {res} on {string.Join(", ", from)} at or above {options.CriticalUtilisation:P0} within the horizon",
                    ProvisioningState.Queued, 0, now, now + lead));
            }
            for (var i = 0; i < _items.Count; i++)
            {
                var it = _items[i];
                if (it.State is ProvisioningState.Queued or ProvisioningState.Provisioning && !wants.ContainsKey((it.Locality, it.Resource)))
                {
                    _items[i] = it with { State = ProvisioningState.Cancelled, ReadyAt = now };
                }
            }
        }
    }

    private void Advance(DateTimeOffset now)
    {
        for (var i = _items.Count - 1; i >= 0; i--)
        {
            var it = _items[i];
            if (it.State is ProvisioningState.Queued or ProvisioningState.Provisioning)
            {
                var lead = it.ReadyAt - it.RequestedAt;
                var progress = lead <= TimeSpan.Zero ? 1 : Math.Clamp((now - it.RequestedAt) / lead, 0, 1);
                _items[i] = progress >= 1 ? it with { State = ProvisioningState.Ready, Progress = 1 }
                    : it with { State = now > it.RequestedAt ? ProvisioningState.Provisioning : ProvisioningState.Queued, Progress = progress };
            }
            else if (now - it.ReadyAt > options.KeepFinished)
            {
                _items.RemoveAt(i);
            }
        }
    }
}
