namespace Auspex.Anomalies.Tests;

/// <summary>The weekly ensemble: a recurring weekly pattern is normal once learnt, a real anomaly still alarms.</summary>
public sealed class WeeklyEnsembleTests
{
    private static readonly TimeSpan HalfHour = TimeSpan.FromMinutes(30);

    /// <summary>Half-hourly taxi-like demand: a daily cycle on weekdays, a low, flat weekend (2024-01-01 is a Monday).</summary>
    private static double[] WeeklyDemand(int weeks, int seed, int spikeAt = -1)
    {
        var rng = new Random(seed);
        var n = weeks * 7 * 48;
        var x = new double[n];
        for (var i = 0; i < n; i++)
        {
            var day = i / 48 % 7;
            var daily = Math.Sin(2 * Math.PI * (i % 48) / 48.0);
            x[i] = day >= 5 ? 30 + (3 * daily) : 100 + (30 * daily);
            x[i] += Generated.Gaussian(rng);
        }
        if (spikeAt >= 0)
        {
            x[spikeAt] += 150;
        }
        return x;
    }

    private static AnomalyResult[] Run(string name, double[] values)
    {
        var detector = AnomalyDetectors.Create(name);
        return values.Select((v, i) => detector.Update(Generated.Start + (HalfHour * i), v)).ToArray();
    }

    [Fact]
    public void EnsembleWeekly_RecurringWeekend_NoAlarmOnceTwoWeeksAreKnown_WhereTheDailyEnsembleAlarms()
    {
        var values = WeeklyDemand(8, seed: 61);
        var from = 3 * 7 * 48; // weeks 4..8
        var daily = Run(AnomalyDetectors.Ensemble, values).Skip(from).Max(r => r.Score);
        var weekly = Run(AnomalyDetectors.EnsembleWeekly, values).Skip(from).ToArray();
        var worst = weekly.MaxBy(r => r.Score);
        Assert.True(daily >= AnomalyDetectorOptions.Default.Threshold, $"the daily ensemble should alarm on the weekend change, max {daily}");
        Assert.True(worst.Score < AnomalyDetectorOptions.Default.Threshold, $"weekly ensemble alarmed: {worst.Score} at {worst.At:u}: {worst.Reason}");
    }

    [Fact]
    public void EnsembleWeekly_SpikeAfterWeeksOfHistory_StillAlarms()
    {
        var at = (6 * 7 * 48) + 20; // a Monday morning in week 7
        var results = Run(AnomalyDetectors.EnsembleWeekly, WeeklyDemand(8, seed: 62, spikeAt: at));
        Assert.True(results[at].Score >= AnomalyDetectorOptions.Default.Threshold, $"spike scored {results[at].Score}: {results[at].Reason}");
        Assert.True(results[at].Score > results.Skip(3 * 7 * 48).Where((_, i) => i + (3 * 7 * 48) != at).Max(r => r.Score));
    }

    [Fact]
    public void EnsembleWeekly_FirstTwoWeeks_ScoresLikeTheDailyEnsemble()
    {
        // the weekly member only vetoes once two weeks of history exist
        var values = WeeklyDemand(2, seed: 63);
        var daily = Run(AnomalyDetectors.Ensemble, values).Take((14 * 48) - 1).Select(r => r.Score);
        var weekly = Run(AnomalyDetectors.EnsembleWeekly, values).Take((14 * 48) - 1).Select(r => r.Score);
        Assert.Equal(daily, weekly);
    }
}
