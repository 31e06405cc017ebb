namespace Auspex.Ingestion.PrometheusApi;

/// <summary>Options of <see cref="PrometheusQueryClient"/>. Every default is documented and checked by <see cref="Validate"/>.</summary>
public sealed record PrometheusClientOptions
{
    /// <summary>Prometheus' hard limit on points per series in one <c>query_range</c> answer.</summary>
    public const int PrometheusPointLimit = 11_000;

    /// <summary>The Prometheus (or compatible: Thanos, Mimir, VictoriaMetrics) base URL, e.g. <c>http://prometheus:9090</c>. Required.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>
    /// Points per series the automatically chosen step aims at over the whole range: the step is the smallest
    /// "round" step (1s, 5s, 15s, 1m, 5m, …) giving at most this many points, and never below <see cref="MinStep"/>.
    /// Default 11,000.
    /// </summary>
    public int TargetPoints { get; init; } = PrometheusPointLimit;

    /// <summary>Smallest step chosen automatically (usually the scrape interval). Default 15 seconds.</summary>
    public TimeSpan MinStep { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Most points per series in one request; a longer range is split into chunks. At most 11,000. Default 11,000.</summary>
    public int MaxPointsPerRequest { get; init; } = PrometheusPointLimit;

    /// <summary>Longest time range of one request, to keep each query cheap for Prometheus. Default 1 day.</summary>
    public TimeSpan MaxChunkDuration { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Retries after the first attempt on network errors, timeouts, 5xx and 429. Never on other 4xx. Default 4.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>Delay before the first retry; doubled each retry up to <see cref="MaxBackoff"/>. Default 500 ms.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest delay between retries (also caps a server's Retry-After). Default 10 seconds.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time limit of one attempt. Default 2 minutes (Prometheus' own query timeout).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Headers sent with every request, e.g. <c>Authorization</c> or <c>X-Scope-OrgID</c>. Default none.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(BaseUrl);
        if (!BaseUrl.IsAbsoluteUri)
        {
            throw new ArgumentException($"PrometheusClientOptions.BaseUrl must be absolute, not '{BaseUrl}'.");
        }
        if (TargetPoints is < 2 or > PrometheusPointLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(TargetPoints), TargetPoints, "TargetPoints must be between 2 and 11,000.");
        }
        if (MaxPointsPerRequest is < 2 or > PrometheusPointLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPointsPerRequest), MaxPointsPerRequest, "MaxPointsPerRequest must be between 2 and 11,000.");
        }
        if (MinStep < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinStep), MinStep, "MinStep must be at least 1 ms.");
        }
        if (MaxChunkDuration <= TimeSpan.Zero || AttemptTimeout <= TimeSpan.Zero || InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxChunkDuration), "Durations must be positive and MaxBackoff at least InitialBackoff.");
        }
        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "MaxRetries must not be negative.");
        }
    }
}
