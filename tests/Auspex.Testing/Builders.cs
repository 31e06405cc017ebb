using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;

namespace Auspex.Testing;

/// <summary>Builders for test data.</summary>
public static class Builders
{
    public static readonly DateTimeOffset T0 = new(2013, 8, 12, 0, 0, 0, TimeSpan.Zero);

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
