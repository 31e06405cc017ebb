namespace Auspex.Anomalies.Internal;

/// <summary>Special functions the detectors need (no external numeric library).</summary>
internal static class MathUtil
{
    /// <summary>Complementary error function, |relative error| &lt; 1.2e-7 (Numerical Recipes erfcc).</summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1.0 / (1.0 + (0.5 * z));
        ReadOnlySpan<double> c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var poly = 0.0;
        for (var i = c.Length - 1; i >= 0; i--)
        {
            poly = c[i] + (t * poly);
        }
        var ans = t * Math.Exp((-z * z) + poly);
        return x >= 0 ? ans : 2.0 - ans;
    }

    /// <summary>Upper tail of the standard normal: P(Z &gt; z).</summary>
    public static double NormalTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>P(|Z| &lt; |z|) for a standard normal Z: 0 at z = 0, → 1 for large |z|.</summary>
    public static double TwoSidedConfidence(double z) => 1 - Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos approximation).</summary>
    public static double LogGamma(double x)
    {
        ReadOnlySpan<double> c = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];
        var y = x;
        var tmp = x + 5.5;
        tmp -= (x + 0.5) * Math.Log(tmp);
        var ser = 1.000000000190015;
        for (var j = 0; j < c.Length; j++)
        {
            ser += c[j] / ++y;
        }
        return -tmp + Math.Log(2.5066282746310005 * ser / x);
    }

    /// <summary>Regularised lower incomplete gamma P(a, x): the chi-square CDF is P(k/2, x/2).</summary>
    public static double GammaP(double a, double x)
    {
        if (x <= 0)
        {
            return 0;
        }
        if (x < a + 1)
        {
            double sum = 1.0 / a, del = sum, ap = a;
            for (var n = 0; n < 500; n++)
            {
                ap++;
                del *= x / ap;
                sum += del;
                if (Math.Abs(del) < Math.Abs(sum) * 1e-14)
                {
                    break;
                }
            }
            return Math.Min(1, sum * Math.Exp(-x + (a * Math.Log(x)) - LogGamma(a)));
        }
        // continued fraction for Q(a, x)
        double b = x + 1 - a, c = 1.0 / 1e-300, d = 1.0 / b, h = d;
        for (var i = 1; i < 500; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            if (Math.Abs(d) < 1e-300)
            {
                d = 1e-300;
            }
            c = b + (an / c);
            if (Math.Abs(c) < 1e-300)
            {
                c = 1e-300;
            }
            d = 1 / d;
            var del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < 1e-14)
            {
                break;
            }
        }
        return Math.Max(0, 1 - (Math.Exp(-x + (a * Math.Log(x)) - LogGamma(a)) * h));
    }

    /// <summary>Scale of the surprise-to-score map: a surprise of this many nats (p ≈ 1e-4) scores 0.5.</summary>
    public const double HalfScoreSurprise = 9.210340371976184;

    /// <summary>−ln of the two-sided normal tail probability 2·Q(|z|), stable for any z.</summary>
    public static double SurpriseOfZ(double z)
    {
        var a = Math.Abs(z);
        if (a < 7)
        {
            return -Math.Log(Math.Max(Erfc(a / Math.Sqrt(2)), 1e-300));
        }
        // Mills ratio: Q(a) ≈ φ(a)/a · (1 − 1/a²)
        return (0.5 * a * a) + Math.Log(a * Math.Sqrt(2 * Math.PI)) - Math.Log(2) - Math.Log(1 - (1 / (a * a)));
    }

    /// <summary>Maps a surprise u ≥ 0 (nats) to a raw score u/(u + u½) in [0, 1): monotone, never saturates.</summary>
    public static double ScoreOfSurprise(double u) => u <= 0 || double.IsNaN(u) ? 0 : double.IsPositiveInfinity(u) ? 1 : u / (u + HalfScoreSurprise);

    /// <summary>Inverse of <see cref="ScoreOfSurprise"/>.</summary>
    public static double SurpriseOfScore(double s) => s <= 0 ? 0 : s >= 1 ? double.PositiveInfinity : HalfScoreSurprise * s / (1 - s);
}
