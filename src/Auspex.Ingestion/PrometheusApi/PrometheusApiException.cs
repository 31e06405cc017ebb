using System.Net;

namespace Auspex.Ingestion.PrometheusApi;

/// <summary>
/// A Prometheus HTTP API call failed for good: the server refused the request (4xx, e.g. a PromQL syntax error), or
/// retries ran out on errors that might have passed (5xx, 429, network, timeout). The message says which, with
/// Prometheus' own <c>errorType</c> and <c>error</c> when it sent them.
/// </summary>
public sealed class PrometheusApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PrometheusApiException(string message, HttpStatusCode? status = null, string? errorType = null, int attempts = 1)
        : base(message)
    {
        Status = status;
        ErrorType = errorType;
        Attempts = attempts;
    }

    /// <summary>Creates the exception.</summary>
    public PrometheusApiException()
        : this("A Prometheus API call failed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public PrometheusApiException(string message)
        : this(message, status: null)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PrometheusApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Attempts = 1;
    }

    /// <summary>The last HTTP status, or null when no answer came.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>Prometheus' <c>errorType</c> (<c>bad_data</c>, <c>execution</c>, <c>timeout</c>, …) when it sent one.</summary>
    public string? ErrorType { get; }

    /// <summary>How many attempts were made.</summary>
    public int Attempts { get; }

    /// <summary>True when the failure was a refusal (4xx other than 429) that retrying cannot fix.</summary>
    public bool IsPermanent => Status is { } s && (int)s is >= 400 and < 500 && (int)s != 429;
}
