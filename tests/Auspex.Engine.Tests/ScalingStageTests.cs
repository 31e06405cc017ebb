using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Engine.Configuration;
using Auspex.Engine.Loop;
using Auspex.Engine.Scaling;
using Auspex.Engine.Services;
using Auspex.Ingestion.TopologyFiles;
using Auspex.Orchestration.Execution;
using Auspex.Orchestration.Pool;
using Auspex.Orchestration.Scaling;
using Auspex.Scoring;
using Auspex.Storage;
using Auspex.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.Engine.Tests;

/// <summary>The loop's scaling stage on hand-written host forecasts.</summary>
public sealed class ScalingStageTests : IDisposable
{
    private static readonly DateTimeOffset T0 = ScalingTestBed.T0;
    private static readonly TimeSpan Step = ScalingTestBed.Step;

    private readonly ScalingTestBed _bed = new("""
        slos:
          - {target: web, availability: 0.999, latency_p99: 250ms, forecast_quantile: 0.9}
        """);

    private EmbeddedStore _store => _bed.Store;
    private Topology _topology => _bed.Topology;
    private FakeTimeProvider _clock => _bed.Clock;

    public void Dispose() => _bed.Dispose();

    /// <summary>A CPU forecast of a host: means per step from T0, the 2.5/50/97.5 % quantiles ± <paramref name="spread"/> × mean.</summary>
    private static HostForecast Cpu(string host, double spread, params double[] means) => new(host, ResourceKind.Cpu,
        new Forecast(new SeriesKey("auspex_host_cpu_used_cores", Labels.Of("host", host)), "hand", T0, Step, [0.025, 0.5, 0.975],
            means.Select((m, i) => new ForecastPoint(T0 + Step * i, m, [m * (1 - spread), m, m * (1 + spread)])).ToList()));

    private (ScalingService Scaling, SimulatedExecutor Sim, ControlLoop Loop) Stage(ScalingStageMode mode, double utilisation = 0.5) =>
        _bed.Stage(mode, s => s.TargetUtilisation = utilisation);

    private LoopResults Results(params HostForecast[] forecasts) => new(T0, _topology, forecasts, []);

    [Fact]
    public void ComponentDemand_SharesEachHostsCpuForecastByRequests_AndSumsQuantiles()
    {
        var demand = ComponentDemand.Build(_topology, [Cpu("h1", 0.2, 3, 3), Cpu("h2", 0.1, 2, 4)]);

        // h1 runs web and db (1 core requested each): half each; h2 runs only web.
        var web = demand["web"].Demand!;
        Assert.Equal(0.5 * 3 + 2, web.Points[0].Mean, 9);
        Assert.Equal(0.5 * 3 + 4, web.Points[1].Mean, 9);
        Assert.Equal(0.5 * 3 * 1.2 + 4 * 1.1, web.Quantile(1, 0.975), 9);
        Assert.Equal(1.5, demand["db"].Demand!.Points[0].Mean, 9);
        Assert.Equal("auspex_component_cpu_demand_cores", web.Series.Metric);
    }

    [Fact]
    public void ComponentDemand_HostsWithoutForecasts_GiveAReasonInsteadOfDemand()
    {
        var demand = ComponentDemand.Build(_topology, [Cpu("h2", 0.1, 2)]);
        Assert.Null(demand["db"].Demand);
        Assert.Contains("no CPU forecast yet", demand["db"].Reason, StringComparison.Ordinal);
        Assert.NotNull(demand["web"].Demand);
    }

    [Fact]
    public void InitialReplicas_PutsPlacedReplicasOnTheirHostsTierKey()
    {
        var initial = ScalingService.InitialReplicas(_topology, TierPool.FromTopology(_topology));
        Assert.Equal(2, initial["web"]["onprem/standard"]);
        Assert.Equal(1, initial["db"]["onprem/standard"]);
    }

