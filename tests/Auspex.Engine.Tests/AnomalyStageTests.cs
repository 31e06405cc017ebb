using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Engine.Loop;
using Auspex.Storage;
using Auspex.Testing;
using static Auspex.Testing.Builders;

namespace Auspex.Engine.Tests;

public sealed class AnomalyStageTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(5);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<Sample> Daily(int days, int spikeAt = -1) =>
        Enumerable.Range(0, 288 * days).Select(i => new Sample(T0 + Step * i,
            (i == spikeAt ? 40 : 0) + 1 + Math.Sin(2 * Math.PI * (i % 288) / 288.0) + 0.05 * ((i * 7919) % 13))).ToList();

    private async Task<double[]> Scores(ISeriesStore s) =>
        (await s.ReadAsync(TenantId.Default, [LabelMatcher.Eq("__name__", AnomalyStage.MetricName)], new TimeRange(T0, T0 + TimeSpan.FromDays(30)), Resolution.Raw))
            .SelectMany(x => x.Samples.Select(p => p.Value)).ToArray();

    [Fact]
    public async Task Score_SpikeScoresHigh_AndHostMaxIsReported()
    {
        using var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("db") });
        var stage = new AnomalyStage(store, TenantId.Default, "ensemble", TimeSpan.FromDays(10));
        var spike = 288 * 2 + 100;
        var w = Daily(3, spike);
        var byHost = await stage.ScoreAsync([new(Cpu("h11"), w)], SmallTopology(1, 1), w[^1].At, default);
        var s = await Scores(store.Series);
        Assert.Equal(w.Count, s.Length);
        Assert.True(s[spike] > 0.5, $"spike scored {s[spike]}");
        Assert.True(s.Take(spike).Skip(300).Average() < 0.2);
        Assert.Equal(s.Max(), byHost["h11"], 9);
    }

    [Fact]
    public async Task Score_DuringMaintenance_IsSuppressed()
    {
        using var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("db") });
        var t = SmallTopology(1, 1);
        var window = new MaintenanceWindow("rack1", new TimeRange(T0 + TimeSpan.FromDays(1), T0 + TimeSpan.FromDays(2)), "firmware");
        var topo = Topology.Create(t.Tenant, t.Localities, maintenance: [window]).Topology!;
        var w = Daily(3);
        await new AnomalyStage(store, TenantId.Default, "ensemble", TimeSpan.FromDays(10)).ScoreAsync([new(Cpu("h11"), w)], topo, w[^1].At, default);
        Assert.Equal(288 * 2, (await Scores(store.Series)).Length);
    }

    /// <summary>
    /// Scores two days of h11 with an <c>ensemble</c> stage, saves its detectors, then restarts with a stage of
    /// <paramref name="restartedKind"/> and scores one more normal sample. Returns how many scores existed before the restart.
    /// </summary>
    private async Task<(int Before, AnomalyStage Restarted, DateTimeOffset At)> ScoreSaveAndRestart(EmbeddedStore store, string restartedKind)
    {
        var w = Daily(2);
        // The series must exist in the store for its detector to be matched on restore.
        await using (var app = store.Series.BeginAppend(TenantId.Default))
        {
            app.Add(new SeriesData(Cpu("h11"), w));
            await app.CommitAsync();
        }
        var first = new AnomalyStage(store, TenantId.Default, "ensemble", TimeSpan.FromDays(10));
        await first.ScoreAsync([new(Cpu("h11"), w)], SmallTopology(1, 1), w[^1].At, default);
        await first.SaveAsync(w[^1].At, default);
        var before = (await Scores(store.Series)).Length;
        var restarted = new AnomalyStage(store, TenantId.Default, restartedKind, TimeSpan.FromDays(10));
        var more = w.Append(new Sample(w[^1].At + Step, 1.2)).ToList();
        await restarted.ScoreAsync([new(Cpu("h11"), more)], SmallTopology(1, 1), more[^1].At, default);
        return (before, restarted, more[^1].At);
    }

    [Fact]
    public async Task SavedState_IsRestored_SoARestartDoesNotRescoreOrForget()
    {
        using var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("db") });
        var (before, _, _) = await ScoreSaveAndRestart(store, "ensemble");
        var after = await Scores(store.Series);
        Assert.Equal(before + 1, after.Length); // only the new sample was scored
        Assert.True(after[^1] < 0.5, $"a normal point after restart scored {after[^1]}: the detector forgot what it learned");
    }

    [Fact]
    public async Task SavedState_OfAnotherDetectorKind_IsReplacedByTheConfiguredOne_WithoutRescoring()
    {
        using var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("db") });
        var (before, restarted, at) = await ScoreSaveAndRestart(store, "ensemble-weekly");
        await restarted.SaveAsync(at, default);
        Assert.Equal(before + 1, (await Scores(store.Series)).Length); // only the new sample was scored
        var states = await store.State.ListAsync(TenantId.Default, "anomaly-detector", default);
        var saved = System.Text.Json.JsonDocument.Parse(Assert.Single(states).Json).RootElement;
        var state = saved.EnumerateObject().First(p => p.Name.Equals("state", StringComparison.OrdinalIgnoreCase)).Value.GetString()!;
        var detector = Auspex.Anomalies.AnomalyDetectors.Restore(Convert.FromBase64String(state));
        Assert.Equal("ensemble-weekly", detector.Name);
        Assert.Equal(1, detector.Count);
    }
}
