namespace Auspex.Engine.Pipeline;

/// <summary>The state of one scrape target.</summary>
/// <param name="Job">The scrape job.</param>
/// <param name="Url">What is scraped.</param>
/// <param name="Labels">The target's labels (job, instance, the group's).</param>
/// <param name="Health">up, down, or unknown before the first scrape.</param>
/// <param name="LastScrape">When the last scrape started, or null.</param>
/// <param name="LastDurationSeconds">How long it took.</param>
/// <param name="LastSamples">Samples it returned.</param>
/// <param name="LastError">Why it failed, or null.</param>
public sealed record ScrapeTargetStatus(
    string Job, string Url, IReadOnlyDictionary<string, string> Labels, string Health, DateTimeOffset? LastScrape,
    double? LastDurationSeconds, int LastSamples, string? LastError);

/// <summary>The state of one Prometheus source.</summary>
/// <param name="Name">The source's name.</param>
/// <param name="Url">Its base URL.</param>
/// <param name="LastRead">When the last read finished, or null.</param>
/// <param name="ReadUpTo">The end of the range read so far (per query, the earliest), or null before the first read.</param>
/// <param name="Requests">query_range requests made since start (chunks; retries not counted).</param>
/// <param name="Samples">Samples stored since start.</param>
/// <param name="LastError">Why the last read failed, or null.</param>
public sealed record SourceStatus(string Name, string Url, DateTimeOffset? LastRead, DateTimeOffset? ReadUpTo, long Requests, long Samples, string? LastError);

/// <summary>The state of one remote_write sink.</summary>
/// <param name="Name">The sink's name.</param>
/// <param name="Url">The receiver.</param>
/// <param name="LastPush">The loop time of the last successful push, or null.</param>
/// <param name="Requests">Requests accepted since start.</param>
/// <param name="Samples">Samples accepted since start.</param>
/// <param name="Failures">Pushes that failed for good since start.</param>
/// <param name="LastError">Why the last push failed, or null when it succeeded.</param>
public sealed record SinkStatus(string Name, string Url, DateTimeOffset? LastPush, long Requests, long Samples, long Failures, string? LastError);

/// <summary>Everything the pipeline runs, as shown by <c>GET /api/v1/ingest/status</c>.</summary>
/// <param name="Targets">Every scrape target.</param>
/// <param name="DiscoveryErrors">file_sd files that could not be read (their previous targets are kept).</param>
/// <param name="Sources">Every Prometheus source.</param>
/// <param name="Sinks">Every remote_write sink.</param>
public sealed record PipelineStatus(
    IReadOnlyList<ScrapeTargetStatus> Targets, IReadOnlyList<string> DiscoveryErrors, IReadOnlyList<SourceStatus> Sources, IReadOnlyList<SinkStatus> Sinks);
