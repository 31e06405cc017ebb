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

    /// <summary>
    /// Checks a request's headers before its body is read: Content-Type must be <c>application/x-protobuf</c> (parameters
    /// other than a remote_write 2.0 <c>proto=</c> ignored; a missing header is accepted) and Content-Encoding must be
    /// <c>snappy</c>. Returns null when acceptable, else an <see cref="ParseErrorKind.UnsupportedMediaType"/> error.
    /// </summary>
    public static ParseError? CheckHeaders(string? contentType, string? contentEncoding)
    {
        if (!string.IsNullOrWhiteSpace(contentType))
        {
            var parts = contentType.Split(';');
            if (!parts[0].Trim().Equals(ContentType, StringComparison.OrdinalIgnoreCase))
            {
                return Unsupported($"Content-Type '{contentType}' is not supported: remote_write sends '{ContentType}'");
            }
            foreach (var part in parts.Skip(1))
            {
                var kv = part.Split('=', 2);
                if (kv[0].Trim().Equals("proto", StringComparison.OrdinalIgnoreCase) && kv.Length == 2 &&
                    !kv[1].Trim().Trim('"').Equals("prometheus.WriteRequest", StringComparison.Ordinal))
                {
                    return Unsupported($"protobuf message '{kv[1].Trim()}' is not supported: only remote_write 1.0 " +
                        "(prometheus.WriteRequest) is; set protobuf_message: prometheus.WriteRequest in the sender's remote_write config");
                }
            }
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
