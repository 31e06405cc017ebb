using Auspex.Core.Topology;

namespace Auspex.Engine.Services;

/// <summary>The tenant's current topology; replaced atomically when a new one is imported.</summary>
public sealed class TopologyHolder(Topology initial)
{
    private Topology _current = initial;

    /// <summary>The topology in force.</summary>
    public Topology Current => Volatile.Read(ref _current);

    /// <summary>Replaces the topology.</summary>
    public void Replace(Topology topology) => Volatile.Write(ref _current, topology ?? throw new ArgumentNullException(nameof(topology)));
}
