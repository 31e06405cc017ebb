using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Auspex.Core.Series;
using Auspex.Ingestion.PrometheusApi;
using Auspex.Ingestion.Tests.Scrape;

namespace Auspex.Ingestion.Tests.PrometheusApi;

/// <summary>A remote_write request as received by the test's listener.</summary>
internal sealed record ReceivedWrite(byte[] Body, string? ContentEncoding, string? ContentType, string? Version);

/// <summary>
/// One real node_exporter and one real Prometheus for the whole collection, on free loopback ports: Prometheus scrapes
/// node_exporter every second, accepts remote writes (<c>--web.enable-remote-write-receiver</c>) and remote-writes
/// everything it scrapes to a listener of this fixture. Everything is killed and deleted on dispose.
/// </summary>
public sealed class RealPrometheusFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly CancellationTokenSource _stop = new();
    private RunningProgram? _nodeExporter;
    private RunningProgram? _prometheus;
    private HttpListener? _listener;
    private Task? _listenerLoop;

    /// <summary>Prometheus' base URL.</summary>
    public Uri PrometheusUrl { get; private set; } = new("http://127.0.0.1:1/");

    /// <summary>node_exporter's address as host:port.</summary>
    public string NodeExporterAddress { get; private set; } = "";

    /// <summary>Remote-write requests Prometheus sent to the fixture's listener.</summary>
    internal ConcurrentQueue<ReceivedWrite> Received { get; } = new();

    /// <summary>False when the programs are missing outside CI (the tests are skipped then).</summary>
    public bool Started { get; private set; }

    public async Task InitializeAsync()
    {
        if (!RealProgram.IsCi && (RealProgram.Find(RealProgram.Prometheus) is null || RealProgram.Find(RealProgram.NodeExporter) is null))
        {
            return;
        }
        var nodePort = RealProgram.FreePort();
        NodeExporterAddress = $"127.0.0.1:{nodePort}";
        _nodeExporter = await RealProgram.StartAsync(RealProgram.NodeExporter,
            [$"--web.listen-address={NodeExporterAddress}", "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo", "--collector.loadavg"],
            new Uri($"http://{NodeExporterAddress}/metrics"), TimeSpan.FromSeconds(20));

        var listenPort = RealProgram.FreePort();
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://127.0.0.1:{listenPort}/");
        _listener.Start();
        _listenerLoop = ListenAsync(_listener, _stop.Token);

        var promPort = RealProgram.FreePort();
        PrometheusUrl = new Uri($"http://127.0.0.1:{promPort}/");
        var config = _dir.File("prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 900ms
              evaluation_interval: 1s
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ['{NodeExporterAddress}']
            remote_write:
              - url: http://127.0.0.1:{listenPort}/api/v1/write
                queue_config:
                  batch_send_deadline: 500ms
                  min_backoff: 50ms
                  max_backoff: 500ms
            """);
        Directory.CreateDirectory(_dir.File("data"));
        _prometheus = await RealProgram.StartAsync(RealProgram.Prometheus,
            [$"--config.file={config}", $"--storage.tsdb.path={_dir.File("data")}", $"--web.listen-address=127.0.0.1:{promPort}",
             "--web.enable-remote-write-receiver", "--log.level=warn"],
            new Uri(PrometheusUrl, "-/ready"), TimeSpan.FromSeconds(30));
        Started = true;
    }

    /// <summary>A query client with short backoffs.</summary>
    public PrometheusQueryClient QueryClient(HttpClient http, Func<PrometheusClientOptions, PrometheusClientOptions>? adjust = null)
    {
        var options = new PrometheusClientOptions
        {
            BaseUrl = PrometheusUrl,
            MinStep = TimeSpan.FromSeconds(1),
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(500),
            AttemptTimeout = TimeSpan.FromSeconds(10),
        };
        return new PrometheusQueryClient(http, adjust is null ? options : adjust(options), TimeProvider.System);
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) until Prometheus holds at least <paramref name="points"/> scrapes of node_exporter.</summary>
    public async Task WaitForNodeDataAsync(int points, TimeSpan timeout)
    {
        using var http = new HttpClient();
        var client = QueryClient(http);
        var deadline = TimeProvider.System.GetUtcNow() + timeout;
        while (true)
        {
            var now = TimeProvider.System.GetUtcNow();
            var r = await client.QueryRangeAsync("up{job=\"node\"}", new TimeRange(now.AddMinutes(-5), now.AddSeconds(1)), TimeSpan.FromSeconds(1));
            var count = r.Series.SelectMany(s => s.Samples).Count(s => s.Value == 1);
            if (count >= points)
            {
                return;
            }
            if (now > deadline)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"Prometheus had only {count} successful scrapes of node_exporter after {timeout}:\n{_prometheus?.Output}"));
            }
            await Task.Delay(250);
        }
    }

    private async Task ListenAsync(HttpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, stop);
            if (Received.Count < 1000)
            {
                Received.Enqueue(new ReceivedWrite(body.ToArray(), context.Request.Headers["Content-Encoding"], context.Request.ContentType,
                    context.Request.Headers["X-Prometheus-Remote-Write-Version"]));
            }
            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }

    public async Task DisposeAsync()
    {
        _prometheus?.Dispose();
        _nodeExporter?.Dispose();
        await _stop.CancelAsync();
        if (_listener is not null)
        {
            _listener.Stop();
            _listener.Close();
        }
        if (_listenerLoop is not null)
        {
            try
            {
                await _listenerLoop.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
            }
        }
        _stop.Dispose();
        _dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RealPrometheusCollection : ICollectionFixture<RealPrometheusFixture>
{
    public const string Name = "real Prometheus and node_exporter";
}
