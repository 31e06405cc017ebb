namespace Auspex.Anomalies.Tests;

/// <summary>Properties that make one threshold usable across series.</summary>
public sealed class CalibrationTests
{
    [Theory]
    [InlineData("ensemble")]
    [InlineData("ensemble-weekly")]
    [InlineData("residual")]
    [InlineData("seasonal")]
    [InlineData("bocpd")]
    public void Update_SeriesScaledAndShifted_GivesTheSameScores(string name)
    {
        var values = Generated.Daily(2500, seed: 31, spikeAt: 2000, spike: 30);
        var a = Generated.Run(AnomalyDetectors.Create(name), values);
        var b = Generated.Run(AnomalyDetectors.Create(name), values.Select(v => (v * 1000) + 5000).ToArray());
        for (var i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i].Score, b[i].Score, 5);
        }
    }

    [Fact]
    public void Ensemble_PureNoise_RarelyCrossesTheDefaultThreshold()
    {
        // 0.5 means "rarer than 1 in 1000 of this series' history": on stationary noise alarms stay rare
        var rng = new Random(41);
        var noise = Enumerable.Range(0, 6000).Select(_ => 10 + Generated.Gaussian(rng)).ToArray();
        var alarms = Generated.Run(AnomalyDetectors.Create(AnomalyDetectors.Ensemble), noise)
            .Count(r => r.IsAnomaly(AnomalyDetectorOptions.Default.Threshold));
        Assert.InRange(alarms, 0, 12);
    }

    [Fact]
    public void Ensemble_FlatThenStep_AlarmsAtTheStep()
    {
        // a constant series (MAD 0) must not turn into infinite surprises, but a real step must alarm
        var values = Enumerable.Range(0, 3000).Select(i => i < 2500 ? 5.0 : 9.0).ToArray();
        var results = Generated.Run(AnomalyDetectors.Create(AnomalyDetectors.Ensemble), values);
        Assert.All(results.Take(2500), r => Assert.True(r.Score < 0.05, $"flat point scored {r.Score}"));
        Assert.True(results[2500].Score >= 0.5, $"step scored {results[2500].Score}: {results[2500].Reason}");
    }
}
