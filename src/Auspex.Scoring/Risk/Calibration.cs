namespace Auspex.Scoring;

/// <summary>One bin of a reliability table: forecasts with probability in [Lo, Hi), how many, their mean, and how often the event happened.</summary>
public sealed record ReliabilityBin(double Lo, double Hi, int Count, double MeanPredicted, double ObservedRate);

/// <summary>Scores for probability forecasts of binary events (did the unit fail in the window?).</summary>
public static class Calibration
{
    /// <summary>Brier score: mean of (p − y)², 0 is perfect; NaN with no forecasts.</summary>
    public static double Brier(IReadOnlyList<(double P, bool Y)> forecasts)
    {
        ArgumentNullException.ThrowIfNull(forecasts);
        return forecasts.Count == 0 ? double.NaN : forecasts.Average(f => Sq(f.P - (f.Y ? 1 : 0)));
    }

    /// <summary>Mean negative log-likelihood (natural log), probabilities clipped to [1e-12, 1 − 1e-12].</summary>
    public static double LogLoss(IReadOnlyList<(double P, bool Y)> forecasts)
    {
        ArgumentNullException.ThrowIfNull(forecasts);
        return forecasts.Count == 0 ? double.NaN
            : forecasts.Average(f => -Math.Log(f.Y ? Math.Clamp(f.P, 1e-12, 1 - 1e-12) : 1 - Math.Clamp(f.P, 1e-12, 1 - 1e-12)));
    }

    /// <summary>Brier skill score against a reference: 1 − B / B_ref (positive = better than the reference).</summary>
    public static double SkillScore(double brier, double referenceBrier) => 1 - brier / referenceBrier;

    /// <summary>Reliability table over bins with these edges (ascending, first ≤ 0, last ≥ 1); empty bins are kept with Count 0.</summary>
    public static IReadOnlyList<ReliabilityBin> Reliability(IReadOnlyList<(double P, bool Y)> forecasts, IReadOnlyList<double> edges)
    {
        ArgumentNullException.ThrowIfNull(forecasts);
        ArgumentNullException.ThrowIfNull(edges);
        var bins = new List<ReliabilityBin>();
        for (var i = 0; i + 1 < edges.Count; i++)
        {
            var lo = edges[i];
            var hi = edges[i + 1];
            var last = i + 2 == edges.Count;
            var inBin = forecasts.Where(f => f.P >= lo && (f.P < hi || (last && f.P <= hi))).ToList();
            bins.Add(new ReliabilityBin(lo, hi, inBin.Count,
                inBin.Count == 0 ? double.NaN : inBin.Average(f => f.P),
                inBin.Count == 0 ? double.NaN : inBin.Count(f => f.Y) / (double)inBin.Count));
        }
        return bins;
    }

    private static double Sq(double x) => x * x;
}
