using Auspex.Ingestion.Exposition;
using Auspex.Ingestion.RemoteWrite;

namespace Auspex.Ingestion.Tests.Exposition;

public class ExpositionCacheTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private const string Text = """
        # TYPE a counter
        a_total{path="/x}y",q="say \"hi\"\\"} 1
        a_total{path="/z"} 2
        plain 3
        spaced {k="v"} 4 1000
        """;

    [Fact]
    public void Parse_WithCache_MatchesParseWithoutAcrossScrapes()
    {
        var cache = new SeriesKeyCache();
        for (var scrape = 0; scrape < 3; scrape++)
        {
            var text = Text.Replace("} 1", $"}} {scrape + 10}", StringComparison.Ordinal);
            var at = T0.AddSeconds(scrape);

            var cached = ExpositionParser.Parse(text, ExpositionFormat.PrometheusText, at, cache: cache);
            var plain = ExpositionParser.Parse(text, ExpositionFormat.PrometheusText, at);

            Assert.True(cached.IsSuccess, cached.ErrorMessage);
            Assert.Equal(plain.Series.Select(s => s.Key), cached.Series.Select(s => s.Key));
            Assert.Equal(plain.Series.SelectMany(s => s.Samples), cached.Series.SelectMany(s => s.Samples));
        }
        Assert.Equal(4, cache.Count);
    }

    [Fact]
    public void Parse_WithCache_StillFindsDuplicatesAndBadValues()
    {
        var cache = new SeriesKeyCache();
        ExpositionParser.Parse("a{b=\"1\"} 1\n", ExpositionFormat.PrometheusText, T0, cache: cache);

        var duplicate = ExpositionParser.Parse("a{b=\"1\"} 1\na{b=\"1\"} 2\n", ExpositionFormat.PrometheusText, T0, cache: cache);
        var badValue = ExpositionParser.Parse("a{b=\"1\"} x\n", ExpositionFormat.PrometheusText, T0, cache: cache);

        Assert.Contains("duplicate sample", duplicate.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("'x' is not a number", badValue.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidSeries_IsNotCached()
    {
        var cache = new SeriesKeyCache();

        ExpositionParser.Parse("a{b=\"1\",b=\"2\"} 1\n", ExpositionFormat.PrometheusText, T0, cache: cache);
        var again = ExpositionParser.Parse("a{b=\"1\",b=\"2\"} 1\n", ExpositionFormat.PrometheusText, T0, cache: cache);

        Assert.Equal(0, cache.Count);
        Assert.Contains("appears twice", again.ErrorMessage, StringComparison.Ordinal);
    }
}
