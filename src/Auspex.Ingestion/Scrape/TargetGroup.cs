using Auspex.Core.Series;

namespace Auspex.Ingestion.Scrape;

/// <summary>
/// A group of targets sharing labels: one entry of a Prometheus <c>static_configs</c> list or of a file_sd file
/// (<c>[{"targets": ["host:port"], "labels": {"k": "v"}}]</c>).
/// </summary>
/// <param name="Targets">Addresses as <c>host:port</c>.</param>
/// <param name="Labels">Labels added to every series of these targets. <c>__scheme__</c> and <c>__metrics_path__</c>
/// override the job's scheme and path; other names starting with <c>__</c> are dropped.</param>
public sealed record TargetGroup(IReadOnlyList<string> Targets, Labels Labels);

/// <summary>A resolved scrape target.</summary>
/// <param name="Url">The URL scraped.</param>
/// <param name="Labels">The labels added to every scraped series: <c>job</c>, <c>instance</c> and the group's labels.</param>
public sealed record ScrapeTarget(Uri Url, Labels Labels)
{
    /// <summary>The <c>instance</c> label.</summary>
    public string Instance => Labels["instance"] ?? Url.Authority;
}
