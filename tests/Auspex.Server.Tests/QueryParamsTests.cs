using Auspex.Server.Endpoints;
using Auspex.Storage;

namespace Auspex.Server.Tests;

public sealed class QueryParamsTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryRange_Defaults_EndAtNowWithDefaultLength()
    {
        Assert.True(QueryParams.TryRange(null, null, Now, TimeSpan.FromHours(6), out var r, out _));
        Assert.Equal(Now, r.End);
        Assert.Equal(Now.AddHours(-6), r.Start);
    }

    [Theory]
    [InlineData("1714564800", "2024-05-01T12:00:00+00:00")]
    [InlineData("1714564800.5", "2024-05-01T12:00:00.5+00:00")]
    [InlineData("2024-05-01T10:00:00Z", "2024-05-01T10:00:00+00:00")]
    [InlineData("2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00+00:00")]
    public void TryTime_UnixSecondsOrRfc3339(string text, string expected)
    {
        Assert.True(QueryParams.TryTime(text, "from", Now, out var at, out _));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), at);
    }

    [Theory]
    [InlineData("1e300")]
    [InlineData("soon")]
    [InlineData("NaN")]
    public void TryTime_Garbage_NamesParameter(string text)
    {
        Assert.False(QueryParams.TryTime(text, "to", Now, out _, out var err));
        Assert.StartsWith("parameter 'to'", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("raw", Resolution.Raw)]
    [InlineData("5M", Resolution.FiveMinutes)]
    [InlineData(null, Resolution.Auto)]
    [InlineData("1h", Resolution.OneHour)]
    public void TryResolution_KnownNames(string? text, Resolution expected)
    {
        Assert.True(QueryParams.TryResolution(text, out var r, out _));
        Assert.Equal(expected, r);
    }

    [Fact]
    public void TryMatch_Bad_PrefixesParameterName()
    {
        Assert.Null(QueryParams.TryMatch("cpu{", out var err));
        Assert.StartsWith("parameter 'match':", err, StringComparison.Ordinal);
    }
}
