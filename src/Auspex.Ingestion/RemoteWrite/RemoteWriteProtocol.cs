namespace Auspex.Ingestion.RemoteWrite;

/// <summary>Wire constants of Prometheus remote_write 1.0 (protobuf <c>prometheus.WriteRequest</c>, snappy block format).</summary>
public static class RemoteWriteProtocol
{
    /// <summary>The request content type.</summary>
    public const string ContentType = "application/x-protobuf";

    /// <summary>The request <c>Content-Encoding</c>: snappy block format, not the framed stream format.</summary>
    public const string ContentEncoding = "snappy";

    /// <summary>The version header's name.</summary>
    public const string VersionHeader = "X-Prometheus-Remote-Write-Version";

    /// <summary>The version this code speaks.</summary>
    public const string Version = "0.1.0";
}