    [Fact]
    public async Task Tick_FullMode_ScalesAheadOfTheForecastPeak_OnTheExecutor_AndComponentsShowIt()
    {
        var (scaling, sim, loop) = Stage(ScalingStageMode.Full);
        // Low now, a peak 10 minutes ahead (within interval 5m + longest lead time 10m).
        var n = await scaling.TickAsync(Results(Cpu("h1", 0.1, 1, 1, 6, 6), Cpu("h2", 0.1, 1, 1, 4, 4)));

        Assert.Equal(2, n);
        var web = scaling.Decisions("web").Single();
        Assert.Equal(ScalingOutcome.ScaleOut, web.Outcome);
        Assert.True(web.Executed);
        Assert.Equal(0.9, web.Quantile, 9);                         // the SLO's quantile
        Assert.Equal(0.999, web.Availability, 9);
        Assert.Equal(T0 + Step * 2, web.PeakAt);                     // the future peak, not today's load
        Assert.True(web.RequiredDemand > 0.5 * 6 + 4, $"required {web.RequiredDemand}");
        Assert.Equal(TimeSpan.FromMinutes(10), web.LeadTime);
        Assert.Equal(web.RequiredDemand / 0.5, web.RequiredCapacity, 9);
        var total = sim.ReplicasByTier("web").Values.Sum();
        Assert.True(total * 0.5 >= web.RequiredDemand, $"{total} replicas of 0.5 cores cover {web.RequiredDemand}");
        Assert.Equal(sim.ReplicasByTier("web"), scaling.ReplicasByTier("web"));
        Assert.Equal(web.TierMix.Where(kv => kv.Value > 0).ToDictionary(), sim.ReplicasByTier("web"));
        Assert.All(web.Steps, s => Assert.Equal("applied", s.Status));

        var view = new ComponentService(new TopologyHolder(_topology), loop, scaling).Component("web")!;
        Assert.Equal(total, view.Replicas);
        Assert.Equal(sim.ReplicasByTier("web"), view.ReplicasByTier);
        Assert.NotNull(view.Tier);

        var audit = await _store.State.ReadAuditAsync(_topology.Tenant, 100);
        Assert.Contains(audit, a => a.Action == "scale.execute" && a.Target == "component/web" && a.Actor == "auspex:scaler");
    }

    [Fact]
    public async Task Tick_ForecastOnly_RecordsDecisionsButExecutesNothing()
    {
        var (scaling, sim, _) = Stage(ScalingStageMode.ForecastOnly);
        await scaling.TickAsync(Results(Cpu("h1", 0.1, 6, 6), Cpu("h2", 0.1, 4, 4)));

        var web = scaling.Decisions("web").Single();
        Assert.Equal(ScalingOutcome.ScaleOut, web.Outcome);
        Assert.False(web.Act);
        Assert.False(web.Executed);
        Assert.Empty(web.Steps);
        Assert.Equal(0, sim.Changes);
        Assert.Equal(2, scaling.ReplicasByTier("web")!.Values.Sum());
        Assert.Empty(await _store.State.ReadAuditAsync(_topology.Tenant, 100));
    }

