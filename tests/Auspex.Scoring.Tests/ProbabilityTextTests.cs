namespace Auspex.Scoring.Tests;

/// <summary>Regression: a tiny failure probability was explained as "= 0", which reads as impossible.</summary>
public sealed class ProbabilityTextTests
{
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(0.0123, "0.0123")]
    [InlineData(0.00015, "0.0002")]
    [InlineData(1.4e-12, "1.4e-12")]
    [InlineData(0.00004, "4e-5")]
    [InlineData(1.0, "1")]
    public void Probability_TinyNonZero_IsNeverPrintedAsZero(double p, string text) =>
        Assert.Equal(text, LocalityScorer.Probability(p));

    [Theory]
    [InlineData(0.0, "0%")]
    [InlineData(0.1879, "18.79%")]
    [InlineData(0.00003, "0.003%")]
    [InlineData(1e-9, "< 0.001%")]
    public void Percent_TinyNonZero_IsNeverPrintedAsZeroPercent(double p, string text) =>
        Assert.Equal(text, LocalityScorer.Percent(p));
}
