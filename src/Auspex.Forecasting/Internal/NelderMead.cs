namespace Auspex.Forecasting.Internal;

/// <summary>Nelder–Mead simplex minimiser for small unconstrained problems (bounds are handled by reparametrisation).</summary>
internal static class NelderMead
{
    public static (double[] X, double F) Minimize(Func<double[], double> f, double[] x0, double step = 0.5, int maxEval = 400, double tol = 1e-8)
    {
        var n = x0.Length;
        if (n == 0)
        {
            return ([], f([]));
        }
        var simplex = new double[n + 1][];
        var values = new double[n + 1];
        simplex[0] = (double[])x0.Clone();
        values[0] = Safe(f(simplex[0]));
        for (var i = 0; i < n; i++)
        {
            var p = (double[])x0.Clone();
            p[i] += step;
            simplex[i + 1] = p;
            values[i + 1] = Safe(f(p));
        }
        var evals = n + 1;
        var centroid = new double[n];
        var trial = new double[n];
        var trial2 = new double[n];
        while (evals < maxEval)
        {
            // Order: best first.
            Array.Sort(values, simplex);
            if (Math.Abs(values[n] - values[0]) <= tol * (Math.Abs(values[0]) + tol))
            {
                break;
            }
            Array.Clear(centroid);
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    centroid[j] += simplex[i][j] / n;
                }
            }
            for (var j = 0; j < n; j++)
            {
                trial[j] = centroid[j] + (centroid[j] - simplex[n][j]);
            }
            var fr = Safe(f(trial));
            evals++;
            if (fr < values[0])
            {
                for (var j = 0; j < n; j++)
                {
                    trial2[j] = centroid[j] + 2 * (centroid[j] - simplex[n][j]);
                }
                var fe = Safe(f(trial2));
                evals++;
                if (fe < fr)
                {
                    Array.Copy(trial2, simplex[n], n);
                    values[n] = fe;
                }
                else
                {
                    Array.Copy(trial, simplex[n], n);
                    values[n] = fr;
                }
            }
            else if (fr < values[n - 1])
            {
                Array.Copy(trial, simplex[n], n);
                values[n] = fr;
            }
            else
            {
                var outside = fr < values[n];
                for (var j = 0; j < n; j++)
                {
                    trial2[j] = outside ? centroid[j] + 0.5 * (trial[j] - centroid[j]) : centroid[j] + 0.5 * (simplex[n][j] - centroid[j]);
                }
                var fc = Safe(f(trial2));
                evals++;
                if (fc < Math.Min(fr, values[n]))
                {
                    Array.Copy(trial2, simplex[n], n);
                    values[n] = fc;
                }
                else
                {
                    // Shrink towards the best.
                    for (var i = 1; i <= n; i++)
                    {
                        for (var j = 0; j < n; j++)
                        {
                            simplex[i][j] = simplex[0][j] + 0.5 * (simplex[i][j] - simplex[0][j]);
                        }
                        values[i] = Safe(f(simplex[i]));
                        evals++;
                    }
                }
            }
        }
        Array.Sort(values, simplex);
        return (simplex[0], values[0]);
    }

    private static double Safe(double v) => double.IsNaN(v) ? double.MaxValue : v;

    public static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    public static double Logit(double p)
    {
        p = Math.Clamp(p, 1e-6, 1 - 1e-6);
        return Math.Log(p / (1 - p));
    }
}
