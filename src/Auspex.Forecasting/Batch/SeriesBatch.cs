namespace Auspex.Forecasting.Batch;

/// <summary>
/// Many series held as one flat array with offsets (bounded memory, no per-series objects on the hot path). Every
/// series is on a regular grid: a start, a step, and evenly spaced values. Time is either real (UTC ticks, step a
/// <see cref="TimeSpan"/>) or integer steps.
/// </summary>
public sealed class SeriesBatch
{
    private readonly double[] _values;
    private readonly int[] _offsets;
    private readonly long[] _starts;
    private readonly long[] _steps;
    private readonly int[] _filled;

    internal SeriesBatch(string[] ids, double[] values, int[] offsets, long[] starts, long[] steps, int[] filled, bool hasTime)
    {
        Ids = ids;
        _values = values;
        _offsets = offsets;
        _starts = starts;
        _steps = steps;
        _filled = filled;
        HasTime = hasTime;
    }

    /// <summary>Series identifiers, in input order.</summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>Number of series.</summary>
    public int Count => Ids.Count;

    /// <summary>Total number of values across series.</summary>
    public int TotalLength => _values.Length;

    /// <summary>True when ds are time stamps; false when they are integer steps.</summary>
    public bool HasTime { get; }

    /// <summary>The values of series <paramref name="index"/> (regular grid, oldest first).</summary>
    public ReadOnlySpan<double> Values(int index) => _values.AsSpan(_offsets[index], _offsets[index + 1] - _offsets[index]);

    /// <summary>Length of series <paramref name="index"/>.</summary>
    public int Length(int index) => _offsets[index + 1] - _offsets[index];

    /// <summary>The sampling step of series <paramref name="index"/> when it has time stamps.</summary>
    public TimeSpan? Step(int index) => HasTime ? TimeSpan.FromTicks(_steps[index]) : null;

    /// <summary>How many grid points of series <paramref name="index"/> were filled by interpolation (gaps or irregular sampling).</summary>
    public int Filled(int index) => _filled[index];

    /// <summary>The ds of grid point <paramref name="k"/> of series <paramref name="index"/> (k may run past the end, for forecasts):
    /// UTC ticks when <see cref="HasTime"/>, else the integer step.</summary>
    public long TimeAt(int index, int k) => _starts[index] + k * _steps[index];

    /// <summary>Builds a batch from raw (id, ds, y) observations, placing each series on a regular grid.</summary>
    public static SeriesBatchBuilder CreateBuilder(bool hasTime) => new(hasTime);
}

/// <summary>
/// Collects observations and regularises each series: the step is the median spacing; values at grid points come from
/// exact matches or linear interpolation between the neighbouring observations (gaps and irregular sampling).
/// </summary>
public sealed class SeriesBatchBuilder
{
    private readonly Dictionary<string, List<(long T, double Y)>> _series = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    internal SeriesBatchBuilder(bool hasTime) => HasTime = hasTime;

    /// <summary>True when ds are UTC ticks.</summary>
    public bool HasTime { get; }

    /// <summary>Adds one observation (ds in UTC ticks or integer steps).</summary>
    public void Add(string id, long ds, double y)
    {
        if (!_series.TryGetValue(id, out var list))
        {
            list = [];
            _series[id] = list;
            _order.Add(id);
        }
        list.Add((ds, y));
    }

    /// <summary>Builds the batch. Series must have at least 2 points and distinct ds (checked by the reader).</summary>
    public SeriesBatch Build()
    {
        var values = new List<double>();
        var offsets = new int[_order.Count + 1];
        var starts = new long[_order.Count];
        var steps = new long[_order.Count];
        var filled = new int[_order.Count];
        for (var i = 0; i < _order.Count; i++)
        {
            var obs = _series[_order[i]];
            obs.Sort((a, b) => a.T.CompareTo(b.T));
            offsets[i] = values.Count;
            starts[i] = obs[0].T;
            if (obs.Count == 1)
            {
                steps[i] = HasTime ? TimeSpan.TicksPerHour : 1;
                values.Add(obs[0].Y);
                continue;
            }
            var diffs = new long[obs.Count - 1];
            for (var k = 1; k < obs.Count; k++)
            {
                diffs[k - 1] = obs[k].T - obs[k - 1].T;
            }
            Array.Sort(diffs);
            var step = Math.Max(1, diffs[diffs.Length / 2]);
            steps[i] = step;
            var n = (int)((obs[^1].T - obs[0].T) / step) + 1;
            var j = 0;
            for (var k = 0; k < n; k++)
            {
                var t = obs[0].T + k * step;
                while (j + 1 < obs.Count && obs[j + 1].T <= t)
                {
                    j++;
                }
                if (obs[j].T == t)
                {
                    values.Add(obs[j].Y);
                }
                else if (j + 1 < obs.Count)
                {
                    var w = (double)(t - obs[j].T) / (obs[j + 1].T - obs[j].T);
                    values.Add(obs[j].Y + w * (obs[j + 1].Y - obs[j].Y));
                    filled[i]++;
                }
                else
                {
                    values.Add(obs[j].Y);
                    filled[i]++;
                }
            }
        }
        offsets[^1] = values.Count;
        return new SeriesBatch([.. _order], [.. values], offsets, starts, steps, filled, HasTime);
    }
}
