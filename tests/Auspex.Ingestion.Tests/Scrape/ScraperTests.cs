using System.Net;
using Auspex.Core.Series;
using Auspex.Ingestion.Exposition;
using Auspex.Ingestion.Scrape;

namespace Auspex.Ingestion.Tests.Scrape;

public class ScraperTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
    private static readonly Func<IReadOnlyList<SeriesData>, CancellationToken, Task> NoSink = (_, _) => Task.CompletedTask;

    private static ScrapeOptions Options(TimeSpan? interval = null, TimeSpan? timeout = null) => new()
    {
        JobName = "node",
        Interval = interval ?? TimeSpan.FromSeconds(15),
        Timeout = timeout ?? TimeSpan.FromSeconds(5),
        StaticConfigs = [new TargetGroup(["127.0.0.1:9"], Labels.Of("zone", "eu"))],
    };

    private static ScrapeTarget Target(ScrapeOptions o) => Scraper.ResolveTargets(o, o.StaticConfigs)[0];

    private static Task<ScrapeReport> ScrapeWith(StubHandler handler, ScrapeOptions? o = null, TimeProvider? time = null)
    {
        o ??= Options();
        var scraper = new Scraper(o, new HttpClient(handler), time ?? new FixedClock(Now), NoSink);
        return scraper.ScrapeOnceAsync(Target(o), CancellationToken.None);
    }

    private static SeriesData Find(ScrapeReport r, string metric) => r.Series.Single(s => s.Key.Metric == metric);

    [Fact]
    public async Task ScrapeOnce_OpenMetricsAnswer_AddsTargetLabelsAndUp()
    {
        var handler = StubHandler.Text("# TYPE a counter\na_total{job=\"inner\",x=\"1\"} 5\n# EOF\n", ExpositionContentType.OpenMetrics);

        var report = await ScrapeWith(handler);

        Assert.True(report.Up, report.Error);
        Assert.StartsWith("application/openmetrics-text;version=1.0.0", handler.Requests[0].Headers.Accept.ToString(), StringComparison.Ordinal);
        Assert.Equal(Labels.Of("job", "node", "instance", "127.0.0.1:9", "zone", "eu", "exported_job", "inner", "x", "1"), Find(report, "a_total").Key.Labels);
        Assert.Equal(new Sample(Now, 5), Find(report, "a_total").Samples.Single());
        Assert.Equal(new Sample(Now, 1), Find(report, "up").Samples.Single());
        Assert.Equal(Labels.Of("job", "node", "instance", "127.0.0.1:9", "zone", "eu"), Find(report, "up").Key.Labels);
        Assert.Equal(1, Find(report, "scrape_samples_scraped").Samples[0].Value);
        Assert.True(Find(report, "scrape_duration_seconds").Samples[0].Value >= 0);
    }

    [Fact]
    public async Task ScrapeOnce_TextAnswer_UsesTextParser()
    {
        var report = await ScrapeWith(StubHandler.Text("a 1 1000\n", "text/plain; version=0.0.4"));

        Assert.True(report.Up, report.Error);
        Assert.Equal(1000, Find(report, "a").Samples[0].At.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task ScrapeOnce_GzipAnswer_IsDecompressed()
    {
        var handler = new StubHandler((req, _) =>
        {
            Assert.Contains("gzip", req.Headers.AcceptEncoding.ToString(), StringComparison.Ordinal);
            using var ms = new MemoryStream();
            using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            {
                gz.Write("zipped 42\n"u8);
            }
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(ms.ToArray()) };
            response.Content.Headers.TryAddWithoutValidation("Content-Type", "text/plain; version=0.0.4");
            response.Content.Headers.ContentEncoding.Add("gzip");
            return Task.FromResult(response);
        });

        var report = await ScrapeWith(handler);

        Assert.True(report.Up, report.Error);
        Assert.Equal(42, Find(report, "zipped").Samples[0].Value);
    }

    [Fact]
    public async Task ScrapeOnce_CorruptGzip_RecordsUpZero()
    {
        var handler = new StubHandler((_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]) };
            response.Content.Headers.ContentEncoding.Add("gzip");
            return Task.FromResult(response);
        });

        var report = await ScrapeWith(handler);

        Assert.False(report.Up);
        Assert.Contains("could not be read", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapeOnce_HonorLabels_KeepsScrapedLabel()
    {
        var o = Options() with { HonorLabels = true };

        var report = await ScrapeWith(StubHandler.Text("a{job=\"inner\"} 1\n", "text/plain"), o);

        Assert.Equal("inner", Find(report, "a").Key.Labels["job"]);
    }

    [Fact]
    public async Task ScrapeOnce_ServerError_RecordsUpZero()
    {
        var report = await ScrapeWith(StubHandler.Text("boom", "text/plain", HttpStatusCode.InternalServerError));

        Assert.False(report.Up);
        Assert.Contains("HTTP 500", report.Error, StringComparison.Ordinal);
        Assert.Equal(0, Find(report, "up").Samples[0].Value);
        Assert.Equal(3, report.Series.Count);
    }

    [Fact]
    public async Task ScrapeOnce_InvalidExposition_RecordsUpZeroWithLine()
    {
        var report = await ScrapeWith(StubHandler.Text("ok 1\nbad{ 1\n", "text/plain"));

        Assert.False(report.Up);
        Assert.Contains("line 2", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapeOnce_OpenMetricsWithoutEof_RecordsUpZero()
    {
        var report = await ScrapeWith(StubHandler.Text("a 1\n", ExpositionContentType.OpenMetrics));

        Assert.False(report.Up);
        Assert.Contains("EOF", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapeOnce_SlowTarget_TimesOutAsUpZero()
    {
        var handler = new StubHandler(async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return StubHandler.Response("a 1\n", "text/plain");
        });
        var o = Options(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(200));

        var report = await ScrapeWith(handler, o, TimeProvider.System);

        Assert.False(report.Up);
        Assert.Contains("timed out", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapeOnce_BodyOverLimit_RecordsUpZero()
    {
        var o = Options() with { MaxBodyBytes = 10 };

        var report = await ScrapeWith(StubHandler.Text("a_long_metric_name 1\n", "text/plain"), o);

        Assert.False(report.Up);
        Assert.Contains("larger than 10 bytes", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapeOnce_NothingListening_RecordsUpZero()
    {
        var o = Options() with { StaticConfigs = [new TargetGroup([$"127.0.0.1:{RealProgram.FreePort()}"], Labels.Empty)] };
        using var http = new HttpClient();
        var scraper = new Scraper(o, http, TimeProvider.System, NoSink);

        var report = await scraper.ScrapeOnceAsync(Target(o), CancellationToken.None);

        Assert.False(report.Up);
        Assert.NotNull(report.Error);
    }

    [Fact]
    public void ResolveTargets_AppliesSchemePathJobAndInstance()
    {
        var o = Options();
        var groups = new[]
        {
            new TargetGroup(["a:1", "b:2"], Labels.Of("__scheme__", "https", "__metrics_path__", "/m", "__meta_x", "dropped", "env", "prod")),
            new TargetGroup(["c:3"], Labels.Of("job", "override", "instance", "named")),
        };

        var targets = Scraper.ResolveTargets(o, groups);

        Assert.Equal(["https://a:1/m", "https://b:2/m", "http://c:3/metrics"], targets.Select(t => t.Url.ToString()));
        Assert.Equal(Labels.Of("job", "node", "instance", "a:1", "env", "prod"), targets[0].Labels);
        Assert.Equal(Labels.Of("job", "override", "instance", "named"), targets[2].Labels);
    }

    [Fact]
    public void Options_TimeoutLongerThanInterval_AreRejected()
    {
        var o = Options(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        Assert.Throws<ArgumentOutOfRangeException>(() => new Scraper(o, new HttpClient(), TimeProvider.System, NoSink));
    }

    [Fact]
    public void Offset_IsInsideTheIntervalAndStable()
    {
        var t = Target(Options());

        var a = Scraper.Offset(t, TimeSpan.FromSeconds(15));

        Assert.InRange(a, TimeSpan.Zero, TimeSpan.FromSeconds(15));
        Assert.Equal(a, Scraper.Offset(t, TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Run_ScrapesEveryTargetRepeatedly_AndStopsOnCancel()
    {
        // Deterministic under load: the run is stopped once each target has had two *successful* scrapes (a batch whose
        // `up` is 1), not after a fixed number of batches of any kind — on a saturated machine a 100 ms scrape may time
        // out, which is correct behaviour and must neither end the test early nor decide its outcome. The overall
        // deadline only bounds a hang.
        var handler = new StubHandler((req, _) => Task.FromResult(StubHandler.Response($"hits{{path=\"{req.RequestUri!.AbsolutePath}\"}} 1\n", "text/plain")));
        var o = Options(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100)) with
        {
            StaticConfigs = [new TargetGroup(["127.0.0.1:1", "127.0.0.1:2"], Labels.Empty)],
        };
        var batches = new List<(string Instance, bool Up, IReadOnlyList<SeriesData> Batch)>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        int Successes(string instance) => batches.Count(b => b.Instance == instance && b.Up);
        var scraper = new Scraper(o, new HttpClient(handler), TimeProvider.System, (batch, _) =>
        {
            var up = batch.Single(s => s.Key.Metric == "up");
            lock (batches)
            {
                batches.Add((up.Key.Labels["instance"]!, up.Samples.Single().Value == 1, batch));
                if (Successes("127.0.0.1:1") >= 2 && Successes("127.0.0.1:2") >= 2)
                {
                    cts.Cancel();
                }
            }
            return Task.CompletedTask;
        });

        await scraper.RunAsync(cts.Token);

        Assert.False(deadline.IsCancellationRequested, $"the run did not reach two successful scrapes per target within 120 s ({batches.Count} batches)");
        int stopped;
        lock (batches)
        {
            stopped = batches.Count;
            Assert.True(Successes("127.0.0.1:1") >= 2 && Successes("127.0.0.1:2") >= 2, "expected two successful scrapes per target");
            // A successful scrape carries the target's sample with the target labels.
            Assert.All(batches.Where(b => b.Up), b => Assert.Contains(b.Batch, s => s.Key.Metric == "hits" && s.Key.Labels["instance"] == b.Instance));
        }
        Assert.Equal(2, scraper.LastReports.Count);
        foreach (var (target, report) in scraper.LastReports)
        {
            // The last report is the last batch handed to the sink for that target, up or not.
            var last = batches.Last(b => b.Instance == target.Labels["instance"]);
            Assert.Equal(last.Up, report.Up);
            Assert.True(report.Up || report.Error is not null, "a failed scrape names its error");
        }
        // Stopped on cancel: RunAsync has awaited every target loop, so nothing reaches the sink afterwards (two intervals).
        await Task.Delay(TimeSpan.FromMilliseconds(250));
        lock (batches)
        {
            Assert.Equal(stopped, batches.Count);
        }
    }

    [Fact]
    public async Task Run_StampsEachScrapeWithItsScheduledTime_WholeIntervalsApart_WhateverTheTargetsDelay()
    {
        // The target answers after 0–150 ms (and a busy machine adds its own delay): the samples still sit on the
        // loop's fixed schedule, a whole number of 400 ms intervals apart, never closer (as Prometheus stamps them).
        var interval = TimeSpan.FromMilliseconds(400);
        var delays = new[] { 150, 0, 90, 10, 150, 0 };
        var calls = 0;
        var handler = new StubHandler(async (_, ct) =>
        {
            await Task.Delay(delays[Interlocked.Increment(ref calls) % delays.Length], ct);
            return StubHandler.Response("a 1\n", "text/plain");
        });
        var o = Options(interval, interval) with { StaticConfigs = [new TargetGroup(["127.0.0.1:1"], Labels.Empty)] };
        var stamps = new List<DateTimeOffset>();
        var sampleStamps = new List<DateTimeOffset>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var scraper = new Scraper(o, new HttpClient(handler), TimeProvider.System, (batch, _) =>
        {
            var up = batch.Single(x => x.Key.Metric == "up").Samples.Single();
            var a = batch.Single(x => x.Key.Metric == "a").Samples.Single();
            lock (stamps)
            {
                stamps.Add(up.At);
                sampleStamps.Add(a.At);
                if (stamps.Count >= 6)
                {
                    cts.Cancel();
                }
            }
            return Task.CompletedTask;
        });

        await scraper.RunAsync(cts.Token);

        Assert.True(stamps.Count >= 6, $"only {stamps.Count} scrapes within 120 s");
        Assert.Equal(stamps, sampleStamps);
        var gaps = stamps.Zip(stamps.Skip(1), (x, y) => y - x).ToList();
        Assert.All(gaps, g => Assert.True(g >= interval && g.Ticks % interval.Ticks == 0, $"gap {g.TotalMilliseconds} ms is not a whole number of 400 ms intervals: {string.Join(", ", gaps.Select(x => x.TotalMilliseconds))}"));
    }

    [Fact]
    public async Task Run_SinkFailure_IsReportedAndTheLoopGoesOn()
    {
        var o = Options(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(40)) with { StaticConfigs = [new TargetGroup(["127.0.0.1:1"], Labels.Empty)] };
        var calls = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var scraper = new Scraper(o, new HttpClient(StubHandler.Text("a 1\n", "text/plain")), TimeProvider.System, (_, _) =>
        {
            if (Interlocked.Increment(ref calls) >= 3)
            {
                cts.Cancel();
            }
            throw new InvalidOperationException("disk full");
        });

        await scraper.RunAsync(cts.Token);

        Assert.True(calls >= 3);
        Assert.Contains("the sink failed: disk full", scraper.LastReports.Values.Single().Error, StringComparison.Ordinal);
    }
}
