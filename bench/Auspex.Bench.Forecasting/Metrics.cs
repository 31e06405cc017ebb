using Auspex.Forecasting;

namespace Auspex.Bench.Forecasting;

/// <summary>M4 error measures (definitions in ../shared/data/m4/README.md).</summary>
internal static class Metrics
{
    public static double Smape(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        var s = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            var d = Math.Abs(actual[i]) + Math.Abs(forecast[i]);
            s += d == 0 ? 0 : Math.Abs(actual[i] - forecast[i]) / d;
        }
        return 200.0 * s / actual.Length;
    }

    public static double SeasonalScale(ReadOnlySpan<double> insample, int m)
    {
        if (insample.Length <= m)
        {
            m = 1;
        }
        var s = 0.0;
        for (var t = m; t < insample.Length; t++)
        {
            s += Math.Abs(insample[t] - insample[t - m]);
        }
        return s / (insample.Length - m);
    }

    public static double Mase(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast, double scale)
    {
        var s = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            s += Math.Abs(actual[i] - forecast[i]);
        }
        return s / actual.Length / scale;
    }

    public static double Msis(ReadOnlySpan<double> actual, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper, double scale, double a = 0.05)
    {
        var s = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            s += upper[i] - lower[i];
            if (actual[i] < lower[i])
            {
                s += 2 / a * (lower[i] - actual[i]);
            }
            if (actual[i] > upper[i])
            {
                s += 2 / a * (actual[i] - upper[i]);
            }
        }
        return s / actual.Length / scale;
    }

    public static double Coverage(ReadOnlySpan<double> actual, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
    {
        var c = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            if (actual[i] >= lower[i] && actual[i] <= upper[i])
            {
                c++;
            }
        }
        return (double)c / actual.Length;
    }

    /// <summary>Mean sMAPE, MASE, MSIS and 95 % / 80 % coverage over a set of forecasts and their held-out values.</summary>
    public static (double Smape, double Mase, double Msis, double Cover95, double Cover80) Score(ForecastOutput[] outs, double[][] actual, double[] scales)
    {
        double s = 0, ma = 0, ms = 0, c95 = 0, c80 = 0;
        for (var i = 0; i < outs.Length; i++)
        {
            var f = outs[i];
            s += Metrics.Smape(actual[i], f.Mean);
            ma += Metrics.Mase(actual[i], f.Mean, scales[i]);
            ms += Metrics.Msis(actual[i], f.Lower(95), f.Upper(95), scales[i]);
            c95 += Metrics.Coverage(actual[i], f.Lower(95), f.Upper(95));
            c80 += Metrics.Coverage(actual[i], f.Lower(80), f.Upper(80));
        }
        var k = outs.Length;
        return (s / k, ma / k, ms / k, c95 / k, c80 / k);
    }
}
