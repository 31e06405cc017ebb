namespace Auspex.Forecasting.Internal;

/// <summary>Order of a seasonal ARIMA(p,d,q)(P,D,Q)m model, with or without a constant (mean, or drift when d+D = 1).</summary>
internal readonly record struct ArimaOrder(int P, int D, int Q, int SP, int SD, int SQ, int M, bool Constant)
{
    public int Params => P + Q + SP + SQ + (Constant ? 1 : 0);

    public override string ToString() =>
        M > 1 && (SP + SD + SQ) > 0
            ? $"ARIMA({P},{D},{Q})({SP},{SD},{SQ})[{M}]{(Constant ? (D + SD == 1 ? " with drift" : " with mean") : "")}"
            : $"ARIMA({P},{D},{Q}){(Constant ? (D + SD == 1 ? " with drift" : " with mean") : "")}";
}

/// <summary>
/// Seasonal ARIMA estimated by conditional sum of squares (Box–Jenkins CSS) with stationarity and invertibility enforced
/// through the Durbin–Levinson step-down test; forecasts by the difference-equation form and ψ-weight variances.
/// </summary>
internal sealed class ArimaCore
{
    private ArimaCore(ArimaOrder order) => Order = order;

    public ArimaOrder Order { get; }
    public double[] Ar { get; private set; } = []; // expanded φ(B)Φ(B^m): w_t = Σ Ar[i] w_{t-1-i} + ...
    public double[] Ma { get; private set; } = []; // expanded θ(B)Θ(B^m)
    public double Mean { get; private set; }
    public double Sigma2 { get; private set; }
    public double Aicc { get; private set; }
    public double[] Residuals { get; private set; } = []; // on the differenced scale, aligned with w
    private double[] _w = [];

    public static double[] Difference(ReadOnlySpan<double> y, int d, int sd, int m)
    {
        var w = y.ToArray();
        for (var i = 0; i < sd; i++)
        {
            w = w.Length > m ? Enumerable.Range(m, w.Length - m).Select(t => w[t] - w[t - m]).ToArray() : [];
        }
        for (var i = 0; i < d; i++)
        {
            w = w.Length > 1 ? Enumerable.Range(1, w.Length - 1).Select(t => w[t] - w[t - 1]).ToArray() : [];
        }
        return w;
    }

    public static ArimaCore? Fit(ReadOnlySpan<double> y, ArimaOrder order)
    {
        var w = Difference(y, order.D, order.SD, order.M);
        var pStar = order.P + order.SP * order.M;
        var qStar = order.Q + order.SQ * order.M;
        if (w.Length < pStar + order.Params + 10)
        {
            return null;
        }
        var model = new ArimaCore(order) { _w = w };
        var mean = order.Constant ? w.Average() : 0;
        var sd = Math.Sqrt(w.Select(v => (v - mean) * (v - mean)).Average());
        var scale = sd > 0 ? sd : 1;
        var k = order.P + order.Q + order.SP + order.SQ;
        var x0 = new double[k + (order.Constant ? 1 : 0)];
        var e = new double[w.Length];
        double Objective(double[] p)
        {
            var (ar, ma, mu) = model.Expand(p, mean, scale);
            if (!Stationary(ar) || !Stationary(ma.Select(v => -v).ToArray()))
            {
                return 1e300;
            }
            return Css(w, ar, ma, mu, e, pStar);
        }
        var (best, f) = NelderMead.Minimize(Objective, x0, 0.1, 200 + 100 * x0.Length, 1e-10);
        if (x0.Length > 1)
        {
            (best, f) = NelderMead.Minimize(Objective, best, 0.05, 200 + 100 * x0.Length, 1e-12);
        }
        if (!(f < 1e299))
        {
            return null;
        }
        var (arF, maF, muF) = model.Expand(best, mean, scale);
        model.Ar = arF;
        model.Ma = maF;
        model.Mean = muF;
        var sse = Css(w, arF, maF, muF, e, pStar);
        var nEff = w.Length - pStar;
        model.Sigma2 = sse / nEff;
        model.Residuals = (double[])e.Clone();
        var np = order.Params + 1;
        var loglik = -0.5 * nEff * (Math.Log(2 * Math.PI * Math.Max(model.Sigma2, 1e-300)) + 1);
        model.Aicc = -2 * loglik + 2 * np + (nEff - np - 1 > 0 ? 2.0 * np * (np + 1) / (nEff - np - 1) : double.PositiveInfinity);
        _ = qStar;
        return double.IsFinite(model.Aicc) ? model : null;
    }

