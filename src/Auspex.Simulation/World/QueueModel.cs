namespace Auspex.Simulation.World;

/// <summary>
/// The M/G/c queue that turns load into latency. Each replica runs <c>workers</c> servers of mean service time
/// <c>s</c>; <c>c</c> = replicas × workers. The probability of waiting is Erlang C (from the numerically stable Erlang B
/// recurrence); the waiting-time tail is exponential, P(W &gt; t) = C·exp(−(cμ − λ)t), which is exact for M/M/c; for
/// general service times the wait is scaled by (1 + cv²)/2 (the Allen–Cunneen approximation). The p99 response time is
/// the p99 wait plus the p99 service time (an upper bound of the true sojourn quantile).
/// </summary>
public static class QueueModel
{
    /// <summary>Erlang C: the probability an arrival waits, for <paramref name="servers"/> servers and offered load <paramref name="erlangs"/> = λ/μ.</summary>
    public static double ErlangC(int servers, double erlangs)
    {
        if (servers <= 0)
        {
            return 1;
        }
        if (erlangs <= 0)
        {
            return 0;
        }
        var rho = erlangs / servers;
        if (rho >= 1)
        {
            return 1;
        }
        var b = 1.0;
        for (var k = 1; k <= servers; k++)
        {
            b = erlangs * b / (k + erlangs * b);
        }
        return b / (1 - rho * (1 - b));
    }

    /// <summary>
    /// The <paramref name="quantile"/> of the response time (seconds) for arrival rate <paramref name="lambda"/> (per
    /// second) on <paramref name="servers"/> servers of mean service time <paramref name="serviceSeconds"/> and
    /// service-time coefficient of variation <paramref name="serviceCv"/>. Infinity when λ ≥ cμ.
    /// </summary>
    public static double ResponseQuantile(double lambda, int servers, double serviceSeconds, double serviceCv = 1, double quantile = 0.99)
    {
        var mu = 1 / serviceSeconds;
        if (lambda <= 0)
        {
            return ServiceQuantile(serviceSeconds, quantile);
        }
        var capacity = servers * mu;
        if (servers <= 0 || lambda >= capacity)
        {
            return double.PositiveInfinity;
        }
        var c = ErlangC(servers, lambda / mu);
        var tail = 1 - quantile;
        var wait = c <= tail ? 0 : Math.Log(c / tail) / (capacity - lambda) * (1 + serviceCv * serviceCv) / 2;
        return wait + ServiceQuantile(serviceSeconds, quantile);
    }

    /// <summary>The smallest number of servers whose <paramref name="quantile"/> response time is at most <paramref name="targetSeconds"/>, or null when no number can (the service time alone exceeds the target).</summary>
    public static int? ServersFor(double lambda, double serviceSeconds, double serviceCv, double quantile, double targetSeconds, int limit = 1_000_000)
    {
        if (ServiceQuantile(serviceSeconds, quantile) > targetSeconds)
        {
            return null;
        }
        var lo = Math.Max(1, (int)Math.Floor(lambda * serviceSeconds));
        // Exponential search then bisection: the response quantile falls as servers grow.
        var hi = lo;
        while (ResponseQuantile(lambda, hi, serviceSeconds, serviceCv, quantile) > targetSeconds)
        {
            lo = hi;
            hi = Math.Min(limit, Math.Max(hi + 1, hi * 2));
            if (hi >= limit)
            {
                return limit;
            }
        }
        while (lo < hi)
        {
            var mid = lo + (hi - lo) / 2;
            if (ResponseQuantile(lambda, mid, serviceSeconds, serviceCv, quantile) <= targetSeconds)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        return hi;
    }

    /// <summary>The quantile of an exponential service time of mean <paramref name="serviceSeconds"/>.</summary>
    public static double ServiceQuantile(double serviceSeconds, double quantile) => -Math.Log(1 - quantile) * serviceSeconds;
}
