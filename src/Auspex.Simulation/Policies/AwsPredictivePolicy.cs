namespace Auspex.Simulation.Policies;

/// <summary>What the simulated AWS predictive scaling does when the forecast exceeds the group's maximum.</summary>
public enum MaxCapacityBreachBehavior
{
    /// <summary>The maximum is a hard cap (AWS's default).</summary>
    HonorMaxCapacity,

    /// <summary>Capacity may exceed the maximum, up to the forecast plus <see cref="AwsPredictiveOptions.MaxCapacityBuffer"/> percent.</summary>
    IncreaseMaxCapacity,
}

/// <summary>Options of the AWS-style predictive policy; defaults follow EC2 Auto Scaling predictive scaling.</summary>
public sealed record AwsPredictiveOptions
{
    /// <summary>Target utilisation of both the forecast capacity and the dynamic (target tracking) policy. Default 0.7.</summary>
    public double TargetUtilisation { get; init; } = 0.7;

    /// <summary>History needed before the first forecast. Default 24 h.</summary>
    public TimeSpan MinHistory { get; init; } = TimeSpan.FromHours(24);

    /// <summary>History the forecast looks at. Default 14 days.</summary>
    public TimeSpan MaxHistory { get; init; } = TimeSpan.FromDays(14);

    /// <summary>How often the forecast is redone. Default 6 h.</summary>
    public TimeSpan RefreshEvery { get; init; } = TimeSpan.FromHours(6);

    /// <summary>Forecast horizon in hours. Default 48.</summary>
    public int HorizonHours { get; init; } = 48;

    /// <summary><c>SchedulingBufferTime</c>: capacity for an hour is launched this long before it starts. Default 300 s.</summary>
    public TimeSpan SchedulingBuffer { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary><c>MaxCapacityBreachBehavior</c>. Default <see cref="MaxCapacityBreachBehavior.HonorMaxCapacity"/>.</summary>
    public MaxCapacityBreachBehavior BreachBehavior { get; init; } = MaxCapacityBreachBehavior.HonorMaxCapacity;

    /// <summary><c>MaxCapacityBuffer</c> in percent of the forecast capacity (with IncreaseMaxCapacity). Default 10.</summary>
    public double MaxCapacityBuffer { get; init; } = 10;

    /// <summary>The group's maximum capacity; null = the world's maximum.</summary>
    public int? MaxCapacity { get; init; }

    /// <summary>The forecasting model (a <c>ModelCatalog</c> name). Default <c>mstl</c> on daily and weekly seasons.</summary>
    public string Model { get; init; } = "mstl";
}

/// <summary>
/// AWS EC2 Auto Scaling's predictive scaling as published: after 24 h of history, every 6 h an hourly forecast of the
/// load 48 h ahead from up to 14 days of history; the capacity for each hour (forecast ÷ per-instance target) is
/// launched <c>SchedulingBufferTime</c> before the hour and only ever scales out; scale-in is left to a dynamic
/// target-tracking policy (here the same ratio rule as the HPA), and the group runs the larger of the two. The
/// forecaster is the product's own (AWS's model is not public), run on hourly averages.
/// </summary>
public sealed class AwsPredictivePolicy(AwsPredictiveOptions? options = null) : IScalingPolicy
{
    private readonly AwsPredictiveOptions _o = options ?? new AwsPredictiveOptions();
    private HpaPolicy? _dynamic;
    private DemandPath? _path;

    /// <inheritdoc/>
    public string Name => "aws";

    /// <summary>Forecasts made so far.</summary>
    public int Forecasts { get; private set; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, int>? Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _dynamic ??= new HpaPolicy(new HpaOptions { TargetUtilisation = _o.TargetUtilisation });
        var now = context.Now;
        var seen = context.HistoryStep * context.History.Count;
        if (seen >= _o.MinHistory && (_path is null || now - _path.IssuedAt >= _o.RefreshEvery))
        {
            _path = DemandForecaster.Forecast(context.History, context.HistoryStart, context.HistoryStep, now, TimeSpan.FromHours(1),
                _o.MaxHistory, _o.HorizonHours, _o.Model, [TimeSpan.FromDays(1), TimeSpan.FromDays(7)], 24, missing: context.HistoryMissing) ?? _path;
            Forecasts++;
        }
        var max = _o.MaxCapacity ?? context.World.MaxReplicas;
        var floor = 0;
        if (_path is not null)
        {
            var forecastCapacity = (int)Math.Ceiling(_path.QuantileAt(now + _o.SchedulingBuffer, 0.5) / (context.ReplicaRate * _o.TargetUtilisation));
            if (_o.BreachBehavior == MaxCapacityBreachBehavior.IncreaseMaxCapacity)
            {
                max = Math.Max(max, (int)Math.Ceiling(forecastCapacity * (1 + _o.MaxCapacityBuffer / 100)));
            }
            floor = Math.Min(forecastCapacity, max);
        }
        var dynamic = _dynamic.Recommend(context) ?? context.DesiredTotal;
        var desired = Math.Clamp(Math.Max(floor, dynamic), context.World.MinReplicas, max);
        return new Dictionary<string, int>(StringComparer.Ordinal) { [context.DefaultTier] = desired };
    }
}