    private (double[] Ar, double[] Ma, double Mu) Expand(double[] p, double mean, double scale)
    {
        var o = Order;
        var i = 0;
        var phi = p.AsSpan(i, o.P).ToArray();
        i += o.P;
        var theta = p.AsSpan(i, o.Q).ToArray();
        i += o.Q;
        var sphi = p.AsSpan(i, o.SP).ToArray();
        i += o.SP;
        var stheta = p.AsSpan(i, o.SQ).ToArray();
        i += o.SQ;
        var mu = o.Constant ? mean + p[i] * scale * 0.1 : 0;
        // (1 - Σφ B^i)(1 - ΣΦ B^{im}) = 1 - Σ ar_j B^j
        var ar = new double[o.P + o.SP * o.M];
        for (var a = 0; a < o.P; a++)
        {
            ar[a] += phi[a];
        }
        for (var s = 0; s < o.SP; s++)
        {
            ar[(s + 1) * o.M - 1] += sphi[s];
            for (var a = 0; a < o.P; a++)
            {
                ar[(s + 1) * o.M + a] -= phi[a] * sphi[s];
            }
        }
        // (1 + Σθ B^i)(1 + ΣΘ B^{im}) = 1 + Σ ma_j B^j
        var ma = new double[o.Q + o.SQ * o.M];
        for (var a = 0; a < o.Q; a++)
        {
            ma[a] += theta[a];
        }
        for (var s = 0; s < o.SQ; s++)
        {
            ma[(s + 1) * o.M - 1] += stheta[s];
            for (var a = 0; a < o.Q; a++)
            {
                ma[(s + 1) * o.M + a] += theta[a] * stheta[s];
            }
        }
        return (ar, ma, mu);
    }

    private static double Css(double[] w, double[] ar, double[] ma, double mu, double[] e, int start)
    {
        var sse = 0.0;
        for (var t = 0; t < w.Length; t++)
        {
            if (t < start)
            {
                e[t] = 0;
                continue;
            }
            var pred = mu;
            for (var i = 0; i < ar.Length; i++)
            {
                pred += ar[i] * (w[t - 1 - i] - mu);
            }
            for (var j = 0; j < ma.Length && j < t; j++)
            {
                pred += ma[j] * e[t - 1 - j];
            }
            var err = w[t] - pred;
            e[t] = err;
            sse += err * err;
            if (!double.IsFinite(sse))
            {
                return 1e300;
            }
        }
        return sse;
    }

    /// <summary>True when 1 - Σ c_i B^i has all roots outside the unit circle (Durbin–Levinson step-down: |pacf| &lt; 1).</summary>
    public static bool Stationary(double[] c)
    {
        var n = c.Length;
        while (n > 0 && c[n - 1] == 0)
        {
            n--;
        }
        if (n == 0)
        {
            return true;
        }
        var a = c.AsSpan(0, n).ToArray();
        for (var k = n; k >= 1; k--)
        {
            var kappa = a[k - 1];
            if (Math.Abs(kappa) >= 1 - 1e-6)
            {
                return false;
            }
            var denom = 1 - kappa * kappa;
            var next = new double[k - 1];
            for (var i = 0; i < k - 1; i++)
            {
                next[i] = (a[i] + kappa * a[k - 2 - i]) / denom;
            }
            a = next;
        }
        return true;
    }

