using Auspex.Storage.PromQl;

namespace Auspex.Storage.Tests.PromQl;

public sealed class PromFormatTests
{
    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(1.5e-7, "0.00000015")]
    [InlineData(-1.25e-5, "-0.0000125")]
    [InlineData(123456789012345680000.0, "123456789012345680000")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(0.0, "0")]
    public void Value_LikeGoFormatFloatF(double v, string text) => Assert.Equal(text, PromFormat.Value(v));

    [Fact]
    public void Value_RoundTrips()
    {
        var rng = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var v = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-30, 30));
            Assert.Equal(v, double.Parse(PromFormat.Value(v), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData(1_700_000_000_000, "1700000000")]
    [InlineData(1_700_000_000_500, "1700000000.500")]
    [InlineData(1_700_000_000_007, "1700000000.007")]
    [InlineData(-1_500, "-1.500")]
    public void Timestamp_SecondsWithMillisecondsWhenNonZero(long ms, string text) => Assert.Equal(text, PromFormat.Timestamp(ms));
}
