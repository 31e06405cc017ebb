namespace Auspex.Forecasting.Internal;

/// <summary>Classical decomposition and the M4 seasonality test.</summary>
internal static class Decomposition
{
    /// <summary>Sample autocorrelation at lags 0..maxLag.</summary>
    public static double[] Acf(ReadOnlySpan<double> y, int maxLag)
    {
        var n = y.Length;
        var mean = 0.0;
        foreach (var v in y)
        {
            mean += v;
        }
        mean /= n;
        var denom = 0.0;
        foreach (var v in y)
        {
            denom += (v - mean) * (v - mean);
        }
        var r = new double[maxLag + 1];
        for (var k = 0; k <= maxLag && k < n; k++)
        {
            var s = 0.0;
            for (var t = k; t < n; t++)
            {
                s += (y[t] - mean) * (y[t - k] - mean);
            }
            r[k] = denom > 0 ? s / denom : 0;
        }
        return r;
    }

    /// <summary>
    /// The M4 90% seasonality test: series of at least 3m points are seasonal when
    /// |r_m| &gt; 1.645·sqrt((1 + 2·Σ_{k&lt;m} r_k²)/n).
    /// </summary>
    public static bool IsSeasonal(ReadOnlySpan<double> y, int m)
    {
        if (m <= 1 || y.Length < 3 * m)
        {
            return false;
        }
        var r = Acf(y, m);
        var sum = 0.0;
        for (var k = 1; k < m; k++)
        {
            sum += r[k] * r[k];
        }
        var limit = 1.645 * Math.Sqrt((1 + 2 * sum) / y.Length);
        return Math.Abs(r[m]) > limit;
    }

    /// <summary>Centred moving average of order m (2×m for even m), NaN at the ends, as R's <c>decompose</c>.</summary>
    public static double[] CentredMovingAverage(ReadOnlySpan<double> y, int m)
    {
        var n = y.Length;
        var trend = new double[n];
        Array.Fill(trend, double.NaN);
        if (m % 2 == 1)
        {
            var half = m / 2;
            for (var t = half; t < n - half; t++)
            {
                var s = 0.0;
                for (var j = -half; j <= half; j++)
                {
                    s += y[t + j];
                }
                trend[t] = s / m;
            }
        }
        else
        {
            var half = m / 2;
            for (var t = half; t < n - half; t++)
            {
                var s = 0.5 * (y[t - half] + y[t + half]);
                for (var j = -half + 1; j < half; j++)
                {
                    s += y[t + j];
                }
                trend[t] = s / m;
            }
        }
        return trend;
    }

    /// <summary>
    /// Seasonal indices (length m, position i = index of t ≡ i mod m, counted from the first observation) of the classical
    /// decomposition; multiplicative indices average to 1, additive to 0.
    /// </summary>
    public static double[] SeasonalIndices(ReadOnlySpan<double> y, int m, bool multiplicative)
    {
        var trend = CentredMovingAverage(y, m);
        var sums = new double[m];
        var counts = new int[m];
        for (var t = 0; t < y.Length; t++)
        {
            if (double.IsNaN(trend[t]))
            {
                continue;
            }
            var d = multiplicative ? y[t] / trend[t] : y[t] - trend[t];
            if (!double.IsFinite(d))
            {
                continue;
            }
            sums[t % m] += d;
            counts[t % m]++;
        }
        var idx = new double[m];
        for (var i = 0; i < m; i++)
        {
            idx[i] = counts[i] > 0 ? sums[i] / counts[i] : (multiplicative ? 1 : 0);
        }
        var mean = idx.Average();
        for (var i = 0; i < m; i++)
        {
            idx[i] = multiplicative ? (mean != 0 ? idx[i] / mean : 1) : idx[i] - mean;
        }
        return idx;
    }

    /// <summary>
    /// M4-style multiplicative seasonal adjustment: when the series passes the 90% test and is positive, returns the
    /// indices (by position t mod m); otherwise null.
    /// </summary>
    public static double[]? MultiplicativeIndicesIfSeasonal(ReadOnlySpan<double> y, int m)
    {
        if (!IsSeasonal(y, m))
        {
            return null;
        }
        foreach (var v in y)
        {
            if (v <= 0)
            {
                return null;
            }
        }
        var idx = SeasonalIndices(y, m, multiplicative: true);
        foreach (var v in idx)
        {
            if (!(v > 0) || !double.IsFinite(v))
            {
                return null;
            }
        }
        return idx;
    }
}
