namespace Auspex.Simulation.Measures;

/// <summary>
/// Idealised causal bounds on slack (sessions 9 and 10, a bench measure, not a policy). Capacity for interval t is the
/// fewest servers meeting the SLO for a prediction made with what was seen up to interval t − h: a base (the load
/// seen at t − h, optionally × a seasonal profile ratio) × the q quantile of the ratios actual ÷ base of earlier
/// intervals. Session 10 adds the time of day: the quantile over earlier days' intervals at the same phase (± a
/// window), and the profile ratio P(t) ÷ P(t − h), P the mean of earlier days at that phase. No failures, no resize
/// rule, no backlog: optimistic for any policy holding the same information.
/// </summary>
public static class CausalBounds
{
    /// <summary>The ⌈p·n⌉-th smallest of <paramref name="sorted"/> (ascending); NaN when empty.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (p is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "quantile level must be in (0, 1]");
        }
        return sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Max(0, Math.Ceiling(p * sorted.Count) - 1))];
    }

    /// <summary>
    /// The level-only base: base[t] = rates[t − h] (NaN when t &lt; h, either interval is missing, or the seen load is 0).
    /// </summary>
    public static double[] SeenBase(double[] rates, bool[] missing, int h)
    {
        Check(rates, missing, h);
        var b = new double[rates.Length];
        for (var t = 0; t < rates.Length; t++)
        {
            b[t] = t < h || missing[t] || missing[t - h] || rates[t - h] <= 0 ? double.NaN : rates[t - h];
        }
        return b;
    }

    /// <summary>
    /// The seasonal-ratio base: base[t] = rates[t − h] × P(t) ÷ P(t − h), where P(j) is the mean of rates[j − d·perDay]
    /// over the earlier days d ≥ 1 on which both t − d·perDay and t − h − d·perDay have data (all seen by t − h, as
    /// perDay ≥ h). Falls back to the level-only base when no earlier day qualifies or a profile value is 0; NaN as
    /// <see cref="SeenBase"/>.
    /// </summary>
    public static double[] ProfileRatioBase(double[] rates, bool[] missing, int h, int perDay)
    {
        Check(rates, missing, h);
        if (perDay < h)
        {
            throw new ArgumentOutOfRangeException(nameof(perDay), perDay, $"intervals per day must be at least h = {h}");
        }
        var b = SeenBase(rates, missing, h);
        for (var t = 0; t < rates.Length; t++)
        {
            if (double.IsNaN(b[t]))
            {
                continue;
            }
            double now = 0, then = 0;
            var days = 0;
            for (var j = t - perDay; j - h >= 0; j -= perDay)
            {
                if (!missing[j] && !missing[j - h])
                {
                    now += rates[j];
                    then += rates[j - h];
                    days++;
                }
            }
            if (days > 0 && now > 0 && then > 0)
            {
                b[t] *= now / then;
            }
        }
        return b;
    }

    /// <summary>
    /// Per interval t in [<paramref name="from"/>, <paramref name="to"/>), the predicted load base[t] × the
    /// <paramref name="p"/> quantile of the ratios rates[i] ÷ base[i] over the intervals i that had data and a base and
    /// that the policy had seen by t − h: i ≤ t − h and i ≥ <paramref name="learnFrom"/> (expanding), or, when
    /// <paramref name="learnUntil"/> is set, learnFrom ≤ i &lt; learnUntil (fixed). With <paramref name="phaseWindow"/>
    /// ≥ 0 only the i whose time of day (i mod perDay) is within that many intervals of t's count; with fewer than
    /// <paramref name="minSamples"/> of them, all the i are used. NaN where t has no base.
    /// </summary>
    public static double[] Predict(double[] rates, bool[] missing, double[] baseline, int h, double p, int from, int to,
        int learnFrom = 0, int? learnUntil = null, int perDay = 0, int phaseWindow = -1, int minSamples = 1)
    {
        Check(rates, missing, h);
        ArgumentNullException.ThrowIfNull(baseline);
        if (baseline.Length != rates.Length)
        {
            throw new ArgumentException($"baseline has {baseline.Length} values, rates {rates.Length}", nameof(baseline));
        }
        if (phaseWindow >= 0 && perDay <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(perDay), perDay, "a phase window needs the intervals per day");
        }
        var ratio = new double[rates.Length];
        for (var i = 0; i < rates.Length; i++)
        {
            ratio[i] = missing[i] || double.IsNaN(baseline[i]) || baseline[i] <= 0 ? double.NaN : rates[i] / baseline[i];
        }
        bool Usable(int i) => i >= 0 && i >= learnFrom && i < rates.Length && !double.IsNaN(ratio[i]);
        var all = learnUntil is { } lu ? SortedSamples(ratio, learnFrom, lu) : [];
        var added = learnFrom - 1;
        var pred = new double[Math.Max(0, to - from)];
        var near = new List<double>();
        for (var t = from; t < to; t++)
        {
            if (learnUntil is null)
            {
                AddSeen(all, ratio, ref added, t - h);
            }
            if (t < 0 || t >= rates.Length || double.IsNaN(baseline[t]))
            {
                pred[t - from] = double.NaN;
                continue;
            }
            var set = (IReadOnlyList<double>)all;
            if (phaseWindow >= 0)
            {
                near.Clear();
                var hi = learnUntil is { } u ? Math.Min(u - 1, rates.Length - 1) : t - h;
                for (var c = t; c + phaseWindow >= learnFrom; c -= perDay)
                {
                    for (var i = Math.Max(learnFrom, c - phaseWindow); i <= Math.Min(hi, c + phaseWindow); i++)
                    {
                        if (Usable(i))
                        {
                            near.Add(ratio[i]);
                        }
                    }
                }
                if (near.Count >= minSamples)
                {
                    near.Sort();
                    set = near;
                }
            }
            pred[t - from] = baseline[t] * Quantile(set, p);
        }
        return pred;
    }

    /// <summary>
    /// Mean slack 1 − load × service ÷ servers over the intervals in [from, from + predicted.Length) with data and a
    /// prediction (servers = <paramref name="serversFor"/>(predicted)), and how many of them need more servers than that.
    /// </summary>
    public static (double MeanSlack, int Missed, int Intervals) Evaluate(double[] rates, bool[] missing, double[] predicted, int from,
        double serviceSeconds, Func<double, int> serversFor)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(serversFor);
        double sum = 0;
        int n = 0, missed = 0;
        for (var k = 0; k < predicted.Length; k++)
        {
            var t = from + k;
            if (t < 0 || t >= rates.Length || missing[t] || double.IsNaN(predicted[k]))
            {
                continue;
            }
            var c = serversFor(predicted[k]);
            if (serversFor(rates[t]) > c)
            {
                missed++;
            }
            sum += Math.Max(0, 1 - rates[t] * serviceSeconds / c);
            n++;
        }
        return (n == 0 ? 0 : sum / n, missed, n);
    }

    /// <summary>
    /// Session 10 (lead): the recent volatility seen by t − h, for a volatility-scaled bound. sigma[t] is the root of an
    /// exponentially weighted mean (half-life <paramref name="halfLife"/> intervals) of the squared one-interval log
    /// growth ln(rates[i] ÷ rates[i − 1]) over the i ≤ t − h where both intervals have data and positive load; NaN
    /// until one such i exists, and never below <paramref name="floor"/> (so a flat stretch does not shrink the band to
    /// nothing). Volatility clusters in request traffic (bursty hours stay bursty), which a global growth quantile ignores.
    /// </summary>
    public static double[] RecentVolatility(double[] rates, bool[] missing, int h, double halfLife, double floor = 1e-3)
    {
        Check(rates, missing, h);
        if (!(halfLife > 0) || double.IsInfinity(halfLife))
        {
            throw new ArgumentOutOfRangeException(nameof(halfLife), halfLife, "half-life must be a positive number of intervals");
        }
        if (!(floor > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(floor), floor, "the volatility floor must be positive");
        }
        var a = 1 - Math.Pow(0.5, 1 / halfLife);
        var ewma = new double[rates.Length];
        var v = double.NaN;
        for (var i = 0; i < rates.Length; i++)
        {
            if (i >= 1 && !missing[i] && !missing[i - 1] && rates[i] > 0 && rates[i - 1] > 0)
            {
                var x = Math.Log(rates[i] / rates[i - 1]);
                v = double.IsNaN(v) ? x * x : (1 - a) * v + a * x * x;
            }
            ewma[i] = v;
        }
        var sigma = new double[rates.Length];
        for (var t = 0; t < rates.Length; t++)
        {
            sigma[t] = t < h || double.IsNaN(ewma[t - h]) ? double.NaN : Math.Max(floor, Math.Sqrt(ewma[t - h]));
        }
        return sigma;
    }

    /// <summary>
    /// The volatility-scaled prediction: base[t] × exp(z × sigma[t]), z the <paramref name="p"/> quantile of the
    /// standardised log ratios ln(rates[i] ÷ base[i]) ÷ sigma[i] over the intervals seen by t − h (expanding from
    /// <paramref name="learnFrom"/>) or over [learnFrom, learnUntil) (fixed), as <see cref="Predict"/>. With a constant
    /// sigma it equals <see cref="Predict"/>'s level-only prediction. NaN where t has no base or no sigma.
    /// </summary>
    public static double[] PredictVolatilityScaled(double[] rates, bool[] missing, double[] baseline, double[] sigma, int h, double p,
        int from, int to, int learnFrom = 0, int? learnUntil = null)
    {
        Check(rates, missing, h);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(sigma);
        if (baseline.Length != rates.Length || sigma.Length != rates.Length)
        {
            throw new ArgumentException($"baseline has {baseline.Length} values and sigma {sigma.Length}, rates {rates.Length}", nameof(sigma));
        }
        var z = new double[rates.Length];
        for (var i = 0; i < rates.Length; i++)
        {
            // A load of 0 over a positive base is the ratio 0 of Predict: z = −∞, kept so the quantile ranks match.
            z[i] = missing[i] || double.IsNaN(baseline[i]) || baseline[i] <= 0 || double.IsNaN(sigma[i])
                ? double.NaN
                : rates[i] <= 0 ? double.NegativeInfinity : Math.Log(rates[i] / baseline[i]) / sigma[i];
        }
        var all = learnUntil is { } lu ? SortedSamples(z, learnFrom, lu) : [];
        var pred = new double[Math.Max(0, to - from)];
        var added = learnFrom - 1;
        for (var t = from; t < to; t++)
        {
            if (learnUntil is null)
            {
                AddSeen(all, z, ref added, t - h);
            }
            pred[t - from] = t < 0 || t >= rates.Length || double.IsNaN(baseline[t]) || double.IsNaN(sigma[t]) || all.Count == 0
                ? double.NaN
                : baseline[t] * Math.Exp(Quantile(all, p) * sigma[t]);
        }
        return pred;
    }

    /// <summary>The values of <paramref name="samples"/> in [from, until) that are not NaN, sorted.</summary>
    private static List<double> SortedSamples(double[] samples, int from, int until)
    {
        var sorted = new List<double>();
        for (var i = Math.Max(0, from); i < Math.Min(until, samples.Length); i++)
        {
            if (!double.IsNaN(samples[i]))
            {
                sorted.Add(samples[i]);
            }
        }
        sorted.Sort();
        return sorted;
    }

    /// <summary>
    /// Inserts, in order, the samples after <paramref name="added"/> up to <paramref name="upTo"/> that are not NaN into
    /// the sorted list (the expanding learned set: what was seen by t − h), and moves <paramref name="added"/> on.
    /// </summary>
    private static void AddSeen(List<double> sorted, double[] samples, ref int added, int upTo)
    {
        for (; added < upTo;)
        {
            added++;
            if (added >= 0 && added < samples.Length && !double.IsNaN(samples[added]))
            {
                var k = sorted.BinarySearch(samples[added]);
                sorted.Insert(k < 0 ? ~k : k, samples[added]);
            }
        }
    }

    private static void Check(double[] rates, bool[] missing, int h)
    {
        ArgumentNullException.ThrowIfNull(rates);
        ArgumentNullException.ThrowIfNull(missing);
        if (missing.Length != rates.Length)
        {
            throw new ArgumentException($"missing has {missing.Length} flags, rates {rates.Length}", nameof(missing));
        }
        if (h < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(h), h, "h must be at least 1 interval");
        }
    }
}
