using Auspex.Simulation.Measures;
using Auspex.Simulation.Policies;
using Auspex.Simulation.Traces;
using Auspex.Simulation.World;

namespace Auspex.Simulation;

/// <summary>
/// Replays a demand trace on a <see cref="SimulatedClock"/> against every policy side by side: at each tick every
/// policy sees the load observed so far and sets its replicas; its pool launches (lead time), loses (failures,
/// preemption) and pays for replicas; the M/G/c <see cref="QueueModel"/> with a carried-over backlog turns the load on
/// the ready replicas into latency, drops and SLO-violation minutes.
/// </summary>
public static class Simulator
{
    /// <summary>Runs the policies over the trace. Returns the comparison, or the option problems.</summary>
    public static (SimulationResult? Result, IReadOnlyList<string> Errors) Run(
        DemandTrace trace, IReadOnlyList<IScalingPolicy> policies, WorldOptions world, IProgress<SimulationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(world);
        var errors = world.Validate().ToList();
        if (policies.Count == 0)
        {
            errors.Add("no policy to simulate");
        }
        if (policies.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dup)
        {
            errors.Add($"policy '{dup.Key}' is given twice");
        }
        if (trace.PeakRate <= 0)
        {
            errors.Add($"trace {trace.Name} has no demand at all");
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        var scale = ScaleFor(trace, world);
        var rates = new double[trace.Count];
        for (var i = 0; i < rates.Length; i++)
        {
            rates[i] = trace.RateAt(i) * scale;
        }
        var clock = new SimulatedClock(trace.Start);
        var pools = policies.Select(_ => new ReplicaPool(world, world.Seed)).ToArray();
        var acc = policies.Select(_ => new Accumulator()).ToArray();
        var timeline = new List<TimelinePoint>();
        var tick = world.Tick;
        var dt = tick.TotalSeconds;
        var serviceS = world.ServiceTime.TotalSeconds;
        var sloS = world.LatencyP99Target.TotalSeconds;
        var servicePeak = QueueModel.ServiceQuantile(serviceS, 0.99);
        var total = trace.End - trace.Start;
        var lastReported = -1;
        var peakDemand = 0.0;
        for (var t = trace.Start; t < trace.End; t += tick)
        {
            cancellationToken.ThrowIfCancellationRequested();
            clock.AdvanceTo(t);
            var idx = (int)((t - trace.Start).Ticks / trace.Step.Ticks);
            var lambda = rates[idx];
            peakDemand = Math.Max(peakDemand, lambda);
            var prevIdx = t - tick < trace.Start ? 0 : (int)((t - tick - trace.Start).Ticks / trace.Step.Ticks);
            var observed = rates[prevIdx];
            var history = new ArraySegment<double>(rates, 0, idx);
            var caps = new double[policies.Count];
            for (var p = 0; p < policies.Count; p++)
            {
                var pool = pools[p];
                var a = acc[p];
                pool.Disrupt(trace.Start, t - tick, t);
                if (pool.Preemptions > a.LastPreemptions)
                {
                    a.LastPreemptions = pool.Preemptions;
                    a.PreemptedAt = t;
                }
                var ctx = new PolicyContext(clock.GetUtcNow(), observed, history, trace.Start, trace.Step, pool.Ready(t), pool.Pending(t), pool.Desired, world);
                if (policies[p].Decide(ctx) is { } desired && pool.SetDesired(desired))
                {
                    a.Actions++;
                }
                pool.Reconcile(t);
                var servers = pool.Servers(t);
                var capacity = servers / serviceS;
                caps[p] = capacity;
                a.PeakReplicas = Math.Max(a.PeakReplicas, pool.Ready(t).Values.Sum());
                // Fluid backlog across ticks; requests that would wait past the timeout are dropped.
                var arrivals = lambda * dt;
                var backlogBefore = a.Backlog;
                var work = arrivals + a.Backlog;
                var served = Math.Min(work, capacity * dt);
                a.Backlog = work - served;
                var maxBacklog = capacity * world.Timeout.TotalSeconds;
                var dropped = Math.Max(0, a.Backlog - maxBacklog);
                a.Backlog -= dropped;
                double p99;
                if (backlogBefore <= 1e-9 && a.Backlog <= 1e-9)
                {
                    p99 = QueueModel.ResponseQuantile(lambda, servers, serviceS, world.ServiceTimeCv);
                }
                else
                {
                    p99 = capacity <= 0 ? double.PositiveInfinity : (backlogBefore + a.Backlog) / 2 / capacity + servicePeak;
                }
                var violated = dropped > 0 || p99 > sloS;
                if (violated)
                {
                    a.ViolationSeconds += dt;
                    if (a.PreemptedAt is { } pa && t - pa <= world.Tiers.Max(x => x.ProvisioningLeadTime))
                    {
                        a.PreemptionViolationSeconds += dt;
                    }
                }
                a.Arrivals += arrivals;
                a.Dropped += dropped;
                a.Capacity += capacity * dt;
                a.Served += served;
                pool.Charge(tick);
            }
            timeline.Add(new TimelinePoint(t, lambda, caps));
            var done = (int)(100 * (t - trace.Start + tick).Ticks / total.Ticks);
            if (done != lastReported)
            {
                lastReported = done;
                progress?.Report(new SimulationProgress(t - trace.Start + tick, total));
            }
        }
        var results = policies.Select((p, i) =>
        {
            var a = acc[i];
            var pool = pools[i];
            var forecasts = p switch { AuspexPolicy x => x.Forecasts, AwsPredictivePolicy x => x.Forecasts, _ => 0 };
            return new PolicyResult(p.Name, a.ViolationSeconds / 60, pool.Cost, a.Capacity > 0 ? Math.Max(0, (a.Capacity - a.Served) / a.Capacity) : 0,
                a.Actions, pool.Preemptions, pool.Failures, a.PreemptionViolationSeconds / 60, a.Arrivals > 0 ? a.Dropped / a.Arrivals : 0,
                pool.ReplicaHours, a.PeakReplicas, forecasts);
        }).ToList();
        return (new SimulationResult(trace.Name, trace.Start, trace.End, tick, scale, world.ModelReplicaRate, peakDemand, results, timeline), []);
    }

    /// <summary>The factor from the trace's units per second to requests per second of the latency model.</summary>
    public static double ScaleFor(DemandTrace trace, WorldOptions world)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(world);
        return world.ReplicaCapacity is { } rc ? world.ModelReplicaRate / rc
            : trace.PeakRate > 0 ? world.PeakReplicas * world.ModelReplicaRate / trace.PeakRate : 1;
    }

    private sealed class Accumulator
    {
        public double Backlog;
        public double ViolationSeconds;
        public double PreemptionViolationSeconds;
        public double Arrivals;
        public double Dropped;
        public double Capacity;
        public double Served;
        public int Actions;
        public int PeakReplicas;
        public int LastPreemptions;
        public DateTimeOffset? PreemptedAt;
    }
}
