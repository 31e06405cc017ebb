namespace Auspex.Forecasting.Internal;

/// <summary>
/// STL: seasonal-trend decomposition by loess (Cleveland, Cleveland, McRae &amp; Terpenning 1990), inner loop only
/// (no robustness iterations), with R's defaults: seasonal degree 0, trend and low-pass degree 1.
/// </summary>
internal static class Stl
{
    public static (double[] Seasonal, double[] Trend) Decompose(ReadOnlySpan<double> y, int period, int seasonalWindow, int innerIterations = 2)
    {
        var n = y.Length;
        var np = period;
        var ns = Odd(Math.Max(seasonalWindow, 3));
        var nt = Odd((int)Math.Ceiling(1.5 * np / (1 - 1.5 / ns)));
        var nl = Odd(np);
        var trend = new double[n];
        var seasonal = new double[n];
        var detrended = new double[n];
        var cycle = new double[n + 2 * np];
        var maxSub = n / np + 2;
        var sub = new double[maxSub];
        for (var iter = 0; iter < innerIterations; iter++)
        {
            for (var i = 0; i < n; i++)
            {
                detrended[i] = y[i] - trend[i];
            }
            // Cycle-subseries smoothing, each subseries extended by one point at both ends.
            for (var j = 0; j < np; j++)
            {
                var count = 0;
                for (var i = j; i < n; i += np)
                {
                    sub[count++] = detrended[i];
                }
                var span = sub.AsSpan(0, count);
                for (var k = -1; k <= count; k++)
                {
                    var v = count == 0 ? 0 : Loess.At(span, ns, 0, k);
                    cycle[(k + 1) * np + j] = v;
                }
            }
            // Low-pass filter: MA(np), MA(np), MA(3), loess(nl, degree 1).
            var lp = MovingAverage(MovingAverage(MovingAverage(cycle, np), np), 3);
            var low = Loess.Smooth(lp, nl, 1);
            for (var i = 0; i < n; i++)
            {
                seasonal[i] = cycle[np + i] - low[i];
            }
            var deseasonal = new double[n];
            for (var i = 0; i < n; i++)
            {
                deseasonal[i] = y[i] - seasonal[i];
            }
            trend = Loess.Smooth(deseasonal, nt, 1);
        }
        return (seasonal, trend);
    }

    private static double[] MovingAverage(double[] x, int len)
    {
        var n = x.Length - len + 1;
        var r = new double[n];
        var s = 0.0;
        for (var i = 0; i < len; i++)
        {
            s += x[i];
        }
        r[0] = s / len;
        for (var i = 1; i < n; i++)
        {
            s += x[i + len - 1] - x[i - 1];
            r[i] = s / len;
        }
        return r;
    }

    private static int Odd(int v) => v % 2 == 0 ? v + 1 : v;
}
