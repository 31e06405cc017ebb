using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Scoring;
using Auspex.Simulation.Shadow;
using Auspex.Simulation.WhatIf;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.Simulation.Tests;

public sealed class ShadowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal static Topology Fleet()
    {
        var cap = ResourceVector.Of((ResourceKind.Cpu, 4), (ResourceKind.Memory, 16e9));
        var locs = new List<Locality>
        {
            new("r", LocalityKind.Region, null, ResourceVector.Zero, null, Labels.Empty),
            new("z", LocalityKind.Zone, "r", ResourceVector.Zero, null, Labels.Empty),
            new("rack-a", LocalityKind.Rack, "z", ResourceVector.Zero, null, Labels.Empty),
            new("rack-b", LocalityKind.Rack, "z", ResourceVector.Zero, null, Labels.Empty),
            new("h1", LocalityKind.Host, "rack-a", cap, "std", Labels.Empty),
            new("h2", LocalityKind.Host, "rack-a", cap, "std", Labels.Empty),
            new("h3", LocalityKind.Host, "rack-b", cap, "std", Labels.Empty),
        };
        return Topology.Create(new TenantId("t"), locs,
            components: [new Component("api", "svc", ResourceVector.Of((ResourceKind.Cpu, 1)), 1, ["h1"], [])],
            tiers: [new Tier("std", "p", 0.5, 1, 0, TimeSpan.FromMinutes(10))],
            slos: [new Slo("api", 0.999, TimeSpan.FromMilliseconds(200), 0.95)]).Topology!;
    }

    internal static HostForecast Cpu(string host, double value) =>
        new(host, ResourceKind.Cpu, new Forecast(new SeriesKey("auspex_host_cpu_used_cores", Labels.Of("host", host)), "test", T0, TimeSpan.FromMinutes(5),
            Forecast.DefaultLevels, Enumerable.Range(1, 12).Select(i => new ForecastPoint(T0.AddMinutes(5 * i), value, Forecast.DefaultLevels.Select(l => value * (0.8 + 0.4 * l)).ToArray())).ToList()));

    internal static (List<HostForecast> F, LiveValues L) State(double h1, double h2, double h3)
    {
        var live = new LiveValues();
        live.Set("h1", ResourceKind.Cpu, h1 * 0.5);
        live.Set("h2", ResourceKind.Cpu, h2 * 0.5);
        live.Set("h3", ResourceKind.Cpu, h3 * 0.5);
        return ([Cpu("h1", h1), Cpu("h2", h2), Cpu("h3", h3)], live);
    }

    [Fact]
    public void Build_SumsHostsUpTheHierarchy_AndFlagsThresholds()
    {
        var (f, live) = State(3.9, 1, 2);
        var s = ShadowBuilder.Build(Fleet(), f, live, [], T0, new ShadowOptions());
        var h1 = s.Nodes.Single(n => n.Id == "h1");
        // The 0.9 quantile is 0.8 + 0.36 = 1.16 × the mean.
        Assert.Equal(3.9 * 1.16, h1.Predicted["cpu"], 6);
        Assert.Equal(1.95, h1.Live["cpu"], 6);
        Assert.Equal(ShadowLevel.Critical, h1.Level);
        var rack = s.Nodes.Single(n => n.Id == "rack-a");
        Assert.Equal(8, rack.Capacity["cpu"]);
        Assert.Equal((3.9 + 1) * 1.16, rack.Predicted["cpu"], 6);
        Assert.Equal(ShadowLevel.Ok, s.Nodes.Single(n => n.Id == "h2").Level);
        Assert.Equal("h1", s.Alerts[0].Locality);
        Assert.Equal(T0.AddMinutes(5), s.Alerts[0].CrossesAt);
        Assert.Equal("h1", s.Diffs[0].Locality);
    }

    [Fact]
    public void Queue_CriticalHost_ProvisionsOnItsRackOverTheLeadTime_ThenCancelsWhenCleared()
    {
        var clock = new FakeTimeProvider(T0);
        var options = new ShadowOptions();
        var q = new ProvisioningQueue(clock, options);
        var topology = Fleet();
        var (f, live) = State(3.9, 1, 2);
        var s = ShadowBuilder.Build(topology, f, live, [], T0, options);
        q.Update(topology, s.Nodes, s.Alerts);
        var item = Assert.Single(q.Items);
        Assert.Equal("rack-a", item.Locality);
        Assert.Equal(ProvisioningState.Queued, item.State);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0.5, q.Items[0].Progress, 6);
        Assert.Equal(ProvisioningState.Provisioning, q.Items[0].State);
        q.Update(topology, s.Nodes, s.Alerts);
        Assert.Single(q.Items);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(ProvisioningState.Ready, q.Items[0].State);
        // A new shortage after the first was met, then cleared before ready: cancelled.
        q.Update(topology, s.Nodes, s.Alerts);
        var (f2, l2) = State(1, 1, 1);
        var cleared = ShadowBuilder.Build(topology, f2, l2, [], T0, options);
        q.Update(topology, cleared.Nodes, cleared.Alerts);
        Assert.Equal(ProvisioningState.Cancelled, q.Items[^1].State);
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Empty(q.Items);
    }

    [Fact]
    public void WhatIf_FailedRack_MovesItsLoadToTheSurvivors_AndCostFollowsPrices()
    {
        var (f, live) = State(1, 1, 1);
        var (r, errors) = WhatIfEngine.Evaluate(Fleet(), f, live, T0,
            new WhatIfScenario { Fail = ["rack-a"], TierPrices = new Dictionary<string, double> { ["std"] = 1.0 } }, new ShadowOptions(), new LocalityScorer());
        Assert.Empty(errors);
        var h3 = r!.Localities.Single(l => l.Id == "h3");
        Assert.Equal(1.16 * 3 / 4, h3.Scenario.ShadowUtilisation!.Value, 6);
        Assert.True(r.Localities.Single(l => l.Id == "h1").Failed);
        Assert.Equal(1.5, r.Baseline.Live.CostPerHour, 9);
        Assert.Equal(3.0, r.Scenario.Live.CostPerHour, 9);
        // The SLO's only host failed: violated.
        Assert.True(r.Scenario.Shadow.Slos.Single().Violated);
        Assert.False(r.Baseline.Shadow.Slos.Single().Violated);
    }

    [Fact]
    public void WhatIf_TrafficAndScaling_ScaleUtilisation()
    {
        var (f, live) = State(1, 1, 1);
        var (r, _) = WhatIfEngine.Evaluate(Fleet(), f, live, T0, new WhatIfScenario { TrafficMultiplier = 3, ScalingFactor = 1.5 }, new ShadowOptions(), new LocalityScorer());
        Assert.Equal(r!.Baseline.Shadow.PeakUtilisation!.Value * 2, r.Scenario.Shadow.PeakUtilisation!.Value, 6);
        Assert.Equal(r.Baseline.Live.CostPerHour * 1.5, r.Scenario.Live.CostPerHour, 9);
    }

    [Fact]
    public void WhatIf_MaintenanceNow_TakesHostsDownLiveAndInTheShadow()
    {
        var (f, live) = State(1, 1, 1);
        var (r, _) = WhatIfEngine.Evaluate(Fleet(), f, live, T0,
            new WhatIfScenario { Maintenance = [new WhatIfMaintenance("h3", T0.AddMinutes(-1), T0.AddHours(1))] }, new ShadowOptions(), new LocalityScorer());
        var h1 = r!.Localities.Single(l => l.Id == "h1");
        Assert.True(h1.Scenario.LiveUtilisation > h1.Baseline.LiveUtilisation);
        Assert.True(h1.Scenario.ShadowUtilisation > h1.Baseline.ShadowUtilisation);
    }

    [Fact]
    public void WhatIf_BadScenario_NamesEachField()
    {
        var (f, live) = State(1, 1, 1);
        var (r, errors) = WhatIfEngine.Evaluate(Fleet(), f, live, T0, new WhatIfScenario
        {
            TrafficMultiplier = double.NaN,
            ScalingFactor = 0,
            Fail = ["h1", "nope"],
            Maintenance = [new WhatIfMaintenance("h1", T0, T0.AddHours(-1)), new WhatIfMaintenance("x", null, null)],
            TierPrices = new Dictionary<string, double> { ["gold"] = 1, ["std"] = -1 },
        }, new ShadowOptions(), new LocalityScorer());
        Assert.Null(r);
        foreach (var field in new[] { "trafficMultiplier", "scalingFactor", "fail[1]", "maintenance[0]", "maintenance[1].locality", "maintenance[1]: from and to", "tierPrices.gold", "tierPrices.std" })
        {
            Assert.Contains(errors, e => e.StartsWith(field, StringComparison.Ordinal));
        }
    }
}
