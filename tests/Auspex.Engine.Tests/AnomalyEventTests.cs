using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Engine.Anomalies;
using Auspex.Engine.Loop;
using Auspex.Storage;
using Auspex.Testing;
using Microsoft.Extensions.Time.Testing;
using static Auspex.Testing.Builders;

namespace Auspex.Engine.Tests;

/// <summary>Anomaly events, false-positive feedback, retraining signals and the multivariate host detector in the stage.</summary>
public sealed class AnomalyEventTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(5);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static double Normal(int i) => 1 + Math.Sin(2 * Math.PI * (i % 288) / 288.0) + 0.05 * ((i * 7919) % 13);

    /// <summary>Three days of a daily pattern with the given extra value at given indices.</summary>
    private static List<Sample> Daily(int days, Func<int, double>? extra = null) =>
        Enumerable.Range(0, 288 * days).Select(i => new Sample(T0 + Step * i, Normal(i) + (extra?.Invoke(i) ?? 0))).ToList();

    private static SeriesKey Mem(string host) => new(ResourceKind.Memory.MetricName(), Labels.Of("host", host));

    private EmbeddedStore Open() => AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("db") });

    private static AnomalyService Service(AnomalyStage stage, Topology topo, DateTimeOffset now) =>
        new(stage, () => topo, new FakeTimeProvider(now));

    [Fact]
    public async Task Spike_BecomesOneEvent_ListedByLocalityAndSeries()
    {
        using var store = Open();
        var stage = new AnomalyStage(store, TenantId.Default, "ensemble", TimeSpan.FromDays(10));
        var spike = (288 * 2) + 100;
        var w = Daily(3, i => i == spike ? 40 : 0);
        var topo = SmallTopology(2, 1);
        var raised = new List<AnomalyEvent>();
        var service = Service(stage, topo, w[^1].At);
        service.Raised += raised.Add;
        await stage.ScoreAsync([new(Cpu("h11"), w)], topo, w[^1].At, default);

        var all = await service.ListAsync(new AnomalyQuery());
        Assert.True(all.Ok);
        var e = Assert.Single(all.Events, x => x.Metric == ResourceKind.Cpu.MetricName());
        Assert.Equal(w[spike].At, e.Start);
        Assert.Equal("h11", e.Host);
        Assert.StartsWith("an-", e.Id, StringComparison.Ordinal);
        Assert.True(e.PeakScore >= 0.5);
        Assert.Contains(raised, r => r.Id == e.Id);
        Assert.Single((await service.ListAsync(new AnomalyQuery(Locality: "rack1"))).Events);
        Assert.Single((await service.ListAsync(new AnomalyQuery(Locality: "z1", Series: ResourceKind.Cpu.MetricName()))).Events);
        Assert.Empty((await service.ListAsync(new AnomalyQuery(Locality: "rack2"))).Events);
        Assert.Empty((await service.ListAsync(new AnomalyQuery(Series: ResourceKind.Memory.MetricName()))).Events);
        Assert.Empty((await service.ListAsync(new AnomalyQuery(Since: w[spike].At + TimeSpan.FromHours(1)))).Events);
        Assert.Equal(e, await service.GetAsync(e.Id));
        Assert.Null(await service.GetAsync("an-0000000000000000"));
    }

    [Fact]
    public async Task List_BadCriteria_AreErrorsNamingThem()
    {
        using var store = Open();
        var service = Service(new AnomalyStage(store, TenantId.Default, "ensemble", TimeSpan.FromDays(1)), SmallTopology(), T0);
        Assert.Contains("no locality has id 'nowhere'", (await service.ListAsync(new AnomalyQuery(Locality: "nowhere"))).Error, StringComparison.Ordinal);
        Assert.Contains("limit", (await service.ListAsync(new AnomalyQuery(Limit: 0))).Error, StringComparison.Ordinal);
        Assert.Contains("until", (await service.ListAsync(new AnomalyQuery(Since: T0, Until: T0 - Step))).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FalsePositive_AdaptsTheDetector_AndIsPersisted()
    {
        using var store = Open();
        var topo = SmallTopology(1, 1);
        var first = (288 * 2) + 100;
        var second = first + 350; // beyond the debounce window of the first
        var w = Daily(4, i => i == first ? 20 : i == second ? 22 : 0);
        var before = w.Take(second).ToList();
        await using (var app = store.Series.BeginAppend(TenantId.Default))
        {
            app.Add(new SeriesData(Cpu("h11"), w));
            await app.CommitAsync();
        }

        // baseline: the same history without feedback, to see what the second spike scores unmarked
        var control = new AnomalyStage(store, new TenantId("control"), "ensemble", TimeSpan.FromDays(10));
        await control.ScoreAsync([new(Cpu("h11"), w)], topo, w[^1].At, default);
        var controlScore = await ScoreAt(store, new TenantId("control"), w[second].At);
        Assert.True(controlScore >= 0.5, $"without feedback the second spike scores {controlScore}");

        var stage = new AnomalyStage(store, TenantId.Default, "ensemble", TimeSpan.FromDays(10));
        var service = Service(stage, topo, before[^1].At);
        await stage.ScoreAsync([new(Cpu("h11"), before)], topo, before[^1].At, default);
        var e = Assert.Single((await service.ListAsync(new AnomalyQuery(Since: T0))).Events);
        var marked = await service.MarkFalsePositiveAsync(e.Id, "ops");
        Assert.Equal(FalsePositiveOutcome.Marked, marked.Outcome);
        Assert.True(marked.Event!.FalsePositive);
        Assert.Equal("ops", marked.Event.MarkedBy);
        Assert.Equal(FalsePositiveOutcome.AlreadyMarked, (await service.MarkFalsePositiveAsync(e.Id, "ops")).Outcome);
        Assert.Equal(FalsePositiveOutcome.NotFound, (await service.MarkFalsePositiveAsync("an-ffffffffffffffff", "ops")).Outcome);
        Assert.Contains(await store.State.ReadAuditAsync(TenantId.Default, 10), a => a.Action == "anomaly.false-positive" && a.Target == e.Id && a.Actor == "ops");

        // a restart restores the mark and the adapted detector: the same-size spike no longer raises an event
        var restarted = new AnomalyStage(store, TenantId.Default, "ensemble", TimeSpan.FromDays(10));
        var events = await restarted.ListAsync(_ => true, default);
        Assert.True(Assert.Single(events).FalsePositive);
        await restarted.ScoreAsync([new(Cpu("h11"), w)], topo, w[^1].At, default);
        var markedScore = await ScoreAt(store, TenantId.Default, w[second].At);
        Assert.True(markedScore < 0.5, $"after the mark the second spike scores {markedScore} (control {controlScore})");
        Assert.DoesNotContain(await restarted.ListAsync(_ => true, default), x => x.Start == w[second].At);
    }

    private static async Task<double> ScoreAt(EmbeddedStore store, TenantId tenant, DateTimeOffset at) =>
        (await store.Series.ReadAsync(tenant, [LabelMatcher.Eq("__name__", AnomalyStage.MetricName), LabelMatcher.Eq("source_metric", ResourceKind.Cpu.MetricName())],
            new TimeRange(at, at + TimeSpan.FromMinutes(1)), Resolution.Raw)).SelectMany(x => x.Samples).Single(s => s.At == at).Value;

    [Fact]
    public async Task LevelShift_RaisesARetrainSignal_ThatCanBeTakenOnce()
    {
        using var store = Open();
        var stage = new AnomalyStage(store, TenantId.Default, "ensemble", TimeSpan.FromDays(10));
        var shift = (288 * 2) + 100;
        var w = Daily(3, i => i >= shift ? 15 : 0);
        await stage.ScoreAsync([new(Cpu("h11"), w)], SmallTopology(1, 1), w[^1].At, default);
        IRetrainSignals signals = stage;
        var pending = Assert.Single(signals.Pending);
        Assert.Equal(Cpu("h11"), pending.Series);
        Assert.True(pending.At >= w[shift].At);
        Assert.True(signals.TryTake(Cpu("h11"), out var taken));
        Assert.Equal(pending, taken);
        Assert.False(signals.TryTake(Cpu("h11"), out _));
        Assert.Empty(signals.Pending);
    }

    [Fact]
    public async Task NormalSeries_RaisesNoRetrainSignal()
    {
        using var store = Open();
        var stage = new AnomalyStage(store, TenantId.Default, "ensemble", TimeSpan.FromDays(10));
        var w = Daily(3);
        await stage.ScoreAsync([new(Cpu("h11"), w)], SmallTopology(1, 1), w[^1].At, default);
        Assert.Empty(((IRetrainSignals)stage).Pending);
    }

    [Fact]
    public async Task Multivariate_BrokenRelationBetweenMetrics_IsAnEventNamingTheMetric()
    {
        using var store = Open();
        var stage = new AnomalyStage(store, TenantId.Default, "ensemble", TimeSpan.FromDays(10));
        var odd = (288 * 2) + 100;
        var cpu = Daily(3);
        // memory follows CPU closely, except at one point where it stays where it was while CPU moves on
        var mem = cpu.Select((s, i) => new Sample(s.At, (2 * s.Value) + 0.01 * ((i * 31) % 7) + (i == odd ? -1.5 : 0))).ToList();
        await stage.ScoreAsync([new(Cpu("h11"), cpu), new(Mem("h11"), mem)], SmallTopology(1, 1), cpu[^1].At, default);
        var events = await stage.ListAsync(e => e.Metric == AnomalyEvent.MultivariateMetric, default);
        var e = Assert.Single(events, x => x.Start == cpu[odd].At);
        Assert.Equal("h11", e.Host);
        Assert.Contains("auspex_host_", e.Reason, StringComparison.Ordinal);
        var stored = await store.Series.ReadAsync(TenantId.Default,
            [LabelMatcher.Eq("__name__", AnomalyStage.MetricName), LabelMatcher.Eq("source_metric", AnomalyEvent.MultivariateMetric)],
            new TimeRange(T0, T0 + TimeSpan.FromDays(30)), Resolution.Raw);
        Assert.Equal(cpu.Count, Assert.Single(stored).Samples.Count);
    }

    [Fact]
    public async Task Maintenance_SuppressesEventsOnTheAffectedLocalityOnly()
    {
        using var store = Open();
        var t = SmallTopology(2, 1);
        var spike = (288 * 2) + 100;
        var w = Daily(3, i => i == spike ? 40 : 0);
        var window = new MaintenanceWindow("rack1", new TimeRange(w[spike].At - TimeSpan.FromHours(1), w[spike].At + TimeSpan.FromHours(1)), "firmware");
        var topo = Topology.Create(t.Tenant, t.Localities, maintenance: [window]).Topology!;
        var stage = new AnomalyStage(store, TenantId.Default, "ensemble", TimeSpan.FromDays(10));
        await stage.ScoreAsync([new(Cpu("h11"), w), new(Cpu("h21"), w)], topo, w[^1].At, default);
        var events = await stage.ListAsync(e => e.Start == w[spike].At, default);
        Assert.DoesNotContain(events, e => e.Host == "h11");
        Assert.Contains(events, e => e.Host == "h21");
    }
}
