using Auspex.Core.Topology;
using Auspex.Engine.Configuration;
using Auspex.Engine.Loop;
using Auspex.Engine.Scaling;
using Auspex.Engine.Services;
using Auspex.Ingestion.TopologyFiles;
using Auspex.Orchestration.Execution;
using Auspex.Orchestration.Pool;
using Auspex.Orchestration.Scaling;
using Auspex.Storage;
using Auspex.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.Engine.Tests;

/// <summary>
/// The shop topology the scaling-stage tests share (two standard hosts, web × 2 and db × 1, a spot tier with a short
/// lead time), an embedded store and a fake clock at <see cref="T0"/>; <see cref="Stage"/> wires a scaling service on a
/// simulated executor seeded with the placed replicas. Each test class adds its own components or SLOs as extra YAML.
/// </summary>
public sealed class ScalingTestBed : IDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(5);

    private const string ShopYaml = """
        version: 1
        tenant: acme
        tiers:
          - {name: standard, provider: onprem, price_per_hour: 0.40, performance_factor: 1, preemption_probability_per_hour: 0, provisioning_lead_time: 10m}
          - {name: spot, provider: aws, price_per_hour: 0.07, performance_factor: 1, preemption_probability_per_hour: 0.02, provisioning_lead_time: 2m}
        regions:
          - id: r
            zones:
              - id: z
                racks:
                  - id: k
                    hosts:
                      - {id: h1, tier: standard, capacity: {cpu: 8, memory: 16Gi}}
                      - {id: h2, tier: standard, capacity: {cpu: 8, memory: 16Gi}}
        components:
          - {id: web, service: shop, requests: {cpu: 1, memory: 1Gi}, replicas: 2, placement: [h1, h2]}
          - {id: db, service: shop-db, requests: {cpu: 1, memory: 1Gi}, replicas: 1, placement: [h1]}

        """;

    private readonly TempDirectory _dir = new();

    /// <param name="extraYaml">Lines appended to the shop topology (more components, an <c>slos:</c> block), unindented.</param>
    public ScalingTestBed(string extraYaml = "")
    {
        Store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("auspex.duckdb") });
        var parsed = TopologyFile.Parse(ShopYaml + extraYaml);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        Topology = parsed.Topology!;
    }

    public EmbeddedStore Store { get; }

    public Topology Topology { get; }

    public FakeTimeProvider Clock { get; } = new(T0);

    /// <summary>A scaling service in <paramref name="mode"/> at 50 % target utilisation (unless configured), up to 40 replicas.</summary>
    public (ScalingService Scaling, SimulatedExecutor Sim, ControlLoop Loop) Stage(ScalingStageMode mode, Action<ScalingStageSettings>? configure = null)
    {
        var holder = new TopologyHolder(Topology);
        var loop = new ControlLoop(Store, () => holder.Current, Clock, new EngineOptions());
        var settings = new OrchestrationSettings { Scaling = { Mode = mode, TargetUtilisation = 0.5, MaxReplicas = 40 } };
        configure?.Invoke(settings.Scaling);
        var pool = TierPool.FromTopology(Topology);
        var initial = ScalingService.InitialReplicas(Topology, pool);
        var sim = new SimulatedExecutor();
        foreach (var (c, byTier) in initial)
        {
            foreach (var (tier, n) in byTier)
            {
                sim.Seed(c, tier, n);
            }
        }
        return (new ScalingService(loop, sim, settings, pool, initial, Store.State), sim, loop);
    }

    public void Dispose()
    {
        Store.Dispose();
        _dir.Dispose();
    }
}
