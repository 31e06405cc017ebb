using Auspex.Ingestion.PrometheusApi;
using Auspex.Ingestion.Scrape;
using Auspex.Ingestion.Sink;

namespace Auspex.Engine.Configuration;

/// <summary>One PromQL query a <see cref="PrometheusSourceSettings"/> reads.</summary>
/// <param name="Query">A PromQL expression: a selector (<c>node_load1{job="node"}</c>) or any expression (<c>rate(...)</c>).</param>
/// <param name="Metric">
/// The metric name the results are stored under, e.g. <c>auspex_host_cpu_used_cores</c> so the loop forecasts it; null
/// keeps each result's own <c>__name__</c> (a result without one, from a function or aggregation, then needs this).
/// </param>
/// <param name="HostLabel">When set, the value of this label (e.g. <c>instance</c>, <c>node</c>) is copied to <c>host</c>,
/// with a <c>:port</c> suffix removed, so results line up with the topology's host ids. Null: labels are kept as they are.</param>
public sealed record SourceQuery(string Query, string? Metric = null, string? HostLabel = null);

/// <summary>A Prometheus (or Thanos, Mimir, VictoriaMetrics) Auspex reads history from through <c>query_range</c>.</summary>
public sealed class PrometheusSourceSettings
{
    /// <summary>A name for logs, status and the stored read position. Required, unique.</summary>
    public required string Name { get; init; }

    /// <summary>URL, step choice, chunking, retries and headers of the HTTP client.</summary>
    public required PrometheusClientOptions Client { get; init; }

    /// <summary>The queries read. At least one.</summary>
    public required IReadOnlyList<SourceQuery> Queries { get; init; }

    /// <summary>How often new data is read. Default: the loop interval.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>How much history is read the first time a query runs. Default: the loop's history (7 days).</summary>
    public TimeSpan? Backfill { get; init; }

    /// <summary>A fixed step; null chooses it from each read's range (see <see cref="PrometheusClientOptions.MinStep"/>).</summary>
    public TimeSpan? Step { get; init; }
}

/// <summary>A remote_write receiver the loop's results are pushed to after every tick.</summary>
public sealed class RemoteWriteSinkSettings
{
    /// <summary>A name for logs and status. Required, unique.</summary>
    public required string Name { get; init; }

    /// <summary>URL, batching, retries and headers of the client.</summary>
    public required RemoteWriteClientOptions Client { get; init; }

    /// <summary>
    /// Push each forecast step's mean and quantiles (<c>metric:predicted</c>) once its time has come: the value
    /// predicted for that instant one loop interval earlier. Default true.
    /// </summary>
    public bool Forecasts { get; init; } = true;

    /// <summary>
    /// Also push, stamped at the tick, the value predicted this far ahead (<c>metric:predicted{auspex_horizon="30m"}</c>),
    /// one set of series per look-ahead. Default 30m and 1h (look-aheads beyond the loop's horizon produce nothing).
    /// </summary>
    public IReadOnlyList<TimeSpan> Ahead { get; init; } = [TimeSpan.FromMinutes(30), TimeSpan.FromHours(1)];

    /// <summary>Push the anomaly scores (<c>auspex_anomaly_score</c>) computed since the last push. Default true.</summary>
    public bool AnomalyScores { get; init; } = true;

    /// <summary>Push locality scores (<c>auspex_locality_desirability</c>, <c>auspex_locality_score_part</c>). Default true.</summary>
    public bool LocalityScores { get; init; } = true;

    /// <summary>
    /// Samples older than this (relative to the tick) are not pushed: Prometheus refuses samples more than about an hour
    /// older than its newest ("out of bounds"). Default 30 minutes.
    /// </summary>
    public TimeSpan MaxSampleAge { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>Scrape jobs, Prometheus sources and remote_write sinks that run inside the server.</summary>
public sealed class PipelineSettings
{
    /// <summary>Scrape jobs (<c>scrape_configs</c>).</summary>
    public IReadOnlyList<ScrapeOptions> ScrapeJobs { get; set; } = [];

    /// <summary>Prometheus sources (<c>sources</c>).</summary>
    public IReadOnlyList<PrometheusSourceSettings> Sources { get; set; } = [];

    /// <summary>remote_write sinks (<c>remote_write</c>).</summary>
    public IReadOnlyList<RemoteWriteSinkSettings> Sinks { get; set; } = [];

    /// <summary>True when nothing is configured.</summary>
    public bool IsEmpty => ScrapeJobs.Count == 0 && Sources.Count == 0 && Sinks.Count == 0;
}
