using Auspex.Core.Forecasts;
using Auspex.Core.Series;
using Auspex.Orchestration.Pool;
using Auspex.Orchestration.Scaling;
using Auspex.Simulation.World;

namespace Auspex.Simulation.Policies;

/// <summary>Options of Auspex's own scaling policy in the simulator.</summary>
public sealed record AuspexPolicyOptions
{
    /// <summary>The forecast quantile capacity must cover over the lead time. Default 0.9.</summary>
    public double Quantile { get; init; } = 0.9;

    /// <summary>The forecast's bucket (the control loop's interval). Default 5 min.</summary>
    public TimeSpan Bucket { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>History the forecaster fits on. Default 7 days.</summary>
    public TimeSpan History { get; init; } = TimeSpan.FromDays(7);

    /// <summary>History needed before forecasting; before that the policy is reactive only. Default 1 day.</summary>
    public TimeSpan MinHistory { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How often the forecast is redone. Default 15 min.</summary>
    public TimeSpan RefitEvery { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Forecast horizon. Default 2 h.</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromHours(2);

    /// <summary>The forecasting model (a <c>ModelCatalog</c> name). Default <c>mstl</c> on the daily (and weekly) season.</summary>
    public string Model { get; init; } = "mstl";

    /// <summary>Plan so the p99 response time stays under this fraction of the SLO target. Default 0.8.</summary>
    public double SloSafety { get; init; } = 0.8;

    /// <summary>
    /// The quantile of the load's own growth over the lead time (max rate within the next lead time ÷ rate now, from
    /// the history seen so far) applied to the observed load: the reactive floor that covers what the forecast misses.
    /// Default 0.95.
    /// </summary>
    public double GrowthQuantile { get; init; } = 0.95;

    /// <summary>History the growth quantile is estimated on. Default 2 days.</summary>
    public TimeSpan GrowthHistory { get; init; } = TimeSpan.FromDays(2);

    /// <summary>The decider's scale-in stabilisation window (like the HPA's). Default 5 min.</summary>
    public TimeSpan ScaleDownStabilisation { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Let the orchestration's decider mix every tier of the world (cheapest expected cost that still covers the
    /// quantile with the availability despite preemptions). Default true; false keeps every replica on the first tier.
    /// </summary>
    public bool UseTiers { get; init; } = true;

    /// <summary>How the forecast becomes capacity. Default <see cref="AuspexSizing.PeakQuantile"/> (the original policy).</summary>
    public AuspexSizing Sizing { get; init; } = AuspexSizing.PeakQuantile;

    /// <summary>
    /// <see cref="AuspexSizing.Conformal"/> only: the quantile of the recent ratios (highest load seen over a planned
    /// window ÷ highest forecast mean planned for it) that multiplies the forecast mean. Default 0.95.
    /// </summary>
    public double ConformalQuantile { get; init; } = 0.95;

    /// <summary>
    /// <see cref="AuspexSizing.Conformal"/> only: score the misses relative to the square root of the planned rate
    /// ((seen − planned) ÷ √planned, the count-noise scale) instead of as ratios, and size capacity as mean + buffer ×
    /// √mean. Default false (ratios).
    /// </summary>
    public bool SqrtScore { get; init; }

    /// <summary><see cref="AuspexSizing.Conformal"/> only: the recent span whose ratios calibrate the buffer. Default 1 day.</summary>
    public TimeSpan CalibrationWindow { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The reactive guard: when the load observed now exceeds <see cref="GuardUtilisation"/> of the ready replicas'
    /// rate (overload, what the HPA reacts to), capacity for the observed load × <see cref="GuardHeadroom"/> is asked
    /// for at once and kept for <see cref="GuardHold"/>, on top of the forecast. Default false.
    /// </summary>
    public bool ReactiveGuard { get; init; }

    /// <summary>Utilisation of the ready replicas above which the guard fires. Default 0.95.</summary>
    public double GuardUtilisation { get; init; } = 0.95;

    /// <summary>Headroom the guard adds over the observed load. Default 1.25.</summary>
    public double GuardHeadroom { get; init; } = 1.25;

    /// <summary>How long the guard's capacity is kept after it fired. Default 10 min.</summary>
    public TimeSpan GuardHold { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The decider's scale-in hysteresis (release only above this fraction of surplus). Default 0.1.</summary>
    public double ScaleInThreshold { get; init; } = 0.1;

    /// <summary>The decider's availability (probability the quantile stays covered despite preemptions). Default 0.99.</summary>
    public double Availability { get; init; } = 0.99;

    /// <summary>
    /// Vertical right-sizing (needs a world with <see cref="WorldOptions.MinWorkersPerReplica"/> below the default
    /// size): besides the replica count, the policy sets the per-replica limit to the fewest workers with which the
    /// replicas cover the forecast's <see cref="Quantile"/> (with every floor) over the resize lead time and two
    /// decision intervals — like Autopilot's vertical recommender, a limit from the recent/forecast usage plus margin.
    /// Increases apply at once; decreases only to the largest limit proposed over <see cref="VerticalStabilisation"/>.
    /// Scale-in of the count waits while a limit increase is in flight. Default false (the default replica size).
    /// </summary>
    public bool Vertical { get; init; }

    /// <summary>Vertical sizing only: the window over which the limit's decreases are stabilised. Default 5 min.</summary>
    public TimeSpan VerticalStabilisation { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Vertical sizing only: replicas the limit must survive losing (the limit covers the need with this many fewer
    /// replicas, when more than that many are running). Default 0 (a preempted replica's share is covered by a resize
    /// of the others within the resize lead time).
    /// </summary>
    public int VerticalSpare { get; init; }

    /// <summary>
    /// Vertical sizing only: when above 0, the limit covers the load seen now (the larger of the last tick and the last
    /// complete interval) grown by this quantile of the load's own growth over the resize lead time and two decision
    /// intervals (max rate over that span ÷ rate at its start, over <see cref="GrowthHistory"/>), and the forecast mean
    /// over that span — a short-horizon, usage-based recommendation like Autopilot's moving-window recommenders —
    /// instead of the forecast's <see cref="Quantile"/> over the resize horizon. The replica count still follows the
    /// forecast quantile over the launch lead time. Default 0 (the forecast quantile).
    /// </summary>
    public double VerticalGrowthQuantile { get; init; }

    /// <summary>
    /// Vertical sizing with <see cref="VerticalGrowthQuantile"/> only: also cover the forecast's expected value over the
    /// resize span (with the default peak sizing, the expected 5-minute peak). Default true.
    /// </summary>
    public bool VerticalForecast { get; init; } = true;

    /// <summary>
    /// Vertical sizing only (session 8): stabilise the decreases of the <em>total</em> workers needed (the need in
    /// workers) over <see cref="VerticalStabilisation"/> and divide the stabilised need by the replicas there are now,
    /// instead of stabilising the per-replica limit. With the per-replica limit stabilised, replicas that become ready
    /// keep the larger limit sized for fewer replicas for the whole window, so capacity overshoots after every scale-out.
    /// Default false (the per-replica limit, as in session 7).
    /// </summary>
    public bool VerticalStabiliseTotal { get; init; }

    /// <summary>
    /// Vertical sizing with <see cref="VerticalGrowthQuantile"/> only (session 8): take the growth quantile over the
    /// history intervals whose rate was within a factor 2 of the load seen now (a quantile conditional on the level:
    /// quiet, noise-dominated hours do not set the margin of busy ones, nor busy ones of quiet ones), when at least 30
    /// such intervals exist. Default false (every interval with load).
    /// </summary>
    public bool VerticalGrowthByLevel { get; init; }

    /// <summary>
    /// Vertical sizing only (session 9, from the oracle bound): ask no new limit while a limit increase is in flight
    /// (with the world's default <see cref="ResizeSemantics.Restart"/> the pool restarts the resize lead when a new
    /// limit is asked meanwhile, so rising asks every tick keep the old limit in force), and size each limit for the span until the next one can land (two resize leads less a tick)
    /// instead of one lead and two ticks. Default false.
    /// </summary>
    public bool VerticalInFlightHold { get; init; }

    /// <summary>
    /// Vertical sizing only (session 10): the largest per-replica limit, in workers, the policy sets (null = the world's
    /// default size). The replica count is then planned in replicas of this size, so the same need runs on more,
    /// smaller replicas: losing one loses a smaller share, and <see cref="VerticalSpare"/> protects the limits against
    /// it for a smaller share of slack. With a per-replica overhead in the world (<see cref="WorldOptions.ReplicaOverhead"/>)
    /// the spreading is paid for. Default null.
    /// </summary>
    public double? VerticalMaxWorkers { get; init; }

    /// <summary>
    /// Vertical sizing only (session 10): replicas added to the count the decider plans (on the tier with the most
    /// replicas), so that the limits, shared over them, keep room under <see cref="VerticalMaxWorkers"/> for
    /// <see cref="VerticalSpare"/>. Default 0.
    /// </summary>
    public int VerticalExtraReplicas { get; init; }

    /// <summary>
    /// Session 10: run every replica on this tier (an index into the world's tiers, e.g. 1 = spot with the default
    /// tiers) instead of letting the decider mix them; the decider still covers its availability despite that tier's
    /// preemptions. Default null (<see cref="UseTiers"/> decides).
    /// </summary>
    public int? OnlyTier { get; init; }

    /// <summary>
    /// Vertical sizing with <see cref="VerticalGrowthQuantile"/> only (session 10): the history the short-horizon growth
    /// quantile is estimated on (null = <see cref="GrowthHistory"/>, 2 days). A longer span is closer to the bench's
    /// causal bound, which learns the quantile on the whole tuning part. Default null.
    /// </summary>
    public TimeSpan? VerticalGrowthHistory { get; init; }

    /// <summary>Returns every problem with these options, or an empty list.</summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (VerticalMaxWorkers is { } vmax && (!double.IsFinite(vmax) || vmax <= 0))
        {
            e.Add("the vertical maximum limit (vmax) must be a positive number of workers");
        }
        if (VerticalExtraReplicas is < 0 or > 100)
        {
            e.Add("vertical extra replicas (vadd) must be in 0..100");
        }
        if (OnlyTier is < 0)
        {
            e.Add("the tier index (vtier) must not be negative");
        }
        if (VerticalGrowthHistory is { } vgh && vgh <= TimeSpan.Zero)
        {
            e.Add("the vertical growth history (vgd) must be positive");
        }
        if (Quantile is <= 0 or >= 1 || ConformalQuantile is <= 0 or > 1)
        {
            e.Add("quantile and conformal quantile must be in (0, 1)");
        }
        if (GuardUtilisation is <= 0 or > 2 || GuardHeadroom is < 1 or > 10)
        {
            e.Add("guard utilisation must be in (0, 2] and guard headroom in [1, 10]");
        }
        if (ScaleInThreshold is < 0 or > 1 || Availability is <= 0 or >= 1 || SloSafety is <= 0 or > 1)
        {
            e.Add("scale-in threshold must be in [0, 1], availability in (0, 1), SLO safety in (0, 1]");
        }
        if (VerticalStabilisation < TimeSpan.Zero || VerticalSpare is < 0 or > 100 || VerticalGrowthQuantile is < 0 or > 1)
        {
            e.Add("vertical stabilisation must not be negative, vertical spare must be in 0..100 and the vertical growth quantile in [0, 1]");
        }
        if (GrowthQuantile is < 0 or > 1)
        {
            e.Add("growth quantile must be in [0, 1] (0 = no growth floor)");
        }
        return e;
    }
}

/// <summary>How <see cref="AuspexPolicy"/> turns the demand forecast into capacity.</summary>
public enum AuspexSizing
{
    /// <summary>The forecast's <see cref="AuspexPolicyOptions.Quantile"/> of 5-minute bucket peaks, raised by the current miss.</summary>
    PeakQuantile,

    /// <summary>
    /// The forecast mean per bucket × a burst buffer: the <see cref="AuspexPolicyOptions.ConformalQuantile"/> of the
    /// recent ratios of the highest observed load over each planned window to the highest forecast mean planned for it
    /// (split-conformal calibration on the policy's own recent errors, refreshed every 5 minutes).
    /// </summary>
    Conformal,
}

/// <summary>
/// Auspex's policy as the simulator runs it — the product's own parts on the simulated clock: demand forecasts from
/// the forecasting library (bucket peaks, refitted every <see cref="AuspexPolicyOptions.RefitEvery"/>), turned into
/// replicas needed by the queueing model's inverse (fewest replicas whose p99 stays under
/// <see cref="AuspexPolicyOptions.SloSafety"/> × the SLO) rather than a utilisation target, and handed as a
/// probabilistic forecast to the orchestration's <see cref="IScalingDecider"/>, which covers the quantile over the
/// lead time and the decision interval, mixes tiers under preemption risk and scales in with hysteresis. Every
/// quantile is floored by the load observed now and by the level grown by the load's own growth quantile over the
/// lead time, and the forecast is raised by the current miss when the load runs above it (never lowered). Before
/// <see cref="AuspexPolicyOptions.MinHistory"/> only the floors apply.
/// </summary>
public sealed class AuspexPolicy(AuspexPolicyOptions? options = null, string name = "auspex") : IVerticalScalingPolicy
{
    private readonly Queue<(DateTimeOffset At, double Workers)> _sizeProposals = new();
    private readonly Queue<(DateTimeOffset At, double Need)> _needProposals = new();

    /// <inheritdoc/>
    public double? DesiredWorkers { get; private set; }

    private readonly AuspexPolicyOptions _o = options ?? new AuspexPolicyOptions();
    private IScalingDecider? _decider;
    private DemandPath? _path;
    private double _growth = 1;
    private DateTimeOffset _growthAt = DateTimeOffset.MinValue;
    private readonly List<PlannedWindow> _pending = [];
    private readonly Queue<(DateTimeOffset At, double Ratio)> _ratios = new();
    private double _buffer = DefaultBuffer;
    private bool _calibrated;
    private DateTimeOffset _bufferAt = DateTimeOffset.MinValue;
    private double _guardRate;
    private DateTimeOffset _guardUntil = DateTimeOffset.MinValue;

    /// <summary>The burst buffer before enough ratios are calibrated.</summary>
    private const double DefaultBuffer = 1.25;

    /// <summary>The current conformal burst buffer (1 = none), for tests and explanations.</summary>
    public double Buffer => _buffer;

    /// <summary>Whether the reactive guard holds capacity now.</summary>
    public bool GuardActive { get; private set; }

    private sealed class PlannedWindow(DateTimeOffset from, DateTimeOffset to, double planned)
    {
        public DateTimeOffset From { get; } = from;
        public DateTimeOffset To { get; } = to;
        public double Planned { get; } = planned;
        public double Seen { get; set; }
    }

    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <summary>Forecasts made so far.</summary>
    public int Forecasts { get; private set; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, int>? Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = context.Now;
        var world = context.World;
        var seen = context.HistoryStep * context.History.Count;
        if (seen >= _o.MinHistory && (_path is null || now - _path.IssuedAt >= _o.RefitEvery))
        {
            var buckets = Math.Max(1, (int)Math.Ceiling(_o.Horizon / _o.Bucket));
            _path = DemandForecaster.Forecast(context.History, context.HistoryStart, context.HistoryStep, now, _o.Bucket, _o.History, buckets,
                _o.Model, [TimeSpan.FromDays(1), TimeSpan.FromDays(7)], 12, peak: _o.Sizing == AuspexSizing.PeakQuantile, missing: context.HistoryMissing) ?? _path;
            Forecasts++;
        }
        if (_decider is null)
        {
            if (_o.OnlyTier is { } only && only >= world.Tiers.Count)
            {
                throw new ArgumentException($"policy {Name}: tier index {only} is not one of the world's {world.Tiers.Count} tiers");
            }
            if (_o.VerticalMaxWorkers is { } vmax && (vmax < world.MinWorkersPerReplica || vmax > world.WorkersPerReplica))
            {
                throw new ArgumentException($"policy {Name}: the vertical maximum limit {vmax} is outside the world's limits {world.MinWorkersPerReplica}..{world.WorkersPerReplica} workers");
            }
            var pool = new TierPool(_o.OnlyTier is { } ti ? [world.Tiers[ti]] : _o.UseTiers ? world.Tiers : [world.Tiers[0]]);
            _decider = ScalingDecider.Create(pool, new ScalingOptions
            {
                DecisionInterval = world.Tick,
                DefaultQuantile = _o.Quantile,
                DefaultAvailability = _o.Availability,
                ScaleInThreshold = _o.ScaleInThreshold,
                ScaleInStabilization = _o.ScaleDownStabilisation,
                MaxUnitsPerTier = world.MaxReplicas,
            }, context.Clock);
        }
        var lead = world.Tiers.Max(t => t.ProvisioningLeadTime);
        if (_o.GrowthQuantile > 0 && now - _growthAt >= _o.RefitEvery)
        {
            _growthAt = now;
            _growth = Growth(context.History, context.HistoryStep, lead + world.Tick);
        }
        // The floor every quantile keeps: the load now, and the level grown by the growth quantile over the lead time.
        var floor = context.ObservedRate;
        if (_o.GrowthQuantile > 0)
        {
            floor = Math.Max(floor, Level(context.History, context.History.Count) * _growth);
        }
        // The reactive guard: observed overload of the ready replicas asks for the observed load plus headroom at once.
        if (_o.ReactiveGuard)
        {
            var readyRate = context.ReadyRate;
            if (context.ObservedRate > _o.GuardUtilisation * readyRate)
            {
                _guardRate = Math.Max(now < _guardUntil ? _guardRate : 0, context.ObservedRate * _o.GuardHeadroom);
                _guardUntil = now + _o.GuardHold;
            }
            GuardActive = now < _guardUntil;
            if (GuardActive)
            {
                floor = Math.Max(floor, _guardRate);
            }
        }
        var horizon = lead + world.Tick * 2;
        var stepLen = TimeSpan.FromMinutes(1);
        var steps = (int)Math.Ceiling(horizon / stepLen) + 1;
        var miss = 1.0;
        if (_o.Sizing == AuspexSizing.Conformal)
        {
            Calibrate(now, context.ObservedRate, world.Tick);
            if (_path is not null)
            {
                _pending.Add(new PlannedWindow(now, now + horizon, _path.MaxQuantile(now, now + horizon, 0.5)));
            }
        }
        else if (_path is not null)
        {
            // Bucket peaks: the rate now is compared with the bucket's expected peak, so a miss means a real surprise.
            var expectedNow = _path.QuantileAt(now, 0.5);
            miss = expectedNow > 0 ? Math.Clamp(context.ObservedRate / expectedNow, 1, 10) : 1;
        }
        // The demand forecast in replicas needed (the queueing model's inverse per point and quantile), one point a
        // minute over the lead time and two decision intervals, handed to the orchestration's scaling decider.
        var levels = Forecast.DefaultLevels;
        var points = new List<ForecastPoint>();
        for (var i = 0; i < steps; i++)
        {
            var t = now + stepLen * i;
            var q = new double[levels.Count];
            if (_o.Sizing == AuspexSizing.Conformal)
            {
                // One sized value for every level: the forecast mean × the calibrated burst buffer, never under the floor.
                var mu = _path is null ? context.ObservedRate : _path.QuantileAt(t, 0.5);
                var rate = Math.Max(floor, _o.SqrtScore && _calibrated ? mu + _buffer * Math.Sqrt(mu) : mu * _buffer);
                Array.Fill(q, Replicas(rate, world));
                points.Add(new ForecastPoint(t, q[0], q));
                continue;
            }
            for (var j = 0; j < q.Length; j++)
            {
                var rate = _path is null ? floor : Math.Max(floor, _path.QuantileAt(t, levels[j]) * miss);
                q[j] = j > 0 ? Math.Max(q[j - 1], Replicas(rate, world)) : Replicas(rate, world);
            }
            var mean = _path is null ? floor : Math.Max(floor, _path.QuantileAt(t, 0.5) * miss);
            points.Add(new ForecastPoint(t, Replicas(mean, world), q));
        }
        var demand = new Forecast(new SeriesKey("auspex_simulated_replicas_needed", Labels.Empty), _path?.Output.Model ?? "reactive", now, stepLen, levels, points);
        var byKey = world.Tiers.ToDictionary(t => t.Key(), t => t.Name, StringComparer.Ordinal);
        var current = context.Desired.Where(kv => kv.Value > 0).ToDictionary(kv => world.Tiers.First(t => t.Name == kv.Key).Key(), kv => kv.Value, StringComparer.Ordinal);
        if (_o.Vertical && _o.VerticalExtraReplicas > 0 && current.Count > 0)
        {
            // The decider sees the count it planned (without the extra replicas added to it).
            var most = current.MaxBy(kv => kv.Value).Key;
            current[most] = Math.Max(0, current[most] - _o.VerticalExtraReplicas);
            if (current[most] == 0)
            {
                current.Remove(most);
            }
        }
        var decision = _decider.Decide(new ScalingRequest(Tenant, Name, demand, 1.0, current) { MinUnits = world.MinReplicas, MaxUnits = world.MaxReplicas });
        LastDecision = decision;
        if (decision.Outcome == ScalingOutcome.Invalid)
        {
            return null;
        }
        var result = world.Tiers.ToDictionary(t => t.Name, _ => 0, StringComparer.Ordinal);
        foreach (var (key, n) in decision.Target)
        {
            if (byKey.TryGetValue(key, out var tierName))
            {
                result[tierName] = n;
            }
        }
        if (_o.Vertical && _o.VerticalExtraReplicas > 0 && result.Values.Sum() > 0)
        {
            var most = result.MaxBy(kv => kv.Value).Key;
            result[most] += _o.VerticalExtraReplicas;
        }
        if (_o.Vertical)
        {
            var target = result.Values.Sum();
            var workers = SizeFor(context, points, levels, target);
            // Scale-in waits while a limit increase is asked or in flight: the replicas left must be at their new
            // limit before the others go.
            var inForce = context.Workers ?? world.WorkersPerReplica;
            var increasing = workers > inForce || (context.ReadyServers is { } rs && rs < Math.Floor(context.ReadyTotal * inForce + 1e-9));
            if (target < context.DesiredTotal && increasing)
            {
                DesiredWorkers = workers;
                return null;
            }
            DesiredWorkers = workers;
        }
        return result;
    }

    /// <summary>
    /// The per-replica limit (workers) for vertical sizing: the fewest workers per replica with which
    /// min(target, ready) replicas (less <see cref="AuspexPolicyOptions.VerticalSpare"/>) cover the highest need at the
    /// policy's quantile over the resize lead time and two decision intervals, stabilised downwards.
    /// </summary>
    private double SizeFor(PolicyContext context, List<ForecastPoint> points, IReadOnlyList<double> levels, int target)
    {
        if (!_o.VerticalInFlightHold)
        {
            return SizeForCore(context, points, levels, target);
        }
        // The pool restarts the resize lead when a new limit is asked while an increase is in flight, so nothing is
        // asked until it lands; each limit asked must then hold until the next one can land (the span is two leads).
        var now = context.Now;
        if (now < _raiseLandsAt && DesiredWorkers is { } asked)
        {
            return asked;
        }
        var workers = SizeForCore(context, points, levels, target);
        if (workers > (context.Workers ?? context.World.WorkersPerReplica) && context.ReadyTotal > 0)
        {
            _raiseLandsAt = now + context.World.ResizeLeadTime;
        }
        return workers;
    }

    private DateTimeOffset _raiseLandsAt = DateTimeOffset.MinValue;

    private double SizeForCore(PolicyContext context, List<ForecastPoint> points, IReadOnlyList<double> levels, int target)
    {
        var world = context.World;
        // The need is in replicas of the unit size (the world's default, or VerticalMaxWorkers), the limit at most one unit.
        var full = Unit(world);
        var j = 0;
        while (j < levels.Count - 1 && levels[j] < _o.Quantile - 1e-9)
        {
            j++;
        }
        var span = _o.VerticalInFlightHold ? world.ResizeLeadTime * 2 - world.Tick : world.ResizeLeadTime + world.Tick * 2;
        var until = context.Now + span;
        var need = 0.0;
        if (_o.VerticalGrowthQuantile > 0)
        {
            var h = context.History;
            var seen = Math.Max(context.ObservedRate, h.Count > 0 ? h[^1] : 0);
            if (context.Now - _shortGrowthAt >= _o.RefitEvery)
            {
                _shortGrowthAt = context.Now;
                _shortGrowth = ShortGrowth(context.History, context.HistoryStep, span, _o.VerticalGrowthByLevel ? seen : null, _o.VerticalGrowthHistory ?? _o.GrowthHistory);
            }
            var rate = Math.Max(seen * _shortGrowth, GuardActive ? _guardRate : 0);
            if (_path is not null && _o.VerticalForecast)
            {
                rate = Math.Max(rate, _path.MaxQuantile(context.Now, until, 0.5));
            }
            need = Replicas(rate, world);
        }
        else
        {
            foreach (var p in points)
            {
                need = Math.Max(need, p.Quantiles[j]);
                if (p.At >= until)
                {
                    break;
                }
            }
        }
        // Replicas under a preemption notice go soon and their replacements are not ready yet: the limit is sized on
        // the others, so the resize lands within the notice (0 without notices in the world).
        var replicas = Math.Min(target, context.ReadyTotal - context.Terminating);
        if (replicas > _o.VerticalSpare)
        {
            replicas -= _o.VerticalSpare;
        }
        if (_o.VerticalStabiliseTotal)
        {
            // Stabilise the need (in default-size replicas), then share it over the replicas there are now.
            _needProposals.Enqueue((context.Now, need));
            while (_needProposals.Count > 1 && _needProposals.Peek().At <= context.Now - _o.VerticalStabilisation)
            {
                _needProposals.Dequeue();
            }
            var stable = _needProposals.Max(x => x.Need);
            return replicas <= 0 ? full : Math.Clamp(Math.Ceiling(stable * full / replicas * 100 - 1e-6) / 100, world.MinWorkersPerReplica, full);
        }
        // Limits in steps of 1/100 worker (a CPU limit in millicores); the queue's servers are the floor of their sum.
        var proposal = replicas <= 0 ? full : Math.Clamp(Math.Ceiling(need * full / replicas * 100 - 1e-6) / 100, world.MinWorkersPerReplica, full);
        _sizeProposals.Enqueue((context.Now, proposal));
        // The proposal just made always stays (a zero window keeps only it).
        while (_sizeProposals.Count > 1 && _sizeProposals.Peek().At <= context.Now - _o.VerticalStabilisation)
        {
            _sizeProposals.Dequeue();
        }
        return _sizeProposals.Max(x => x.Workers);
    }

    /// <summary>The orchestration decider's last decision (its reason explains it), or null before the first tick.</summary>
    public ScalingDecision? LastDecision { get; private set; }

    private static readonly TenantId Tenant = new("simulation");

    /// <summary>
    /// Conformal calibration: the load observed over the last tick updates every planned window it falls in; windows
    /// that have ended give their ratio (highest load seen ÷ highest forecast mean planned); every 5 minutes the buffer
    /// becomes the <see cref="AuspexPolicyOptions.ConformalQuantile"/> of the ratios of the last calibration window.
    /// </summary>
    private void Calibrate(DateTimeOffset now, double observed, TimeSpan tick)
    {
        var seenFrom = now - tick;
        for (var i = _pending.Count - 1; i >= 0; i--)
        {
            var w = _pending[i];
            if (seenFrom >= w.From && seenFrom < w.To)
            {
                w.Seen = Math.Max(w.Seen, observed);
            }
            if (seenFrom >= w.To - tick)
            {
                if (w.Planned > 0)
                {
                    _ratios.Enqueue((w.To, _o.SqrtScore ? (w.Seen - w.Planned) / Math.Sqrt(w.Planned) : w.Seen / w.Planned));
                }
                _pending.RemoveAt(i);
            }
        }
        while (_ratios.Count > 0 && _ratios.Peek().At < now - _o.CalibrationWindow)
        {
            _ratios.Dequeue();
        }
        if (now - _bufferAt < TimeSpan.FromMinutes(5))
        {
            return;
        }
        _bufferAt = now;
        if (_ratios.Count < 60)
        {
            _buffer = DefaultBuffer;
            _calibrated = false;
            return;
        }
        _calibrated = true;
        var sorted = _ratios.Select(r => r.Ratio).Order().ToList();
        // Split-conformal quantile: the ⌈(n + 1)·q⌉-th smallest ratio.
        var k = Math.Min(sorted.Count, (int)Math.Ceiling((sorted.Count + 1) * _o.ConformalQuantile)) - 1;
        _buffer = _o.SqrtScore ? Math.Clamp(sorted[Math.Max(0, k)], 0, 1000) : Math.Clamp(sorted[Math.Max(0, k)], 1, 10);
    }

    /// <summary>
    /// The <see cref="AuspexPolicyOptions.GrowthQuantile"/> of max(rate over the next <paramref name="ahead"/>) ÷ level now
    /// (the mean of the last <see cref="LevelSteps"/> intervals), over the recent history where the level is at least
    /// its median (the busy half, where capacity is decided; quiet periods are noise-dominated and cheap).
    /// </summary>
    private double Growth(IReadOnlyList<double> history, TimeSpan step, TimeSpan ahead)
    {
        var k = Math.Max(1, (int)Math.Ceiling(ahead / step));
        var n = history.Count;
        var from = Math.Max(LevelSteps, n - (int)(_o.GrowthHistory / step) - k);
        var pairs = new List<(double Level, double Ratio)>();
        for (var i = from; i + k < n; i++)
        {
            var level = Level(history, i + 1);
            if (level <= 0)
            {
                continue;
            }
            var max = 0.0;
            for (var j = 1; j <= k; j++)
            {
                max = Math.Max(max, history[i + j]);
            }
            pairs.Add((level, max / level));
        }
        if (pairs.Count < 30)
        {
            return 1.5;
        }
        var median = pairs.Select(p => p.Level).Order().ElementAt(pairs.Count / 2);
        var ratios = pairs.Where(p => p.Level >= median).Select(p => p.Ratio).Order().ToList();
        return Math.Clamp(ratios[(int)Math.Min(ratios.Count - 1, Math.Ceiling(_o.GrowthQuantile * ratios.Count) - 1)], 1, 10);
    }

    private double _shortGrowth = 1.5;
    private DateTimeOffset _shortGrowthAt = DateTimeOffset.MinValue;

    /// <summary>
    /// The <see cref="AuspexPolicyOptions.VerticalGrowthQuantile"/> of max(rate over the next <paramref name="ahead"/>)
    /// ÷ rate now, per history interval with load, over <paramref name="span"/> (<see cref="AuspexPolicyOptions.VerticalGrowthHistory"/>
    /// or <see cref="AuspexPolicyOptions.GrowthHistory"/>); 1.5 before
    /// 30 such intervals are seen.
    /// </summary>
    private double ShortGrowth(IReadOnlyList<double> history, TimeSpan step, TimeSpan ahead, double? level, TimeSpan span)
    {
        var k = Math.Max(1, (int)Math.Ceiling(ahead / step));
        var n = history.Count;
        var from = Math.Max(0, n - (int)Math.Min(int.MaxValue / 2, Math.Floor(span / step)) - k);
        var ratios = new List<double>();
        for (var i = from; i + k < n; i++)
        {
            if (history[i] <= 0 || (level is { } l && (history[i] < l / 2 || history[i] > l * 2)))
            {
                continue;
            }
            var max = 0.0;
            for (var j = 1; j <= k; j++)
            {
                max = Math.Max(max, history[i + j]);
            }
            ratios.Add(max / history[i]);
        }
        if (ratios.Count < 30)
        {
            return level is null ? 1.5 : ShortGrowth(history, step, ahead, null, span);
        }
        ratios.Sort();
        return Math.Clamp(ratios[(int)Math.Min(ratios.Count - 1, Math.Ceiling(_o.VerticalGrowthQuantile * ratios.Count) - 1)], 1, 10);
    }

    /// <summary>Intervals averaged into the current level.</summary>
    private const int LevelSteps = 5;

    /// <summary>The mean of the <see cref="LevelSteps"/> intervals before index <paramref name="end"/> (exclusive).</summary>
    private static double Level(IReadOnlyList<double> history, int end)
    {
        var from = Math.Max(0, end - LevelSteps);
        var sum = 0.0;
        for (var i = from; i < end; i++)
        {
            sum += history[i];
        }
        return end > from ? sum / (end - from) : 0;
    }

    /// <summary>The replica size (workers) the count is planned in: <see cref="AuspexPolicyOptions.VerticalMaxWorkers"/> with vertical sizing, else the world's default.</summary>
    private double Unit(WorldOptions world) => _o.Vertical && _o.VerticalMaxWorkers is { } vmax ? vmax : world.WorkersPerReplica;

    /// <summary>
    /// Replicas (fractional, of <see cref="Unit"/> workers each) whose p99 response time for <paramref name="rate"/>
    /// stays under SloSafety × the SLO.
    /// </summary>
    private double Replicas(double rate, WorldOptions world)
    {
        if (rate <= 0)
        {
            return 0;
        }
        var servers = QueueModel.ServersFor(rate, world.ServiceTime.TotalSeconds, world.ServiceTimeCv, 0.99,
            world.LatencyP99Target.TotalSeconds * _o.SloSafety, world.MaxReplicas * world.WorkersPerReplica) ?? world.MaxReplicas * world.WorkersPerReplica;
        return servers / Unit(world);
    }

}
