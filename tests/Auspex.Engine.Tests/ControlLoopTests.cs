using Auspex.Core.Series;
using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Engine.Loop;
using Auspex.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Auspex.Engine.Tests;

public sealed class ControlLoopTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private RuntimeSettings SampleSettings() => new()
    {
        DataDirectory = _dir.Path,
        TopologyPath = RepoPaths.Samples("fleet", "topology.yaml"),
        Replay = new ReplaySettings { Files = [RepoPaths.Samples("fleet", "metrics.csv.gz")], Speed = 3600 },
    };

    [Fact]
    public async Task Tick_OnSampleFleet_ScoresEveryLocality()
    {
        await using var rt = await AuspexRuntime.StartAsync(SampleSettings());
        var report = await rt.Loop.TickAsync();
        output.WriteLine(string.Join(", ", report.StageMilliseconds!.Select(p => $"{p.Key}={p.Value:0}ms")));
        Assert.Null(report.Error);
        Assert.Equal(200, report.Forecasts);
        var locs = await rt.Fleet.LocalitiesAsync();
        Assert.Equal(57, locs.Count);
        Assert.All(locs, l =>
        {
            Assert.NotNull(l.Score);
            Assert.InRange(l.Score!.Desirability, 0, 1);
            Assert.Contains("capacity", l.Score.Parts.Keys);
        });
        // Every host series was scored for anomalies; the scores feed the risk part of every host.
        var anomalySeries = rt.Store.Series.FindSeries(rt.Loop.Tenant, [LabelMatcher.Eq("__name__", "auspex_anomaly_score")]);
        // ... and every host's metrics together by its multivariate detector (source_metric="multivariate")
        var hosts = locs.Count(l => l.Kind == "host");
        Assert.Equal(200 + hosts, anomalySeries.Count);
        Assert.Equal(hosts, anomalySeries.Count(k => k.Labels["source_metric"] == "multivariate"));
        Assert.All(locs.Where(l => l.Kind == "host"), l => Assert.Contains("risk", l.Score!.Parts.Keys));
        // Detector state was saved with the first maintenance pass, one document per series.
        Assert.Equal(200, (await rt.Store.State.ListAsync(rt.Loop.Tenant, "anomaly-detector")).Count);
        Assert.Equal(hosts, (await rt.Store.State.ListAsync(rt.Loop.Tenant, "anomaly-detector-mv")).Count);
        var second = await rt.Loop.TickAsync();
        output.WriteLine(string.Join(", ", second.StageMilliseconds!.Select(p => $"{p.Key}={p.Value:0}ms")));
    }
}
