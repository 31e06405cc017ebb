using System.Globalization;
using System.Text;
using Auspex.Core.Series;

namespace Auspex.Ingestion;

/// <summary>
/// Why a payload was refused. Endpoints map <see cref="Malformed"/> to 400, <see cref="LimitExceeded"/> to 400 or 413,
/// <see cref="UnsupportedMediaType"/> to 415.
/// </summary>
public enum ParseErrorKind
{
    /// <summary>The bytes or text do not follow the protocol, or a name or value is invalid.</summary>
    Malformed,

    /// <summary>The payload is well-formed but larger than a configured limit (size, series, samples, labels).</summary>
    LimitExceeded,

    /// <summary>The request's content type or encoding is not one this protocol accepts (an endpoint answers 415).</summary>
    UnsupportedMediaType,
}

/// <summary>
/// One thing wrong with a payload and where: a byte <see cref="Offset"/> (binary protocols), a 1-based <see cref="Line"/>
/// (text protocols) and/or the <see cref="Series"/> it concerns.
/// </summary>
/// <param name="Kind">Malformed input or an exceeded limit.</param>
/// <param name="Message">What was wrong, in a sentence a sender can act on.</param>
/// <param name="Offset">Byte offset in the (decompressed) payload, when known.</param>
/// <param name="Line">1-based line number, when known.</param>
/// <param name="Series">The series (as <c>metric{labels}</c> or its index) the error concerns, when known.</param>
public sealed record ParseError(ParseErrorKind Kind, string Message, long? Offset = null, int? Line = null, string? Series = null)
{
    /// <summary>The error with its location, e.g. <c>line 3: expected a value after the metric name</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Line is { } line)
        {
            sb.Append(CultureInfo.InvariantCulture, $"line {line}: ");
        }
        if (Offset is { } offset)
        {
            sb.Append(CultureInfo.InvariantCulture, $"byte {offset}: ");
        }
        if (Series is { } series)
        {
            sb.Append(CultureInfo.InvariantCulture, $"series {series}: ");
        }
        return sb.Append(Message).ToString();
    }
}

/// <summary>
/// The outcome of parsing one request: either every series in it (<see cref="IsSuccess"/>) or the errors and no data,
/// so that an endpoint never stores part of a bad request.
/// </summary>
public sealed class ParseResult
{
    /// <summary>How many errors a parser collects before it stops looking.</summary>
    public const int MaxErrors = 10;

    private ParseResult(IReadOnlyList<SeriesData> series, IReadOnlyList<ParseError> errors, int sampleCount)
    {
        Series = series;
        Errors = errors;
        SampleCount = sampleCount;
    }

    /// <summary>The parsed series, each with samples in time order. Empty when there are errors.</summary>
    public IReadOnlyList<SeriesData> Series { get; }

    /// <summary>What was wrong; empty on success. At most <see cref="MaxErrors"/>.</summary>
    public IReadOnlyList<ParseError> Errors { get; }

    /// <summary>Total number of samples over <see cref="Series"/>.</summary>
    public int SampleCount { get; }

    /// <summary>True when the payload parsed without errors.</summary>
    public bool IsSuccess => Errors.Count == 0;

    /// <summary>True when any error is <see cref="ParseErrorKind.LimitExceeded"/>.</summary>
    public bool IsLimitExceeded => Errors.Any(e => e.Kind == ParseErrorKind.LimitExceeded);

    /// <summary>All errors on one line each, suitable for a 400 response body; empty on success.</summary>
    public string ErrorMessage => string.Join('\n', Errors.Select(e => e.ToString()));

    /// <summary>A successful result.</summary>
    public static ParseResult Success(IReadOnlyList<SeriesData> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var count = 0;
        foreach (var s in series)
        {
            count += s.Samples.Count;
        }
        return new ParseResult(series, [], count);
    }

    /// <summary>A failed result carrying <paramref name="errors"/> (at least one) and no data.</summary>
    public static ParseResult Failure(IReadOnlyList<ParseError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("A failed parse result needs at least one error.", nameof(errors));
        }
        return new ParseResult([], errors, 0);
    }

    /// <summary>A failed result with a single error.</summary>
    public static ParseResult Failure(ParseError error) => Failure([error]);

    /// <inheritdoc />
    public override string ToString() =>
        IsSuccess
            ? string.Create(CultureInfo.InvariantCulture, $"{Series.Count} series, {SampleCount} samples")
            : ErrorMessage;
}
