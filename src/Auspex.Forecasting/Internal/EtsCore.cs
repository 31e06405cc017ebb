using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Internal;

/// <summary>
/// ETS state-space recursions (Hyndman, Koehler, Ord &amp; Snyder 2008) in error-correction form, estimation by
/// maximum likelihood over the smoothing parameters and initial level/trend within the usual bounds, and forecasts.
/// </summary>
internal sealed class EtsCore
{
    public EtsSpec Spec { get; }
    public int M { get; }
    public double Alpha { get; private set; }
    public double Beta { get; private set; }
    public double Gamma { get; private set; }
    public double Phi { get; private set; } = 1;
    public double Level { get; private set; }
    public double Slope { get; private set; }
    public double[] SeasonState { get; private set; } = [];
    public int SeasonPhase { get; private set; }
    public double Sigma2 { get; private set; }
    public double Lik { get; private set; }
    public double Aicc { get; private set; }
    public double[] Fitted { get; private set; } = [];
    public int N { get; private set; }

    private EtsCore(EtsSpec spec, int m)
    {
        Spec = spec;
        M = m;
    }

    private bool Trend => Spec.Trend != EtsTrend.None;
    private bool Seasonal => Spec.Season != EtsSeason.None;

    /// <summary>Fits one specification; returns null when it is not applicable or the optimum is not finite.</summary>
    public static EtsCore? Fit(ReadOnlySpan<double> y, EtsSpec spec, int m)
    {
        var seasonal = spec.Season != EtsSeason.None;
        if (seasonal && (m < 2 || y.Length < 2 * m + 2))
        {
            return null;
        }
        if (!seasonal && spec.Trend == EtsTrend.None && y.Length < 3)
        {
            return null;
        }
        if (spec.Trend != EtsTrend.None && y.Length < (seasonal ? 2 * m + 4 : 6))
        {
            return null;
        }
        var model = new EtsCore(spec, seasonal ? m : 1);
        return model.Estimate(y.ToArray()) ? model : null;
    }

    /// <summary>
    /// The state-space update: continues this fit's recursion over the last <paramref name="advanced"/> values of
    /// <paramref name="y"/> (the observations that arrived after the fitted window), keeping the estimated parameters.
    /// Exactly the state a fit with the same parameters would reach on the extended series. Null when a
    /// multiplicative component meets a non-positive value.
    /// </summary>
    public EtsCore? Continue(ReadOnlySpan<double> y, int advanced)
    {
        if (advanced < 1 || advanced > y.Length)
        {
            return null;
        }
        var next = new EtsCore(Spec, M)
        {
            Alpha = Alpha, Beta = Beta, Gamma = Gamma, Phi = Phi, Sigma2 = Sigma2, Lik = Lik, Aicc = Aicc, N = N + advanced,
        };
        var s = (double[])SeasonState.Clone();
        var l = Level;
        var b = Slope;
        var fitted = new double[y.Length];
        var keep = y.Length - advanced;
        for (var t = 0; t < keep; t++)
        {
            var old = Fitted.Length - keep + t;
            fitted[t] = old >= 0 ? Fitted[old] : double.NaN;
        }
        var season = Spec.Season;
        var multErr = Spec.Error == EtsError.Multiplicative;
        for (var i = 0; i < advanced; i++)
        {
            var j = (SeasonPhase + i) % M;
            var trendPart = l + Phi * b;
            var si = season == EtsSeason.None ? 0 : s[j];
            var mu = season switch
            {
                EtsSeason.None => trendPart,
                EtsSeason.Additive => trendPart + si,
                _ => trendPart * si,
            };
            if ((multErr || season == EtsSeason.Multiplicative) && (!(mu > 1e-10) || (season == EtsSeason.Multiplicative && !(trendPart > 1e-10))))
            {
                return null;
            }
            fitted[keep + i] = mu;
            var err = y[keep + i] - mu;
            var delta = season == EtsSeason.Multiplicative ? err / si : err;
            var lNew = trendPart + Alpha * delta;
            b = Phi * b + Beta * delta;
            if (season == EtsSeason.Additive)
            {
                s[j] = si + Gamma * err;
            }
            else if (season == EtsSeason.Multiplicative)
            {
                s[j] = si + Gamma * err / trendPart;
            }
            l = lNew;
            if (!double.IsFinite(l))
            {
                return null;
            }
        }
        next.Level = l;
        next.Slope = b;
        next.SeasonState = s;
        next.SeasonPhase = (SeasonPhase + advanced) % M;
        next.Fitted = fitted;
        return next;
    }

