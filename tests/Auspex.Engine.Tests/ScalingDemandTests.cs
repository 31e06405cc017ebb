using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Engine.Configuration;
using Auspex.Engine.Loop;
using Auspex.Engine.Scaling;
using Auspex.Ingestion.TopologyFiles;
using Auspex.Orchestration.Execution;
using Auspex.Orchestration.Pool;
using Auspex.Orchestration.Scaling;
using Auspex.Scoring;
using Auspex.Engine.Services;
using Auspex.Storage;
using Auspex.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.Engine.Tests;

/// <summary>
/// The scaling stage's demand (each component's own series, else its hosts' CPU shares with the reason), its clock
/// (decisions, lead times and the audit in the loop's time, the window stretched to the real spacing of the ticks)
/// and scale-out-only mode in the tick, on hand-written forecasts.
/// </summary>
public sealed class ScalingDemandTests : IDisposable
{
    private static readonly DateTimeOffset T0 = ScalingTestBed.T0;
    private static readonly TimeSpan Step = ScalingTestBed.Step;

    private readonly ScalingTestBed _bed = new("""
          - {id: queue, service: shop-q, requests: {cpu: 0.5, memory: 1Gi}, replicas: 1, placement: [h2]}
        """);

    private EmbeddedStore _store => _bed.Store;
    private Topology _topology => _bed.Topology;
    private FakeTimeProvider _clock => _bed.Clock;

    public void Dispose() => _bed.Dispose();

    private static Forecast Series(string metric, Labels labels, DateTimeOffset from, double spread, params double[] means) =>
        new(new SeriesKey(metric, labels), "hand", from, Step, [0.025, 0.5, 0.975],
            means.Select((m, i) => new ForecastPoint(from + Step * i, m, [m * (1 - spread), m, m * (1 + spread)])).ToList());

    private static HostForecast Cpu(string host, DateTimeOffset from, params double[] means) =>
        new(host, ResourceKind.Cpu, Series("auspex_host_cpu_used_cores", Labels.Of("host", host), from, 0.1, means));

    private static Forecast Own(string metric, string component, DateTimeOffset from, params double[] means) =>
        Series(metric, Labels.Of("component", component), from, 0.1, means);

    private (ScalingService Scaling, SimulatedExecutor Sim) Stage(ScalingStageMode mode, Action<ScalingStageSettings>? configure = null)
    {
        var (scaling, sim, _) = _bed.Stage(mode, configure);
        return (scaling, sim);
    }

