using Auspex.Forecasting;

namespace Auspex.Simulation.Policies;

/// <summary>A forecast of demand rates on a bucket grid: bucket i covers [<see cref="Start"/> + i·<see cref="Bucket"/>, +<see cref="Bucket"/>).</summary>
internal sealed record DemandPath(DateTimeOffset IssuedAt, DateTimeOffset Start, TimeSpan Bucket, ForecastOutput Output)
{
    /// <summary>The bucket index covering <paramref name="at"/>, clamped to the horizon; -1 before the start.</summary>
    public int IndexAt(DateTimeOffset at) => at < Start ? -1 : (int)Math.Min(Output.Horizon - 1, (at - Start).Ticks / Bucket.Ticks);

    /// <summary>The forecast quantile <paramref name="p"/> (0.5 = mean) of the bucket covering <paramref name="at"/>, never negative.</summary>
    public double QuantileAt(DateTimeOffset at, double p)
    {
        var i = Math.Max(0, IndexAt(at));
        return Math.Max(0, p == 0.5 ? Output.Mean[i] : Output.Quantile(i, p));
    }

    /// <summary>The largest quantile <paramref name="p"/> over [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public double MaxQuantile(DateTimeOffset from, DateTimeOffset to, double p)
    {
        var max = 0.0;
        for (var t = from; t <= to; t += Bucket)
        {
            max = Math.Max(max, QuantileAt(t, p));
        }
        return Math.Max(max, QuantileAt(to, p));
    }

    /// <summary>The smallest quantile <paramref name="p"/> over [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public double MinQuantile(DateTimeOffset from, DateTimeOffset to, double p)
    {
        var min = double.PositiveInfinity;
        for (var t = from; t <= to; t += Bucket)
        {
            min = Math.Min(min, QuantileAt(t, p));
        }
        return Math.Min(min, QuantileAt(to, p));
    }
}

/// <summary>
/// Fits a model of the product's forecasting library (<see cref="ModelCatalog"/>) to the demand seen so far,
/// averaged into buckets, and forecasts the buckets ahead. The same models the control loop and <c>auspex forecast</c> run.
/// </summary>
internal static class DemandForecaster
{
    private static readonly double[] Levels = [80, 95];

    /// <summary>
    /// Forecasts <paramref name="horizonBuckets"/> buckets of <paramref name="bucket"/> after the last complete bucket
    /// of <paramref name="history"/> (rates per <paramref name="step"/>, from <paramref name="start"/>), using at most
    /// <paramref name="maxHistory"/> of history; each bucket holds the mean rate, or its busiest interval's rate when
    /// <paramref name="peak"/>. Null when there is too little history, no bucket with data, or the model failed.
    /// </summary>
    /// <remarks>
    /// Intervals marked in <paramref name="missing"/> (the trace has no data there, e.g. an outage) are not data: a
    /// bucket's mean or peak is taken over its intervals with data only, and a bucket without any is filled with the
    /// bucket one season (the first of <paramref name="seasons"/> that is at least 2 buckets) earlier, or, when there is
    /// none that far back, by linear interpolation between the nearest buckets with data (the nearest one at either
    /// end). So an outage's zeros neither pull the fit down nor widen its bands.
    /// </remarks>
    public static DemandPath? Forecast(IReadOnlyList<double> history, DateTimeOffset start, TimeSpan step, DateTimeOffset now,
        TimeSpan bucket, TimeSpan maxHistory, int horizonBuckets, string model, IReadOnlyList<TimeSpan> seasons, int minBuckets, bool peak = false,
        IReadOnlyList<bool>? missing = null)
    {
        if (missing is not null && missing.Count < history.Count)
        {
            throw new ArgumentException($"the missing-data mask has {missing.Count} entries for {history.Count} history intervals", nameof(missing));
        }
        var perBucket = Math.Max(1, (int)(bucket.Ticks / step.Ticks));
        bucket = step * perBucket;
        // Align buckets so that the last one ends at the last complete history interval.
        var complete = history.Count / perBucket;
        var take = Math.Min(complete, Math.Max(1, (int)(maxHistory.Ticks / bucket.Ticks)));
        if (take < minBuckets)
        {
            return null;
        }
        var end = history.Count - (history.Count % perBucket);
        var y = new double[take];
        var has = new bool[take];
        for (var b = 0; b < take; b++)
        {
            var from = end - (take - b) * perBucket;
            var sum = 0.0;
            var max = 0.0;
            var n = 0;
            for (var k = 0; k < perBucket; k++)
            {
                if (missing is not null && missing[from + k])
                {
                    continue;
                }
                sum += history[from + k];
                max = Math.Max(max, history[from + k]);
                n++;
            }
            has[b] = n > 0;
            y[b] = n == 0 ? 0 : peak ? max : sum / n;
        }
        if (!FillMissing(y, has, seasons.Select(s => (int)Math.Round(s / bucket)).FirstOrDefault(p => p >= 2)))
        {
            return null;
        }
        var periods = seasons.Select(s => (int)Math.Round(s / bucket)).Where(p => p >= 2 && take >= 2 * p).ToList();
        var m = ModelCatalog.Create(model, periods, horizonBuckets) ?? ModelCatalog.Create("naive", [], horizonBuckets)!;
        var output = m.Forecast(y, horizonBuckets, Levels);
        if (!output.IsSuccess)
        {
            return null;
        }
        return new DemandPath(now, start + step * end, bucket, output);
    }

    /// <summary>
    /// Fills the buckets without data (<paramref name="has"/> false) in place: with the bucket <paramref name="season"/>
    /// earlier (itself data or already filled) when there is one and <paramref name="season"/> ≥ 2, otherwise by linear
    /// interpolation between the nearest buckets with data, or the nearest one at either end. False when no bucket has data.
    /// </summary>
    internal static bool FillMissing(double[] y, bool[] has, int season)
    {
        var last = -1;
        for (var b = 0; b < y.Length; b++)
        {
            if (has[b])
            {
                last = b;
                continue;
            }
            if (season >= 2 && b >= season)
            {
                y[b] = y[b - season];
                continue;
            }
            var next = b + 1;
            while (next < y.Length && !has[next])
            {
                next++;
            }
            if (last < 0 && next >= y.Length)
            {
                return false;
            }
            y[b] = last < 0 ? y[next]
                : next >= y.Length ? y[last]
                : y[last] + (y[next] - y[last]) * (b - last) / (next - last);
        }
        return true;
    }
}
