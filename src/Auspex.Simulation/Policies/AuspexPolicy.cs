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

    /// <summary>Recommendations are held this long before scaling in (like the HPA's window). Default 5 min.</summary>
    public TimeSpan ScaleDownStabilisation { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Put the predictable base (the forecast's 10 % quantile over the next hour) on the first tier and the rest on
    /// the cheapest tier that can be preempted. Default true; false keeps every replica on the first tier.
    /// </summary>
    public bool UseTiers { get; init; } = true;
}

/// <summary>
/// Auspex's policy as the simulator runs it: forecast quantiles from the product's forecasting library, sized by the
/// queueing model for the SLO rather than by a utilisation target, looking ahead over the tier's provisioning lead
/// time, and split over tiers. Each tick: the rate to plan for is the largest forecast quantile over
/// [now, now + lead time + one tick], raised by the current forecast miss when the load runs above the forecast
/// (never lowered), and never below the load observed now; the replicas are the fewest whose p99 response time for
/// that rate stays under <see cref="AuspexPolicyOptions.SloSafety"/> × the SLO; scale-in waits for the stabilisation
/// window. Before <see cref="AuspexPolicyOptions.MinHistory"/> it is the same rule on the observed load alone.
/// </summary>
public sealed class AuspexPolicy(AuspexPolicyOptions? options = null, string name = "auspex") : IScalingPolicy
{
    private readonly AuspexPolicyOptions _o = options ?? new AuspexPolicyOptions();
    private readonly List<(DateTimeOffset At, int Replicas)> _recommendations = [];
    private DemandPath? _path;

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
                _o.Model, [TimeSpan.FromDays(1), TimeSpan.FromDays(7)], 12) ?? _path;
            Forecasts++;
        }
        var baseTier = world.Tiers[0];
        var burstTier = _o.UseTiers ? world.Tiers.Where(t => t.PreemptionProbabilityPerHour > 0 && t.PricePerHour < baseTier.PricePerHour)
            .OrderBy(t => t.PricePerHour).FirstOrDefault() : null;
        var lead = burstTier is null || burstTier.ProvisioningLeadTime < baseTier.ProvisioningLeadTime ? baseTier.ProvisioningLeadTime : burstTier.ProvisioningLeadTime;
        var plan = context.ObservedRate;
        double baseRate = 0;
        if (_path is not null)
        {
            var ahead = _path.MaxQuantile(now, now + lead + world.Tick, _o.Quantile);
            var expectedNow = _path.QuantileAt(now, 0.5);
            var miss = expectedNow > 0 ? Math.Clamp(context.ObservedRate / expectedNow, 1, 10) : 1;
            plan = Math.Max(plan, ahead * miss);
            baseRate = _path.MinQuantile(now, now + TimeSpan.FromHours(1), 0.1);
        }
        var total = ReplicasFor(plan, world);
        var stabilised = Stabilise(now, total);
        var desired = Math.Clamp(stabilised, world.MinReplicas, world.MaxReplicas);
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        if (burstTier is null)
        {
            result[baseTier.Name] = desired;
            return result;
        }
        var onBase = Math.Min(desired, Math.Max(world.MinReplicas, ReplicasFor(baseRate, world)));
        result[baseTier.Name] = onBase;
        result[burstTier.Name] = desired - onBase;
        return result;
    }

    private int ReplicasFor(double rate, WorldOptions world)
    {
        if (rate <= 0)
        {
            return world.MinReplicas;
        }
        var servers = QueueModel.ServersFor(rate, world.ServiceTime.TotalSeconds, world.ServiceTimeCv, 0.99,
            world.LatencyP99Target.TotalSeconds * _o.SloSafety, world.MaxReplicas * world.WorkersPerReplica) ?? world.MaxReplicas * world.WorkersPerReplica;
        return (int)Math.Ceiling((double)servers / world.WorkersPerReplica);
    }

    private int Stabilise(DateTimeOffset now, int recommendation)
    {
        _recommendations.Add((now, recommendation));
        _recommendations.RemoveAll(r => r.At <= now - _o.ScaleDownStabilisation);
        return _recommendations.Max(r => r.Replicas);
    }
}
