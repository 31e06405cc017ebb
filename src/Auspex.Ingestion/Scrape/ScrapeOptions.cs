using Auspex.Ingestion.Exposition;

namespace Auspex.Ingestion.Scrape;

/// <summary>One scrape job, as in a Prometheus <c>scrape_configs</c> entry. Every default is Prometheus' own.</summary>
public sealed record ScrapeOptions
{
    /// <summary>The <c>job</c> label of every series. Required.</summary>
    public required string JobName { get; init; }

    /// <summary>Time between scrapes of a target. Default 1 minute.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest a scrape may take; at most <see cref="Interval"/>. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>http</c> or <c>https</c>. Default <c>http</c>.</summary>
    public string Scheme { get; init; } = "http";

    /// <summary>Path scraped on each target. Default <c>/metrics</c>.</summary>
    public string MetricsPath { get; init; } = "/metrics";

    /// <summary>Statically configured target groups. Default none.</summary>
    public IReadOnlyList<TargetGroup> StaticConfigs { get; init; } = [];

    /// <summary>file_sd files (JSON or YAML) re-read when their content changes. Default none.</summary>
    public IReadOnlyList<string> FileSdFiles { get; init; } = [];

    /// <summary>How often file_sd files are checked for changes. Default 30 seconds.</summary>
    public TimeSpan FileSdRefreshInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>When false (the default) a scraped label that clashes with a target label is kept as <c>exported_NAME</c>.</summary>
    public bool HonorLabels { get; init; }

    /// <summary>
    /// Write Prometheus staleness markers (<see cref="StaleMarker"/>) at the scrape time for series that a target stopped
    /// exposing, for every series of a failed scrape, and for every series (and <c>up</c>) of a target that went away.
    /// Default true, as in Prometheus.
    /// </summary>
    public bool StaleMarkers { get; init; } = true;

    /// <summary>Largest accepted response body. Default 64 MiB.</summary>
    public int MaxBodyBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Parser options (timestamps, <c>_created</c>, sample limit).</summary>
    public ExpositionOptions Exposition { get; init; } = ExpositionOptions.Default;

    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(JobName))
        {
            throw new ArgumentException("ScrapeOptions.JobName is required.");
        }
        if (Interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), Interval, "ScrapeOptions.Interval must be positive.");
        }
        if (Timeout <= TimeSpan.Zero || Timeout > Interval)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "ScrapeOptions.Timeout must be positive and at most the interval.");
        }
        if (FileSdRefreshInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(FileSdRefreshInterval), FileSdRefreshInterval, "ScrapeOptions.FileSdRefreshInterval must be positive.");
        }
        if (Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"ScrapeOptions.Scheme must be http or https, not '{Scheme}'.");
        }
        if (!MetricsPath.StartsWith('/'))
        {
            throw new ArgumentException($"ScrapeOptions.MetricsPath must start with '/', not '{MetricsPath}'.");
        }
        if (MaxBodyBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBodyBytes), MaxBodyBytes, "ScrapeOptions.MaxBodyBytes must be positive.");
        }
    }
}