    [Fact]
    public void Resolve_PrefersTheComponentsOwnSeries_AndSaysWhyWhenItFallsBackToHostShares()
    {
        var settings = new ScalingStageSettings { TargetUtilisation = 0.5 };
        settings.Demand["db"] = new ComponentDemandSettings("http_requests_per_second", 50);
        Forecast[] own =
        [
            // web: its CPU used by all replicas, reported by two pods: summed.
            Series(ComponentDemand.ComponentCpuMetric, Labels.Of("component", "web", "pod", "web-a"), T0, 0.1, 1, 2),
            Series(ComponentDemand.ComponentCpuMetric, Labels.Of("component", "web", "pod", "web-b"), T0, 0.1, 3, 4),
            // queue: a request rate, but nothing says how many requests one replica serves.
            Own("auspex_component_requests_per_second", "queue", T0, 100, 100),
        ];
        var d = ComponentDemand.Resolve(_topology, [Cpu("h1", T0, 2, 2), Cpu("h2", T0, 2, 2)], own, settings);

        Assert.Equal("component", d["web"].Kind);
        Assert.Null(d["web"].Fallback);
        Assert.Equal("auspex_component_cpu_used_cores{component=\"web\"}", d["web"].Series);
        Assert.Equal(0.5, d["web"].CapacityPerReplica, 9);            // requests.cpu × target_utilisation
        Assert.Equal(4, d["web"].Demand!.Points[0].Mean, 9);
        Assert.Equal(6, d["web"].Demand!.Points[1].Mean, 9);
        Assert.Equal(4 * 1.1 + 2 * 1.1, d["web"].Demand!.Quantile(1, 0.975), 9);

        // db names http_requests_per_second, which is not forecast (yet): host shares, and why.
        Assert.Equal("hostShare", d["db"].Kind);
        Assert.Contains("no forecast yet of its own series http_requests_per_second{component=\"db\"}", d["db"].Fallback, StringComparison.Ordinal);
        Assert.Equal(0.5, d["db"].CapacityPerReplica, 9);
        Assert.NotNull(d["db"].Demand);

        Assert.Equal("hostShare", d["queue"].Kind);
        Assert.Contains("auspex_component_requests_per_second is forecast but not configured", d["queue"].Fallback, StringComparison.Ordinal);
        Assert.Contains("orchestration.scaling.demand.queue", d["queue"].Fallback, StringComparison.Ordinal);

        // With db's series forecast, db is sized in requests/s, 50 per replica.
        var withDb = ComponentDemand.Resolve(_topology, [Cpu("h1", T0, 2, 2), Cpu("h2", T0, 2, 2)], [.. own, Own("http_requests_per_second", "db", T0, 120, 180)], settings);
        Assert.Equal("component", withDb["db"].Kind);
        Assert.Equal(50, withDb["db"].CapacityPerReplica, 9);
        Assert.Equal("http_requests_per_second{component=\"db\"}", withDb["db"].Series);

        // No series and no host forecast: no demand, with both reasons.
        var none = ComponentDemand.Resolve(_topology, [], [], settings);
        Assert.Equal("none", none["web"].Kind);
        Assert.Null(none["web"].Demand);
        Assert.Contains("no component series auspex_component_cpu_used_cores{component=\"web\"} ingested", none["web"].Fallback, StringComparison.Ordinal);
        Assert.Contains("no CPU forecast yet", none["web"].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tick_SizesEachComponentOnItsOwnSeries_AndRecordsTheSourceOrTheFallback()
    {
        var (scaling, sim) = Stage(ScalingStageMode.Full, s => s.Demand["web"] = new ComponentDemandSettings("http_requests_per_second", 100));
        var results = new LoopResults(T0, _topology, [Cpu("h1", T0, 0.2, 0.2, 0.2), Cpu("h2", T0, 0.2, 0.2, 0.2)], [])
        {
            // 150 req/s now, 900 req/s in 5 minutes: 100 req/s per replica.
            ComponentForecasts = [Own("http_requests_per_second", "web", T0, 150, 900, 900)],
        };
        await scaling.TickAsync(results);

        var web = scaling.Decisions("web").Single();
        Assert.Equal("component", web.DemandKind);
        Assert.Equal("http_requests_per_second{component=\"web\"}", web.DemandSeries);
        Assert.Null(web.DemandFallback);
        Assert.Equal(100, web.CapacityPerReplica, 9);
        Assert.Equal(ScalingOutcome.ScaleOut, web.Outcome);
        Assert.True(web.Executed);
        Assert.True(sim.ReplicasByTier("web").Values.Sum() * 100 >= 900, string.Join(",", sim.ReplicasByTier("web")));

        var db = scaling.Decisions("db").Single();
        Assert.Equal("hostShare", db.DemandKind);
        Assert.Contains("no component series auspex_component_cpu_used_cores{component=\"db\"} ingested", db.DemandFallback, StringComparison.Ordinal);
        Assert.Equal("web", scaling.DemandOf("web")!.Value.Demand.Demand!.Series.Labels["component"]);
        Assert.Equal(T0, scaling.DemandOf("web")!.Value.At);
        Assert.Null(scaling.DemandOf("nope"));
    }

    [Fact]
    public async Task Tick_OnAClockThatRanAheadDuringTheTick_CoversUntilTheNextDecision_InTheLoopsTime()
    {
        // The demo's replay clock: while the tick worked, 3 hours of replay time passed. The next tick comes after that,
        // so the decision must cover the peak at +2 h now (not defer it to a run 5 minutes later that will not happen),
        // and the audit is stamped with the tick's time, the time of the data it decided on.
        var (scaling, sim) = Stage(ScalingStageMode.Full);
        var means = Enumerable.Range(0, 30).Select(i => i == 24 ? 6.0 : 0.6).ToArray(); // a peak at +2 h
        _clock.Advance(TimeSpan.FromHours(3));
        await scaling.TickAsync(new LoopResults(T0, _topology, [Cpu("h1", T0, means), Cpu("h2", T0, means)], []));

        var web = scaling.Decisions("web").Single();
        Assert.Equal(TimeSpan.FromHours(3) + Step, web.NextDecisionIn);
        Assert.Equal(T0.AddHours(2), web.PeakAt);
        Assert.Equal(ScalingOutcome.ScaleOut, web.Outcome);
        Assert.True(web.Executed);
        Assert.DoesNotContain(web.Actions, a => a.Deferred);
        Assert.DoesNotContain("Too late", web.Reason, StringComparison.Ordinal);
        Assert.Equal(T0 + web.NextDecisionIn + TimeSpan.FromMinutes(10), web.WindowEnd);
        var audit = await _store.State.ReadAuditAsync(_topology.Tenant, 100);
        Assert.NotEmpty(audit);
        Assert.All(audit.Where(a => a.Action == "scale.execute"), a => Assert.Equal(T0, a.At));
        var scaled = sim.ReplicasByTier("web").Values.Sum();

        // Live (the clock at the tick's time): the next decision is one interval away and the +2 h peak is not yet due.
        var (live, liveSim) = Stage(ScalingStageMode.Full);
        var at = _clock.GetUtcNow();
        var liveMeans = Enumerable.Range(0, 30).Select(i => i == 24 ? 6.0 : 0.6).ToArray();
        await live.TickAsync(new LoopResults(at, _topology, [Cpu("h1", at, liveMeans), Cpu("h2", at, liveMeans)], []));
        var liveWeb = live.Decisions("web").Single();
        Assert.Equal(Step, liveWeb.NextDecisionIn);
        Assert.NotEqual(at.AddHours(2), liveWeb.PeakAt);
        Assert.True(liveSim.ReplicasByTier("web").Values.Sum() < scaled);

        // A second tick remembers how far apart the ticks were, even when this one is quick.
        var second = at.AddHours(1);
        _clock.Advance(TimeSpan.FromHours(1));
        await live.TickAsync(new LoopResults(second, _topology, [Cpu("h1", second, liveMeans), Cpu("h2", second, liveMeans)], []));
        Assert.Equal(TimeSpan.FromHours(1), live.Decisions("web")[0].NextDecisionIn);
    }

    [Fact]
    public async Task Tick_ScaleOutOnly_ExecutesScaleOuts_ButNeverReleases()
    {
        var (scaling, sim) = Stage(ScalingStageMode.ScaleOutOnly);
        await scaling.TickAsync(new LoopResults(T0, _topology, [Cpu("h1", T0, 6, 6), Cpu("h2", T0, 4, 4)], []));
        var up = scaling.Decisions("web").Single();
        Assert.Equal(ScalingOutcome.ScaleOut, up.Outcome);
        Assert.True(up.Executed);
        Assert.Equal("scaleOutOnly", up.Mode);
        var high = sim.ReplicasByTier("web").Values.Sum();
        var changes = sim.Changes;

        _clock.Advance(TimeSpan.FromMinutes(10));
        var later = T0.AddMinutes(10);
        await scaling.TickAsync(new LoopResults(later, _topology, [Cpu("h1", later, 0.3, 0.3), Cpu("h2", later, 0.2, 0.2)], []));
        var down = scaling.Decisions("web")[0];
        Assert.Equal(ScalingOutcome.Hold, down.Outcome);
        Assert.Contains("Scale-in suppressed: scale-out-only mode", down.Reason, StringComparison.Ordinal);
        Assert.False(down.Executed);
        Assert.Equal(high, sim.ReplicasByTier("web").Values.Sum());
        Assert.Equal(changes, sim.Changes);
    }
}

/// <summary>Component series reach the scaling stage through the loop: ingested, forecast by the loop, sized on.</summary>
public sealed class ComponentSeriesLoopTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Loop_ForecastsTheComponentSeriesTheDemandConfigNames_AndTheStageSizesOnThem()
    {
        var t0 = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        File.WriteAllText(_dir.File("topology.yaml"), Auspex.Testing.Builders.ShopOneHostYaml);
        var clock = new FakeTimeProvider(t0.AddHours(6));
        var settings = new RuntimeSettings { DataDirectory = _dir.File("data"), TopologyPath = _dir.File("topology.yaml"), Fresh = true };
        settings.Orchestration.Scaling.Mode = ScalingStageMode.Full;
        settings.Orchestration.Scaling.Demand["web"] = new ComponentDemandSettings("shop_http_requests_per_second", 50);
        await using var rt = await AuspexRuntime.StartAsync(settings, clock: clock);
        Assert.Contains("shop_http_requests_per_second", settings.Engine.ComponentMetrics);

        await using (var a = rt.Store.Series.BeginAppend(rt.Loop.Tenant))
        {
            var times = Enumerable.Range(0, 72).Select(i => t0.AddMinutes(5 * i)).ToList();
            a.Add(new SeriesData(new SeriesKey("shop_http_requests_per_second", Labels.Of("component", "web")), times.Select((t, i) => new Sample(t, 400 + 10 * (i % 7))).ToList()));
            a.Add(new SeriesData(new SeriesKey("auspex_host_cpu_used_cores", Labels.Of("host", "h1")), times.Select((t, i) => new Sample(t, 1 + 0.1 * (i % 5))).ToList()));
            // Not a configured metric: not forecast.
            a.Add(new SeriesData(new SeriesKey("other_metric", Labels.Of("component", "web")), times.Select(t => new Sample(t, 1)).ToList()));
            Assert.True((await a.CommitAsync()).Ok);
        }
        var report = await rt.Loop.TickAsync();
        Assert.Null(report.Error);

        var own = Assert.Single(rt.Loop.Latest!.ComponentForecasts);
        Assert.Equal("shop_http_requests_per_second", own.Series.Metric);
        Assert.NotNull(await rt.Store.Results.LatestForecastAsync(rt.Loop.Tenant, own.Series));   // stored: KEDA's {component="web"} finds it
        var web = rt.Scaling.Decisions("web")[0];
        Assert.Equal("component", web.DemandKind);
        Assert.Equal(50, web.CapacityPerReplica, 9);
        Assert.True(web.RequiredDemand > 350, $"{web.RequiredDemand}");
        Assert.True(rt.Scaling.ReplicasByTier("web")!.Values.Sum() >= 8);
        var api = rt.Scaling.Decisions("api")[0];
        Assert.Equal("hostShare", api.DemandKind);
        Assert.NotNull(api.DemandFallback);
    }
}