    /// <summary>Forecasts y (original scale) and their standard deviations h = 1..horizon.</summary>
    public (double[] Mean, double[] Sd) Forecast(ReadOnlySpan<double> y, int horizon)
    {
        var o = Order;
        var w = _w;
        var n = w.Length;
        var wf = new double[n + horizon];
        Array.Copy(w, wf, n);
        var ef = new double[n + horizon];
        Array.Copy(Residuals, ef, n);
        for (var t = n; t < n + horizon; t++)
        {
            var pred = Mean;
            for (var i = 0; i < Ar.Length; i++)
            {
                pred += Ar[i] * (wf[t - 1 - i] - Mean);
            }
            for (var j = 0; j < Ma.Length; j++)
            {
                pred += Ma[j] * ef[t - 1 - j];
            }
            wf[t] = pred;
        }
        // Undifference: y_t = w_t + Σ δ_k y_{t-k} with 1 - Σ δ_k B^k = (1-B)^d (1-B^m)^D.
        var delta = DifferencePolynomial(o.D, o.SD, o.M);
        var len = y.Length;
        var yf = new double[len + horizon];
        y.CopyTo(yf);
        for (var hh = 0; hh < horizon; hh++)
        {
            var t = len + hh;
            var v = wf[n + hh];
            for (var k = 1; k < delta.Length; k++)
            {
                v += delta[k] * yf[t - k];
            }
            yf[t] = v;
        }
        // ψ-weights of the full model φ*(B)δ(B) ψ(B) = θ*(B).
        var fullAr = Multiply(Poly(Ar, negate: true), Poly(delta.Skip(1).ToArray(), negate: true));
        var psi = new double[horizon];
        psi[0] = 1;
        for (var j = 1; j < horizon; j++)
        {
            var v = j - 1 < Ma.Length ? Ma[j - 1] : 0;
            for (var i = 1; i < fullAr.Length && i <= j; i++)
            {
                v -= fullAr[i] * psi[j - i];
            }
            psi[j] = v;
        }
        var sd = new double[horizon];
        var cum = 0.0;
        for (var hh = 0; hh < horizon; hh++)
        {
            cum += psi[hh] * psi[hh];
            sd[hh] = Math.Sqrt(Sigma2 * cum);
        }
        return (yf[len..], sd);
    }

    /// <summary>In-sample one-step fitted values on the original scale (NaN where the differencing/CSS start has none).</summary>
    public double[] FittedValues(ReadOnlySpan<double> y)
    {
        var fitted = new double[y.Length];
        Array.Fill(fitted, double.NaN);
        var offset = y.Length - _w.Length;
        var start = Ar.Length;
        for (var t = start; t < _w.Length; t++)
        {
            fitted[offset + t] = y[offset + t] - Residuals[t];
        }
        return fitted;
    }

    // Coefficients δ_0..δ_K of (1-B)^d (1-B^m)^D written as 1 - Σ δ_k B^k (δ_0 unused = 1).
    private static double[] DifferencePolynomial(int d, int sd, int m)
    {
        double[] p = [1];
        for (var i = 0; i < d; i++)
        {
            p = Multiply(p, [1, -1]);
        }
        for (var i = 0; i < sd; i++)
        {
            var s = new double[m + 1];
            s[0] = 1;
            s[m] = -1;
            p = Multiply(p, s);
        }
        var delta = new double[p.Length];
        delta[0] = 1;
        for (var k = 1; k < p.Length; k++)
        {
            delta[k] = -p[k];
        }
        return delta;
    }

    // 1 - Σ c_i B^i as full coefficient vector [1, -c1, -c2, ...].
    private static double[] Poly(double[] c, bool negate)
    {
        var p = new double[c.Length + 1];
        p[0] = 1;
        for (var i = 0; i < c.Length; i++)
        {
            p[i + 1] = negate ? -c[i] : c[i];
        }
        return p;
    }

    private static double[] Multiply(double[] a, double[] b)
    {
        var r = new double[a.Length + b.Length - 1];
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = 0; j < b.Length; j++)
            {
                r[i + j] += a[i] * b[j];
            }
        }
        return r;
    }
}
