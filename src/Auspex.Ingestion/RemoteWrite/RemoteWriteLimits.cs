namespace Auspex.Ingestion.RemoteWrite;

/// <summary>
/// Bounds on one remote_write request. A request over any bound is refused whole with a
/// <see cref="ParseErrorKind.LimitExceeded"/> error naming the bound. Defaults are generous for a single Prometheus
/// (which sends at most a few thousand samples per request) and are meant to be tightened per tenant.
/// </summary>
public sealed record RemoteWriteLimits
{
    /// <summary>Largest accepted decompressed protobuf, in bytes. Default 32 MiB. Checked before decompressing.</summary>
    public int MaxDecompressedBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>Most time series entries in one request. Default 100,000.</summary>
    public int MaxSeries { get; init; } = 100_000;

    /// <summary>Most samples in one request. Default 2,000,000.</summary>
    public int MaxSamples { get; init; } = 2_000_000;

    /// <summary>Most labels on one series, <c>__name__</c> included. Default 64.</summary>
    public int MaxLabelsPerSeries { get; init; } = 64;

    /// <summary>Longest label name, in characters. Default 1,024.</summary>
    public int MaxLabelNameLength { get; init; } = 1024;

    /// <summary>Longest label value, in characters. Default 4,096.</summary>
    public int MaxLabelValueLength { get; init; } = 4096;

    /// <summary>The defaults.</summary>
    public static RemoteWriteLimits Default { get; } = new();

    /// <summary>Throws when a bound is not positive.</summary>
    public void Validate()
    {
        Positive(MaxDecompressedBytes, nameof(MaxDecompressedBytes));
        Positive(MaxSeries, nameof(MaxSeries));
        Positive(MaxSamples, nameof(MaxSamples));
        Positive(MaxLabelsPerSeries, nameof(MaxLabelsPerSeries));
        Positive(MaxLabelNameLength, nameof(MaxLabelNameLength));
        Positive(MaxLabelValueLength, nameof(MaxLabelValueLength));
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"RemoteWriteLimits.{name} must be positive.");
        }
    }
}
