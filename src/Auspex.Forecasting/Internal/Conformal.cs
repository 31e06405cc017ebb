namespace Auspex.Forecasting.Internal;

/// <summary>
/// Split-conformal central intervals from rolling-origin absolute errors: the half-width at step h and level L is the
/// ⌈(k+1)·L⌉-th smallest of the k absolute errors pooled from the backtest windows at steps within ±w of h
/// (w = max(1, H/8)), made non-decreasing in h.
/// </summary>
internal static class Conformal
{
    /// <summary>Half-widths per step; absErrors is [window][step] (NaN where unavailable).</summary>
    public static double[] HalfWidths(double[][] absErrors, int horizon, double level)
    {
        var cvH = absErrors.Length == 0 ? 0 : absErrors[0].Length;
        var widths = new double[horizon];
        if (cvH == 0)
        {
            return widths;
        }
        var w = Math.Max(1, cvH / 8);
        var pool = new List<double>();
        for (var h = 0; h < horizon; h++)
        {
            var c = Math.Min(h, cvH - 1);
            pool.Clear();
            for (var j = Math.Max(0, c - w); j <= Math.Min(cvH - 1, c + w); j++)
            {
                foreach (var row in absErrors)
                {
                    if (double.IsFinite(row[j]))
                    {
                        pool.Add(row[j]);
                    }
                }
            }
            if (pool.Count == 0)
            {
                widths[h] = h > 0 ? widths[h - 1] : 0;
                continue;
            }
            pool.Sort();
            var rank = (int)Math.Ceiling((pool.Count + 1) * level / 100.0);
            var value = rank > pool.Count ? pool[^1] * (1 + (rank - pool.Count) / (double)pool.Count) : pool[Math.Max(rank, 1) - 1];
            // Beyond the backtested horizon grow like sqrt(h) from the last backtested step.
            if (h >= cvH)
            {
                value *= Math.Sqrt((h + 1.0) / cvH);
            }
            widths[h] = h > 0 ? Math.Max(value, widths[h - 1]) : value;
        }
        return widths;
    }

    public static ForecastOutput Apply(string name, double[] mean, double[][] absErrors, IReadOnlyList<double> levels, double[] fitted, ForecastStatus status, string? reason)
    {
        var lower = new double[levels.Count][];
        var upper = new double[levels.Count][];
        for (var l = 0; l < levels.Count; l++)
        {
            var hw = HalfWidths(absErrors, mean.Length, levels[l]);
            lower[l] = mean.Select((v, i) => v - hw[i]).ToArray();
            upper[l] = mean.Select((v, i) => v + hw[i]).ToArray();
        }
        return ForecastOutput.WithBands(name, mean, levels, lower, upper, fitted, status, reason);
    }
}
