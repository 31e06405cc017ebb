namespace Auspex.Orchestration.Scaling;

/// <summary>
/// The probability that units on several tiers, each preempted independently, still cover a demand. Units of a tier
/// survive with probability s; survivors of a tier are Binomial(n, s). Exact with at most two preemptible tiers
/// (enumeration over the smaller one, capped at 4,096 joint terms); beyond that a normal approximation.
/// </summary>
internal static class CoverModel
{
    private const double Eps = 1e-9;

    /// <summary>P(Σ capacity × survivors ≥ demand).</summary>
    public static double Probability(ReadOnlySpan<TierSlot> slots, ReadOnlySpan<int> units, double demand)
    {
        if (demand <= Eps)
        {
            return 1;
        }
        double sure = 0;
        int first = -1, second = -1, preemptible = 0;
        double mean = 0, variance = 0;
        for (var i = 0; i < slots.Length; i++)
        {
            if (units[i] == 0)
            {
                continue;
            }
            var s = slots[i].Survival;
            var c = slots[i].Capacity;
            if (s >= 1)
            {
                sure += c * units[i];
                continue;
            }
            preemptible++;
            if (first < 0)
            {
                first = i;
            }
            else if (second < 0)
            {
                second = i;
            }
            mean += c * units[i] * s;
            variance += c * c * units[i] * s * (1 - s);
        }
        var rest = demand - sure;
        if (rest <= Eps)
        {
            return 1;
        }
        if (preemptible == 0)
        {
            return 0;
        }
        if (preemptible == 1)
        {
            return Tail(units[first], slots[first].Survival, Need(rest, slots[first].Capacity));
        }
        if (preemptible == 2 && (long)(units[first] + 1) * (units[second] + 1) <= 4096)
        {
            double p = 0;
            var n1 = units[first];
            var s1 = slots[first].Survival;
            var logRatio = Math.Log(s1 / (1 - s1));
            var logPmf = n1 * Math.Log(1 - s1);
            for (var k = 0; k <= n1; k++)
            {
                if (k > 0)
                {
                    logPmf += Math.Log((double)(n1 - k + 1) / k) + logRatio;
                }
                var left = rest - k * slots[first].Capacity;
                p += Math.Exp(logPmf) * (left <= Eps ? 1 : Tail(units[second], slots[second].Survival, Need(left, slots[second].Capacity)));
            }
            return Math.Clamp(p, 0, 1);
        }
        if (variance <= 0)
        {
            return mean + Eps >= rest ? 1 : 0;
        }
        return NormalCdf((mean - rest) / Math.Sqrt(variance));
    }

    /// <summary>Survivors needed to cover <paramref name="rest"/> with units of capacity <paramref name="capacity"/>.</summary>
    private static int Need(double rest, double capacity)
    {
        var k = Math.Ceiling(rest / capacity - Eps);
        return k > int.MaxValue ? int.MaxValue : (int)k;
    }

    /// <summary>P(Binomial(n, s) ≥ k), computed in log space so large n does not underflow.</summary>
    internal static double Tail(int n, double s, int k)
    {
        if (k <= 0)
        {
            return 1;
        }
        if (k > n)
        {
            return 0;
        }
        if (s >= 1)
        {
            return 1;
        }
        if (s <= 0)
        {
            return 0;
        }
        var logRatio = Math.Log(s / (1 - s));
        var logPmf = n * Math.Log(1 - s);
        double sum = 0;
        for (var i = 0; i <= n; i++)
        {
            if (i > 0)
            {
                logPmf += Math.Log((double)(n - i + 1) / i) + logRatio;
            }
            if (i >= k)
            {
                sum += Math.Exp(logPmf);
            }
        }
        return Math.Clamp(sum, 0, 1);
    }

    /// <summary>Standard normal CDF (Abramowitz and Stegun 7.1.26 on erf; absolute error below 1.5e-7).</summary>
    internal static double NormalCdf(double z)
    {
        var x = Math.Abs(z) / Math.Sqrt(2);
        var t = 1 / (1 + 0.3275911 * x);
        var erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}

/// <summary>One tier as the search sees it.</summary>
/// <param name="Key">Tier key.</param>
/// <param name="Capacity">Demand one unit serves (capacity per unit × performance factor).</param>
/// <param name="Survival">Probability a unit survives the exposure window.</param>
/// <param name="Price">Price per hour of a unit.</param>
/// <param name="ExpectedCost">Price plus the expected hourly cost of preemptions.</param>
/// <param name="Headroom">Units that may still be added.</param>
/// <param name="Lead">Provisioning lead time.</param>
/// <param name="Allowed">True when the component may add units here.</param>
internal readonly record struct TierSlot(string Key, double Capacity, double Survival, double Price, double ExpectedCost, int Headroom, TimeSpan Lead, bool Allowed)
{
    /// <summary>Expected cost per unit of demand served, the greedy order.</summary>
    public double CostPerCapacity => ExpectedCost / (Capacity * Math.Max(Survival, 1e-6));
}
