namespace Auspex.Ingestion.PrometheusApi;

/// <summary>One <c>query_range</c> request of a chunked range: evaluation instants Start, Start+Step, …, End (inclusive).</summary>
/// <param name="Start">First evaluation instant.</param>
/// <param name="End">Last evaluation instant.</param>
public readonly record struct QueryChunk(DateTimeOffset Start, DateTimeOffset End);

/// <summary>Step choice and chunking for <c>query_range</c>, as pure functions.</summary>
public static class QueryPlan
{
    private static readonly TimeSpan[] RoundSteps =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2),
        TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(3), TimeSpan.FromHours(6),
        TimeSpan.FromHours(12), TimeSpan.FromDays(1),
    ];

    /// <summary>
    /// The smallest round step (1s, 2s, 5s, 10s, 15s, 30s, 1m, … 1d, then whole days) that is at least
    /// <paramref name="minStep"/> and yields at most <paramref name="targetPoints"/> points over <paramref name="duration"/>.
    /// </summary>
    public static TimeSpan ChooseStep(TimeSpan duration, TimeSpan minStep, int targetPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetPoints, 2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(minStep, TimeSpan.Zero);
        var needed = TimeSpan.FromTicks((long)Math.Ceiling(Math.Max(duration.Ticks, 0) / (double)(targetPoints - 1)));
        var floor = needed > minStep ? needed : minStep;
        foreach (var step in RoundSteps)
        {
            if (step >= floor)
            {
                return step;
            }
        }
        return TimeSpan.FromDays(Math.Ceiling(floor.TotalDays));
    }

    /// <summary>
    /// Splits [start, end] into requests of at most <paramref name="maxPoints"/> points and <paramref name="maxDuration"/>
    /// each, on the step grid from <paramref name="start"/>, without overlap: every instant is asked for exactly once.
    /// </summary>
    public static IReadOnlyList<QueryChunk> Chunks(DateTimeOffset start, DateTimeOffset end, TimeSpan step, int maxPoints, TimeSpan maxDuration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 1);
        if (end < start)
        {
            throw new ArgumentException("The range ends before it starts.", nameof(end));
        }
        var total = (end - start).Ticks / step.Ticks + 1; // instants start + k*step <= end
        var perChunk = Math.Max(1, Math.Min(maxPoints, maxDuration.Ticks / step.Ticks + 1));
        var chunks = new List<QueryChunk>();
        for (long first = 0; first < total; first += perChunk)
        {
            var last = Math.Min(total - 1, first + perChunk - 1);
            chunks.Add(new QueryChunk(start + TimeSpan.FromTicks(step.Ticks * first), start + TimeSpan.FromTicks(step.Ticks * last)));
        }
        return chunks;
    }
}
