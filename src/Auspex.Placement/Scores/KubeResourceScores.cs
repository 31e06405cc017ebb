namespace Auspex.Placement.Scores;

/// <summary>
/// kube-scheduler's resource scoring formulas (pkg/scheduler/framework/plugins/noderesources), on doubles with the
/// same integer truncation. Inputs are per resource: requested (including the incoming pod), allocatable, weight.
/// </summary>
public static class KubeResourceScores
{
    /// <summary>
    /// LeastAllocated: per resource ⌊(allocatable − requested) · 100 / allocatable⌋ (0 when allocatable is 0 or
    /// requested exceeds it), then ⌊Σ wᵣ·sᵣ / Σ wᵣ⌋; 0 when the weights sum to 0.
    /// </summary>
    public static double LeastAllocated(ReadOnlySpan<double> requested, ReadOnlySpan<double> allocatable, ReadOnlySpan<double> weights)
    {
        double sum = 0, wsum = 0;
        for (var i = 0; i < requested.Length; i++)
        {
            var a = allocatable[i];
            var s = a <= 0 || requested[i] > a ? 0 : Math.Floor((a - requested[i]) * 100 / a);
            sum += weights[i] * s;
            wsum += weights[i];
        }
        return wsum <= 0 ? 0 : Math.Floor(sum / wsum);
    }

    /// <summary>
    /// BalancedAllocation: fractions fᵣ = min(requested / allocatable, 1) over resources with allocatable &gt; 0;
    /// std = |f₁ − f₂| / 2 for two resources, the population standard deviation for more, 0 otherwise;
    /// score ⌊(1 − std) · 100⌋.
    /// </summary>
    public static double BalancedAllocation(ReadOnlySpan<double> requested, ReadOnlySpan<double> allocatable)
    {
        Span<double> f = stackalloc double[requested.Length];
        var n = 0;
        for (var i = 0; i < requested.Length; i++)
        {
            if (allocatable[i] > 0)
            {
                f[n++] = Math.Min(requested[i] / allocatable[i], 1);
            }
        }
        double std;
        if (n == 2)
        {
            std = Math.Abs(f[0] - f[1]) / 2;
        }
        else if (n > 2)
        {
            var mean = 0.0;
            for (var i = 0; i < n; i++)
            {
                mean += f[i];
            }
            mean /= n;
            var var2 = 0.0;
            for (var i = 0; i < n; i++)
            {
                var2 += (f[i] - mean) * (f[i] - mean);
            }
            std = Math.Sqrt(var2 / n);
        }
        else
        {
            std = 0;
        }
        return Math.Floor((1 - std) * 100);
    }
}
