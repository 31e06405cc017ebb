namespace Auspex.Anomalies.Tests;

public sealed class MahalanobisDetectorTests
{
    private static double[][] Correlated(int n, int seed)
    {
        var rng = new Random(seed);
        var rows = new double[n][];
        for (var i = 0; i < n; i++)
        {
            var load = 50 + (10 * Math.Sin(2 * Math.PI * i / 288.0)) + Generated.Gaussian(rng);
            rows[i] = [load, (0.5 * load) + (0.5 * Generated.Gaussian(rng)), 20 + Generated.Gaussian(rng)];
        }
        return rows;
    }

    [Fact]
    public void Update_BrokenCorrelation_ScoresHighAndNamesTheMetric()
    {
        var detector = AnomalyDetectors.CreateMultivariate(3);
        var rows = Correlated(2000, seed: 11);
        // each metric alone stays in its usual range; only the relation between metric 0 and 1 breaks
        rows[1500][1] = (0.5 * rows[1500][0]) - 6;
        AnomalyResult odd = default;
        var normalMax = 0.0;
        for (var i = 0; i < rows.Length; i++)
        {
            var r = detector.Update(Generated.Start + (Generated.Step * i), rows[i]);
            Assert.InRange(r.Score, 0, 1);
            if (i == 1500)
            {
                odd = r;
            }
            else if (i is > 500 and < 1500)
            {
                normalMax = Math.Max(normalMax, r.Score);
            }
        }
        Assert.True(odd.Score > 0.75, $"scored {odd.Score}"); // 0.75 = a χ² tail below 1e-12
        // the broken pair is metrics 0 and 1; metric 2 is independent and must not be blamed
        Assert.DoesNotContain("metric 2", odd.Reason, StringComparison.Ordinal);
        Assert.True(normalMax < odd.Score);
    }

    [Fact]
    public void Update_WrongLengthOrNaN_ReturnsRejectedResult()
    {
        var detector = AnomalyDetectors.CreateMultivariate(2);
        Assert.Contains("rejected", detector.Update(Generated.Start, [1.0]).Reason, StringComparison.Ordinal);
        var r = detector.Update(Generated.Start, [1.0, double.NaN]);
        Assert.Equal(0, r.Score);
        Assert.Contains("rejected", r.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RestoreMultivariate_AfterSave_ContinuesExactly()
    {
        var rows = Correlated(1000, seed: 12);
        var a = AnomalyDetectors.CreateMultivariate(3);
        for (var i = 0; i < 500; i++)
        {
            a.Update(Generated.Start + (Generated.Step * i), rows[i]);
        }
        var b = AnomalyDetectors.RestoreMultivariate(a.SaveState());
        Assert.Equal(3, b.Dimensions);
        for (var i = 500; i < rows.Length; i++)
        {
            var at = Generated.Start + (Generated.Step * i);
            Assert.Equal(a.Update(at, rows[i]).Score, b.Update(at, rows[i]).Score);
        }
        Assert.Throws<InvalidDataException>(() => AnomalyDetectors.RestoreMultivariate(AnomalyDetectors.Create(AnomalyDetectors.DefaultName).SaveState()));
    }
}
