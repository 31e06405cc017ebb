namespace Auspex.Forecasting.Internal;

/// <summary>Differencing tests used by AutoARIMA.</summary>
internal static class UnitRoot
{
    /// <summary>
    /// KPSS level-stationarity statistic (Kwiatkowski et al. 1992) with a Bartlett-window long-run variance at lag
    /// ⌊4·(n/100)^¼⌋ ("short" lags).
    /// </summary>
    public static double Kpss(ReadOnlySpan<double> y)
    {
        var n = y.Length;
        var mean = 0.0;
        foreach (var v in y)
        {
            mean += v;
        }
        mean /= n;
        var e = new double[n];
        for (var t = 0; t < n; t++)
        {
            e[t] = y[t] - mean;
        }
        var s = 0.0;
        var eta = 0.0;
        for (var t = 0; t < n; t++)
        {
            s += e[t];
            eta += s * s;
        }
        eta /= (double)n * n;
        var lags = (int)Math.Floor(4 * Math.Pow(n / 100.0, 0.25));
        var lrv = 0.0;
        for (var t = 0; t < n; t++)
        {
            lrv += e[t] * e[t];
        }
        lrv /= n;
        for (var l = 1; l <= lags; l++)
        {
            var c = 0.0;
            for (var t = l; t < n; t++)
            {
                c += e[t] * e[t - l];
            }
            lrv += 2 * (1 - l / (lags + 1.0)) * c / n;
        }
        return lrv > 0 ? eta / lrv : 0;
    }

    /// <summary>Number of first differences (0..maxD) until KPSS no longer rejects at 5% (critical value 0.463).</summary>
    public static int Ndiffs(ReadOnlySpan<double> y, int maxD = 2)
    {
        var x = y.ToArray();
        var d = 0;
        while (d < maxD && x.Length > 10 && !IsConstant(x) && Kpss(x) > 0.463)
        {
            x = ArimaCore.Difference(x, 1, 0, 1);
            d++;
        }
        return d;
    }

    /// <summary>
    /// Seasonal differences (0 or 1) by seasonal strength (Wang, Smith &amp; Hyndman 2006) from an STL decomposition:
    /// F = max(0, 1 − Var(R)/Var(S + R)); one seasonal difference when F &gt; 0.64 (R's <c>nsdiffs</c> default).
    /// </summary>
    public static int Nsdiffs(ReadOnlySpan<double> y, int m)
    {
        if (m < 2 || y.Length < 2 * m + 1 || IsConstant(y))
        {
            return 0;
        }
        var (seasonal, trend) = Stl.Decompose(y, m, 13);
        var n = y.Length;
        var r = new double[n];
        var sr = new double[n];
        for (var t = 0; t < n; t++)
        {
            r[t] = y[t] - trend[t] - seasonal[t];
            sr[t] = r[t] + seasonal[t];
        }
        var vr = Variance(r);
        var vsr = Variance(sr);
        var strength = vsr > 0 ? Math.Max(0, 1 - vr / vsr) : 0;
        return strength > 0.64 ? 1 : 0;
    }

    private static double Variance(double[] x)
    {
        var m = x.Average();
        return x.Sum(v => (v - m) * (v - m)) / Math.Max(1, x.Length - 1);
    }

    private static bool IsConstant(ReadOnlySpan<double> x) => InputCheck.IsConstant(x);
}