    private (double[] S0, double L0, double B0) Initial(double[] y)
    {
        var n = y.Length;
        var mult = Spec.Season == EtsSeason.Multiplicative;
        // Initial seasonal states from a classical decomposition of the first few seasons, level and slope from a
        // regression on the first deseasonalised points (as Hyndman et al. 2008, §2.6.1).
        var s0 = Seasonal ? Decomposition.SeasonalIndices(y, M, mult) : [];
        var k = Math.Min(n, Math.Max(10, Seasonal ? 2 * M : 10));
        var ds = new double[k];
        for (var t = 0; t < k; t++)
        {
            ds[t] = !Seasonal ? y[t] : mult ? y[t] / s0[t % M] : y[t] - s0[t % M];
        }
        var (a, b) = Models.Theta.LinearFit(ds);
        var l0 = Trend ? a - b : ds.Take(Math.Min(k, Seasonal ? M : 5)).Average();
        var b0 = Trend ? b : 0;
        return (s0, l0, b0);
    }

    private bool Estimate(double[] y)
    {
        var n = y.Length;
        N = n;
        var (s0, l0, b0) = Initial(y);
        var scale = Math.Max(Ses.Spread(y) / 10, 1e-8);
        var bScale = Math.Max(Math.Abs(b0), scale / Math.Max(10, n / 10.0));
        var damped = Spec.Trend == EtsTrend.Damped;

        var x0 = new List<double> { NelderMead.Logit(0.3) };
        if (Trend)
        {
            x0.Add(NelderMead.Logit(0.1));
        }
        if (Seasonal)
        {
            x0.Add(NelderMead.Logit(0.1));
        }
        if (damped)
        {
            x0.Add(0);
        }
        x0.Add(0);
        if (Trend)
        {
            x0.Add(0);
        }

        double Objective(double[] p)
        {
            Unpack(p, l0, b0, scale, bScale, out var al, out var be, out var ga, out var ph, out var l, out var bb);
            return Run(y, al, be, ga, ph, l, bb, s0, null);
        }

        var maxEval = 150 * x0.Count;
        var (best, fbest) = NelderMead.Minimize(Objective, [.. x0], 1.0, maxEval, 1e-9);
        // One restart from the optimum: Nelder–Mead stalls on these surfaces.
        (best, fbest) = NelderMead.Minimize(Objective, best, 0.3, maxEval, 1e-10);
        if (!double.IsFinite(fbest) || fbest >= 1e300)
        {
            return false;
        }
        Unpack(best, l0, b0, scale, bScale, out var alpha, out var beta, out var gamma, out var phi, out var level, out var slope);
        Alpha = alpha;
        Beta = beta;
        Gamma = gamma;
        Phi = phi;
        Fitted = new double[n];
        Lik = Run(y, alpha, beta, gamma, phi, level, slope, s0, this);
        // Parameters: smoothing + initial states (m-1 free seasonal) + σ.
        var np = 1 + (Trend ? 2 : 0) + (Seasonal ? 1 + (M - 1) : 0) + (damped ? 1 : 0) + 1 + 1;
        Aicc = Lik + 2 * np + (n - np - 1 > 0 ? 2.0 * np * (np + 1) / (n - np - 1) : double.PositiveInfinity);
        return double.IsFinite(Lik);
    }

    private void Unpack(double[] p, double l0, double b0, double scale, double bScale,
        out double alpha, out double beta, out double gamma, out double phi, out double level, out double slope)
    {
        var i = 0;
        const double eps = 1e-4;
        alpha = eps + (1 - 2 * eps) * NelderMead.Logistic(p[i++]);
        beta = Trend ? eps + (alpha - 2 * eps) * NelderMead.Logistic(p[i++]) : 0;
        gamma = Seasonal ? eps + (1 - alpha - 2 * eps) * NelderMead.Logistic(p[i++]) : 0;
        phi = Spec.Trend == EtsTrend.Damped ? 0.8 + 0.18 * NelderMead.Logistic(p[i++]) : 1;
        level = l0 + p[i++] * scale;
        slope = Trend ? b0 + p[i] * bScale : 0;
    }

