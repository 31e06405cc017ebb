using System.Globalization;
using Auspex.Simulation.World;

namespace Auspex.Simulation.Policies;

/// <summary>
/// A policy that is handed the whole replayed load before the run (the future included). Only bounds implement it
/// (<see cref="OraclePolicy"/>); no deployable policy may. <see cref="Simulator"/> calls <see cref="SeeFuture"/> once,
/// before the first tick.
/// </summary>
public interface IClairvoyantPolicy : IScalingPolicy
{
    /// <summary>The model's request rate per trace interval over the whole run (<see cref="Simulator.Rates"/>), from <paramref name="start"/> in steps of <paramref name="step"/>.</summary>
    void SeeFuture(IReadOnlyList<double> rates, DateTimeOffset start, TimeSpan step);
}

/// <summary>Options of <see cref="OraclePolicy"/>.</summary>
public sealed record OracleOptions
{
    /// <summary>Index of the world's tier every replica runs on. Default 0 (the first tier, <c>on-demand</c>).</summary>
    public int Tier { get; init; }

    /// <summary>Size for a p99 of this fraction of the SLO (1 = exactly the SLO). Default 1.</summary>
    public double SloSafety { get; init; } = 1;

    /// <summary>
    /// Decreases of the limit only to the largest limit proposed over this window (what <c>auspex-vertical</c>'s
    /// <c>vstab</c> does), to measure what stabilisation costs with a perfect forecast. Default zero (none).
    /// </summary>
    public TimeSpan Stabilisation { get; init; }

    /// <summary>
    /// Replicas beyond the fewest that can hold the need at full size (at most one per server needed). Cost follows
    /// the limits, so a spare replica with the need shared over one more replica costs only its launch lead and adds
    /// no slack; it lets the others absorb a lost replica's share by an in-place resize (1 min) instead of waiting for
    /// a replacement (3 min). Default 0.
    /// </summary>
    public int Spare { get; init; }

    /// <summary>
    /// Survive the loss of any one replica without a violation (N+1): one replica more than the need holds at full
    /// size, and limits sized so the replicas less one cover the need (the failures of the world come without notice,
    /// so a clairvoyant about the load alone loses the share of a failed replica until a resize lands). Default false.
    /// </summary>
    public bool SurviveLoss { get; init; }

    /// <summary>
    /// Ask no new limit while a limit increase is in flight and size each limit for two resize leads less a tick (the
    /// rule for <see cref="ResizeSemantics.Restart"/>, where a new ask restarts the lead). False (session 10, key
    /// <c>hold=0</c>): ask every tick, each limit for one resize lead from now — enough under
    /// <see cref="ResizeSemantics.LatestSpec"/>, where the limit landing at any time is the one asked a tick before and
    /// holds until the next landing at most a lead later; under <c>Restart</c> rising asks would keep the old limit in
    /// force. Default true.
    /// </summary>
    public bool InFlightHold { get; init; } = true;

    /// <summary>Returns every problem with these options, or an empty list.</summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (Tier < 0)
        {
            e.Add($"tier index must be ≥ 0, got {Tier}");
        }
        if (!double.IsFinite(SloSafety) || SloSafety is <= 0 or > 1)
        {
            e.Add(string.Create(CultureInfo.InvariantCulture, $"SLO safety must be in (0, 1], got {SloSafety}"));
        }
        if (Spare is < 0 or > 100)
        {
            e.Add($"spare replicas must be in 0..100, got {Spare}");
        }
        if (Stabilisation < TimeSpan.Zero)
        {
            e.Add("stabilisation must not be negative");
        }
        return e;
    }
}

/// <summary>
/// <b>A bound, not a deployable policy.</b> An SLO-aware clairvoyant: it knows the replayed load of every future
/// interval (zero decision error about demand) and, at every tick, asks for the least capacity that keeps the p99 within
/// the SLO by the world's own queue formula (<see cref="QueueModel.ServersFor"/>, the inverse of the formula the
/// simulator measures with), under the world's physics:
/// <list type="bullet">
/// <item>the replica count is the most default-size replicas any tick of the next launch lead time needs, so a replica
/// launched now is ready when the load that needs it arrives (scale-in is immediate);</item>
/// <item>the per-replica limit (uniform, in [<see cref="WorldOptions.MinWorkersPerReplica"/>,
/// <see cref="WorldOptions.WorkersPerReplica"/>], the queue's servers being the floor of the summed limits) covers every
/// tick of the next two resize lead times: an increase serves only after the resize lead, and the pool restarts the
/// lead when a new limit is asked while one is in flight (<see cref="ResizeSemantics.Restart"/>), so the oracle asks
/// nothing while an increase is in flight and each limit it asks must hold until the next one can land (with
/// <see cref="OracleOptions.InFlightHold"/> off, for <see cref="ResizeSemantics.LatestSpec"/>: it asks every tick, each
/// limit for the next resize lead);</item>
/// <item>the replicas it counts on at a future tick are the ready ones not under a preemption notice, plus its own
/// launches ready by then, less any scale-in it will make before.</item>
/// </list>
/// It does not know the random failures and preemptions (it sees them as any policy does, when they happen). Its mean
/// slack is the lowest a policy meeting the SLO can reach in this world; the slack floor the benchmark prints (each
/// interval's fewest servers, no lead times) is the looser bound without the leads.
/// </summary>
public sealed class OraclePolicy(OracleOptions? options = null, string name = "oracle") : IClairvoyantPolicy, IVerticalScalingPolicy
{
    private readonly OracleOptions _o = options ?? new OracleOptions();
    private readonly Dictionary<int, int> _servers = [];
    private readonly List<DateTimeOffset> _launches = [];
    private readonly Queue<(DateTimeOffset At, double Workers)> _proposals = new();
    private IReadOnlyList<double>? _rates;
    private DateTimeOffset _start;
    private TimeSpan _step;
    private int _lastCount = -1;
    private DateTimeOffset _raiseLandsAt = DateTimeOffset.MinValue;

    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <inheritdoc/>
    public double? DesiredWorkers { get; private set; }

