namespace Auspex.Simulation.Policies;

/// <summary>Options of the Kubernetes HPA as simulated; defaults are the HPA's (v2 <c>behavior</c> defaults).</summary>
public sealed record HpaOptions
{
    /// <summary>Target utilisation: the per-pod metric target as a fraction of a replica's full rate. Default 0.7.</summary>
    public double TargetUtilisation { get; init; } = 0.7;

    /// <summary><c>--horizontal-pod-autoscaler-tolerance</c>. Default 0.1.</summary>
    public double Tolerance { get; init; } = 0.1;

    /// <summary><c>behavior.scaleDown.stabilizationWindowSeconds</c>. Default 300 s.</summary>
    public TimeSpan ScaleDownStabilisation { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary><c>behavior.scaleUp.stabilizationWindowSeconds</c>. Default 0.</summary>
    public TimeSpan ScaleUpStabilisation { get; init; } = TimeSpan.Zero;

    /// <summary>Scale-up policy <c>Percent</c>: at most this percentage added per period. Default 100.</summary>
    public double ScaleUpPercent { get; init; } = 100;

    /// <summary>Scale-up policy <c>Pods</c>: at most this many added per period. Default 4.</summary>
    public int ScaleUpPods { get; init; } = 4;

    /// <summary>Scale-up (and scale-down) policy period. Default 15 s.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Scale-down policy <c>Percent</c>: at most this percentage removed per period. Default 100.</summary>
    public double ScaleDownPercent { get; init; } = 100;

    /// <summary>What is wrong with these options (empty when valid), each naming the option and the value.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(TargetUtilisation > 0 && TargetUtilisation <= 1))
        {
            errors.Add(FormattableString.Invariant($"target must be in (0, 1] (a fraction of a replica's full rate), got {TargetUtilisation}"));
        }
        if (!(Tolerance >= 0 && Tolerance < 1))
        {
            errors.Add(FormattableString.Invariant($"tol must be in [0, 1), got {Tolerance}"));
        }
        if (!(ScaleDownStabilisation >= TimeSpan.Zero && ScaleDownStabilisation <= TimeSpan.FromHours(1)))
        {
            errors.Add(FormattableString.Invariant($"stab must be 0–60 minutes (Kubernetes allows at most 3600 s), got {ScaleDownStabilisation.TotalMinutes}"));
        }
        return errors;
    }
}

/// <summary>
/// The Kubernetes Horizontal Pod Autoscaler's algorithm on a per-pod rate metric (a Pods metric with an average-value
/// target, as with prometheus-adapter or KEDA): <c>desired = ceil(current × metric / target)</c> unless the ratio is within
/// the tolerance; pods without metrics (still starting) count as 0 % on scale-up and as 100 % of target on scale-down,
/// and the recomputed ratio must not flip direction; then the scale-down stabilisation window (highest recommendation
/// in the last 5 min), the scale-up rate limits (max of +100 % and +4 pods per 15 s, counted from the replicas at the
/// start of the period) and min/max replicas. It sees offered load uncapped (the most favourable metric for the HPA).
/// </summary>
public sealed class HpaPolicy(HpaOptions? options = null, string name = "hpa") : IScalingPolicy
{
    private readonly HpaOptions _o = options ?? new HpaOptions();
    private readonly List<(DateTimeOffset At, int Replicas)> _recommendations = [];
    private readonly List<(DateTimeOffset At, int Delta)> _events = [];

    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, int>? Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var desired = Recommend(context);
        return desired is { } d ? new Dictionary<string, int>(StringComparer.Ordinal) { [context.DefaultTier] = d } : null;
    }

    /// <summary>The replica count the HPA sets at this tick, or null to leave it.</summary>
    internal int? Recommend(PolicyContext context)
    {
        var current = context.DesiredTotal;
        var ready = context.ReadyTotal;
        var missing = context.PendingTotal;
        var target = _o.TargetUtilisation * context.ReplicaRate;
        int raw;
        if (current == 0)
        {
            raw = context.World.MinReplicas;
        }
        else if (ready == 0)
        {
            // No pod reports a metric: the HPA cannot compute a ratio and leaves the scale alone.
            return null;
        }
        else
        {
            raw = Calculate(context.ObservedRate / ready, target, ready, missing, current);
        }
        var now = context.Now;
        var stabilised = Stabilise(now, raw, current);
        var limited = Limit(now, stabilised, current, context.World.MinReplicas, context.World.MaxReplicas);
        if (limited != current)
        {
            _events.Add((now, limited - current));
        }
        return limited;
    }

    // replica_calculator.go's plain-metric path: ready pods report, pending pods are "missing".
    private int Calculate(double perPod, double target, int ready, int missing, int current)
    {
        var ratio = perPod / target;
        if (missing == 0)
        {
            return Math.Abs(1 - ratio) <= _o.Tolerance ? current : (int)Math.Ceiling(ratio * ready);
        }
        var missingValue = ratio < 1 ? target : 0;
        var newRatio = (perPod * ready + missingValue * missing) / ((ready + missing) * target);
        if (Math.Abs(1 - newRatio) <= _o.Tolerance || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1))
        {
            return current;
        }
        var proposed = (int)Math.Ceiling(newRatio * (ready + missing));
        if ((newRatio < 1 && proposed > current) || (newRatio > 1 && proposed < current))
        {
            return current;
        }
        return proposed;
    }

    // stabilizeRecommendationWithBehaviors: min over the up window, max over the down window, around the current.
    private int Stabilise(DateTimeOffset now, int recommendation, int current)
    {
        _recommendations.Add((now, recommendation));
        var keep = _o.ScaleDownStabilisation > _o.ScaleUpStabilisation ? _o.ScaleDownStabilisation : _o.ScaleUpStabilisation;
        _recommendations.RemoveAll(r => r.At < now - keep);
        var up = recommendation;
        var down = recommendation;
        foreach (var r in _recommendations)
        {
            if (r.At > now - _o.ScaleUpStabilisation)
            {
                up = Math.Min(up, r.Replicas);
            }
            if (r.At > now - _o.ScaleDownStabilisation)
            {
                down = Math.Max(down, r.Replicas);
            }
        }
        var result = current;
        if (result < up)
        {
            result = up;
        }
        if (result > down)
        {
            result = down;
        }
        return result;
    }

    // convertDesiredReplicasWithBehaviorRate with the default policies (selectPolicy Max).
    private int Limit(DateTimeOffset now, int desired, int current, int min, int max)
    {
        _events.RemoveAll(e => e.At <= now - _o.Period);
        var added = _events.Where(e => e.Delta > 0).Sum(e => e.Delta);
        var removed = -_events.Where(e => e.Delta < 0).Sum(e => e.Delta);
        var periodStart = current - added + removed;
        if (desired > current)
        {
            var byPods = periodStart + _o.ScaleUpPods;
            var byPercent = (int)Math.Ceiling(periodStart * (1 + _o.ScaleUpPercent / 100));
            var upLimit = Math.Max(byPods, byPercent);
            return Math.Clamp(Math.Min(desired, upLimit), min, max);
        }
        if (desired < current)
        {
            var downLimit = (int)Math.Ceiling(periodStart * (1 - _o.ScaleDownPercent / 100));
            return Math.Clamp(Math.Max(desired, downLimit), min, max);
        }
        return Math.Clamp(desired, min, max);
    }
}
