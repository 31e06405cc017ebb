using Auspex.Placement.Selection;

namespace Auspex.Kubernetes.Extender;

/// <summary>
/// The kube-scheduler extender's two verbs over Auspex select-a-locality. Filter keeps the hard constraints (predicted
/// fit, tiers, maintenance, policy overrides); prioritize maps the weighted total (0–100) onto the extender's 0–10.
/// Both answer with a value, never an exception: a pod that cannot be read gets <see cref="ExtenderFilterResult.Error"/>.
/// </summary>
public interface ISchedulerExtender
{
    /// <summary>The filter verb.</summary>
    ExtenderFilterResult Filter(ExtenderArgs args);

    /// <summary>The prioritize verb.</summary>
    List<HostPriority> Prioritize(ExtenderArgs args);
}

/// <summary>The registration point of the scheduler extender.</summary>
public static class SchedulerExtender
{
    /// <summary>
    /// Creates an extender that evaluates every call against the snapshot <paramref name="snapshot"/> returns at that
    /// moment, with pod lifetimes starting at <paramref name="time"/>'s now.
    /// </summary>
    public static ISchedulerExtender Create(ILocalitySelector selector, Func<PlacementSnapshot> snapshot, TimeProvider time, ExtenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(time);
        options ??= new ExtenderOptions();
        options.Validate();
        return new AuspexSchedulerExtender(selector, snapshot, time, options);
    }
}
