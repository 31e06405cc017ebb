namespace Auspex.Simulation.Policies;

/// <summary>
/// Static provisioning for the peak: a fixed replica count from the start, sized so the trace's highest rate runs at
/// <paramref name="targetUtilisation"/> of full use. The peak is known in hindsight (an oracle a real operator does
/// not have), so this is the most favourable static sizing; it is never changed afterwards, failures aside.
/// </summary>
public sealed class StaticPolicy(double peakRate, double targetUtilisation = 0.7) : IScalingPolicy
{
    private bool _set;

    /// <inheritdoc/>
    public string Name => "static";

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, int>? Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_set)
        {
            return null;
        }
        _set = true;
        var n = (int)Math.Ceiling(peakRate / (context.ReplicaRate * targetUtilisation));
        return new Dictionary<string, int>(StringComparer.Ordinal) { [context.DefaultTier] = Math.Clamp(n, Math.Max(1, context.World.MinReplicas), context.World.MaxReplicas) };
    }
}
