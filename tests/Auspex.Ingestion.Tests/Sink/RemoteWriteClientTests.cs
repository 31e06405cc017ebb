using System.Net;
using Auspex.Core.Series;
using Auspex.Ingestion.RemoteWrite;
using Auspex.Ingestion.Sink;
using Auspex.Ingestion.Tests.Scrape;

namespace Auspex.Ingestion.Tests.Sink;

public class RemoteWriteClientTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static RemoteWriteClientOptions Options() => new()
    {
        Url = new Uri("http://127.0.0.1:9090/api/v1/write"),
        InitialBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(20),
        MaxRetries = 3,
        MaxSamplesPerRequest = 4,
    };

    private static List<SeriesData> Series(int count, int samplesEach) =>
        Enumerable.Range(0, count).Select(i => new SeriesData(
            new SeriesKey("m", Labels.Of("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            Enumerable.Range(0, samplesEach).Select(k => new Sample(T0.AddSeconds(k), k)).ToArray())).ToList();

    [Fact]
    public async Task Write_SendsProtocolHeadersAndDecodableBatches()
    {
        var bodies = new List<byte[]>();
        var handler = new StubHandler(async (req, ct) =>
        {
            bodies.Add(await req.Content!.ReadAsByteArrayAsync(ct));
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        });
        var client = new RemoteWriteClient(new HttpClient(handler), Options(), TimeProvider.System);

        var summary = await client.WriteAsync(Series(2, 5));

        Assert.Equal(new RemoteWriteSummary(3, 10, 0), summary);
        var req = handler.Requests[0];
        Assert.Equal("application/x-protobuf", req.Content!.Headers.ContentType!.MediaType);
        Assert.Equal("snappy", req.Content.Headers.ContentEncoding.Single());
        Assert.Equal("0.1.0", req.Headers.GetValues("X-Prometheus-Remote-Write-Version").Single());
        var decoded = bodies.Select(b => RemoteWriteDecoder.Decode(b)).ToList();
        Assert.All(decoded, d => Assert.True(d.IsSuccess && d.SampleCount <= 4));
        var all = decoded.SelectMany(d => d.Series).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.SelectMany(s => s.Samples).ToList());
        Assert.Equal(Enumerable.Range(0, 5).Select(k => (double)k), all[new SeriesKey("m", Labels.Of("i", "1"))].Select(s => s.Value));
    }

    [Fact]
    public async Task Write_ServerErrorAndTooManyRequests_AreRetried()
    {
        var calls = 0;
        var handler = new StubHandler((_, _) =>
        {
            var n = Interlocked.Increment(ref calls);
            var response = n switch
            {
                1 => new HttpResponseMessage(HttpStatusCode.InternalServerError),
                2 => new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new(TimeSpan.FromMilliseconds(5)) } },
                _ => new HttpResponseMessage(HttpStatusCode.NoContent),
            };
            return Task.FromResult(response);
        });
        var client = new RemoteWriteClient(new HttpClient(handler), Options(), TimeProvider.System);

        var summary = await client.WriteAsync(Series(1, 2));

        Assert.Equal(3, calls);
        Assert.Equal(2, summary.Retries);
    }

    [Fact]
    public async Task Write_BadRequest_IsNeverRetried()
    {
        var handler = StubHandler.Text("out of bounds", "text/plain", HttpStatusCode.BadRequest);
        var client = new RemoteWriteClient(new HttpClient(handler), Options(), TimeProvider.System);

        var e = await Assert.ThrowsAsync<RemoteWriteException>(() => client.WriteAsync(Series(1, 2)));

        Assert.Single(handler.Requests);
        Assert.True(e.IsPermanent);
        Assert.Contains("refused the write", e.Message, StringComparison.Ordinal);
        Assert.Contains("out of bounds", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_PersistentOutage_FailsAfterRetriesReportingAcceptedRequests()
    {
        var calls = 0;
        var handler = new StubHandler((_, _) => Task.FromResult(Interlocked.Increment(ref calls) == 1
            ? new HttpResponseMessage(HttpStatusCode.NoContent)
            : new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)));
        var client = new RemoteWriteClient(new HttpClient(handler), Options(), TimeProvider.System);

        var e = await Assert.ThrowsAsync<RemoteWriteException>(() => client.WriteAsync(Series(2, 4)));

        Assert.Equal(1, e.RequestsAccepted);
        Assert.Equal(4, e.Attempts);
        Assert.False(e.IsPermanent);
    }

    [Fact]
    public async Task Write_NetworkError_IsRetriedThenReported()
    {
        var options = Options() with { Url = new Uri($"http://127.0.0.1:{RealProgram.FreePort()}/api/v1/write"), MaxRetries = 1 };
        using var http = new HttpClient();
        var client = new RemoteWriteClient(http, options, TimeProvider.System);

        var e = await Assert.ThrowsAsync<RemoteWriteException>(() => client.WriteAsync(Series(1, 1)));

        Assert.Equal(2, e.Attempts);
        Assert.Null(e.Status);
    }

    [Fact]
    public void Batches_SplitLongSeriesAndKeepOrder()
    {
        var batches = RemoteWriteClient.Batches(Series(3, 3), 4).ToList();

        Assert.Equal([4, 4, 1], batches.Select(b => b.Sum(s => s.Samples.Count)));
        var flattened = batches.SelectMany(b => b).SelectMany(s => s.Samples.Select(x => (s.Key.Labels["i"], x.Value))).ToList();
        Assert.Equal(Series(3, 3).SelectMany(s => s.Samples.Select(x => (s.Key.Labels["i"], x.Value))), flattened);
    }

    [Fact]
    public async Task Write_Empty_SendsNothing()
    {
        var handler = StubHandler.Text("", "text/plain");
        var client = new RemoteWriteClient(new HttpClient(handler), Options(), TimeProvider.System);

        Assert.Equal(new RemoteWriteSummary(0, 0, 0), await client.WriteAsync([]));
        Assert.Empty(handler.Requests);
    }
}