    /// <summary>Runs the recursion; returns the −2·log-likelihood (up to a constant). Stores states when <paramref name="keep"/> is set.</summary>
    private double Run(double[] y, double alpha, double beta, double gamma, double phi, double l, double b, double[] s0, EtsCore? keep)
    {
        var n = y.Length;
        var m = M;
        Span<double> s = m <= 256 ? stackalloc double[m] : new double[m];
        if (Seasonal)
        {
            s0.CopyTo(s);
        }
        var multErr = Spec.Error == EtsError.Multiplicative;
        var season = Spec.Season;
        var sse = 0.0;
        var sumLog = 0.0;
        for (var t = 0; t < n; t++)
        {
            var j = t % m;
            var trendPart = l + phi * b;
            var si = season == EtsSeason.None ? 0 : s[j];
            var mu = season switch
            {
                EtsSeason.None => trendPart,
                EtsSeason.Additive => trendPart + si,
                _ => trendPart * si,
            };
            if (multErr || season == EtsSeason.Multiplicative)
            {
                if (!(mu > 1e-10) || (season == EtsSeason.Multiplicative && !(trendPart > 1e-10)))
                {
                    return 1e300;
                }
            }
            if (keep is not null)
            {
                keep.Fitted[t] = mu;
            }
            var err = y[t] - mu;
            if (multErr)
            {
                var rel = err / mu;
                sse += rel * rel;
                sumLog += Math.Log(mu);
            }
            else
            {
                sse += err * err;
            }
            var delta = season == EtsSeason.Multiplicative ? err / si : err;
            var lNew = trendPart + alpha * delta;
            b = phi * b + beta * delta;
            if (season == EtsSeason.Additive)
            {
                s[j] = si + gamma * err;
            }
            else if (season == EtsSeason.Multiplicative)
            {
                s[j] = si + gamma * err / trendPart;
            }
            l = lNew;
            if (!double.IsFinite(l))
            {
                return 1e300;
            }
        }
        if (!(sse > 0))
        {
            sse = 1e-300;
        }
        var lik = n * Math.Log(sse / n) + 2 * sumLog;
        if (keep is not null)
        {
            keep.Level = l;
            keep.Slope = b;
            keep.SeasonState = s.ToArray();
            keep.SeasonPhase = n % m;
            keep.Sigma2 = sse / n;
        }
        return lik;
    }

    /// <summary>Point forecasts h = 1..horizon.</summary>
    public double[] PointForecast(int horizon)
    {
        var f = new double[horizon];
        var damp = 0.0;
        var pw = 1.0;
        for (var h = 1; h <= horizon; h++)
        {
            pw *= Phi;
            damp += pw;
            var trend = Level + (Spec.Trend == EtsTrend.None ? 0 : Spec.Trend == EtsTrend.Additive ? h * Slope : damp * Slope);
            f[h - 1] = Spec.Season switch
            {
                EtsSeason.None => trend,
                EtsSeason.Additive => trend + SeasonState[(SeasonPhase + h - 1) % M],
                _ => trend * SeasonState[(SeasonPhase + h - 1) % M],
            };
        }
        return f;
    }

    /// <summary>True for the linear homoscedastic class (additive error, no multiplicative season): analytic variances.</summary>
    public bool HasAnalyticVariance => Spec.Error == EtsError.Additive && Spec.Season != EtsSeason.Multiplicative;

    /// <summary>Forecast variance for class-1 models: σ²[1 + Σ_{j&lt;h} c_j²] (Hyndman et al. 2008, Table 6.1).</summary>
    public double[] AnalyticStdDev(int horizon)
    {
        var sd = new double[horizon];
        var sum = 0.0;
        var phiSum = 0.0;
        var pw = 1.0;
        for (var h = 1; h <= horizon; h++)
        {
            sd[h - 1] = Math.Sqrt(Sigma2 * (1 + sum));
            var j = h;
            pw *= Phi;
            phiSum += pw;
            var trendTerm = Spec.Trend switch { EtsTrend.None => 0, EtsTrend.Additive => j, _ => phiSum };
            var c = Alpha + Beta * trendTerm + (Spec.Season != EtsSeason.None && j % M == 0 ? Gamma : 0);
            sum += c * c;
        }
        return sd;
    }

    /// <summary>Simulated sample paths (seeded) for models without closed-form variances; [path][step].</summary>
    public double[][] Simulate(int horizon, int paths, int seed)
    {
        var rng = new Random(seed);
        var sigma = Math.Sqrt(Sigma2);
        var result = new double[paths][];
        var s = new double[M];
        for (var p = 0; p < paths; p++)
        {
            var l = Level;
            var b = Slope;
            Array.Copy(SeasonState, s, M);
            var path = new double[horizon];
            for (var h = 0; h < horizon; h++)
            {
                var j = (SeasonPhase + h) % M;
                var trendPart = l + Phi * b;
                var si = Spec.Season == EtsSeason.None ? 0 : s[j];
                var mu = Spec.Season switch
                {
                    EtsSeason.None => trendPart,
                    EtsSeason.Additive => trendPart + si,
                    _ => trendPart * si,
                };
                var z = Normal(rng) * sigma;
                var err = Spec.Error == EtsError.Multiplicative ? mu * z : z;
                var yv = mu + err;
                path[h] = yv;
                var delta = Spec.Season == EtsSeason.Multiplicative ? err / si : err;
                var lNew = trendPart + Alpha * delta;
                b = Phi * b + Beta * delta;
                if (Spec.Season == EtsSeason.Additive)
                {
                    s[j] = si + Gamma * err;
                }
                else if (Spec.Season == EtsSeason.Multiplicative)
                {
                    s[j] = si + Gamma * err / trendPart;
                }
                l = lNew;
            }
            result[p] = path;
        }
        return result;
    }

    internal static double Normal(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
