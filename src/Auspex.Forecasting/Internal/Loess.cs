namespace Auspex.Forecasting.Internal;

/// <summary>Local polynomial (degree 0 or 1) regression with tricube weights, as in STL (Cleveland et al. 1990).</summary>
internal static class Loess
{
    /// <summary>The loess estimate at position <paramref name="x"/> from values at positions 0..n-1 with span <paramref name="q"/>.</summary>
    public static double At(ReadOnlySpan<double> y, int q, int degree, double x)
    {
        var n = y.Length;
        int lo, hi;
        double h;
        if (q >= n)
        {
            lo = 0;
            hi = n - 1;
            h = Math.Max(x, n - 1 - x) + (q - n) / 2.0;
        }
        else
        {
            lo = (int)Math.Round(x) - q / 2;
            lo = Math.Clamp(lo, 0, n - q);
            hi = lo + q - 1;
            h = Math.Max(x - lo, hi - x);
        }
        if (h <= 0)
        {
            h = 1;
        }
        double sw = 0, swx = 0, swy = 0, swxx = 0, swxy = 0;
        var h9 = 0.999 * h;
        var h1 = 0.001 * h;
        for (var i = lo; i <= hi; i++)
        {
            var d = Math.Abs(i - x);
            double w;
            if (d <= h1)
            {
                w = 1;
            }
            else if (d <= h9)
            {
                var r = d / h;
                var c = 1 - r * r * r;
                w = c * c * c;
            }
            else
            {
                continue;
            }
            sw += w;
            swx += w * i;
            swy += w * y[i];
            swxx += w * i * i;
            swxy += w * i * y[i];
        }
        if (sw <= 0)
        {
            return y[Math.Clamp((int)Math.Round(x), 0, n - 1)];
        }
        var mean = swy / sw;
        if (degree == 0)
        {
            return mean;
        }
        var xm = swx / sw;
        var varx = swxx / sw - xm * xm;
        var range = hi - lo;
        if (varx <= 1e-3 * range * range / 12 || varx <= 0)
        {
            return mean;
        }
        var slope = (swxy / sw - xm * mean) / varx;
        return mean + slope * (x - xm);
    }

    /// <summary>Loess smooth of the whole series at its own positions.</summary>
    public static double[] Smooth(ReadOnlySpan<double> y, int q, int degree)
    {
        var r = new double[y.Length];
        for (var i = 0; i < y.Length; i++)
        {
            r[i] = At(y, q, degree, i);
        }
        return r;
    }
}
