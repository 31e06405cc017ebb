namespace Auspex.Forecasting.Internal;

/// <summary>Small dense linear algebra: Cholesky solve of symmetric positive definite systems.</summary>
internal static class LinearAlgebra
{
    /// <summary>Solves A·X = B in place for SPD A (p×p, row-major) and B (p×k, row-major); returns false if not SPD.</summary>
    public static bool CholeskySolve(double[] a, int p, double[] b, int k)
    {
        for (var j = 0; j < p; j++)
        {
            var d = a[j * p + j];
            for (var s = 0; s < j; s++)
            {
                d -= a[j * p + s] * a[j * p + s];
            }
            if (!(d > 0))
            {
                return false;
            }
            d = Math.Sqrt(d);
            a[j * p + j] = d;
            for (var i = j + 1; i < p; i++)
            {
                var v = a[i * p + j];
                for (var s = 0; s < j; s++)
                {
                    v -= a[i * p + s] * a[j * p + s];
                }
                a[i * p + j] = v / d;
            }
        }
        for (var c = 0; c < k; c++)
        {
            // Forward: L z = b
            for (var i = 0; i < p; i++)
            {
                var v = b[i * k + c];
                for (var s = 0; s < i; s++)
                {
                    v -= a[i * p + s] * b[s * k + c];
                }
                b[i * k + c] = v / a[i * p + i];
            }
            // Backward: Lᵀ x = z
            for (var i = p - 1; i >= 0; i--)
            {
                var v = b[i * k + c];
                for (var s = i + 1; s < p; s++)
                {
                    v -= a[s * p + i] * b[s * k + c];
                }
                b[i * k + c] = v / a[i * p + i];
            }
        }
        return true;
    }
}
