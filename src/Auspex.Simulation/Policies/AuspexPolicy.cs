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
public sealed class AuspexPolicy(AuspexPolicyOptions? options = null, string name = "auspex") : IScalingPolicy
{
    private readonly AuspexPolicyOptions _o = options ?? new AuspexPolicyOptions();
    private IScalingDecider? _decider;
    private DemandPath? _path;
    private double _growth = 1;
    private DateTimeOffset _growthAt = DateTimeOffset.MinValue;

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
                _o.Model, [TimeSpan.FromDays(1), TimeSpan.FromDays(7)], 12, peak: true) ?? _path;
            Forecasts++;
        }
        if (_decider is null)
        {
            var pool = new TierPool(_o.UseTiers ? world.Tiers : [world.Tiers[0]]);
            _decider = ScalingDecider.Create(pool, new ScalingOptions
            {
                DecisionInterval = world.Tick,
                DefaultQuantile = _o.Quantile,
                ScaleInStabilization = _o.ScaleDownStabilisation,
                MaxUnitsPerTier = world.MaxReplicas,
            }, context.Clock);
        }
        var lead = world.Tiers.Max(t => t.ProvisioningLeadTime);
        if (now - _growthAt >= _o.RefitEvery)
        {
            _growthAt = now;
            _growth = Growth(context.History, context.HistoryStep, lead + world.Tick);
        }
        // The floor every quantile keeps: the load now, and the level grown by the growth quantile over the lead time.
        var floor = Math.Max(context.ObservedRate, Level(context.History, context.History.Count) * _growth);
        var miss = 1.0;
        if (_path is not null)
        {
            // Bucket peaks: the rate now is compared with the bucket's expected peak, so a miss means a real surprise.
            var expectedNow = _path.QuantileAt(now, 0.5);
            miss = expectedNow > 0 ? Math.Clamp(context.ObservedRate / expectedNow, 1, 10) : 1;
        }
        // The demand forecast in replicas needed (the queueing model's inverse per point and quantile), one point a
        // minute over the lead time and two decision intervals, handed to the orchestration's scaling decider.
        var levels = Forecast.DefaultLevels;
        var points = new List<ForecastPoint>();
        var stepLen = TimeSpan.FromMinutes(1);
        var steps = (int)Math.Ceiling((lead + world.Tick * 2) / stepLen) + 1;
        for (var i = 0; i < steps; i++)
        {
            var t = now + stepLen * i;
            var q = new double[levels.Count];
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
        return result;
    }

    /// <summary>The orchestration decider's last decision (its reason explains it), or null before the first tick.</summary>
    public ScalingDecision? LastDecision { get; private set; }

    private static readonly TenantId Tenant = new("simulation");

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

    /// <summary>Replicas (fractional) whose p99 response time for <paramref name="rate"/> stays under SloSafety × the SLO.</summary>
    private double Replicas(double rate, WorldOptions world)
    {
        if (rate <= 0)
        {
            return 0;
        }
        var servers = QueueModel.ServersFor(rate, world.ServiceTime.TotalSeconds, world.ServiceTimeCv, 0.99,
            world.LatencyP99Target.TotalSeconds * _o.SloSafety, world.MaxReplicas * world.WorkersPerReplica) ?? world.MaxReplicas * world.WorkersPerReplica;
        return (double)servers / world.WorkersPerReplica;
    }

}
