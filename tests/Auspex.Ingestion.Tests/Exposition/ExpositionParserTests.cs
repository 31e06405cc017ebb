using System.Text;
using Auspex.Core.Series;
using Auspex.Ingestion.Exposition;

namespace Auspex.Ingestion.Tests.Exposition;

public class ExpositionParserTests
{
    private static readonly DateTimeOffset ScrapeTime = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private static ParseResult Text(string s, ExpositionOptions? o = null) => ExpositionParser.Parse(s, ExpositionFormat.PrometheusText, ScrapeTime, o);

    private static ParseResult Om(string s, ExpositionOptions? o = null) => ExpositionParser.Parse(s, ExpositionFormat.OpenMetrics, ScrapeTime, o);

    private static SeriesData Find(ParseResult r, string metric, params string[] labels) =>
        r.Series.Single(s => s.Key.Equals(new SeriesKey(metric, Labels.Of(labels))));

    [Fact]
    public void Parse_TextFormatWithEveryType_ReadsAllSeries()
    {
        const string text = """
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000

            # A free comment
            msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
            metric_without_timestamp_and_labels 12.47
            something_weird{problem="division by zero"} +Inf -3982045
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_bucket{le="0.05"} 24054
            http_request_duration_seconds_bucket{le="+Inf"} 144320
            http_request_duration_seconds_sum 53423
            http_request_duration_seconds_count 144320
            # TYPE rpc_duration_seconds summary
            rpc_duration_seconds{quantile="0.5"} 4773
            rpc_duration_seconds_sum 1.7560473e+07
            rpc_duration_seconds_count 2693
            """;

        var r = Text(text);

        Assert.True(r.IsSuccess, r.ErrorMessage);
        Assert.Equal(12, r.Series.Count);
        var post200 = Find(r, "http_requests_total", "method", "post", "code", "200").Samples.Single();
        Assert.Equal(new Sample(DateTimeOffset.FromUnixTimeMilliseconds(1395066363000), 1027), post200);
        Assert.Equal("C:\\DIR\\FILE.TXT", r.Series.Single(s => s.Key.Metric == "msdos_file_access_time_seconds").Key.Labels["path"]);
        Assert.Equal("Cannot find file:\n\"FILE.TXT\"", r.Series.Single(s => s.Key.Metric == "msdos_file_access_time_seconds").Key.Labels["error"]);
        Assert.Equal(new Sample(ScrapeTime, 12.47), Find(r, "metric_without_timestamp_and_labels").Samples.Single());
        Assert.Equal(double.PositiveInfinity, Find(r, "something_weird", "problem", "division by zero").Samples[0].Value);
        Assert.Equal(-3982045, Find(r, "something_weird", "problem", "division by zero").Samples[0].At.ToUnixTimeMilliseconds());
        Assert.Equal(144320, Find(r, "http_request_duration_seconds_bucket", "le", "+Inf").Samples[0].Value);
        Assert.Equal(4773, Find(r, "rpc_duration_seconds", "quantile", "0.5").Samples[0].Value);
    }

    [Fact]
    public void Parse_OpenMetricsWithCreatedExemplarsAndEof_ReadsSeries()
    {
        const string text = """
            # TYPE acme_http_router_request_seconds histogram
            # UNIT acme_http_router_request_seconds seconds
            # HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.
            acme_http_router_request_seconds_bucket{path="/api/v1",method="GET",le="0.1"} 2 # {trace_id="KOO5S4vxi0o"} 0.067
            acme_http_router_request_seconds_bucket{path="/api/v1",method="GET",le="+Inf"} 3 # {trace_id="oHg5SJYRHA0"} 9.8 1520879607.789
            acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32
            acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 3
            acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1520430000.123
            # TYPE foo counter
            foo_total 17.0 1520879607.789
            foo_created 1520430000.123 1520879607.789
            # TYPE pool_info info
            pool_info{name="a"} 1
            # EOF

            """;

        var r = Om(text.TrimEnd('\n') + "\n");

        Assert.True(r.IsSuccess, r.ErrorMessage);
        Assert.DoesNotContain(r.Series, s => s.Key.Metric.EndsWith("_created", StringComparison.Ordinal));
        Assert.Equal(6, r.Series.Count);
        Assert.Equal(new Sample(DateTimeOffset.FromUnixTimeMilliseconds(1520879607789), 17), Find(r, "foo_total").Samples.Single());
        Assert.Equal(2, Find(r, "acme_http_router_request_seconds_bucket", "path", "/api/v1", "method", "GET", "le", "0.1").Samples[0].Value);
    }

