using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using static Auspex.Testing.Builders;

namespace Auspex.Scoring.Tests;

/// <summary>r1/z1 with rack1 (h11, h12: tier cheap) and rack2 (h21, h22: tier dear); api on h11 calls db on h21.</summary>
internal static class ScoringFixture
{
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(5);

    public static Topology Rich(IEnumerable<MaintenanceWindow>? maintenance = null, IEnumerable<FailureEvent>? failures = null, Policy? policy = null)
    {
        var locs = new List<Locality>
        {
            new("r1", LocalityKind.Region, null, ResourceVector.Zero, null, Labels.Empty),
            new("z1", LocalityKind.Zone, "r1", ResourceVector.Zero, null, Labels.Empty),
            new("rack1", LocalityKind.Rack, "z1", ResourceVector.Zero, null, Labels.Empty),
            new("rack2", LocalityKind.Rack, "z1", ResourceVector.Zero, null, Labels.Empty),
        };
        foreach (var (h, rack, tier) in new[] { ("h11", "rack1", "cheap"), ("h12", "rack1", "cheap"), ("h21", "rack2", "dear"), ("h22", "rack2", "dear") })
        {
            locs.Add(new(h, LocalityKind.Host, rack, ResourceVector.Of((ResourceKind.Cpu, 4), (ResourceKind.Memory, 16e9)), tier, Labels.Empty));
        }
        var r = Topology.Create(TenantId.Default, locs,
            components:
            [
                new("api", "shop", ResourceVector.Of((ResourceKind.Cpu, 1)), 1, ["h11"], []),
                new("db", "data", ResourceVector.Of((ResourceKind.Cpu, 1)), 1, ["h21"], []),
            ],
            dependencies: [new("api", "db", 100, 0)],
            tiers:
            [
                new("cheap", "onprem", 0.2, 1, 0, TimeSpan.Zero),
                new("dear", "onprem", 0.4, 1, 0, TimeSpan.Zero),
            ],
            maintenance: maintenance, failures: failures, policy: policy);
        return r.Topology ?? throw new InvalidOperationException(string.Join("; ", r.Errors));
    }

    public static HostForecast Cpu(string host, double mean, double sd = 0, int steps = 6) =>
        new(host, ResourceKind.Cpu, new Forecast(Auspex.Testing.Builders.Cpu(host), "test", T0, Step, [0.1, 0.5, 0.9],
            Enumerable.Range(1, steps).Select(i => new ForecastPoint(T0 + Step * i, mean, [mean - 1.2815515655 * sd, mean, mean + 1.2815515655 * sd])).ToList()));

    public static HostForecast Constant(string host, ResourceKind kind, double value, int steps = 6) =>
        new(host, kind, new Forecast(new SeriesKey(kind.MetricName(), Labels.Of("host", host)), "test", T0, Step, [0.5],
            Enumerable.Range(1, steps).Select(i => new ForecastPoint(T0 + Step * i, value, [value])).ToList()));

    public static IReadOnlyList<HostForecast> AllCpu(double mean) => [Cpu("h11", mean), Cpu("h12", mean), Cpu("h21", mean), Cpu("h22", mean)];
}
