namespace Auspex.Simulation.Traces;

/// <summary>
/// A demand trace on a regular grid: <see cref="Values"/>[i] is the demand (requests, or any work unit) that arrived
/// during the interval starting at <see cref="Start"/> + i·<see cref="Step"/>. Immutable; validated by <see cref="Create"/>.
/// </summary>
public sealed class DemandTrace
{
    private readonly double[] _values;
    private readonly bool[]? _missing;

    private DemandTrace(string name, DateTimeOffset start, TimeSpan step, double[] values, bool[]? missing = null)
    {
        Name = name;
        Start = start;
        Step = step;
        _values = values;
        _missing = missing is not null && missing.Any(m => m) ? missing : null;
    }

    /// <summary>
    /// True when interval <paramref name="i"/> has no data (a gap in the source, e.g. the server was down): it replays
    /// with the demand <see cref="Values"/> holds for it (0 for an outage, or the reader's interpolation), but measures
    /// that need the usage (slack) leave it out.
    /// </summary>
    public bool IsMissing(int i) => _missing is not null && _missing[i];

    /// <summary>Intervals without data.</summary>
    public int MissingCount => _missing?.Count(m => m) ?? 0;

    /// <summary>
    /// A copy in which every run of at least <paramref name="minRun"/> consecutive intervals of exactly zero demand is
    /// marked missing (an outage of the source rather than an idle service), on top of the intervals already missing.
    /// </summary>
    public DemandTrace WithZeroRunsAsMissing(TimeSpan minRun)
    {
        if (minRun <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(minRun), minRun, "the shortest zero run must be positive");
        }
        var need = Math.Max(1, (int)Math.Ceiling(minRun / Step));
        var missing = new bool[_values.Length];
        for (var i = 0; i < _values.Length; i++)
        {
            missing[i] = IsMissing(i);
        }
        var run = 0;
        for (var i = 0; i <= _values.Length; i++)
        {
            if (i < _values.Length && _values[i] == 0)
            {
                run++;
                continue;
            }
            if (run >= need)
            {
                for (var k = i - run; k < i; k++)
                {
                    missing[k] = true;
                }
            }
            run = 0;
        }
        return new DemandTrace(Name, Start, Step, _values, missing);
    }

    /// <summary>The trace's name (file name or sample name).</summary>
    public string Name { get; }

    /// <summary>Start of the first interval (UTC).</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Interval length.</summary>
    public TimeSpan Step { get; }

    /// <summary>Demand per interval, oldest first, finite and ≥ 0.</summary>
    public IReadOnlyList<double> Values => _values;

    /// <summary>Number of intervals.</summary>
    public int Count => _values.Length;

    /// <summary>End of the last interval.</summary>
    public DateTimeOffset End => Start + Step * _values.Length;

    /// <summary>Demand rate (units per second) during interval <paramref name="i"/>.</summary>
    public double RateAt(int i) => _values[i] / Step.TotalSeconds;

    /// <summary>The demand rate (per second) in force at <paramref name="at"/> (0 outside the trace).</summary>
    public double RateAtTime(DateTimeOffset at)
    {
        if (at < Start || at >= End)
        {
            return 0;
        }
        return RateAt((int)((at - Start).Ticks / Step.Ticks));
    }

    /// <summary>The highest rate per second over the trace.</summary>
    public double PeakRate => _values.Length == 0 ? 0 : _values.Max() / Step.TotalSeconds;

    /// <summary>The mean rate per second over the trace.</summary>
    public double MeanRate => _values.Length == 0 ? 0 : _values.Average() / Step.TotalSeconds;

    /// <summary>A copy with every value multiplied by <paramref name="factor"/> (≥ 0).</summary>
    public DemandTrace Scaled(double factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(factor);
        return new DemandTrace(Name, Start, Step, _values.Select(v => v * factor).ToArray(), _missing);
    }

    /// <summary>The first <paramref name="count"/> intervals from index <paramref name="from"/>.</summary>
    public DemandTrace Slice(int from, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        count = Math.Min(count, _values.Length - Math.Min(from, _values.Length));
        return new DemandTrace(Name, Start + Step * from, Step, _values.AsSpan(from, count).ToArray(), _missing?.AsSpan(from, count).ToArray());
    }

    /// <summary>Builds a trace, or says what is wrong with the input.</summary>
    /// <param name="name">The trace's name.</param>
    /// <param name="start">Start of the first interval.</param>
    /// <param name="step">Interval length.</param>
    /// <param name="values">Demand per interval.</param>
    /// <param name="missing">Optional: per interval, true when it has no data (see <see cref="IsMissing"/>); same length as <paramref name="values"/>.</param>
    public static (DemandTrace? Trace, string? Error) Create(string name, DateTimeOffset start, TimeSpan step, IReadOnlyList<double> values, IReadOnlyList<bool>? missing = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (step <= TimeSpan.Zero)
        {
            return (null, "the step must be positive");
        }
        if (values.Count < 2)
        {
            return (null, $"a trace needs at least 2 intervals, got {values.Count}");
        }
        for (var i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]) || values[i] < 0)
            {
                return (null, $"interval {i}: demand must be finite and ≥ 0, got {values[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }
        }
        if (missing is not null && missing.Count != values.Count)
        {
            return (null, $"the missing-data mask has {missing.Count} entries for {values.Count} intervals");
        }
        return (new DemandTrace(string.IsNullOrWhiteSpace(name) ? "trace" : name, start, step, values.ToArray(), missing?.ToArray()), null);
    }
}
