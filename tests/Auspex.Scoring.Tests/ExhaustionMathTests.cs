namespace Auspex.Scoring.Tests;

public sealed class ExhaustionMathTests
{
    private static readonly double[] Levels = [0.1, 0.5, 0.9];

    [Theory]
    [InlineData(10, 0.5)]   // capacity at the median
    [InlineData(11, 0.4)]   // a quarter of the way from the median to q90 (10 → 14): F = 0.5 + 0.25·0.4 = 0.6
    [InlineData(14, 0.1)]   // at q90
    [InlineData(6, 0.9)]    // at q10
    public void ExceedProbability_InsideLevels_InterpolatesTheCdf(double capacity, double expected) =>
        Assert.Equal(expected, ExhaustionMath.ExceedProbability(Levels, [6, 10, 14], capacity), 9);

    [Fact]
    public void ExceedProbability_BeyondTopLevel_UsesNormalTail()
    {
        // q50 = 10, q90 = 10 + 1.2816·σ with σ = 2 → P(X ≥ 10 + 2·1.96) = 0.025.
        var sigma = 2.0;
        var q90 = 10 + 1.2815515655 * sigma;
        var p = ExhaustionMath.ExceedProbability([0.5, 0.9], [10, q90], 10 + 1.959963985 * sigma);
        Assert.Equal(0.025, p, 5);
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(5.0001, 0)]
    public void ExceedProbability_PointMass_IsZeroOrOne(double capacity, double expected) =>
        Assert.Equal(expected, ExhaustionMath.ExceedProbability(Levels, [5, 5, 5], capacity));

    [Fact]
    public void ExceedProbabilityNormal_KnownValue() =>
        Assert.Equal(0.1586553, ExhaustionMath.ExceedProbabilityNormal(0, 1, 1), 6);

    [Fact]
    public void TimeToExhaustion_CumulativeMaxAndRestrictedMean()
    {
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var times = new[] { at.AddHours(1), at.AddHours(2), at.AddHours(3), at.AddHours(4) };
        // Cumulative 0.2, 0.2, 0.6, 0.6: E = 0.2·1 h + 0.4·3 h + 0.4·4 h (survivors to the horizon) = 3.0 h.
        var (p, expected, likely) = ExhaustionMath.TimeToExhaustion([0.2, 0.1, 0.6, 0.3], times, at);
        Assert.Equal(0.6, p, 12);
        Assert.Equal(3.0, expected.TotalHours, 9);
        Assert.Equal(at.AddHours(3), likely);
    }

    [Fact]
    public void TimeToExhaustion_NeverLikely_IsHorizon()
    {
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var (p, expected, likely) = ExhaustionMath.TimeToExhaustion([0, 0], [at.AddMinutes(5), at.AddMinutes(10)], at);
        Assert.Equal(0, p);
        Assert.Equal(TimeSpan.FromMinutes(10), expected);
        Assert.Null(likely);
    }

    [Theory]
    [InlineData(0.5, 0.5, 0, 1)]
    [InlineData(0.25, 0.5, 0, 0.5)]
    [InlineData(0.5, 0.5, 0.3, 0.7)] // probability caps the headroom score
    [InlineData(-0.2, 0.5, 0.9, 0)]
    public void Value_IsMinOfHeadroomAndSurvival(double headroom, double comfortable, double p, double expected) =>
        Assert.Equal(expected, ExhaustionMath.Value(headroom, comfortable, p), 12);
}
