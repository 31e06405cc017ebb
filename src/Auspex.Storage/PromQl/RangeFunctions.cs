namespace Auspex.Storage.PromQl;

/// <summary>The range functions over one window of samples (times in Unix ms, in order), with Prometheus 2.x semantics.</summary>
internal static class RangeFunctions
{
    /// <summary>Applies <paramref name="name"/>; false when the window yields no value (e.g. <c>rate</c> over one sample).</summary>
    public static bool TryApply(string name, ReadOnlySpan<long> t, ReadOnlySpan<double> v, long rangeStart, long rangeEnd, double param, out double result)
    {
        result = 0;
        switch (name)
        {
            case "rate":
                return ExtrapolatedRate(t, v, rangeStart, rangeEnd, isRate: true, out result);
            case "increase":
                return ExtrapolatedRate(t, v, rangeStart, rangeEnd, isRate: false, out result);
            case "irate":
                return InstantRate(t, v, out result);
            case "count_over_time":
                result = v.Length;
                return true;
            case "last_over_time":
                result = v[^1];
                return true;
            case "sum_over_time":
                result = KahanSum(v);
                return true;
            case "avg_over_time":
                result = Average(v);
                return true;
            case "min_over_time":
                result = v[0];
                foreach (var x in v)
                {
                    if (x < result || double.IsNaN(result))
                    {
                        result = x;
                    }
                }
                return true;
            case "max_over_time":
                result = v[0];
                foreach (var x in v)
                {
                    if (x > result || double.IsNaN(result))
                    {
                        result = x;
                    }
                }
                return true;
            case "quantile_over_time":
                result = Quantile(param, v);
                return true;
            default:
                throw new PromQlException($"function '{name}' is not supported");
        }
    }

    /// <summary>
    /// Prometheus' <c>extrapolatedRate</c> for counters: the increase from the first to the last sample, adding back
    /// the value before every drop (a counter reset), then extrapolated to the window's ends — by the distance to each
    /// end when it is under 1.1 × the average sample spacing, else by half a spacing — but never back past the point
    /// where the counter would have been zero. <c>rate</c> divides by the window's length in seconds.
    /// </summary>
    public static bool ExtrapolatedRate(ReadOnlySpan<long> t, ReadOnlySpan<double> v, long rangeStart, long rangeEnd, bool isRate, out double result)
    {
        result = 0;
        if (v.Length < 2)
        {
            return false;
        }
        var value = v[^1] - v[0];
        var prev = v[0];
        for (var i = 1; i < v.Length; i++)
        {
            if (v[i] < prev)
            {
                value += prev;
            }
            prev = v[i];
        }
        var durationToStart = (t[0] - rangeStart) / 1000.0;
        var durationToEnd = (rangeEnd - t[^1]) / 1000.0;
        var sampledInterval = (t[^1] - t[0]) / 1000.0;
        var averageDurationBetweenSamples = sampledInterval / (v.Length - 1);
        if (value > 0 && v[0] >= 0)
        {
            var durationToZero = sampledInterval * (v[0] / value);
            if (durationToZero < durationToStart)
            {
                durationToStart = durationToZero;
            }
        }
        var extrapolationThreshold = averageDurationBetweenSamples * 1.1;
        var extrapolateToInterval = sampledInterval;
        extrapolateToInterval += durationToStart < extrapolationThreshold ? durationToStart : averageDurationBetweenSamples / 2;
        extrapolateToInterval += durationToEnd < extrapolationThreshold ? durationToEnd : averageDurationBetweenSamples / 2;
        value *= extrapolateToInterval / sampledInterval;
        if (isRate)
        {
            value /= (rangeEnd - rangeStart) / 1000.0;
        }
        result = value;
        return true;
    }

    /// <summary>Prometheus' <c>irate</c>: the per-second change between the last two samples (the last value after a reset).</summary>
    public static bool InstantRate(ReadOnlySpan<long> t, ReadOnlySpan<double> v, out double result)
    {
        result = 0;
        if (v.Length < 2)
        {
            return false;
        }
        var last = v[^1];
        var previous = v[^2];
        var interval = t[^1] - t[^2];
        if (interval == 0)
        {
            return false;
        }
        result = (last < previous ? last : last - previous) / (interval / 1000.0);
        return true;
    }

    /// <summary>The φ-quantile with linear interpolation between ranks (φ &lt; 0: −Inf, φ &gt; 1: +Inf, NaN: NaN).</summary>
    public static double Quantile(double q, ReadOnlySpan<double> values)
    {
        if (values.Length == 0 || double.IsNaN(q))
        {
            return double.NaN;
        }
        if (q < 0)
        {
            return double.NegativeInfinity;
        }
        if (q > 1)
        {
            return double.PositiveInfinity;
        }
        var sorted = values.ToArray();
        Array.Sort(sorted); // NaN sorts first, as Go's sort.Float64s does
        var n = (double)sorted.Length;
        var rank = q * (n - 1);
        var lower = Math.Max(0, Math.Floor(rank));
        var upper = Math.Min(n - 1, lower + 1);
        var weight = rank - Math.Floor(rank);
        return (sorted[(int)lower] * (1 - weight)) + (sorted[(int)upper] * weight);
    }

    private static double KahanSum(ReadOnlySpan<double> v)
    {
        double sum = 0, c = 0;
        foreach (var x in v)
        {
            var t = sum + x;
            c += Math.Abs(sum) >= Math.Abs(x) ? (sum - t) + x : (x - t) + sum;
            sum = t;
        }
        return double.IsInfinity(sum) ? sum : sum + c;
    }

    private static double Average(ReadOnlySpan<double> v)
    {
        var sum = KahanSum(v);
        var anyInfinite = false;
        foreach (var x in v)
        {
            anyInfinite |= double.IsInfinity(x);
        }
        if (!double.IsInfinity(sum) || anyInfinite)
        {
            return sum / v.Length;
        }
        // The sum overflowed: fall back to the incremental mean, as Prometheus does.
        var mean = 0.0;
        for (var i = 0; i < v.Length; i++)
        {
            mean += (v[i] / (i + 1)) - (mean / (i + 1));
        }
        return mean;
    }
}
