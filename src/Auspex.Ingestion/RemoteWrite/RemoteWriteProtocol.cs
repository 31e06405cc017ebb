namespace Auspex.Ingestion.RemoteWrite;

/// <summary>Wire constants of Prometheus remote_write 1.0 and 2.0 (protobuf, snappy block format).</summary>
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

    /// <summary>The <c>proto</c> parameter naming remote_write 1.0's message.</summary>
    public const string MessageV1 = "prometheus.WriteRequest";

    /// <summary>The <c>proto</c> parameter naming remote_write 2.0's message.</summary>
    public const string MessageV2 = "io.prometheus.write.v2.Request";

    /// <summary>The version header value remote_write 2.0 senders send.</summary>
    public const string VersionV2 = "2.0.0";

    /// <summary>remote_write 2.0 response header: float samples written.</summary>
    public const string SamplesWrittenHeader = "X-Prometheus-Remote-Write-Samples-Written";

    /// <summary>remote_write 2.0 response header: native histogram samples written.</summary>
    public const string HistogramsWrittenHeader = "X-Prometheus-Remote-Write-Histograms-Written";

    /// <summary>remote_write 2.0 response header: exemplars written.</summary>
    public const string ExemplarsWrittenHeader = "X-Prometheus-Remote-Write-Exemplars-Written";

    /// <summary>
    /// Which message a request carries, from its Content-Type: <c>application/x-protobuf</c> with no <c>proto</c>
    /// parameter or <c>proto=prometheus.WriteRequest</c> is 1.0, <c>proto=io.prometheus.write.v2.Request</c> is 2.0; a
    /// missing Content-Type is taken as 1.0. Anything else is an <see cref="ParseErrorKind.UnsupportedMediaType"/> error
    /// (answered 415, so a sender can fall back to another message).
    /// </summary>
    public static ParseError? Negotiate(string? contentType, out RemoteWriteMessage message)
    {
        message = RemoteWriteMessage.V1;
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }
        var parts = contentType.Split(';');
        if (!parts[0].Trim().Equals(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return Unsupported($"Content-Type '{contentType}' is not supported: remote_write sends '{ContentType}' " +
                $"(1.0) or '{ContentType};proto={MessageV2}' (2.0)");
        }
        foreach (var part in parts.Skip(1))
        {
            var kv = part.Split('=', 2);
            if (!kv[0].Trim().Equals("proto", StringComparison.OrdinalIgnoreCase) || kv.Length != 2)
            {
                continue;
            }
            var proto = kv[1].Trim().Trim('"');
            if (proto.Equals(MessageV1, StringComparison.Ordinal))
            {
                message = RemoteWriteMessage.V1;
            }
            else if (proto.Equals(MessageV2, StringComparison.Ordinal))
            {
                message = RemoteWriteMessage.V2;
            }
            else
            {
                return Unsupported($"protobuf message '{proto}' is not supported: Auspex accepts {MessageV1} (remote_write 1.0) " +
                    $"and {MessageV2} (remote_write 2.0)");
            }
        }
        return null;
    }

    /// <summary>
    /// Checks a request's headers before its body is read: the Content-Type must name a message Auspex reads (see
    /// <see cref="Negotiate"/>) and Content-Encoding must be <c>snappy</c>. Returns null when acceptable, else an
    /// <see cref="ParseErrorKind.UnsupportedMediaType"/> error.
    /// </summary>
    public static ParseError? CheckHeaders(string? contentType, string? contentEncoding)
    {
        if (Negotiate(contentType, out _) is { } error)
        {
            return error;
        }
        if (!string.Equals(contentEncoding?.Trim(), ContentEncoding, StringComparison.OrdinalIgnoreCase))
        {
            return Unsupported(string.IsNullOrWhiteSpace(contentEncoding)
                ? "Content-Encoding is missing: remote_write bodies are snappy-compressed ('Content-Encoding: snappy')"
                : $"Content-Encoding '{contentEncoding}' is not supported: remote_write bodies are snappy-compressed");
        }
        return null;
    }

    private static ParseError Unsupported(string message) => new(ParseErrorKind.UnsupportedMediaType, message);
}

/// <summary>The protobuf message of a remote_write request.</summary>
public enum RemoteWriteMessage
{
    /// <summary>remote_write 1.0: <c>prometheus.WriteRequest</c>.</summary>
    V1,

    /// <summary>remote_write 2.0: <c>io.prometheus.write.v2.Request</c> (symbols table, label references).</summary>
    V2,
}
