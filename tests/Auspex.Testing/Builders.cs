using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;

namespace Auspex.Testing;

/// <summary>Builders for test data.</summary>
public static class Builders
{
    public static readonly DateTimeOffset T0 = new(2013, 8, 12, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Tenant <c>acme</c>: one standard host <c>h1</c> (8 CPU, 16Gi) running the two one-replica components <c>web</c> and <c>api</c> of service <c>shop</c>.</summary>
    public const string ShopOneHostYaml = """
        version: 1
        tenant: acme
        tiers:
          - {name: standard, provider: onprem, price_per_hour: 0.40, performance_factor: 1, preemption_probability_per_hour: 0, provisioning_lead_time: 1m}
        regions:
          - id: r
            zones:
              - id: z
                racks:
                  - id: k
                    hosts:
                      - {id: h1, tier: standard, capacity: {cpu: 8, memory: 16Gi}}
        components:
          - {id: web, service: shop, requests: {cpu: 1, memory: 1Gi}, replicas: 1, placement: [h1]}
          - {id: api, service: shop, requests: {cpu: 1, memory: 1Gi}, replicas: 1, placement: [h1]}
        """;

    public static SeriesKey Cpu(string host) => new(ResourceKind.Cpu.MetricName(), Labels.Of("host", host));

    public static SeriesData Series(SeriesKey key, DateTimeOffset start, TimeSpan step, params double[] values) =>
        new(key, values.Select((v, i) => new Sample(start + step * i, v)).ToList());

    /// <summary>One region, one zone, <paramref name="racks"/> racks of <paramref name="hostsPerRack"/> hosts with 4 cores each.</summary>
    public static Topology SmallTopology(int racks = 2, int hostsPerRack = 2)
    {
        var locs = new List<Locality>
        {
            new("r1", LocalityKind.Region, null, ResourceVector.Zero, null, Labels.Empty),
            new("z1", LocalityKind.Zone, "r1", ResourceVector.Zero, null, Labels.Empty),
        };
        for (var r = 1; r <= racks; r++)
        {
            locs.Add(new($"rack{r}", LocalityKind.Rack, "z1", ResourceVector.Zero, null, Labels.Empty));
            for (var h = 1; h <= hostsPerRack; h++)
            {
                locs.Add(new($"h{r}{h}", LocalityKind.Host, $"rack{r}",
                    ResourceVector.Of((ResourceKind.Cpu, 4), (ResourceKind.Memory, 16e9)), null, Labels.Empty));
            }
        }
        var result = Topology.Create(TenantId.Default, locs);
        return result.Topology ?? throw new InvalidOperationException(string.Join("; ", result.Errors));
    }
}
