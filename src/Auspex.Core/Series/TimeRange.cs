namespace Auspex.Core.Series;

/// <summary>A half-open interval of time [Start, End). Validated on construction.</summary>
public readonly record struct TimeRange
{
    /// <summary>Creates a range; <paramref name="start"/> must not be after <paramref name="end"/>.</summary>
    public TimeRange(DateTimeOffset start, DateTimeOffset end)
    {
        if (end < start)
        {
            throw new ArgumentException($"Time range end {end:O} is before its start {start:O}.", nameof(end));
        }
        Start = start.ToUniversalTime();
        End = end.ToUniversalTime();
    }

    /// <summary>Inclusive start.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Exclusive end.</summary>
    public DateTimeOffset End { get; }

    /// <summary>Length of the range.</summary>
    public TimeSpan Duration => End - Start;

    /// <summary>True when <paramref name="at"/> lies in [Start, End).</summary>
    public bool Contains(DateTimeOffset at) => at >= Start && at < End;

    /// <summary>True when the two ranges share any instant.</summary>
    public bool Overlaps(TimeRange other) => Start < other.End && other.Start < End;

    /// <summary>The range that ends at <paramref name="end"/> and lasts <paramref name="length"/>.</summary>
    public static TimeRange Ending(DateTimeOffset end, TimeSpan length) => new(end - length, end);

    /// <inheritdoc />
    public override string ToString() => $"[{Start:O}, {End:O})";
}