    /// <inheritdoc/>
    public void SeeFuture(IReadOnlyList<double> rates, DateTimeOffset start, TimeSpan step)
    {
        ArgumentNullException.ThrowIfNull(rates);
        if (step <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "the trace step must be positive");
        }
        _rates = rates;
        _start = start;
        _step = step;
        _servers.Clear();
    }

    /// <summary>The fewest servers (workers) whose p99 response time at the replayed load of time <paramref name="at"/> is within the SLO × <see cref="OracleOptions.SloSafety"/> (at least 1).</summary>
    public int ServersNeeded(DateTimeOffset at, WorldOptions world)
    {
        ArgumentNullException.ThrowIfNull(world);
        if (_rates is null)
        {
            throw new InvalidOperationException($"{Name} is a clairvoyant bound: it needs the future load (IClairvoyantPolicy.SeeFuture) before deciding");
        }
        var idx = (int)Math.Clamp((at - _start).Ticks / _step.Ticks, 0, _rates.Count - 1);
        if (!_servers.TryGetValue(idx, out var c))
        {
            var cap = world.MaxReplicas * world.WorkersPerReplica;
            c = QueueModel.ServersFor(_rates[idx], world.ServiceTime.TotalSeconds, world.ServiceTimeCv, 0.99,
                world.LatencyP99Target.TotalSeconds * _o.SloSafety, cap) ?? cap;
            _servers[idx] = c = Math.Max(1, c);
        }
        return c;
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, int>? Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var world = context.World;
        if (_o.Tier >= world.Tiers.Count)
        {
            throw new InvalidOperationException($"{Name}: tier index {_o.Tier} is not in the world's {world.Tiers.Count} tiers");
        }
        var now = context.Now;
        var tick = world.Tick;
        var full = world.WorkersPerReplica;
        var tier = world.Tiers[_o.Tier];
        var launchLead = tier.ProvisioningLeadTime;
        var resizeLead = world.ResizeLeadTime;
        int CountAt(DateTimeOffset at)
        {
            var most = 0;
            for (var u = at; u <= at + launchLead; u += tick)
            {
                var c = ServersNeeded(u, world);
                var least = (int)Math.Ceiling((double)c / full) + Loss;
                most = Math.Max(most, Math.Max(least, Math.Min(least + _o.Spare, c + Loss)));
            }
            return Math.Clamp(most, Math.Max(1, world.MinReplicas), world.MaxReplicas);
        }
        var count = CountAt(now);
        // My own launches (the pool cancels the newest pending first when the count drops).
        _launches.RemoveAll(r => r <= now);
        if (_lastCount >= 0 && count > _lastCount)
        {
            for (var i = _lastCount; i < count; i++)
            {
                _launches.Add(now + launchLead);
            }
        }
        else if (_lastCount >= 0 && count < _lastCount)
        {
            var drop = Math.Min(_launches.Count, _lastCount - count);
            _launches.RemoveRange(_launches.Count - drop, drop);
        }
        _lastCount = count;

        // The limit: asked only when no increase is in flight; it must hold over [now, now + 2 × resize lead). Without
        // the hold (LatestSpec), asked every tick for [now, now + resize lead].
        if (!_o.InFlightHold || now >= _raiseLandsAt)
        {
            var horizon = _o.InFlightHold ? resizeLead + resizeLead - tick : resizeLead;
            var readyNow = context.ReadyTotal - context.Terminating;
            var scaleIn = count;
            var workers = (double)world.MinWorkersPerReplica;
            for (var u = now; u <= now + Max(horizon, TimeSpan.Zero); u += tick)
            {
                if (u > now)
                {
                    scaleIn = Math.Min(scaleIn, CountAt(u));
                }
                var n = Math.Min(readyNow + _launches.Count(r => r <= u), scaleIn);
                var need = ServersNeeded(u, world);
                workers = Math.Max(workers, n - Loss <= 0 ? full : (double)need / (n - Loss));
            }
            workers = Math.Clamp(workers, world.MinWorkersPerReplica, full);
            if (_o.Stabilisation > TimeSpan.Zero)
            {
                _proposals.Enqueue((now, workers));
                while (_proposals.Count > 1 && _proposals.Peek().At <= now - _o.Stabilisation)
                {
                    _proposals.Dequeue();
                }
                workers = _proposals.Max(x => x.Workers);
            }
            var inForce = context.Workers ?? full;
            if (_o.InFlightHold && workers > inForce && context.ReadyTotal > 0)
            {
                _raiseLandsAt = now + resizeLead;
            }
            DesiredWorkers = workers;
        }
        var result = world.Tiers.ToDictionary(t => t.Name, _ => 0, StringComparer.Ordinal);
        result[tier.Name] = count;
        return result;
    }

    private int Loss => _o.SurviveLoss ? 1 : 0;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
