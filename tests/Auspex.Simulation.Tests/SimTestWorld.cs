using Auspex.Core.Topology;
using Auspex.Simulation.Policies;
using Auspex.Simulation.World;

namespace Auspex.Simulation.Tests;

/// <summary>The small world and fixed policies the vertical-sizing and spreading tests compute their figures by hand in.</summary>
internal static class SimTestWorld
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>8 workers × 100 ms = 80 req/s per default replica; on-demand 0.10/h, 3 min to a new replica; resize in 60 s; no failures, no warm-up.</summary>
    public static readonly WorldOptions OnDemand = new()
    {
        FailureRatePerHour = 0,
        WarmUp = TimeSpan.Zero,
        ResizeLeadTime = TimeSpan.FromSeconds(60),
        Tiers = [new Tier("on-demand", "simulated", 0.10, 1.0, 0.0, TimeSpan.FromMinutes(3))],
    };

    /// <summary><paramref name="replicas"/> replicas at a fixed limit of <paramref name="workers"/> from the start.</summary>
    public sealed class Sized(double workers, int replicas = 1) : IVerticalScalingPolicy
    {
        public string Name => $"sized-{workers}";

        public double? DesiredWorkers => workers;

        public IReadOnlyDictionary<string, int>? Decide(PolicyContext context) => new Dictionary<string, int> { [context.DefaultTier] = replicas };
    }

    /// <summary>One default-size replica.</summary>
    public sealed class One : IScalingPolicy
    {
        public string Name => "one";

        public IReadOnlyDictionary<string, int>? Decide(PolicyContext context) => new Dictionary<string, int> { [context.DefaultTier] = 1 };
    }
}
