using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Ingestion.TopologyFiles;
using Auspex.Placement.Selection;
using Auspex.Testing;
using static Auspex.Testing.Builders;

namespace Auspex.Placement.Tests;

internal static class Fixtures
{
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(5);
    public static readonly TimeRange Hour = new(T0, T0.AddHours(1));
    public const double GiB = 1024.0 * 1024 * 1024;

    public static Topology Fleet()
    {
        var r = TopologyFile.Load(RepoPaths.Samples("fleet", "topology.yaml"));
        return r.Topology ?? throw new InvalidOperationException(string.Join("; ", r.Errors));
    }

    /// <summary>A constant forecast of <paramref name="mean"/> whose p95 is <paramref name="p95"/>.</summary>
    public static HostUsageForecast Usage(string host, ResourceKind kind, double mean, double p95, int steps = 12) =>
        new(host, kind, new Forecast(new SeriesKey(kind.MetricName(), Labels.Of("host", host)), "test", T0, Step, [0.5, 0.95],
            Enumerable.Range(0, steps).Select(i => new ForecastPoint(T0 + Step * i, mean, [mean, p95])).ToList()));

    /// <summary>Two zones × two racks × two hosts of 4 cores / 16 GiB, tiers "standard" and "spot".</summary>
    public static Topology Grid(
        IEnumerable<Component>? components = null,
        IEnumerable<DependencyEdge>? edges = null,
        IEnumerable<MaintenanceWindow>? maintenance = null,
        Policy? policy = null)
    {
        var locs = new List<Locality> { new("r1", LocalityKind.Region, null, ResourceVector.Zero, null, Labels.Empty) };
        foreach (var z in new[] { 1, 2 })
        {
            locs.Add(new($"z{z}", LocalityKind.Zone, "r1", ResourceVector.Zero, null, Labels.Empty));
            foreach (var k in new[] { 1, 2 })
            {
                var rack = $"rack{z}{k}";
                locs.Add(new(rack, LocalityKind.Rack, $"z{z}", ResourceVector.Zero, null, Labels.Empty));
                foreach (var h in new[] { 1, 2 })
                {
                    locs.Add(new($"h{z}{k}{h}", LocalityKind.Host, rack,
                        ResourceVector.Of((ResourceKind.Cpu, 4), (ResourceKind.Memory, 16 * GiB)), z == 2 && k == 2 ? "spot" : "standard", Labels.Empty));
                }
            }
        }
        Tier[] tiers = [new("standard", "onprem", 0.4, 1, 0, TimeSpan.Zero), new("spot", "onprem", 0.1, 1, 0.05, TimeSpan.Zero)];
        var r = Topology.Create(TenantId.Default, locs, components, edges, tiers, null, maintenance, null, policy);
        return r.Topology ?? throw new InvalidOperationException(string.Join("; ", r.Errors));
    }

    public static PlacementRequest Request(string component = "api", double cpu = 1, double memGiB = 1, string? service = null) =>
        new(component, service ?? component, ResourceVector.Of((ResourceKind.Cpu, cpu), (ResourceKind.Memory, memGiB * GiB)), Hour);

    public static PlacementSnapshot Snapshot(Topology t, IEnumerable<HostUsageForecast>? usage = null, IEnumerable<Core.Scores.LocalityScore>? scores = null, PlacementOptions? o = null) =>
        PlacementSnapshot.Create(t, usage ?? [], scores ?? [], T0, o);

    public static ILocalitySelector Greedy(Action<PlacementOptions>? configure = null)
    {
        var o = new PlacementOptions { Steering = SteeringMode.Greedy };
        configure?.Invoke(o);
        return LocalitySelection.Create(o);
    }
}