    [Fact]
    public void Parse_OpenMetricsCreated_IsKeptWhenAsked()
    {
        var r = Om("# TYPE foo counter\nfoo_total 1\nfoo_created 1520430000.5\n# EOF\n", new ExpositionOptions { IncludeCreated = true });

        Assert.Equal(1520430000.5, Find(r, "foo_created").Samples[0].Value);
    }

    [Fact]
    public void Parse_OpenMetricsWithoutEof_Fails()
    {
        var r = Om("# TYPE foo counter\nfoo_total 1\n");

        Assert.False(r.IsSuccess);
        Assert.Contains("does not end with '# EOF'", r.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OpenMetricsContentAfterEof_FailsWithLine()
    {
        var r = Om("foo 1\n# EOF\nbar 2\n");

        Assert.Equal(3, r.Errors[0].Line);
        Assert.Contains("after '# EOF'", r.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OpenMetricsTimestampsAreSeconds_TextTimestampsAreMilliseconds()
    {
        var om = Om("a 1 1700000000.250\n# EOF\n");
        var text = Text("a 1 1700000000250\n");

        Assert.Equal(1700000000250, om.Series[0].Samples[0].At.ToUnixTimeMilliseconds());
        Assert.Equal(1700000000250, text.Series[0].Samples[0].At.ToUnixTimeMilliseconds());
        Assert.False(Text("a 1 1700000000.25\n").IsSuccess);
    }

    [Fact]
    public void Parse_HonorTimestampsOff_UsesScrapeTime()
    {
        var r = Text("a 1 1000\n", new ExpositionOptions { HonorTimestamps = false });

        Assert.Equal(ScrapeTime, r.Series[0].Samples[0].At);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData("+Inf")]
    [InlineData("-inf")]
    [InlineData("1e-3")]
    [InlineData("-0.5")]
    [InlineData(".5")]
    public void Parse_SpecialAndScientificValues_AreNumbers(string value)
    {
        Assert.True(Text($"a {value}\n").IsSuccess);
    }

    [Theory]
    [InlineData("a{b=\"c\"} x\n", 1, "'x' is not a number")]
    [InlineData("ok 1\na{b=\"c\" 1\n", 2, "expected ',' or '}'")]
    [InlineData("ok 1\nok2 2\na{b=c} 1\n", 3, "expected '\"' to open")]
    [InlineData("a{b=\"c\\t\"} 1\n", 1, "invalid escape sequence '\\t'")]
    [InlineData("a{b=\"c} 1\n", 1, "not closed with '\"'")]
    [InlineData("a{1b=\"c\"} 1\n", 1, "label name '1b' is invalid")]
    [InlineData("a{-b=\"c\"} 1\n", 1, "expected a label name")]
    [InlineData("a{b=\"1\",b=\"2\"} 1\n", 1, "'b' appears twice")]
    [InlineData("a{__name__=\"x\"} 1\n", 1, "must not set '__name__'")]
    [InlineData("a\n", 1, "has no value")]
    [InlineData("a 1 2 3\n", 1, "unexpected '3'")]
    [InlineData("-a 1\n", 1, "expected a metric name")]
    [InlineData("1a 1\n", 1, "metric name '1a' is invalid")]
    [InlineData("# TYPE a whatever\na 1\n", 1, "unknown metric type 'whatever'")]
    [InlineData("a 1\na 2\n", 2, "duplicate sample for a")]
    [InlineData("a 1 # {x=\"y\"} 1\n", 1, "unexpected '#")]
    public void Parse_BadTextLine_FailsWithLineAndReason(string text, int line, string expected)
    {
        var r = Text(text);

        Assert.False(r.IsSuccess);
        Assert.Empty(r.Series);
        Assert.Equal(line, r.Errors[0].Line);
        Assert.Contains(expected, r.Errors[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("# HELP a x \\t y\na 1\n# EOF\n", 1, "invalid escape sequence in the HELP")]
    [InlineData("# comment\n# EOF\n", 1, "unknown comment")]
    [InlineData("a 1\n\n# EOF\n", 2, "empty lines")]
    [InlineData("a 1 # trace\n# EOF\n", 1, "malformed exemplar")]
    [InlineData("a 1 # {t=\"1\"} x\n# EOF\n", 1, "'x' is not a number")]
    [InlineData("a 1 2000\na 2 1000\n# EOF\n", 2, "not in time order")]
    [InlineData("# TYPE a counter\n# TYPE a gauge\n# EOF\n", 2, "a second TYPE")]
    public void Parse_BadOpenMetrics_FailsWithLineAndReason(string text, int line, string expected)
    {
        var r = Om(text);

        Assert.False(r.IsSuccess);
        Assert.Equal(line, r.Errors[0].Line);
        Assert.Contains(expected, r.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OpenMetricsSeveralPointsInOrder_AreOneSeries()
    {
        var r = Om("a 1 100\na 2 101\n# EOF\n");

        Assert.Equal(2, Assert.Single(r.Series).Samples.Count);
    }

    [Fact]
    public void Parse_TextWhitespaceAndTabs_AreTolerated()
    {
        var r = Text("  a { b = \"1\" , c=\"2\", }\t3\t\n\r\n#\tTYPE b gauge\r\nb 4\r\n");

        Assert.True(r.IsSuccess, r.ErrorMessage);
        Assert.Equal(3, Find(r, "a", "b", "1", "c", "2").Samples[0].Value);
        Assert.Equal(4, Find(r, "b").Samples[0].Value);
    }

    [Fact]
    public void Parse_InvalidUtf8_Fails()
    {
        var r = ExpositionParser.Parse([0x61, 0x20, 0xC3, 0x28, 0x0A], ExpositionFormat.PrometheusText, ScrapeTime);

        Assert.Contains("not valid UTF-8", r.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Utf8LabelValues_AreDecoded()
    {
        var r = ExpositionParser.Parse(Encoding.UTF8.GetBytes("a{city=\"Zürich\"} 1\n"), ExpositionFormat.PrometheusText, ScrapeTime);

        Assert.Equal("Zürich", r.Series[0].Key.Labels["city"]);
    }

    [Fact]
    public void Parse_OverSampleLimit_IsRefused()
    {
        var r = Text("a 1\nb 2\nc 3\n", new ExpositionOptions { MaxSamples = 2 });

        Assert.True(r.IsLimitExceeded);
        Assert.Equal(3, r.Errors[0].Line);
    }

    [Fact]
    public void Parse_ManyBadLines_StopsAtMaxErrors()
    {
        var r = Text(string.Concat(Enumerable.Repeat("bad{\n", 50)));

        Assert.Equal(ParseResult.MaxErrors, r.Errors.Count);
    }

    [Fact]
    public void Parse_Truncated_NeverThrows()
    {
        const string text = "# TYPE h histogram\nh_bucket{le=\"0.5\",path=\"/a\\\"b\"} 1 # {t=\"x\"} 0.1 123.4\nh_count 3\n# EOF\n";
        for (var cut = 0; cut < text.Length - 1; cut++) // the last cut only drops the final newline, which is valid
        {
            var r = Om(text[..cut]);
            Assert.False(r.IsSuccess, $"cut at {cut}");
        }
    }

    [Theory]
    [InlineData("application/openmetrics-text; version=1.0.0; charset=utf-8", ExpositionFormat.OpenMetrics)]
    [InlineData("Application/OpenMetrics-Text", ExpositionFormat.OpenMetrics)]
    [InlineData("text/plain; version=0.0.4", ExpositionFormat.PrometheusText)]
    [InlineData("", ExpositionFormat.PrometheusText)]
    [InlineData(null, ExpositionFormat.PrometheusText)]
    public void FromContentType_PicksTheParser(string? contentType, ExpositionFormat expected)
    {
        Assert.Equal(expected, ExpositionContentType.FromContentType(contentType));
    }
}
