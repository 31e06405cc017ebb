namespace Auspex.Core.Series;

/// <summary>One observation of a series.</summary>
public readonly record struct Sample(DateTimeOffset At, double Value);

/// <summary>A series and its samples in time order.</summary>
public sealed record SeriesData(SeriesKey Key, IReadOnlyList<Sample> Samples);
