using Auspex.Core.Resources;
using Auspex.Core.Topology;
using Auspex.Ingestion.TopologyFiles;
using Auspex.Testing;

namespace Auspex.Ingestion.Tests.TopologyFiles;

public sealed class TopologyFileTests
{
    private const string Minimal = """
        version: 1
        tenant: acme
        tiers:
          - {name: spot, provider: aws, price_per_hour: 0.1, performance_factor: 1, preemption_probability_per_hour: 0.05, provisioning_lead_time: 3m}
        regions:
          - id: eu
            zones:
              - id: eu-a
                racks:
                  - id: r1
                    hosts:
                      - id: h1
                        tier: spot
                        capacity: {cpu: 4, memory: 16Gi}
                      - id: h2
                        capacity: {cpu: 500m, memory: 1G}
        components:
          - {id: web, service: shop, requests: {cpu: 0.5, memory: 512Mi}, replicas: 2, placement: [h1, h2]}
          - {id: db, service: shop-db, requests: {cpu: 1}, replicas: 1, placement: [h1]}
        dependencies:
          - {from: web, to: db, calls_per_second: 40, bytes_per_second: 2M}
        maintenance:
          - {locality: r1, from: "2024-05-01T02:00:00Z", to: "2024-05-01T04:00:00Z", reason: firmware}
        policy:
          weights: {capacity: 1, risk: 1, cost: 0, network: 0}
          schedule:
            - {from_hour: 22, to_hour: 6, weights: {capacity: 0, risk: 0, cost: 1, network: 0}}
        """;

    [Fact]
    public void Parse_ValidFile_BuildsHierarchyAndUnits()
    {
        var r = TopologyFile.Parse(Minimal);
        Assert.True(r.IsValid, string.Join("\n", r.Errors));
        var t = r.Topology!;
        Assert.Equal("acme", t.Tenant.Value);
        Assert.Equal(16d * 1024 * 1024 * 1024, t.Find("h1")!.Capacity[ResourceKind.Memory]);
        Assert.Equal(0.5, t.Find("h2")!.Capacity[ResourceKind.Cpu]);
        Assert.Equal(4.5, t.CapacityOf("eu")[ResourceKind.Cpu]);
        Assert.Equal(["eu-a", "eu"], t.Ancestors("r1").Select(a => a.Id));
        Assert.Equal(TimeSpan.FromMinutes(3), t.FindTier("spot")!.ProvisioningLeadTime);
        Assert.Equal(2e6, t.Dependencies.Outgoing("web").Single().BytesPerSecond);
        Assert.Single(t.MaintenanceOf("h1"));
        Assert.Equal(1, t.Policy.WeightsAt(new DateTimeOffset(2024, 5, 1, 23, 0, 0, TimeSpan.Zero)).Cost);
        Assert.Equal(0, t.Policy.WeightsAt(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero)).Cost);
    }

    [Fact]
    public void Parse_BadQuantity_NamesLineAndReason()
    {
        var r = TopologyFile.Parse(Minimal.Replace("cpu: 500m", "cpu: lots", StringComparison.Ordinal), "fleet.yaml");
        Assert.False(r.IsValid);
        var e = Assert.Single(r.Errors);
        Assert.StartsWith("fleet.yaml:16:", e, StringComparison.Ordinal);
        Assert.Contains("'lots' is not a quantity", e, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidYaml_ReportsPosition()
    {
        var r = TopologyFile.Parse("version: 1\nregions: [\n  - id: x", "broken.yaml");
        Assert.False(r.IsValid);
        Assert.Matches(@"^broken\.yaml:\d+:\d+: invalid YAML", r.Errors.Single());
    }

    [Theory]
    [InlineData("placement: [h1, h2]", "placement: [h1, nowhere]", "not a host")]
    [InlineData("tier: spot", "tier: gold", "unknown tier 'gold'")]
    [InlineData("{from: web, to: db", "{from: web, to: cache", "unknown component or service 'cache'")]
    [InlineData("- id: h2", "- id: h1", "'h1' is used twice")]
    [InlineData("version: 1", "version: 2", "unsupported version")]
    [InlineData("capacity: {cpu: 4, memory: 16Gi}", "capacity: {cpu: 4, gpu: 1}", "unknown resource 'gpu'")]
    [InlineData("  - {locality: r1,", "  - {locality: r9,", "unknown locality 'r9'")]
    [InlineData("from_hour: 22", "from_hour: 25", "hours of the day")]
    [InlineData("- id: h2", "- idd: h2", "unknown key 'idd'")]
    public void Parse_SemanticError_IsReportedWithReason(string find, string replace, string expected)
    {
        var r = TopologyFile.Parse(Minimal.Replace(find, replace, StringComparison.Ordinal), "t.yaml");
        Assert.False(r.IsValid);
        Assert.Contains(r.Errors, e => e.StartsWith("t.yaml:", StringComparison.Ordinal) && e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_MissingFile_SaysNotFound()
    {
        var r = TopologyFile.Load("/nonexistent/topology.yaml");
        Assert.Equal("/nonexistent/topology.yaml: file not found", r.Errors.Single());
    }

    [Fact]
    public void Load_SampleFleet_IsValid()
    {
        var r = TopologyFile.Load(RepoPaths.Samples("fleet", "topology.yaml"));
        Assert.True(r.IsValid, string.Join("\n", r.Errors));
        var t = r.Topology!;
        Assert.Equal(40, t.Hosts.Count());
        Assert.All(t.Hosts, h => Assert.True(h.Capacity[ResourceKind.Cpu] > 0));
        Assert.Contains(t.Localities, l => l.Kind == LocalityKind.Zone);
        Assert.NotEmpty(t.Components);
        Assert.NotEmpty(t.Dependencies.Edges);
    }

    [Theory]
    [InlineData("16Gi", 17179869184d)]
    [InlineData("125M", 125e6)]
    [InlineData("250m", 0.25)]
    [InlineData("3", 3d)]
    [InlineData("1.5k", 1500d)]
    public void TryParseQuantity_KubernetesSuffixes(string text, double expected)
    {
        Assert.True(Quantities.TryParseQuantity(text, out var v));
        Assert.Equal(expected, v, 6);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("4X")]
    [InlineData("")]
    [InlineData("NaN")]
    public void TryParseQuantity_Bad_IsRefused(string text) => Assert.False(Quantities.TryParseQuantity(text, out _));

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2d", 172_800_000)]
    public void TryParseDuration_Units(string text, double ms)
    {
        Assert.True(Quantities.TryParseDuration(text, out var d));
        Assert.Equal(ms, d.TotalMilliseconds);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("5 minutes")]
    [InlineData("h")]
    public void TryParseDuration_Bad_IsRefused(string text) => Assert.False(Quantities.TryParseDuration(text, out _));
}
