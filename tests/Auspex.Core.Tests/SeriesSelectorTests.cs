using Auspex.Core.Series;

namespace Auspex.Core.Tests;

public sealed class SeriesSelectorTests
{
    private static readonly SeriesKey Key = new("node_cpu_seconds_total", Labels.Of("host", "web-1", "mode", "idle"));

    [Theory]
    [InlineData("node_cpu_seconds_total", true)]
    [InlineData("node_cpu_seconds_total{host=\"web-1\"}", true)]
    [InlineData("{host=~\"web-.*\", mode!=\"user\"}", true)]
    [InlineData("{host!~\"db.*\",__name__=\"node_cpu_seconds_total\"}", true)]
    [InlineData("node_cpu_seconds_total{host='web-2'}", false)]
    [InlineData("other", false)]
    public void TryParse_ValidSelector_MatchesAsPromQL(string selector, bool expected)
    {
        var m = SeriesSelector.TryParse(selector, out var error);
        Assert.Null(error);
        Assert.Equal(expected, m!.All(x => x.Matches(Key)));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("cpu{host=}", "expected a quoted value")]
    [InlineData("cpu{host=\"a\"", "expected ',' or '}'")]
    [InlineData("cpu{host~\"a\"}", "expected =, !=, =~ or !~")]
    [InlineData("cpu{host=~\"(\"}", "invalid regular expression")]
    [InlineData("{host=~\".*\"}", "does not match the empty string")]
    [InlineData("cpu{host=\"a}", "unterminated")]
    [InlineData("cpu x", "expected '{'")]
    public void TryParse_Invalid_SaysWhatAndWhere(string selector, string expected)
    {
        Assert.Null(SeriesSelector.TryParse(selector, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
