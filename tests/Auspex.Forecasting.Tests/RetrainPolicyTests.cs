namespace Auspex.Forecasting.Tests;

public sealed class RetrainPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly double[] Healthy = Enumerable.Repeat(1.0, 20).ToArray();
    private static readonly double[] Degraded = Enumerable.Repeat(2.0, 20).ToArray();

    [Fact]
    public void Decide_NeverFitted_Retrains() => Assert.True(new RetrainPolicy().Decide(T0, null, 1, []).Retrain);

    [Fact]
    public void Decide_IntervalElapsed_RetrainsOnSchedule()
    {
        var d = new RetrainPolicy().Decide(T0.AddHours(25), T0, 1, Healthy);
        Assert.True(d.Retrain);
        Assert.StartsWith("scheduled", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_LiveErrorTwiceBacktest_RetrainsAsDegraded()
    {
        var d = new RetrainPolicy().Decide(T0.AddHours(2), T0, 1, Degraded);
        Assert.True(d.Retrain);
        Assert.StartsWith("degraded", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_HealthyOrTooFewErrors_Keeps()
    {
        var p = new RetrainPolicy();
        Assert.False(p.Decide(T0.AddHours(2), T0, 1, Healthy).Retrain);
        Assert.False(p.Decide(T0.AddHours(2), T0, 1, Degraded[..3]).Retrain);
    }

    [Fact]
    public void Decide_DegradedButJustRefitted_Waits()
    {
        Assert.False(new RetrainPolicy().Decide(T0.AddMinutes(5), T0, 1, Degraded).Retrain);
    }

    [Fact]
    public void Options_RatioNotAboveOne_Rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetrainPolicy(new RetrainPolicyOptions { DegradationRatio = 1 }));
    }
}
