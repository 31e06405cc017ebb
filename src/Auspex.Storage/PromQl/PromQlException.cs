namespace Auspex.Storage.PromQl;

/// <summary>
/// A query the PromQL subset cannot run. <see cref="ErrorType"/> is Prometheus' <c>errorType</c>: <c>bad_data</c> for a
/// query or parameter that is wrong or unsupported (HTTP 400), <c>execution</c> for a failure while running it (HTTP 422).
/// </summary>
public sealed class PromQlException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PromQlException(string errorType, string message)
        : base(message) => ErrorType = errorType;

    /// <summary>Creates a <c>bad_data</c> exception.</summary>
    public PromQlException(string message)
        : this(BadData, message)
    {
    }

    /// <summary>Creates a <c>bad_data</c> exception.</summary>
    public PromQlException()
        : this(BadData, "bad query")
    {
    }

    /// <summary>Creates a <c>bad_data</c> exception.</summary>
    public PromQlException(string message, Exception innerException)
        : base(message, innerException) => ErrorType = BadData;

    /// <summary>Prometheus' error type for bad input.</summary>
    public const string BadData = "bad_data";

    /// <summary>Prometheus' error type for a failure while running a valid query.</summary>
    public const string Execution = "execution";

    /// <summary><c>bad_data</c> or <c>execution</c>.</summary>
    public string ErrorType { get; }

    /// <summary>A parse error at a 0-based position of the query, reported 1-based as "character N".</summary>
    public static PromQlException Parse(string reason, int position) =>
        new(BadData, $"parse error at character {position + 1}: {reason}");
}
