namespace Auspex.Forecasting.Tests;

/// <summary>Deterministic synthetic series for tests (no shared data).</summary>
internal static class TestSeries
{
    /// <summary>Level + trend + daily sine + Gaussian noise, seeded.</summary>
    public static double[] Seasonal(int n, int season = 24, double level = 100, double trend = 0.05, double amplitude = 10, double noise = 2, int seed = 1)
    {
        var rng = new Random(seed);
        var y = new double[n];
        for (var t = 0; t < n; t++)
        {
            y[t] = level + trend * t + amplitude * Math.Sin(2 * Math.PI * t / season) + noise * Normal(rng);
        }
        return y;
    }

    /// <summary>Random walk with seeded Gaussian steps.</summary>
    public static double[] RandomWalk(int n, double start = 50, double step = 1, int seed = 2)
    {
        var rng = new Random(seed);
        var y = new double[n];
        var v = start;
        for (var t = 0; t < n; t++)
        {
            v += step * Normal(rng);
            y[t] = v;
        }
        return y;
    }

    public static double Normal(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
