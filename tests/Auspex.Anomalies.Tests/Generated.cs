namespace Auspex.Anomalies.Tests;

/// <summary>Seeded synthetic series for the detector tests.</summary>
internal static class Generated
{
    public static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(5);

    /// <summary>A daily sine (5-minute samples) with Gaussian noise; optional spike at <paramref name="spikeAt"/>.</summary>
    public static double[] Daily(int n, int seed, int spikeAt = -1, double spike = 0, double noise = 1)
    {
        var rng = new Random(seed);
        var x = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = 50 + (10 * Math.Sin(2 * Math.PI * i / 288.0)) + (noise * Gaussian(rng));
        }
        if (spikeAt >= 0)
        {
            x[spikeAt] += spike;
        }
        return x;
    }

    /// <summary>A daily sine with noise whose level shifts by <paramref name="shift"/> from <paramref name="at"/> on.</summary>
    public static double[] Shifted(int n, int seed, int at, double shift)
    {
        var x = Daily(n, seed);
        for (var i = at; i < n; i++)
        {
            x[i] += shift;
        }
        return x;
    }

    public static double Gaussian(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public static AnomalyResult[] Run(IAnomalyDetector detector, double[] values, int from = 0)
    {
        var results = new AnomalyResult[values.Length - from];
        for (var i = from; i < values.Length; i++)
        {
            results[i - from] = detector.Update(Start + (Step * i), values[i]);
        }
        return results;
    }
}
