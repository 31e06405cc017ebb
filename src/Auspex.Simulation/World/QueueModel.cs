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
        if (lambda <= 0)
        {
            return 1;
        }
        // Walk up from the first stable server count, extending the Erlang B recurrence one server at a time
        // (O(servers) in all, instead of a fresh recurrence per candidate).
        var a = lambda * serviceSeconds;
        var n = Math.Max(1, (int)Math.Floor(a) + 1);
        var b = 1.0;
        for (var k = 1; k <= n; k++)
        {
            b = a * b / (k + a * b);
        }
        var tail = 1 - quantile;
        var service = ServiceQuantile(serviceSeconds, quantile);
        var factor = (1 + serviceCv * serviceCv) / 2;
        while (n < limit)
        {
            var rho = a / n;
            var c = b / (1 - rho * (1 - b));
            var wait = c <= tail ? 0 : Math.Log(c / tail) / (n / serviceSeconds - lambda) * factor;
            if (wait + service <= targetSeconds)
            {
                return n;
            }
            n++;
            b = a * b / (n + a * b);
        }
        return limit;
    }

    /// <summary>The quantile of an exponential service time of mean <paramref name="serviceSeconds"/>.</summary>
    public static double ServiceQuantile(double serviceSeconds, double quantile) => -Math.Log(1 - quantile) * serviceSeconds;
}
