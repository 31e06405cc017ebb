using Auspex.Core.Series;
using Auspex.Ingestion.Influx;

namespace Auspex.Ingestion.Tests.Influx;

public class InfluxLineProtocolParserTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private static ParseResult Parse(string text, InfluxPrecision p = InfluxPrecision.Nanoseconds, InfluxOptions? o = null) =>
        InfluxLineProtocolParser.Parse(text, p, Now, o);

    private static SeriesData Find(ParseResult r, string metric, params string[] labels) =>
        r.Series.Single(s => s.Key.Equals(new SeriesKey(metric, Labels.Of(labels))));

    [Fact]
    public void Parse_FieldsOfEveryType_BecomeSeriesPerField()
    {
        var r = Parse("cpu,host=server01,region=us-west usage_idle=92.5,cores=8i,seq=18446744073709551615u,healthy=true,broken=F,note=\"ok\" 1700000000000000000\n");

        Assert.True(r.IsSuccess, r.ErrorMessage);
        var at = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        Assert.Equal(new Sample(at, 92.5), Find(r, "cpu_usage_idle", "host", "server01", "region", "us-west").Samples.Single());
        Assert.Equal(8, Find(r, "cpu_cores", "host", "server01", "region", "us-west").Samples[0].Value);
        Assert.Equal(18446744073709551615.0, Find(r, "cpu_seq", "host", "server01", "region", "us-west").Samples[0].Value);
        Assert.Equal(1, Find(r, "cpu_healthy", "host", "server01", "region", "us-west").Samples[0].Value);
        Assert.Equal(0, Find(r, "cpu_broken", "host", "server01", "region", "us-west").Samples[0].Value);
        Assert.DoesNotContain(r.Series, s => s.Key.Metric == "cpu_note");
        Assert.Equal(5, r.Series.Count);
    }

    [Fact]
    public void Parse_FieldNamedValue_UsesTheMeasurementAlone()
    {
        var r = Parse("temperature,room=a value=21.5\n");

        Assert.Equal("temperature", Assert.Single(r.Series).Key.Metric);
        Assert.Equal(Now, r.Series[0].Samples[0].At);
    }

    [Fact]
    public void Parse_EscapedCharacters_AreUnescapedAndNamesSanitised()
    {
        var r = Parse("disk\\ io,mount\\ point=/var\\,log,dev\\=x=sd\\ a read-bytes=1,msg=\"a \\\"q\\\" b, c=d\" 10\n");

        Assert.True(r.IsSuccess, r.ErrorMessage);
        var s = Assert.Single(r.Series);
        Assert.Equal("disk_io_read_bytes", s.Key.Metric);
        Assert.Equal("/var,log", s.Key.Labels["mount_point"]);
        Assert.Equal("sd a", s.Key.Labels["dev_x"]);
    }

    [Theory]
    [InlineData(InfluxPrecision.Nanoseconds, 1_700_000_000_123_456_789L, 1_700_000_000_123L)]
    [InlineData(InfluxPrecision.Microseconds, 1_700_000_000_123_456L, 1_700_000_000_123L)]
    [InlineData(InfluxPrecision.Milliseconds, 1_700_000_000_123L, 1_700_000_000_123L)]
    [InlineData(InfluxPrecision.Seconds, 1_700_000_000L, 1_700_000_000_000L)]
    [InlineData(InfluxPrecision.Minutes, 28_333_333L, 1_699_999_980_000L)]
    [InlineData(InfluxPrecision.Hours, 472_222L, 1_699_999_200_000L)]
    public void Parse_Precision_ScalesTimestamps(InfluxPrecision precision, long raw, long expectedMs)
    {
        var r = Parse($"m v=1 {raw}", precision);

        Assert.Equal(expectedMs, r.Series[0].Samples[0].At.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void Parse_NanosecondTimestamp_KeepsSubMillisecondTicks()
    {
        var r = Parse("m v=1 1700000000123456789");

        Assert.Equal(1_700_000_000_123_456_700 / 100 + DateTime.UnixEpoch.Ticks, r.Series[0].Samples[0].At.UtcTicks);
    }

    [Theory]
    [InlineData(null, InfluxPrecision.Nanoseconds)]
    [InlineData("n", InfluxPrecision.Nanoseconds)]
    [InlineData("ns", InfluxPrecision.Nanoseconds)]
    [InlineData("u", InfluxPrecision.Microseconds)]
    [InlineData("us", InfluxPrecision.Microseconds)]
    [InlineData("ms", InfluxPrecision.Milliseconds)]
    [InlineData("s", InfluxPrecision.Seconds)]
    [InlineData("m", InfluxPrecision.Minutes)]
    [InlineData("h", InfluxPrecision.Hours)]
    public void TryParsePrecision_AcceptsV1AndV2Spellings(string? text, InfluxPrecision expected)
    {
        Assert.True(InfluxPrecisions.TryParse(text, out var p));
        Assert.Equal(expected, p);
    }

    [Fact]
    public void TryParsePrecision_Unknown_IsFalse() => Assert.False(InfluxPrecisions.TryParse("days", out _));

    [Fact]
    public void Parse_CommentsBlankLinesAndCrLf_AreSkipped()
    {
        var r = Parse("# comment\r\n\r\n  m v=1 1\r\n\nm v=2 2\r\n", InfluxPrecision.Seconds);

        Assert.True(r.IsSuccess, r.ErrorMessage);
        Assert.Equal(2, r.SampleCount);
    }

    [Fact]
    public void Parse_SamePointTwice_LastWins()
    {
        var r = Parse("m,h=a v=1 5\nm,h=a v=2 5\nm,h=a v=0 1\n", InfluxPrecision.Seconds);

        Assert.Equal([0.0, 2.0], Assert.Single(r.Series).Samples.Select(s => s.Value));
    }

    [Fact]
    public void Parse_MultiLineStringField_KeepsLineNumbersRight()
    {
        var r = Parse("m v=1,s=\"two\nlines\" 1\nm v=x 2\n");

        Assert.Equal(3, r.Errors.Single().Line);
    }

    [Theory]
    [InlineData("m\n", "has no fields")]
    [InlineData("m,host v=1\n", "not of the form key=value")]
    [InlineData("m,host= v=1\n", "empty value")]
    [InlineData("m v=\n", "has no value")]
    [InlineData("m v=abc\n", "invalid value 'abc'")]
    [InlineData("m v=1.5i\n", "invalid value '1.5i'")]
    [InlineData("m v=-1u\n", "invalid value '-1u'")]
    [InlineData("m v=NaN\n", "invalid value 'NaN'")]
    [InlineData("m v=1 12x\n", "'12x' is not an integer timestamp")]
    [InlineData("m v=1 1 2\n", "unexpected text after the timestamp")]
    [InlineData("m v=\"open\n", "not closed")]
    [InlineData("m v=1,v=2\n", "appears twice")]
    [InlineData(",t=1 v=1\n", "no measurement")]
    [InlineData("m,a-b=1,a_b=2 v=1\n", "'a_b' appears twice")]
    public void Parse_BadLine_FailsWithReason(string text, string expected)
    {
        var r = Parse("ok v=1\n" + text);

        Assert.False(r.IsSuccess);
        Assert.Empty(r.Series);
        Assert.Equal(2, r.Errors[0].Line);
        Assert.Contains(expected, r.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TimestampOutOfRange_Fails()
    {
        Assert.Contains("outside the years", Parse("m v=1 9223372036854775807", InfluxPrecision.Seconds).ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_StringFieldsRejected_WhenConfigured()
    {
        var r = Parse("m v=1,s=\"x\"\n", o: new InfluxOptions { StringFields = InfluxStringFields.Reject });

        Assert.Contains("is a string", r.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OnlyStringFields_YieldsNothingWithoutError()
    {
        var r = Parse("log msg=\"hello\" 1\n");

        Assert.True(r.IsSuccess);
        Assert.Empty(r.Series);
    }

    [Fact]
    public void Parse_OverSampleLimit_IsRefused()
    {
        var r = Parse("m a=1,b=2,c=3\n", o: new InfluxOptions { MaxSamples = 2 });

        Assert.True(r.IsLimitExceeded);
    }

    [Fact]
    public void Parse_InvalidUtf8_Fails()
    {
        Assert.Contains("UTF-8", InfluxLineProtocolParser.Parse([0x6D, 0x20, 0xFF], InfluxPrecision.Seconds, Now).ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cpu", "usage", "cpu_usage")]
    [InlineData("cpu", "value", "cpu")]
    [InlineData("net.io", "bytes/s", "net_io_bytes_s")]
    [InlineData("9lives", "x", "_9lives_x")]
    public void MetricName_FollowsTheDocumentedMapping(string measurement, string field, string expected)
    {
        Assert.Equal(expected, InfluxLineProtocolParser.MetricName(measurement, field));
    }

    [Fact]
    public void Parse_Truncated_NeverThrows()
    {
        const string text = "cpu,host=a\\ b,r=x usage=1.5,n=3i,s=\"q\\\"x\",b=t 1700000000000000000\n";
        for (var cut = 0; cut <= text.Length; cut++)
        {
            _ = Parse(text[..cut]);
        }
    }
}
