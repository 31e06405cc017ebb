using Auspex.Core.Series;
using Auspex.Engine.Configuration;
using Auspex.Engine.Loop;
using Auspex.Engine.Services;
using Auspex.Ingestion.Scrape;
using Auspex.Storage;

namespace Auspex.Engine.Pipeline;

/// <summary>
/// The configured scrape jobs, Prometheus sources and remote_write sinks of one tenant (docs/ingestion.md), run next to
/// the control loop: scraped and read samples go through <see cref="IngestService"/> into the store (one transaction per
/// scrape or read), and sinks push each tick's results. Scrapes and reads run on the wall clock; sinks follow the loop.
/// </summary>
public sealed class MetricsPipeline : IDisposable
{
    private readonly HttpClient _http;
    private readonly List<Scraper> _scrapers = [];
    private readonly List<PrometheusSourceRunner> _sources = [];
    private readonly List<RemoteWriteSinkRunner> _sinks = [];

    /// <summary>Builds the pipeline; nothing runs until <see cref="RunAsync"/>.</summary>
    public MetricsPipeline(PipelineSettings settings, IngestService ingest, EmbeddedStore store, ControlLoop loop, TimeProvider wall)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(ingest);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(wall);
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        var tenant = loop.Tenant;
        foreach (var job in settings.ScrapeJobs)
        {
            _scrapers.Add(new Scraper(job, _http, wall, (series, ct) => StoreScrapeAsync(ingest, tenant, series, wall, ct)));
        }
        foreach (var source in settings.Sources)
        {
            _sources.Add(new PrometheusSourceRunner(source, _http, ingest, store, tenant, wall, loop.Options));
        }
        foreach (var sink in settings.Sinks)
        {
            _sinks.Add(new RemoteWriteSinkRunner(sink, _http, loop, store, wall));
        }
    }

    /// <summary>True when nothing is configured.</summary>
    public bool IsEmpty => _scrapers.Count == 0 && _sources.Count == 0 && _sinks.Count == 0;

    /// <summary>One line per scrape job, source and sink, for the start-up log (no secrets: headers are not shown).</summary>
    public IReadOnlyList<string> Describe() =>
    [
        .. _scrapers.Select(s => s.Describe()),
        .. _sources.Select(s => s.Describe()),
        .. _sinks.Select(s => s.Describe()),
    ];

    /// <summary>Runs every job until cancelled.</summary>
    public Task RunAsync(CancellationToken ct) =>
        IsEmpty ? Task.CompletedTask : Task.WhenAll(
            _scrapers.Select(s => s.RunAsync(ct))
                .Concat(_sources.Select(s => s.RunAsync(ct)))
                .Concat(_sinks.Select(s => s.RunAsync(ct))));

    /// <summary>What every target, source and sink is doing.</summary>
    public PipelineStatus Status()
    {
        var targets = new List<ScrapeTargetStatus>();
        foreach (var scraper in _scrapers)
        {
            var reports = scraper.LastReports;
            foreach (var t in scraper.Targets)
            {
                var labels = t.Labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
                var job = t.Labels["job"] ?? "";
                targets.Add(reports.TryGetValue(t, out var r)
                    ? new ScrapeTargetStatus(job, t.Url.ToString(), labels, r.Up ? "up" : "down", r.At, r.Duration.TotalSeconds, r.SampleCount, r.Error)
                    : new ScrapeTargetStatus(job, t.Url.ToString(), labels, "unknown", null, null, 0, null));
            }
        }
        return new PipelineStatus(
            targets,
            _scrapers.SelectMany(s => s.DiscoveryErrors).ToList(),
            _sources.Select(s => s.Status()).ToList(),
            _sinks.Select(s => s.Status()).ToList());
    }

    private static async Task StoreScrapeAsync(IngestService ingest, TenantId tenant, IReadOnlyList<SeriesData> series, TimeProvider clock, CancellationToken ct)
    {
        var r = await ingest.AppendAsync(tenant, series, ct).ConfigureAwait(false);
        for (var attempt = 0; r.Overloaded && attempt < 8; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100 << Math.Min(attempt, 4)), clock, ct).ConfigureAwait(false);
            r = await ingest.AppendAsync(tenant, series, ct).ConfigureAwait(false);
        }
        if (!r.Ok)
        {
            // The scraper records this on the target's report (GET /api/v1/ingest/status).
            throw new InvalidOperationException(r.Overloaded ? "the store stayed busy; this scrape was not stored" : "storing failed: " + string.Join("; ", r.Errors));
        }
    }

    /// <summary>A URL without user name and password, for logs and status.</summary>
    internal static string Redact(Uri url) =>
        string.IsNullOrEmpty(url.UserInfo) ? url.ToString() : new UriBuilder(url) { UserName = "", Password = "" }.Uri.ToString();

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
