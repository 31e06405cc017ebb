using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Engine.Configuration;
using Auspex.Engine.Loop;
using Auspex.Engine.Services;
using Auspex.Ingestion.TopologyFiles;
using Auspex.Placement.Global;
using Auspex.Scoring;

namespace Auspex.Engine.Tests;

/// <summary>
/// The global plan's demand from the loop's forecasts (resolved as the scaling stage does, per replica, at the
/// quantile, never below the requests; requests with the reason otherwise) and the note on a weak lower bound.
/// </summary>
public sealed class GlobalPlanDemandTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(15);

    private static Topology Fleet(string priceB = "0.40") => Parse($$$"""
        version: 1
        tenant: acme
        tiers:
          - {name: a, provider: onprem, price_per_hour: 0.40, performance_factor: 1, preemption_probability_per_hour: 0, provisioning_lead_time: 10m}
          - {name: b, provider: onprem, price_per_hour: {{{priceB}}}, performance_factor: 1, preemption_probability_per_hour: 0, provisioning_lead_time: 10m}
        regions:
          - id: r
            zones:
              - id: z
                racks:
                  - id: k
                    hosts:
                      - {id: h1, tier: a, capacity: {cpu: 8, memory: 64Gi}}
                      - {id: h2, tier: b, capacity: {cpu: 8, memory: 64Gi}}
                      - {id: h3, tier: a, capacity: {cpu: 8, memory: 64Gi}}
                      - {id: h4, tier: a, capacity: {cpu: 8, memory: 64Gi}}
        components:
          - {id: web, service: shop, requests: {cpu: 1, memory: 1Gi}, replicas: 2, placement: [h1, h2]}
          - {id: db, service: shop-db, requests: {cpu: 1, memory: 1Gi}, replicas: 1, placement: [h2]}
          - {id: batch, service: jobs, requests: {cpu: 3, memory: 1Gi}, replicas: 2, placement: [h3, h1]}
        """);

    private static Topology Parse(string yaml)
    {
        var parsed = TopologyFile.Parse(yaml);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        return parsed.Topology!;
    }

    /// <summary>web's own CPU series: 1 core in the first hour, 10 cores (5 per replica) for the next three.</summary>
    private static LoopResults Tick(Topology t)
    {
        var means = Enumerable.Range(0, 16).Select(i => i < 4 ? 1.0 : 10.0).ToArray();
        var web = new Forecast(new SeriesKey("auspex_component_cpu_used_cores", Labels.Of("component", "web")), "hand", T0, Step, [0.025, 0.5, 0.975],
            means.Select((m, i) => new ForecastPoint(T0 + Step * i, m, [m * 0.9, m, m * 1.1])).ToList());
        return new LoopResults(T0, t, [], []) { ComponentForecasts = [web] };
    }

    private static GlobalPlacementOptions Options() => new() { Slots = 4, SlotLength = TimeSpan.FromHours(1), Quantile = 0.95, TimeLimit = TimeSpan.FromSeconds(2), Seed = 1 };

    [Fact]
    public void ForecastAboveRequests_GivesTheLaterSlotsTheForecastDemand_AndThePlanAvoidsTheOverload()
    {
        var t = Fleet();
        var options = Options();
        var (forecasts, sources) = GlobalPlanService.DemandFrom(t, Tick(t), new ScalingStageSettings(), options, T0);
        var problem = GlobalProblems.FromTopology(t, forecasts, T0, options);
        var web = problem.Components.Single(c => c.Id == "web");
        // Slot 0: 1 core over 2 replicas is below the 1-core request, so the request. Slots 1–3: 5 cores per replica at q0.95.
        Assert.Equal(1.0, web.Demand[0][0], 6);
        var memory = t.Components.Single(c => c.Id == "web").Requests[ResourceKind.Memory];
        for (var s = 1; s < 4; s++)
        {
            Assert.InRange(web.Demand[s][0], 5.0, 5.5);
            Assert.Equal(memory, web.Demand[s][1]); // memory stays the request
        }
        var src = sources.Single(d => d.Component == "web");
        Assert.Equal("forecast", src.Source);
        Assert.Equal(3, src.SlotsAboveRequest);
        Assert.InRange(src.PeakCpuPerReplica, 5.0, 5.5);
        Assert.Equal("auspex_component_cpu_used_cores{component=\"web\"}", src.Series);

        // On requests alone (9 cores, replicas of a component on different hosts) two 8-core hosts carry everything; with
        // the forecast (web 2 × 5.x cores) both would be overloaded in slots 1–3, and the plan made on the forecast is not.
        var onRequests = PlacementSolvers.Packing().Solve(GlobalProblems.FromTopology(t, [], T0, options), options);
        Assert.True(onRequests.HasPlan, onRequests.Status + ": " + string.Join("; ", onRequests.Reasons));
        Assert.Equal(2, onRequests.Metrics!.HostsUsed);
        Assert.True(PlanEvaluator.Evaluate(problem, onRequests.Assignment, options).OverloadedHostSlots >= 3);
        var planned = PlacementSolvers.Packing().Solve(problem, options);
        Assert.True(planned.HasPlan, planned.Status + ": " + string.Join("; ", planned.Reasons));
        Assert.Equal(0, planned.Metrics!.OverloadedHostSlots);
        // web's replicas (5.x cores) leave no room for a 3-core batch replica, so batch takes two more hosts.
        Assert.Equal(4, planned.Metrics.HostsUsed);
        var webHosts = planned.Assignment["web"];
        Assert.Equal(2, webHosts.Distinct(StringComparer.Ordinal).Count()); // 2 × 5.x cores cannot share an 8-core host
    }

    [Fact]
    public void WithoutAForecast_TheRequestsAreUsed_AndTheReasonIsReported()
    {
        var t = Fleet();
        var options = Options();
        var (forecasts, sources) = GlobalPlanService.DemandFrom(t, Tick(t), new ScalingStageSettings(), options, T0);
        Assert.DoesNotContain(forecasts, f => f.Component == "db");
        var db = sources.Single(d => d.Component == "db");
        Assert.Equal("requests", db.Source);
        Assert.Equal(1.0, db.PeakCpuPerReplica);
        Assert.Contains("no component series auspex_component_cpu_used_cores{component=\"db\"} ingested", db.Reason, StringComparison.Ordinal);
        Assert.Contains("no CPU forecast yet for its hosts (h2)", db.Reason, StringComparison.Ordinal);
        var problem = GlobalProblems.FromTopology(t, forecasts, T0, options);
        Assert.All(problem.Components.Single(c => c.Id == "db").Demand, d => Assert.Equal(1.0, d[0]));

        var (none, before) = GlobalPlanService.DemandFrom(t, null, new ScalingStageSettings(), options, T0);
        Assert.Empty(none);
        Assert.All(before, d => Assert.Equal("no forecast yet: the loop has not ticked", d.Reason));
    }

    [Fact]
    public void TheHostShare_IsUsedLikeTheScalingStage_WhenOnlyHostForecastsExist()
    {
        var t = Fleet();
        var options = Options();
        // h3 carries a batch replica only: its CPU forecast (12 cores later) is all batch's, over its 2 replicas.
        var means = Enumerable.Range(0, 16).Select(i => i < 4 ? 2.0 : 12.0).ToArray();
        var h3 = new HostForecast("h3", ResourceKind.Cpu, new Forecast(new SeriesKey("auspex_host_cpu_used_cores", Labels.Of("host", "h3")), "hand", T0, Step,
            [0.025, 0.5, 0.975], means.Select((m, i) => new ForecastPoint(T0 + Step * i, m, [m, m, m])).ToList()));
        var (_, sources) = GlobalPlanService.DemandFrom(t, new LoopResults(T0, t, [h3], []), new ScalingStageSettings(), options, T0);
        var batch = sources.Single(d => d.Component == "batch");
        Assert.Equal("forecast", batch.Source);
        Assert.StartsWith("hostShare forecast", batch.Reason, StringComparison.Ordinal);
        Assert.Equal(6.0, batch.PeakCpuPerReplica, 6); // 12 cores over 2 replicas (slot 0: 1 core each, below the 3-core request)
        Assert.Equal(3, batch.SlotsAboveRequest);
    }

    [Fact]
    public void BoundNote_SaysTheBoundIsAFractionalCover_WhenHostsDifferInPrice()
    {
        var options = Options();
        var mixed = GlobalProblems.FromTopology(Fleet("0.90"), [], T0, options);
        var note = GlobalPlanService.BoundNote(mixed, options, null);
        Assert.NotNull(note);
        Assert.Contains("hosts differ in price", note, StringComparison.Ordinal);
        Assert.Contains("fractional cover", note, StringComparison.Ordinal);

        var same = GlobalProblems.FromTopology(Fleet(), [], T0, options);
        Assert.Null(GlobalPlanService.BoundNote(same, options, null));
        var withMoves = new PlanMetrics(1, 0.4, 0, 0, Moves: 3, 0, 0, 0.5);
        Assert.Contains("moves", GlobalPlanService.BoundNote(same, options, withMoves), StringComparison.Ordinal);
    }
}
