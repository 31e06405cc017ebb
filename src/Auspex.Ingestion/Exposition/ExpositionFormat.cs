namespace Auspex.Ingestion.Exposition;

/// <summary>The two text formats a scrape target may answer in.</summary>
public enum ExpositionFormat
{
    /// <summary>Prometheus text format 0.0.4 (<c>text/plain; version=0.0.4</c>): timestamps in milliseconds.</summary>
    PrometheusText,

    /// <summary>OpenMetrics 1.0 (<c>application/openmetrics-text</c>): timestamps in seconds, ends with <c># EOF</c>.</summary>
    OpenMetrics,
}

/// <summary>Content negotiation for the exposition formats.</summary>
public static class ExpositionContentType
{
    /// <summary>The Accept header a scraper sends: OpenMetrics first, then the Prometheus text format.</summary>
    public const string Accept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75," +
        "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    /// <summary>The OpenMetrics media type.</summary>
    public const string OpenMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /// <summary>The Prometheus text media type.</summary>
    public const string PrometheusText = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// The format a response's Content-Type announces: OpenMetrics for <c>application/openmetrics-text</c>, the
    /// Prometheus text format for anything else (including a missing header), as Prometheus does.
    /// </summary>
    public static ExpositionFormat FromContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return ExpositionFormat.PrometheusText;
        }
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/openmetrics-text", StringComparison.OrdinalIgnoreCase)
            ? ExpositionFormat.OpenMetrics
            : ExpositionFormat.PrometheusText;
    }
}

/// <summary>Options of <see cref="ExpositionParser"/>. Every default is the documented one.</summary>
public sealed record ExpositionOptions
{
    /// <summary>
    /// Keep OpenMetrics <c>_created</c> samples of counters, histograms and summaries as ordinary series. Default false:
    /// they hold a creation time, not a measurement, and would add a series per counter.
    /// </summary>
    public bool IncludeCreated { get; init; }

    /// <summary>Use timestamps present in the exposition. When false every sample gets the scrape time. Default true.</summary>
    public bool HonorTimestamps { get; init; } = true;

    /// <summary>Most samples accepted from one exposition. Default 1,000,000.</summary>
    public int MaxSamples { get; init; } = 1_000_000;

    /// <summary>The defaults.</summary>
    public static ExpositionOptions Default { get; } = new();
}
