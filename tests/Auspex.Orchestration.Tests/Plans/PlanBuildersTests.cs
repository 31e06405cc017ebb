using Auspex.Core.Series;
using Auspex.Orchestration.Execution;
using Auspex.Orchestration.Plans;
using Auspex.Orchestration.Pool;
using Auspex.Orchestration.Scaling;
using Auspex.Placement.Footprints;
using static Auspex.Orchestration.Tests.Fixtures;

namespace Auspex.Orchestration.Tests.Plans;

public sealed class PlanBuildersTests
{
    private static readonly HealthCheck Errors = new("{component} errors", "http_errors_ratio{service=\"{component}\",host=\"{host}\"}", HealthAggregation.Mean, 0.01, true, TimeSpan.FromMinutes(5));

    [Fact]
    public void FromScaling_CanaryIsTheFirstComponent_DeferredActionsAreLeftOut_AndLogOnlyDecisionsGiveNoPlan()
    {
        var (decider, _) = Decider(new TierPool([Standard(), new("slow", "aws", 0.5, 1, 0, TimeSpan.FromMinutes(10))]));
        var web = decider.Decide(Request(Demand(0.1, 1000)));
        var api = decider.Decide(Request(Demand(0, 500, 500, 500, 1500), new Dictionary<string, int> { ["aws/standard"] = 5 }) with { Component = "api" });
        Assert.True(Assert.Single(api.Actions).Deferred);
        var plan = PlanBuilders.FromScaling([web, api], T0, "auspex:scaler", TimeSpan.FromMinutes(2), new GateTemplate([Errors]))!;
        Assert.Equal(PlanKind.Scaling, plan.Kind);
        var canary = Assert.Single(plan.Phases);
        Assert.True(canary.IsCanary);
        Assert.Equal(new ScaleStep("web", "aws/standard", 11), canary.Steps[0]);
        var gate = Assert.IsType<GateStep>(canary.Steps[1]);
        Assert.Equal("web errors", gate.Checks[0].Name);
        Assert.Equal("http_errors_ratio{service=\"web\",host=\"*\"}", gate.Checks[0].Selector);
        Assert.Empty(plan.Validate());
        Assert.StartsWith("sp-20260302120000-", plan.Id, StringComparison.Ordinal);

        Assert.Null(PlanBuilders.FromScaling([api], T0, "x", TimeSpan.Zero));
        Assert.Null(PlanBuilders.FromScaling([web with { Act = false }], T0, "x", TimeSpan.Zero));
    }

    [Fact]
    public void FromMigration_MapsEveryStepKind_AndKeepsThePlansId()
    {
        var move = new PlannedMove(MoveKind.Move, "db", "h211", "h112", 20, 1, "rack at risk");
        MigrationStep[] steps =
        [
            new(1, StepKind.Provision, "db", "h112", null, null, "start"),
            new(2, StepKind.HealthGate, "db", "h112", null, TimeSpan.FromMinutes(3), "gate"),
            new(3, StepKind.ShiftTraffic, "db", "h112", 10, null, "10%"),
            new(4, StepKind.Standby, "db", "h211", 0, TimeSpan.FromMinutes(30), "standby"),
            new(5, StepKind.Decommission, "db", "h211", null, null, "remove"),
        ];
        var mp = new MigrationPlan(T0, [new MigrationPhase(1, true, [move], steps, [])], [move]);
        var plan = PlanBuilders.FromMigration(mp, "auspex:footprint", new GateTemplate([Errors]));
        Assert.Equal(mp.Id, plan.Id);
        Assert.Equal(PlanKind.Migration, plan.Kind);
        var s = plan.Phases[0].Steps;
        Assert.Equal(new ReplicaStep("db", "h112", true), s[0]);
        var gate = Assert.IsType<GateStep>(s[1]);
        Assert.Equal(TimeSpan.FromMinutes(3), gate.Soak);
        Assert.Equal("http_errors_ratio{service=\"db\",host=\"h112\"}", Assert.Single(gate.Checks).Selector);
        Assert.Equal(new TrafficStep("db", "h112", 10), s[2]);
        Assert.Equal(new TrafficStep("db", "h211", 0), s[3]);
        Assert.Equal(TimeSpan.FromMinutes(30), Assert.IsType<GateStep>(s[4]).Soak);
        Assert.Equal(new ReplicaStep("db", "h211", false), s[5]);
        Assert.Empty(plan.Validate());
    }
}

public sealed class SeriesHealthProbeTests : IDisposable
{
    private readonly Auspex.Testing.TempDirectory _dir = new();
    private readonly Auspex.Storage.EmbeddedStore _store;

    public SeriesHealthProbeTests() => _store = Auspex.Storage.AuspexStorage.OpenEmbedded(new Auspex.Storage.StorageOptions { DatabasePath = _dir.File("s.duckdb") });

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Evaluate_AggregatesTheWindow_ComparesBothWays_AndHandlesNoDataAndBadSelectors()
    {
        await using (var a = _store.Series.BeginAppend(TenantId.Default))
        {
            var k1 = new SeriesKey("ready_replicas", Labels.Of("service", "web", "zone", "a"));
            var k2 = new SeriesKey("ready_replicas", Labels.Of("service", "web", "zone", "b"));
            a.Add(k1, T0.AddMinutes(-10), 100); // outside a 5-minute window
            a.Add(k1, T0.AddMinutes(-4), 2);
            a.Add(k1, T0.AddMinutes(-1), 4);
            a.Add(k2, T0.AddMinutes(-2), 6);
            Assert.True((await a.CommitAsync()).Ok);
        }
        var probe = new SeriesHealthProbe(_store.Series);
        var check = new HealthCheck("ready", "ready_replicas{service=\"web\"}", HealthAggregation.Mean, 3, false, TimeSpan.FromMinutes(5));
        var mean = await probe.EvaluateAsync(TenantId.Default, check, T0);
        Assert.Equal(4, mean.Value);
        Assert.True(mean.Passed);
        Assert.Equal(6, (await probe.EvaluateAsync(TenantId.Default, check with { Aggregation = HealthAggregation.Max }, T0)).Value);
        Assert.Equal(6, (await probe.EvaluateAsync(TenantId.Default, check with { Aggregation = HealthAggregation.Last }, T0)).Value);
        var tooHigh = await probe.EvaluateAsync(TenantId.Default, check with { Threshold = 5 }, T0);
        Assert.False(tooHigh.Passed);
        Assert.Contains("BREACHED", tooHigh.Detail, StringComparison.Ordinal);
        var atMost = await probe.EvaluateAsync(TenantId.Default, check with { AtMost = true, Threshold = 5 }, T0);
        Assert.True(atMost.Passed);

        var none = await probe.EvaluateAsync(TenantId.Default, check with { Selector = "ready_replicas{service=\"db\"}" }, T0);
        Assert.False(none.Passed);
        Assert.Null(none.Value);
        Assert.True((await probe.EvaluateAsync(TenantId.Default, check with { Selector = "nothing", FailOnNoData = false }, T0)).Passed);
        var bad = await probe.EvaluateAsync(TenantId.Default, check with { Selector = "x{" }, T0);
        Assert.False(bad.Passed);
        Assert.Contains("invalid", bad.Detail, StringComparison.Ordinal);
    }
}
