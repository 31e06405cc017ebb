using Auspex.Orchestration.Pool;

namespace Auspex.Orchestration.Scaling;

/// <summary>
/// Seed 003's OrchestrateResources: sizes components ahead of their forecast demand on a tiered pool. Keeps the
/// short history scale-in hysteresis needs, so use one decider per control loop (or simulation run).
/// </summary>
public interface IScalingDecider
{
    /// <summary>The pool decided on.</summary>
    TierPool Pool { get; }

    /// <summary>Decides one component.</summary>
    ScalingDecision Decide(ScalingRequest request);

    /// <summary>
    /// Decides many components at once, applying each tenant's hourly budget across them: scale-ins first release
    /// budget, then scale-outs are granted in request order (earlier requests have priority).
    /// </summary>
    IReadOnlyList<ScalingDecision> DecideAll(IReadOnlyList<ScalingRequest> requests);
}

/// <summary>Creates scaling deciders.</summary>
public static class ScalingDecider
{
    /// <summary>Creates a decider on <paramref name="pool"/>; throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public static IScalingDecider Create(TierPool pool, ScalingOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid scaling options: " + string.Join("; ", errors), nameof(options));
        }
        return new TieredScalingDecider(pool, options, time);
    }
}
