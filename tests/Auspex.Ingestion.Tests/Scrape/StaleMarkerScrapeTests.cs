using System.Net;
using Auspex.Core.Series;
using Auspex.Ingestion.Scrape;

namespace Auspex.Ingestion.Tests.Scrape;

public class StaleMarkerScrapeTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private static ScrapeOptions Options(bool stale = true) => new()
    {
        JobName = "j",
        StaleMarkers = stale,
        StaticConfigs = [new TargetGroup(["127.0.0.1:9"], Labels.Empty)],
    };

    private static (Scraper Scraper, ScrapeTarget Target, Queue<HttpResponseMessage> Answers) Make(ScrapeOptions o)
    {
        var answers = new Queue<HttpResponseMessage>();
        var handler = new StubHandler((_, _) => Task.FromResult(answers.Dequeue()));
        var scraper = new Scraper(o, new HttpClient(handler), new FixedClock(Now), (_, _) => Task.CompletedTask);
        return (scraper, scraper.Discover()[0], answers);
    }

    [Fact]
    public async Task Scrape_SeriesThatDisappeared_GetsAStaleMarker()
    {
        var (scraper, target, answers) = Make(Options());
        answers.Enqueue(StubHandler.Response("a 1\nb 2\n", "text/plain"));
        answers.Enqueue(StubHandler.Response("a 1\n", "text/plain"));

        await scraper.ScrapeOnceAsync(target, CancellationToken.None);
        var second = await scraper.ScrapeOnceAsync(target, CancellationToken.None);

        var b = second.Series.Single(s => s.Key.Metric == "b");
        Assert.True(StaleMarker.IsStale(b.Samples.Single().Value));
        Assert.False(StaleMarker.IsStale(second.Series.Single(s => s.Key.Metric == "a").Samples[0].Value));
    }

    [Fact]
    public async Task Scrape_FailedAfterSuccess_MarksEveryScrapedSeriesStale()
    {
        var (scraper, target, answers) = Make(Options());
        answers.Enqueue(StubHandler.Response("a 1\nb 2\n", "text/plain"));
        answers.Enqueue(StubHandler.Response("", "text/plain", HttpStatusCode.InternalServerError));

        await scraper.ScrapeOnceAsync(target, CancellationToken.None);
        var failed = await scraper.ScrapeOnceAsync(target, CancellationToken.None);

        Assert.False(failed.Up);
        Assert.Equal(["a", "b"], failed.Series.Where(s => StaleMarker.IsStale(s.Samples[0].Value)).Select(s => s.Key.Metric).Order());
        Assert.Equal(0, failed.Series.Single(s => s.Key.Metric == "up").Samples[0].Value);
    }

    [Fact]
    public async Task Scrape_StaleMarkersOff_WritesNone()
    {
        var (scraper, target, answers) = Make(Options(stale: false));
        answers.Enqueue(StubHandler.Response("a 1\nb 2\n", "text/plain"));
        answers.Enqueue(StubHandler.Response("a 1\n", "text/plain"));

        await scraper.ScrapeOnceAsync(target, CancellationToken.None);
        var second = await scraper.ScrapeOnceAsync(target, CancellationToken.None);

        Assert.DoesNotContain(second.Series, s => s.Key.Metric == "b");
    }

    [Fact]
    public async Task Run_TargetRemovedFromFileSd_GetsStaleMarkersIncludingUp()
    {
        using var dir = new TempDir();
        var sd = dir.File("t.json");
        File.WriteAllText(sd, """[{"targets": ["127.0.0.1:1"]}]""");
        var options = new ScrapeOptions
        {
            JobName = "j",
            Interval = TimeSpan.FromMilliseconds(100),
            Timeout = TimeSpan.FromMilliseconds(90),
            FileSdFiles = [sd],
            FileSdRefreshInterval = TimeSpan.FromMilliseconds(50),
        };
        var batches = new List<IReadOnlyList<SeriesData>>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var handler = new StubHandler((_, _) => Task.FromResult(StubHandler.Response("a 1\n", "text/plain")));
        var scraper = new Scraper(options, new HttpClient(handler), TimeProvider.System, (batch, _) =>
        {
            lock (batches)
            {
                batches.Add(batch);
                if (batches.Count == 1)
                {
                    File.WriteAllText(sd, """[{"targets": ["127.0.0.1:2"]}]""");
                }
                if (batch.Any(s => s.Key.Metric == "up" && s.Key.Labels["instance"] == "127.0.0.1:1" && StaleMarker.IsStale(s.Samples[0].Value)))
                {
                    cts.Cancel();
                }
            }
            return Task.CompletedTask;
        });

        await scraper.RunAsync(cts.Token);

        var markers = batches.Single(b => b.Any(s => StaleMarker.IsStale(s.Samples[0].Value) && s.Key.Metric == "up"));
        Assert.Contains(markers, s => s.Key.Metric == "a" && s.Key.Labels["instance"] == "127.0.0.1:1");
        Assert.All(markers, s => Assert.True(StaleMarker.IsStale(s.Samples[0].Value)));
    }
}
