namespace Auspex.Forecasting.Internal;

/// <summary>Simple exponential smoothing (ETS(A,N,N)) with α and ℓ₀ chosen by least squares.</summary>
internal static class Ses
{
    public readonly record struct Fit(double Alpha, double Level, double Sigma2, double[] Fitted);

    public static Fit Optimise(ReadOnlySpan<double> y)
    {
        var data = y.ToArray();
        var scale = Math.Max(1e-9, Spread(data));
        double Sse(double[] p)
        {
            var alpha = 1e-4 + (1 - 2e-4) * NelderMead.Logistic(p[0]);
            var l = data[0] + p[1] * scale;
            var sse = 0.0;
            foreach (var v in data)
            {
                var e = v - l;
                sse += e * e;
                l += alpha * e;
            }
            return sse;
        }
        var (x, _) = NelderMead.Minimize(Sse, [NelderMead.Logit(0.5), 0], 1.0, 300, 1e-10);
        var a = 1e-4 + (1 - 2e-4) * NelderMead.Logistic(x[0]);
        return Run(data, a, data[0] + x[1] * scale);
    }

    public static Fit Run(ReadOnlySpan<double> y, double alpha, double l0)
    {
        var fitted = new double[y.Length];
        var l = l0;
        var sse = 0.0;
        for (var t = 0; t < y.Length; t++)
        {
            fitted[t] = l;
            var e = y[t] - l;
            sse += e * e;
            l += alpha * e;
        }
        return new Fit(alpha, l, sse / y.Length, fitted);
    }

    public static double Spread(ReadOnlySpan<double> y)
    {
        var min = double.MaxValue;
        var max = double.MinValue;
        foreach (var v in y)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        return max - min;
    }
}
