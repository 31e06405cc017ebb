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
        if (world.WarmUp >= trace.End - trace.Start - world.Tick)
        {
            errors.Add($"trace {trace.Name} spans {(trace.End - trace.Start).TotalHours:0.#} h, not more than the {world.WarmUp.TotalHours:0.#} h warm-up; shorten the warm-up");
        }
        if (world.ReportFrom is { } rf && rf >= trace.End - trace.Start)
        {
            errors.Add($"report-from ({rf.TotalHours:0.##} h) is not inside trace {trace.Name}, which spans {(trace.End - trace.Start).TotalHours:0.##} h");
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        var measureFrom = trace.Start + world.WarmUp;
        DateTimeOffset? reportFrom = world.ReportFrom is { } rfo ? trace.Start + rfo : null;
        var scale = ScaleFor(trace, world);
        var rates = Rates(trace, scale, world.Rescaling, world.SuperpositionHalfWindow);
        // The missing-data mask, handed to the policies with the history so that forecasters leave gaps out of their fits.
        var missingMask = trace.MissingCount > 0 ? Enumerable.Range(0, trace.Count).Select(trace.IsMissing).ToArray() : null;
        // Bounds only (OraclePolicy): a clairvoyant policy is handed the whole replayed load before the first tick.
        foreach (var c in policies.OfType<IClairvoyantPolicy>())
        {
            c.SeeFuture(rates, trace.Start, trace.Step);
        }
        var clock = new SimulatedClock(trace.Start);
        var pools = policies.Select(_ => new ReplicaPool(world, world.Seed)).ToArray();
        var acc = policies.Select(_ => new Accumulator()).ToArray();
        var reported = policies.Select(_ => new Meter()).ToArray();
        var timeline = new List<TimelinePoint>();
        var tick = world.Tick;
        var dt = tick.TotalSeconds;
        var serviceS = world.ServiceTime.TotalSeconds;
        var sloS = world.LatencyP99Target.TotalSeconds;
        var servicePeak = QueueModel.ServiceQuantile(serviceS, 0.99);
        var maxLead = world.Tiers.Max(x => x.ProvisioningLeadTime);
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
            var missing = trace.IsMissing(idx);
            var historyMissing = missingMask is null ? null : (IReadOnlyList<bool>)new ArraySegment<bool>(missingMask, 0, idx);
            var caps = new double[policies.Count];
            for (var p = 0; p < policies.Count; p++)
            {
                var pool = pools[p];
                var a = acc[p];
                if (t == measureFrom)
                {
                    pool.ResetMeasures();
                    a.LastPreemptions = 0;
                }
                if (reportFrom is { } rs && t >= rs && !reported[p].Started)
                {
                    reported[p].Snapshot(pool);
                }
                pool.Disrupt(trace.Start, t - tick, t);
                if (pool.Preemptions > a.LastPreemptions)
                {
                    a.LastPreemptions = pool.Preemptions;
                    a.PreemptedAt = t;
                }
                var ctx = new PolicyContext(clock.GetUtcNow(), observed, history, trace.Start, trace.Step, pool.Ready(t), pool.Pending(t), pool.Desired, world, clock,
                    pool.Servers(t), pool.Size, pool.Terminating(t), historyMissing);
                var measured = t >= measureFrom;
                var inReport = reported[p].Started;
                var changed = policies[p].Decide(ctx) is { } desired && pool.SetDesired(desired);
                var resized = policies[p] is IVerticalScalingPolicy v && v.DesiredWorkers is { } w && pool.SetSize(w, t);
                pool.Reconcile(t, instant: t == trace.Start);
                var servers = pool.Servers(t);
                var capacity = servers / serviceS;
                caps[p] = capacity;
                var readyNow = pool.Ready(t).Values.Sum();
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
                var fromPreemption = violated && a.PreemptedAt is { } pa && t - pa <= maxLead;
                if (!measured)
                {
                    continue;
                }
                a.Main.Add(dt, changed, resized, readyNow, violated, fromPreemption, arrivals, dropped, capacity, served, missing);
                if (inReport)
                {
                    reported[p].Add(dt, changed, resized, readyNow, violated, fromPreemption, arrivals, dropped, capacity, served, missing);
                }
                pool.Charge(t, tick);
            }
            if (t >= measureFrom)
            {
                timeline.Add(new TimelinePoint(t, lambda, caps));
            }
            var done = (int)(100 * (t - trace.Start + tick).Ticks / total.Ticks);
            if (done != lastReported)
            {
                lastReported = done;
                progress?.Report(new SimulationProgress(t - trace.Start + tick, total));
            }
        }
        int ForecastsOf(IScalingPolicy p) => p switch { AuspexPolicy x => x.Forecasts, AwsPredictivePolicy x => x.Forecasts, _ => 0 };
        var results = policies.Select((p, i) => acc[i].Main.Result(p.Name, pools[i], ForecastsOf(p))).ToList();
        var reportedResults = reportFrom is null ? null : policies.Select((p, i) => reported[i].Result(p.Name, pools[i], ForecastsOf(p))).ToList();
        return (new SimulationResult(trace.Name, measureFrom, trace.End, tick, scale, world.ModelReplicaRate, peakDemand, results, timeline)
        {
            ReportedFrom = reportFrom,
            Reported = reportedResults,
        }, []);
    }

    /// <summary>The factor from the trace's units per second to requests per second of the latency model.</summary>
    public static double ScaleFor(DemandTrace trace, WorldOptions world)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(world);
        return world.ReplicaCapacity is { } rc ? world.ModelReplicaRate / rc
            : trace.PeakRate > 0 ? world.PeakReplicas * world.ModelReplicaRate / trace.PeakRate : 1;
    }

    /// <summary>
    /// The model's request rate per trace interval: the trace's rate × <paramref name="scale"/>, or with
    /// <see cref="TraceRescaling.Superposition"/> (and a factor above 1) the local level × the factor plus the
    /// interval's deviation from it × √factor, floored at 0 — the sum of <paramref name="scale"/> independent copies of
    /// the trace's users instead of one population acting in lockstep. The local level is the centred mean of
    /// 2 × <paramref name="superpositionHalfWindow"/> + 1 intervals (<see cref="WorldOptions.SuperpositionHalfWindow"/>).
    /// </summary>
    public static double[] Rates(DemandTrace trace, double scale, TraceRescaling rescaling, int superpositionHalfWindow = 5)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentOutOfRangeException.ThrowIfLessThan(superpositionHalfWindow, 1);
        var rates = new double[trace.Count];
        for (var i = 0; i < rates.Length; i++)
        {
            rates[i] = trace.RateAt(i) * scale;
        }
        if (rescaling != TraceRescaling.Superposition || scale <= 1)
        {
            return rates;
        }
        var root = Math.Sqrt(scale);
        var raw = new double[trace.Count];
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = trace.RateAt(i);
        }
        for (var i = 0; i < raw.Length; i++)
        {
            var from = Math.Max(0, i - superpositionHalfWindow);
            var to = Math.Min(raw.Length - 1, i + superpositionHalfWindow);
            var sum = 0.0;
            for (var j = from; j <= to; j++)
            {
                sum += raw[j];
            }
            var level = sum / (to - from + 1);
            rates[i] = Math.Max(0, level * scale + (raw[i] - level) * root);
        }
        return rates;
    }

    private sealed class Accumulator
    {
        public double Backlog;
        public int LastPreemptions;
        public DateTimeOffset? PreemptedAt;
        public readonly Meter Main = new();
    }

    /// <summary>The measures of one policy over one measured span (the run after the warm-up, or the reported part).</summary>
    private sealed class Meter
    {
        private double _violationSeconds;
        private double _preemptionViolationSeconds;
        private double _arrivals;
        private double _dropped;
        private double _capacity;
        private double _served;
        private double _slackSum;
        private int _slackTicks;
        private double _slackAllSum;
        private int _slackAllTicks;
        private double _missingSeconds;
        private int _actions;
        private int _resizes;
        private double _sized0;
        private int _peakReplicas;
        private double _cost0;
        private double _overhead0;
        private double _replicaHours0;
        private int _preemptions0;
        private int _failures0;

        /// <summary>Takes the pool's counters at the start of the span (the result subtracts them).</summary>
        public bool Started { get; private set; }

        public void Snapshot(ReplicaPool pool)
        {
            Started = true;
            _cost0 = pool.Cost;
            _overhead0 = pool.OverheadCost;
            _replicaHours0 = pool.ReplicaHours;
            _sized0 = pool.SizedReplicaHours;
            _preemptions0 = pool.Preemptions;
            _failures0 = pool.Failures;
        }

        public void Add(double dt, bool changed, bool resized, int ready, bool violated, bool fromPreemption, double arrivals, double dropped, double capacity, double served, bool missing)
        {
            if (changed || resized)
            {
                _actions++;
            }
            if (resized)
            {
                _resizes++;
            }
            if (missing)
            {
                _missingSeconds += dt;
            }
            _peakReplicas = Math.Max(_peakReplicas, ready);
            if (violated)
            {
                _violationSeconds += dt;
                if (fromPreemption)
                {
                    _preemptionViolationSeconds += dt;
                }
            }
            _arrivals += arrivals;
            _dropped += dropped;
            _capacity += capacity * dt;
            _served += served;
            if (capacity > 0)
            {
                // Autopilot's relative slack of this tick: (limit − usage) ÷ limit, usage being the work served.
                // Ticks without data (a gap of the trace) have no usage: left out of the mean slack, counted with
                // usage 0 (whatever the replay served) only in the all-ticks figure.
                var slack = Math.Clamp(1 - served / (capacity * dt), 0, 1);
                _slackAllSum += slack;
                _slackAllTicks++;
                if (!missing)
                {
                    _slackSum += slack;
                    _slackTicks++;
                }
            }
        }

        public PolicyResult Result(string name, ReplicaPool pool, int forecasts) => new(name, _violationSeconds / 60, pool.Cost - _cost0,
            _slackTicks > 0 ? _slackSum / _slackTicks : 0, _actions, pool.Preemptions - _preemptions0, pool.Failures - _failures0,
            _preemptionViolationSeconds / 60, _arrivals > 0 ? _dropped / _arrivals : 0, pool.ReplicaHours - _replicaHours0, _peakReplicas, forecasts)
        {
            CapacityWeightedSlack = _capacity > 0 ? Math.Max(0, (_capacity - _served) / _capacity) : 0,
            MeanSlackAllTicks = _slackAllTicks > 0 ? _slackAllSum / _slackAllTicks : 0,
            MissingMinutes = _missingSeconds / 60,
            Resizes = _resizes,
            SizedReplicaHours = pool.SizedReplicaHours - _sized0,
            OverheadCost = pool.OverheadCost - _overhead0,
        };
    }
}
