using Auspex.Core.Series;
using Auspex.Ingestion.Scrape;

namespace Auspex.Ingestion.Tests.Scrape;

/// <summary>Scrapes a real node_exporter started on a free loopback port.</summary>
public class NodeExporterScrapeTests
{
    private static async Task<(RunningProgram Program, int Port)> StartNodeExporterAsync()
    {
        var port = RealProgram.FreePort();
        var program = await RealProgram.StartAsync(RealProgram.NodeExporter,
            [$"--web.listen-address=127.0.0.1:{port}", "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo",
             "--collector.loadavg", "--collector.netdev", "--collector.filesystem", "--collector.diskstats"],
            new Uri($"http://127.0.0.1:{port}/metrics"), TimeSpan.FromSeconds(20));
        return (program, port);
    }

    [RealProgramFact(RealProgram.NodeExporter)]
    public async Task ScrapeOnce_RealNodeExporter_YieldsItsMetricsAndUp()
    {
        var (program, port) = await StartNodeExporterAsync();
        using var _ = program;
        var options = new ScrapeOptions { JobName = "node", StaticConfigs = [new TargetGroup([$"127.0.0.1:{port}"], Labels.Empty)] };
        using var http = new HttpClient();
        var scraper = new Scraper(options, http, TimeProvider.System, (_, _) => Task.CompletedTask);

        var report = await scraper.ScrapeOnceAsync(scraper.Discover()[0], CancellationToken.None);

        Assert.True(report.Up, report.Error);
        Assert.True(report.SampleCount > 50, $"node_exporter exposed only {report.SampleCount} samples");
        var cpu = report.Series.Where(s => s.Key.Metric == "node_cpu_seconds_total").ToList();
        Assert.NotEmpty(cpu);
        Assert.All(cpu, s => Assert.Equal("node", s.Key.Labels["job"]));
        Assert.All(cpu, s => Assert.Equal($"127.0.0.1:{port}", s.Key.Labels["instance"]));
        Assert.Contains(report.Series, s => s.Key.Metric == "node_memory_MemTotal_bytes" && s.Samples[0].Value > 0);
        Assert.Contains(report.Series, s => s.Key.Metric == "node_exporter_build_info");
        Assert.Equal(1, report.Series.Single(s => s.Key.Metric == "up").Samples[0].Value);
    }

    [RealProgramFact(RealProgram.NodeExporter)]
    public async Task Run_FileSdTarget_ScrapesRealNodeExporterAtTheInterval()
    {
        var (program, port) = await StartNodeExporterAsync();
        using var _ = program;
        using var dir = new TempDir();
        var sd = dir.File("node.json");
        File.WriteAllText(sd, $$$"""[{"targets": ["127.0.0.1:{{{port}}}"], "labels": {"site": "lab"}}]""");
        var options = new ScrapeOptions
        {
            JobName = "node",
            Interval = TimeSpan.FromMilliseconds(500),
            Timeout = TimeSpan.FromMilliseconds(450),
            FileSdFiles = [sd],
            FileSdRefreshInterval = TimeSpan.FromMilliseconds(200),
        };
        var ups = new List<SeriesData>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var http = new HttpClient();
        var scraper = new Scraper(options, http, TimeProvider.System, (batch, _) =>
        {
            lock (ups)
            {
                ups.Add(batch.Single(s => s.Key.Metric == "up"));
                if (ups.Count >= 2)
                {
                    cts.Cancel();
                }
            }
            return Task.CompletedTask;
        });

        await scraper.RunAsync(cts.Token);

        Assert.True(ups.Count >= 2, "expected two scrapes before the 30 s bound");
        Assert.All(ups, u => Assert.Equal(1, u.Samples[0].Value));
        Assert.All(ups, u => Assert.Equal("lab", u.Key.Labels["site"]));
        Assert.True(ups[1].Samples[0].At > ups[0].Samples[0].At);
    }
}
