using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Engine.Loop;
using Auspex.Scoring;
using Auspex.Simulation.Shadow;
using Auspex.Simulation.WhatIf;
using Auspex.Storage;

namespace Auspex.Engine.Services;

/// <summary>
/// The shadow infrastructure of the running loop and the what-if service: after every tick the shadow is rebuilt from
/// the loop's latest forecasts and scores beside the latest live samples, alert thresholds are evaluated on it and the
/// pre-provisioning queue is updated on the loop's clock. HTTP and CLI call this.
/// </summary>
public sealed class ShadowService
{
    private readonly EmbeddedStore _store;
    private readonly ControlLoop _loop;
    private readonly TopologyHolder _topology;
    private readonly ShadowOptions _options;
    private readonly ProvisioningQueue _queue;
    private readonly LocalityScorer _scorer = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ShadowSnapshot? _snapshot;

    /// <summary>Creates the service and subscribes to the loop's ticks.</summary>
    public ShadowService(EmbeddedStore store, ControlLoop loop, TopologyHolder topology, ShadowOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(topology);
        _store = store;
        _loop = loop;
        _topology = topology;
        _options = options ?? new ShadowOptions();
        var problems = _options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("shadow options: " + string.Join("; ", problems), nameof(options));
        }
        _queue = new ProvisioningQueue(loop.Clock, _options);
        loop.Ticked += report => _ = RefreshQuietlyAsync();
    }

    /// <summary>The options in force.</summary>
    public ShadowOptions Options => _options;

    /// <summary>Why the last rebuild after a tick failed, or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>The shadow as of the loop's latest tick (rebuilt if the loop ticked since), or null before the first tick.</summary>
    public async Task<ShadowSnapshot?> CurrentAsync(CancellationToken ct = default)
    {
        var latest = _loop.Latest;
        if (latest is null)
        {
            return null;
        }
        var snap = Volatile.Read(ref _snapshot);
        if (snap is null || snap.At != latest.At)
        {
            snap = await RefreshAsync(latest, ct).ConfigureAwait(false);
        }
        return snap with { Queue = _queue.Items };
    }

    /// <summary>Plays a what-if on the loop's latest state; null result and no errors before the first tick.</summary>
    public async Task<(WhatIfResult? Result, IReadOnlyList<string> Errors)> WhatIfAsync(WhatIfScenario scenario, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (_loop.Latest is not { } latest)
        {
            return (null, []);
        }
        var live = await LiveAsync(latest.At, ct).ConfigureAwait(false);
        return WhatIfEngine.Evaluate(latest.Topology, latest.Forecasts, live, latest.At, scenario, _options, _scorer);
    }

    private async Task RefreshQuietlyAsync()
    {
        try
        {
            if (_loop.Latest is { } latest)
            {
                await RefreshAsync(latest, CancellationToken.None).ConfigureAwait(false);
            }
            LastError = null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Reported through LastError; the next tick tries again.
            LastError = e.GetType().Name + ": " + e.Message;
        }
    }

    private async Task<ShadowSnapshot> RefreshAsync(LoopResults latest, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _snapshot) is { } s && s.At == latest.At)
            {
                return s;
            }
            var live = await LiveAsync(latest.At, ct).ConfigureAwait(false);
            var snap = ShadowBuilder.Build(latest.Topology, latest.Forecasts, live, latest.Scores, latest.At, _options);
            _queue.Update(_topology.Current, snap.Nodes, snap.Alerts);
            Volatile.Write(ref _snapshot, snap);
            return snap;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The latest sample of every host resource series within the last few loop intervals.</summary>
    private async Task<LiveValues> LiveAsync(DateTimeOffset now, CancellationToken ct)
    {
        var window = TimeSpan.FromTicks(Math.Max(_loop.Options.Interval.Ticks * 3, TimeSpan.FromMinutes(15).Ticks));
        var data = await _store.Series.ReadAsync(_loop.Tenant,
            [new LabelMatcher("__name__", LabelMatchType.Regex, "auspex_host_.*"), new LabelMatcher("host", LabelMatchType.NotEqual, "")],
            new TimeRange(now - window, now + TimeSpan.FromTicks(1)), Resolution.Raw, ct).ConfigureAwait(false);
        var live = new LiveValues();
        foreach (var s in data)
        {
            if (s.Samples.Count > 0 && s.Key.Labels["host"] is { } host && ResourceKinds.TryFromMetric(s.Key.Metric, out var kind))
            {
                live.Set(host, kind, s.Samples[^1].Value);
            }
        }
        return live;
    }
}
