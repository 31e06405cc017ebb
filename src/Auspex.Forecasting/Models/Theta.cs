using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Models;

/// <summary>
/// The Theta method. <see cref="ThetaVariant.Standard"/> is Assimakopoulos &amp; Nikolopoulos (2000) in the form of
/// Hyndman &amp; Billah (2003): SES with drift equal to half the slope of the linear trend, on data seasonally adjusted
/// by classical multiplicative decomposition when the 90% seasonality test says so (as M4's benchmark and R's
/// <c>thetaf</c>). <see cref="ThetaVariant.Optimised"/> is the optimised Theta method of Fiorucci et al. (2016):
/// θ ≥ 1 and α chosen jointly to minimise the in-sample one-step squared error of
/// ŷ = (1/θ)·SES(θ-line) + (1 − 1/θ)·(linear trend).
/// </summary>
public sealed class Theta : ForecastModel
{
    /// <summary>Creates a Theta model.</summary>
    /// <param name="season">Season length (1 for none).</param>
    /// <param name="variant">Standard (θ = 2) or optimised θ.</param>
    public Theta(int season, ThetaVariant variant = ThetaVariant.Standard)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(season, 1);
        Season = season;
        Variant = variant;
    }

    /// <summary>Season length in steps.</summary>
    public int Season { get; }

    /// <summary>Which Theta variant.</summary>
    public ThetaVariant Variant { get; }

    /// <inheritdoc/>
    public override string Name => Variant == ThetaVariant.Standard ? "Theta" : "OptimisedTheta";

    private protected override IFittedForecastModel FitCore(ReadOnlySpan<double> y)
    {
        var n = y.Length;
        if (n < 4)
        {
            return Naive.FitWalk(y, 1, "Naive", ForecastStatus.Fallback, "Theta needs at least 4 points; naive fallback");
        }
        var idx = Decomposition.MultiplicativeIndicesIfSeasonal(y, Season);
        var x = new double[n];
        for (var t = 0; t < n; t++)
        {
            x[t] = idx is null ? y[t] : y[t] / idx[t % Season];
        }
        // OLS line on t = 0..n-1.
        var (a, b) = LinearFit(x);
        double theta, alpha, lastLevel, sigma2;
        double[] fittedAdj;
        if (Variant == ThetaVariant.Standard)
        {
            var ses = Ses.Optimise(x);
            theta = 2;
            alpha = ses.Alpha;
            lastLevel = ses.Level;
            sigma2 = ses.Sigma2;
            fittedAdj = new double[n];
            for (var t = 0; t < n; t++)
            {
                fittedAdj[t] = ses.Fitted[t] + b / 2 * (t == 0 ? 0 : (t - 1) + (1 - Math.Pow(1 - alpha, t)) / alpha);
            }
        }
        else
        {
            var scale = Math.Max(1e-9, Ses.Spread(x));
            double Mse(double[] p)
            {
                var th = 1 + 9 * NelderMead.Logistic(p[0]);
                var al = 1e-3 + (1 - 2e-3) * NelderMead.Logistic(p[1]);
                var l = th * x[0] + (1 - th) * a + p[2] * scale;
                var sse = 0.0;
                for (var t = 0; t < n; t++)
                {
                    var z = th * x[t] + (1 - th) * (a + b * t);
                    var f = l / th + (1 - 1 / th) * (a + b * t);
                    var e = x[t] - f;
                    sse += e * e;
                    l += al * (z - l);
                }
                return sse / n;
            }
            var (p, _) = NelderMead.Minimize(Mse, [NelderMead.Logit(1.0 / 9), 0, 0], 1.0, 600, 1e-10);
            theta = 1 + 9 * NelderMead.Logistic(p[0]);
            alpha = 1e-3 + (1 - 2e-3) * NelderMead.Logistic(p[1]);
            var level = theta * x[0] + (1 - theta) * a + p[2] * scale;
            fittedAdj = new double[n];
            var sse2 = 0.0;
            for (var t = 0; t < n; t++)
            {
                var z = theta * x[t] + (1 - theta) * (a + b * t);
                fittedAdj[t] = level / theta + (1 - 1 / theta) * (a + b * t);
                var e = x[t] - fittedAdj[t];
                sse2 += e * e;
                level += alpha * (z - level);
            }
            lastLevel = level;
            sigma2 = sse2 / n;
        }
        var fitted = new double[n];
        for (var t = 0; t < n; t++)
        {
            fitted[t] = idx is null ? fittedAdj[t] : fittedAdj[t] * idx[t % Season];
        }
        return new Fitted(Name, fitted, Variant, theta, alpha, lastLevel, a, b, Math.Sqrt(sigma2), idx, n, Season);
    }

    internal static (double A, double B) LinearFit(ReadOnlySpan<double> x)
    {
        var n = x.Length;
        var tm = (n - 1) / 2.0;
        var xm = 0.0;
        foreach (var v in x)
        {
            xm += v;
        }
        xm /= n;
        double sxy = 0, sxx = 0;
        for (var t = 0; t < n; t++)
        {
            sxy += (t - tm) * (x[t] - xm);
            sxx += (t - tm) * (t - tm);
        }
        var b = sxx > 0 ? sxy / sxx : 0;
        return (xm - b * tm, b);
    }

    private sealed class Fitted(
        string name, double[] fitted, ThetaVariant variant, double theta, double alpha, double level, double a, double b,
        double sigma, double[]? idx, int n, int m)
        : FittedModel(name, ForecastStatus.Ok, null, fitted)
    {
        protected override ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels)
        {
            var mean = new double[horizon];
            var sd = new double[horizon];
            for (var h = 0; h < horizon; h++)
            {
                double f;
                if (variant == ThetaVariant.Standard)
                {
                    f = level + b / 2 * (h + (1 - Math.Pow(1 - alpha, n)) / alpha);
                }
                else
                {
                    f = level / theta + (1 - 1 / theta) * (a + b * (n + h));
                }
                var s = idx is null ? 1 : idx[(n + h) % m];
                mean[h] = f * s;
                sd[h] = sigma * Math.Sqrt(1 + alpha * alpha * h) * s;
            }
            return ForecastOutput.Gaussian(Name, mean, sd, levels, (double[])FittedValues.Clone());
        }
    }
}

/// <summary>Which Theta method.</summary>
public enum ThetaVariant
{
    /// <summary>θ = 2: SES with half the linear drift (the M3/M4 Theta benchmark).</summary>
    Standard,

    /// <summary>θ optimised (Fiorucci et al. 2016).</summary>
    Optimised,
}
