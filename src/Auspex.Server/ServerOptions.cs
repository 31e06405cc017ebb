namespace Auspex.Server;

/// <summary>Options of the HTTP server.</summary>
public sealed class ServerOptions
{
    /// <summary>Address to listen on. Default 127.0.0.1 (loopback only); use 0.0.0.0 to serve other machines.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port. Default 5080; 0 picks a free port (tests).</summary>
    public int Port { get; set; } = 5080;

    /// <summary>
    /// HTTP/2 (cleartext) port of the KEDA external scaler gRPC service, or null to not serve it. Default null here;
    /// <c>auspex serve</c> and <c>auspex demo</c> default to 5081 (<c>--grpc-port</c>). 0 picks a free port (tests).
    /// </summary>
    public int? GrpcPort { get; set; }

    /// <summary>Most series one read may return. Default 500.</summary>
    public int MaxSeriesPerQuery { get; set; } = 500;

    /// <summary>Most points one read may return. Default 2,000,000.</summary>
    public int MaxPointsPerQuery { get; set; } = 2_000_000;

    /// <summary>Largest request body accepted, in bytes. Default 32 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"ServerOptions.Port {Port} is not a TCP port (0-65535).");
        }
        if (GrpcPort is < 0 or > 65535 || (GrpcPort is { } g && g != 0 && g == Port))
        {
            throw new ArgumentException($"ServerOptions.GrpcPort {GrpcPort} is not a TCP port (0-65535) distinct from Port.");
        }
        if (MaxSeriesPerQuery <= 0 || MaxPointsPerQuery <= 0 || MaxRequestBodyBytes <= 0)
        {
            throw new ArgumentException("ServerOptions limits must be positive.");
        }
    }
}