    [Fact]
    public async Task Tick_ComponentWithoutForecast_IsRecordedAsInvalidWithTheReason()
    {
        var (scaling, _, _) = Stage(ScalingStageMode.Full);
        await scaling.TickAsync(Results(Cpu("h2", 0.1, 1)));

        var db = scaling.Decisions("db").Single();
        Assert.Equal(ScalingOutcome.Invalid, db.Outcome);
        Assert.Contains("no CPU forecast yet", db.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tick_DemandFallsAway_ScalesInOnlyPastTheHysteresis()
    {
        var (scaling, sim, _) = Stage(ScalingStageMode.Full);
        await scaling.TickAsync(Results(Cpu("h1", 0.1, 6, 6), Cpu("h2", 0.1, 4, 4)));
        var high = sim.ReplicasByTier("web").Values.Sum();

        // Ten minutes later, demand is down to a tenth: past the 5-minute stabilisation, capacity is released.
        _clock.Advance(TimeSpan.FromMinutes(10));
        var later = T0 + TimeSpan.FromMinutes(10);
        HostForecast Low(string h, double m) => new(h, ResourceKind.Cpu, new Forecast(new SeriesKey("auspex_host_cpu_used_cores", Labels.Of("host", h)), "hand", later, Step,
            [0.025, 0.5, 0.975], Enumerable.Range(0, 6).Select(i => new ForecastPoint(later + Step * i, m, [m * 0.9, m, m * 1.1])).ToList()));
        await scaling.TickAsync(new LoopResults(later, _topology, [Low("h1", 0.6), Low("h2", 0.4)], []));

        var last = scaling.Decisions("web")[0];
        Assert.Equal(ScalingOutcome.ScaleIn, last.Outcome);
        Assert.True(sim.ReplicasByTier("web").Values.Sum() < high);
        Assert.True(sim.ReplicasByTier("web").Values.Sum() >= 1);
    }

    [Fact]
    public async Task DecideOne_DryRun_PreviewsWithoutChangingAnything_AndAtAnotherQuantile()
    {
        var (scaling, sim, _) = Stage(ScalingStageMode.ForecastOnly);
        Assert.Null(await scaling.DecideOneAsync("web", null, dryRun: true, "test"));   // before the first tick
        var latest = Results(Cpu("h1", 0.3, 6, 6), Cpu("h2", 0.3, 4, 4));

        var p50 = await scaling.DecideOneAsync(latest, "web", 0.5, dryRun: true, "test");
        var p97 = await scaling.DecideOneAsync(latest, "web", 0.975, dryRun: true, "test");

        Assert.NotNull(p50);
        Assert.Equal("preview", p50!.Source);
        Assert.Equal(0.5, p50.Quantile, 9);
        Assert.True(p97!.RequiredDemand > p50.RequiredDemand);
        Assert.All(p97.Steps, s => Assert.Equal("dryRun", s.Status));
        Assert.Equal(0, sim.Changes);
        Assert.Empty(scaling.Decisions());
        Assert.Null(await scaling.DecideOneAsync(latest, "nope", null, dryRun: true, "test"));
    }
}

/// <summary>The demo's configuration: the sample fleet replayed, the stage in full mode on the simulated executor, the sample price sheet's cloud tiers beside the fleet's on-prem tier.</summary>
public sealed class ScalingDemoTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SampleFleet_FullMode_ScalesServicesAcrossTiers_AndTheComponentsShowIt()
    {
        var settings = new RuntimeSettings
        {
            DataDirectory = _dir.Path,
            TopologyPath = RepoPaths.Samples("fleet", "topology.yaml"),
            Replay = new ReplaySettings { Files = [RepoPaths.Samples("fleet", "metrics.csv.gz")], Speed = 3600 },
        };
        settings.Orchestration.Scaling.Mode = ScalingStageMode.Full;
        settings.Orchestration.Scaling.PricingFile = RepoPaths.Samples("pricing", "tiers.csv");
        await using var rt = await AuspexRuntime.StartAsync(settings);
        var report = await rt.Loop.TickAsync();

        Assert.Null(report.Error);
        Assert.Contains("scale", report.StageMilliseconds!.Keys);
        Assert.Equal(6, rt.Scaling.Pool.Tiers.Count);
        var decisions = rt.Scaling.Decisions(limit: 1000);
        Assert.Equal(rt.Topology.Current.Components.Count, decisions.Count);
        Assert.All(decisions, d => Assert.True(d.Outcome != ScalingOutcome.Invalid, d.Component + ": " + d.Reason));
        // The sample fleet has host series only: every component is sized on its hosts' CPU shares, and says why.
        Assert.All(decisions, d => Assert.Equal("hostShare", d.DemandKind));
        Assert.All(decisions, d => Assert.Contains($"no component series auspex_component_cpu_used_cores{{component=\"{d.Component}\"}} ingested", d.DemandFallback, StringComparison.Ordinal));
        // On the replay clock the tick itself took replay time: the window reaches at least to the next possible tick.
        var tookReplayTime = rt.Loop.Clock.GetUtcNow() - report.At;
        // (the stage ran before the tick ended: more than one interval, at most the replay time the whole tick took + one).
        Assert.All(decisions, d => Assert.True(d.NextDecisionIn > TimeSpan.FromMinutes(5) && d.NextDecisionIn <= tookReplayTime + TimeSpan.FromMinutes(5), $"{d.NextDecisionIn} vs {tookReplayTime}"));
        Assert.All(decisions, d => Assert.Equal(report.At, d.At));
        var executed = decisions.Where(d => d.Executed).ToList();
        Assert.NotEmpty(executed);
        // Capacity added on the cloud tiers of the price sheet, beside the on-prem replicas.
        Assert.Contains(executed, d => d.TierMix.Any(kv => kv.Value > 0 && !kv.Key.StartsWith("onprem/", StringComparison.Ordinal)));
        var components = new ComponentService(rt.Topology, rt.Loop, rt.Scaling).Components();
        foreach (var d in executed)
        {
            var view = components.Single(c => c.Id == d.Component);
            Assert.Equal(d.TierMix.Values.Sum(), view.Replicas);
            Assert.Equal(((SimulatedExecutor)rt.Executor).ReplicasByTier(d.Component), view.ReplicasByTier);
        }
    }
}
