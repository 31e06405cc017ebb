using Auspex.Storage.PromQl;

namespace Auspex.Storage.Tests.PromQl;

public sealed class PromDurationTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2d12h", 216000)]
    [InlineData("1y", 31536000)]
    [InlineData("100ms", 0.1)]
    [InlineData("0", 0)]
    public void TryParse_PrometheusDurations(string text, double seconds)
    {
        Assert.True(PromDuration.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromSeconds(seconds), d);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("m")]
    [InlineData("5M")]
    [InlineData("1m1h")]
    [InlineData("1h1h")]
    [InlineData("1.5h")]
    [InlineData("-5m")]
    [InlineData("99999999999999999999s")]
    public void TryParse_NotADuration_False(string text) => Assert.False(PromDuration.TryParse(text, out _));

    [Theory]
    [InlineData("15", 15)]
    [InlineData("0.5", 0.5)]
    [InlineData("1e1", 10)]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    public void TryParseParameter_SecondsOrDuration(string text, double seconds)
    {
        Assert.True(PromDuration.TryParseParameter(text, out var d));
        Assert.Equal(TimeSpan.FromSeconds(seconds), d);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("NaN")]
    [InlineData("Inf")]
    public void TryParseParameter_Invalid_False(string? text) => Assert.False(PromDuration.TryParseParameter(text, out _));

    [Theory]
    [InlineData("1700000000", 1700000000000)]
    [InlineData("1700000000.123", 1700000000123)]
    [InlineData("1700000000.5", 1700000000500)]
    [InlineData("2023-11-14T22:13:20Z", 1700000000000)]
    [InlineData("2023-11-14T22:13:20.25Z", 1700000000250)]
    [InlineData("2023-11-14T23:13:20+01:00", 1700000000000)]
    [InlineData("2023-11-14T22:13:20.123456789Z", 1700000000123)]
    public void TryParseTime_UnixSecondsOrRfc3339(string text, long ms)
    {
        Assert.True(PromDuration.TryParseTime(text, out var t));
        Assert.Equal(ms, t.ToUnixTimeMilliseconds());
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2023-11-14")]
    [InlineData("2023-11-14 22:13:20")]
    [InlineData("2023-11-14T22:13:20")]
    [InlineData("1e30")]
    [InlineData("NaN")]
    public void TryParseTime_Invalid_False(string text) => Assert.False(PromDuration.TryParseTime(text, out _));

    [Theory]
    [InlineData(5400, "1h30m")]
    [InlineData(300, "5m")]
    [InlineData(0, "0s")]
    public void Format_LikePrometheus(double seconds, string text) => Assert.Equal(text, PromDuration.Format(TimeSpan.FromSeconds(seconds)));
}
