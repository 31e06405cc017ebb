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
    /// <paramref name="maxHistory"/> of history. Null when there is too little history or the model failed.
    /// </summary>
    public static DemandPath? Forecast(IReadOnlyList<double> history, DateTimeOffset start, TimeSpan step, DateTimeOffset now,
        TimeSpan bucket, TimeSpan maxHistory, int horizonBuckets, string model, IReadOnlyList<TimeSpan> seasons, int minBuckets)
    {
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
        for (var b = 0; b < take; b++)
        {
            var from = end - (take - b) * perBucket;
            var sum = 0.0;
            for (var k = 0; k < perBucket; k++)
            {
                sum += history[from + k];
            }
            y[b] = sum / perBucket;
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
}
