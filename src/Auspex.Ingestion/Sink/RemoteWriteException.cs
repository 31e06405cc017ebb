using System.Net;

namespace Auspex.Ingestion.Sink;

/// <summary>
/// A remote write failed for good: the receiver refused it (4xx other than 429: retrying would not help, the data is
/// bad) or retries ran out. Requests before the failing one were accepted (<see cref="RequestsAccepted"/>).
/// </summary>
public sealed class RemoteWriteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemoteWriteException(string message, HttpStatusCode? status, int attempts, int requestsAccepted)
        : base(message)
    {
        Status = status;
        Attempts = attempts;
        RequestsAccepted = requestsAccepted;
    }

    /// <summary>Creates the exception.</summary>
    public RemoteWriteException()
        : this("A remote write failed.", null, 0, 0)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RemoteWriteException(string message)
        : this(message, null, 0, 0)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RemoteWriteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The last HTTP status, or null when no answer came.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>Attempts made for the failing request.</summary>
    public int Attempts { get; }

    /// <summary>Requests of this write accepted before the failure.</summary>
    public int RequestsAccepted { get; }

    /// <summary>True when the receiver refused the data (4xx other than 429).</summary>
    public bool IsPermanent => Status is { } s && (int)s is >= 400 and < 500 && (int)s != 429;
}
