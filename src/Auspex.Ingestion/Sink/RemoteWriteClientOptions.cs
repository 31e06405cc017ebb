namespace Auspex.Ingestion.Sink;

/// <summary>Options of <see cref="RemoteWriteClient"/>; the defaults are those of Prometheus' own <c>queue_config</c>.</summary>
public sealed record RemoteWriteClientOptions
{
    /// <summary>The receiver, e.g. <c>http://prometheus:9090/api/v1/write</c>. Required.</summary>
    public required Uri Url { get; init; }

    /// <summary>Most samples in one request; larger writes are split, a long series across several requests. Default 2,000.</summary>
    public int MaxSamplesPerRequest { get; init; } = 2000;

    /// <summary>Retries after the first attempt on network errors, timeouts, 5xx and 429. Never on other 4xx. Default 5.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>Delay before the first retry, doubled each retry. Default 30 ms.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Longest delay between retries (also caps Retry-After). Default 5 seconds.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time limit of one attempt. Default 30 seconds.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Headers sent with every request, e.g. <c>Authorization</c> or <c>X-Scope-OrgID</c>. Default none.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Url);
        if (!Url.IsAbsoluteUri)
        {
            throw new ArgumentException($"RemoteWriteClientOptions.Url must be absolute, not '{Url}'.");
        }
        if (MaxSamplesPerRequest <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSamplesPerRequest), MaxSamplesPerRequest, "MaxSamplesPerRequest must be positive.");
        }
        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "MaxRetries must not be negative.");
        }
        if (InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff || AttemptTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBackoff), "Backoffs must not be negative, MaxBackoff at least InitialBackoff, AttemptTimeout positive.");
        }
    }
}
