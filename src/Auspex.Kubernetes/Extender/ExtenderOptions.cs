namespace Auspex.Kubernetes.Extender;

/// <summary>What the extender does with a node that is not a host of the Auspex topology.</summary>
public enum UnknownNodePolicy
{
    /// <summary>Let it through filter and give it <see cref="ExtenderOptions.UnknownNodeScore"/> (Auspex has no opinion). The default.</summary>
    Pass,
    /// <summary>Fail it in filter (only Auspex-managed nodes may run the pod).</summary>
    Fail,
}

/// <summary>Options of the scheduler extender. Every default is documented; <see cref="Validate"/> checks the ranges.</summary>
public sealed class ExtenderOptions
{
    /// <summary>Lifetime assumed for a pod without the <c>auspex.io/lifetime</c> annotation. Default 1 hour.</summary>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Nodes that are not hosts of the topology. Default <see cref="UnknownNodePolicy.Pass"/>.</summary>
    public UnknownNodePolicy UnknownNodes { get; set; } = UnknownNodePolicy.Pass;

    /// <summary>Prioritize score (0–10) of nodes Auspex does not know. Default 0.</summary>
    public long UnknownNodeScore { get; set; }

    /// <summary>
    /// Stretch the feasible nodes' totals over 1–10 (min–max) instead of total ÷ 10. The extender protocol has only 11
    /// levels, so absolute totals that differ by a few points would tie; stretching keeps the ranking. Default true.
    /// </summary>
    public bool StretchScores { get; set; } = true;

    /// <summary>Report failures as FailedAndUnresolvableNodes (preemption cannot help) instead of FailedNodes. Default false.</summary>
    public bool FailuresAreUnresolvable { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> when an option is out of range.</summary>
    public void Validate()
    {
        if (DefaultLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("ExtenderOptions.DefaultLifetime must be > 0.");
        }
        if (UnknownNodeScore is < ExtenderLimits.MinPriority or > ExtenderLimits.MaxPriority)
        {
            throw new ArgumentException("ExtenderOptions.UnknownNodeScore must be in [0, 10].");
        }
        if (!Enum.IsDefined(UnknownNodes))
        {
            throw new ArgumentException("ExtenderOptions.UnknownNodes is not a defined value.");
        }
    }
}
