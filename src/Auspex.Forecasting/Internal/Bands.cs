namespace Auspex.Forecasting.Internal;

/// <summary>Builds interval bands from sample paths or residual quantiles.</summary>
internal static class Bands
{
    /// <summary>Empirical quantile (type 7, linear interpolation) of sorted values.</summary>
    public static double QuantileSorted(ReadOnlySpan<double> sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var pos = p * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>Central intervals from simulated paths [path][step].</summary>
    public static ForecastOutput FromPaths(string name, double[] mean, double[][] paths, IReadOnlyList<double> levels, double[] fitted)
    {
        var h = mean.Length;
        var lower = new double[levels.Count][];
        var upper = new double[levels.Count][];
        for (var l = 0; l < levels.Count; l++)
        {
            lower[l] = new double[h];
            upper[l] = new double[h];
        }
        var column = new double[paths.Length];
        for (var i = 0; i < h; i++)
        {
            for (var p = 0; p < paths.Length; p++)
            {
                column[p] = paths[p][i];
            }
            Array.Sort(column);
            for (var l = 0; l < levels.Count; l++)
            {
                var a = (1 - levels[l] / 100) / 2;
                lower[l][i] = QuantileSorted(column, a);
                upper[l][i] = QuantileSorted(column, 1 - a);
            }
        }
        return ForecastOutput.WithBands(name, mean, levels, lower, upper, fitted);
    }
}
