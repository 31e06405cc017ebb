using Auspex.Core.Series;
using Auspex.Ingestion.RemoteWrite;
using Snappier;

namespace Auspex.Ingestion.Tests.RemoteWrite;

public class RemoteWriteDecoderTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private static ParseResult DecodeRaw(Pb pb, RemoteWriteLimits? limits = null) =>
        RemoteWriteDecoder.Decode(Snappy.CompressToArray(pb.ToArray()), limits);

    [Fact]
    public void Encode_ThenDecode_RoundTripsLabelsSamplesAndOrder()
    {
        var series = new List<SeriesData>
        {
            new(new SeriesKey("node_cpu_seconds_total", Labels.Of("cpu", "0", "mode", "idle", "Zone", "eu-1", "a", "ü ∑ \"q\"\n")),
                [new Sample(T0, 1.5), new Sample(T0.AddSeconds(15), 2.25), new Sample(T0.AddSeconds(30), -0.0)]),
            new(new SeriesKey("up", Labels.Empty), [new Sample(T0, 1)]),
            new(new SeriesKey("before_epoch:x", Labels.Of("job", "j")), [new Sample(DateTimeOffset.FromUnixTimeMilliseconds(-5_000), double.PositiveInfinity)]),
        };

        var result = RemoteWriteDecoder.Decode(RemoteWriteEncoder.Encode(series));

        Assert.True(result.IsSuccess, result.ErrorMessage);
        Assert.Equal(5, result.SampleCount);
        Assert.Equal(series.Select(s => s.Key), result.Series.Select(s => s.Key));
        for (var i = 0; i < series.Count; i++)
        {
            Assert.Equal(series[i].Samples, result.Series[i].Samples);
        }
    }

    [Fact]
    public void Encode_PutsNameLabelInSortedPlace()
    {
        var series = new SeriesData(new SeriesKey("m", Labels.Of("Z", "1", "a", "2")), [new Sample(T0, 1)]);
        var bytes = RemoteWriteEncoder.EncodeUncompressed([series]);
        var text = System.Text.Encoding.ASCII.GetString(bytes);

        var z = text.IndexOf("\u0001Z", StringComparison.Ordinal);
        var name = text.IndexOf("__name__", StringComparison.Ordinal);
        var a = text.IndexOf("\u0001a", StringComparison.Ordinal);
        Assert.True(z < name && name < a, "labels must be sorted byte-wise: Z < __name__ < a");
    }

    [Fact]
    public void Decode_HandWrittenRequest_ReadsEveryField()
    {
        var pb = new Pb()
            .Series(s => s.Label("job", "node").Label("__name__", "up").Label("instance", "h:9100").Sample(1, 1000).Sample(0, 2000))
            .Message(3, m => m.Tag(1, 0).Varint(1).String(2, "up").String(4, "help").String(5, "")); // metadata is skipped

        var result = DecodeRaw(pb);

        Assert.True(result.IsSuccess, result.ErrorMessage);
        var s = Assert.Single(result.Series);
        Assert.Equal("up", s.Key.Metric);
        Assert.Equal(Labels.Of("instance", "h:9100", "job", "node"), s.Key.Labels);
        Assert.Equal([new Sample(DateTimeOffset.FromUnixTimeMilliseconds(1000), 1), new Sample(DateTimeOffset.FromUnixTimeMilliseconds(2000), 0)], s.Samples);
    }

    [Fact]
    public void Decode_UnknownFieldsExemplarsAndHistograms_AreSkipped()
    {
        var pb = new Pb()
            .Series(s => s.Label("__name__", "m")
                .Sample(1, 1000)
                .Message(3, e => e.Label("trace_id", "abc").Double(2, 9).Int64(3, 1000)) // exemplar
                .Message(4, h => h.Int64(1, 5).Double(3, 2.5)) // native histogram
                .Tag(9, 5).Raw(1, 2, 3, 4) // unknown fixed32
                .Tag(10, 1).Raw(1, 2, 3, 4, 5, 6, 7, 8)) // unknown fixed64
            .Tag(15, 0).Varint(42);

        var result = DecodeRaw(pb);

        Assert.True(result.IsSuccess, result.ErrorMessage);
        Assert.Equal(1, result.SampleCount);
    }

    [Fact]
    public void Decode_EmptyRequest_SucceedsWithNoSeries()
    {
        var result = RemoteWriteDecoder.Decode(Snappy.CompressToArray([]));

        Assert.True(result.IsSuccess);
        Assert.Empty(result.Series);
    }

    [Fact]
    public void Decode_NotSnappy_FailsNamingSnappy()
    {
        var body = "this is plain text, not snappy"u8.ToArray();

        var result = RemoteWriteDecoder.Decode(body);

        Assert.False(result.IsSuccess);
        Assert.Equal(ParseErrorKind.Malformed, result.Errors[0].Kind);
        Assert.Contains("snappy", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_EmptyBody_FailsInsteadOfThrowing()
    {
        var result = RemoteWriteDecoder.Decode([]);

        Assert.False(result.IsSuccess);
        Assert.Contains("snappy", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_SnappyStreamFormatInsteadOfBlock_Fails()
    {
        using var ms = new MemoryStream();
        using (var stream = new SnappyStream(ms, System.IO.Compression.CompressionMode.Compress, leaveOpen: true))
        {
            stream.Write(RemoteWriteEncoder.EncodeUncompressed([new SeriesData(new SeriesKey("m", Labels.Empty), [new Sample(T0, 1)])]));
        }

        var result = RemoteWriteDecoder.Decode(ms.ToArray());

        Assert.False(result.IsSuccess);
    }

    [Fact]
    public void Decode_CorruptedSnappy_NeverThrows()
    {
        var good = RemoteWriteEncoder.Encode(Enumerable.Range(0, 20)
            .Select(i => new SeriesData(new SeriesKey("m", Labels.Of("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))), [new Sample(T0, i)]))
            .ToList());
        var random = new Random(42);
        for (var trial = 0; trial < 500; trial++)
        {
            var bad = (byte[])good.Clone();
            for (var flips = 0; flips < 3; flips++)
            {
                bad[random.Next(bad.Length)] ^= (byte)(1 + random.Next(255));
            }
            var result = RemoteWriteDecoder.Decode(bad);
            Assert.True(result.IsSuccess || result.Errors.Count > 0);
        }
    }

    [Fact]
    public void Decode_TruncatedProtobuf_FailsWithOffsetAndNeverThrows()
    {
        var full = RemoteWriteEncoder.EncodeUncompressed(
        [
            new SeriesData(new SeriesKey("a_metric", Labels.Of("k", "v")), [new Sample(T0, 1), new Sample(T0.AddSeconds(1), 2)]),
        ]);
        for (var cut = 1; cut < full.Length; cut++)
        {
            var result = RemoteWriteDecoder.DecodeUncompressed(full.AsSpan(0, cut));
            Assert.False(result.IsSuccess, $"a request cut at {cut} of {full.Length} bytes must fail");
            Assert.NotNull(result.Errors[0].Offset);
            Assert.Contains("truncated", result.ErrorMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Decode_MissingMetricName_FailsNamingTheSeries()
    {
        var pb = new Pb()
            .Series(s => s.Label("__name__", "fine").Sample(1, 1000))
            .Series(s => s.Label("job", "node").Label("instance", "x").Sample(1, 1000));

        var result = DecodeRaw(pb);

        Assert.False(result.IsSuccess);
        Assert.Empty(result.Series);
        var error = Assert.Single(result.Errors);
        Assert.Contains("__name__", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("#1 {job=\"node\"", error.Series, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_DuplicateLabelName_Fails()
    {
        var pb = new Pb().Series(s => s.Label("__name__", "m").Label("job", "a").Label("job", "b").Sample(1, 1000));

        var result = DecodeRaw(pb);

        Assert.False(result.IsSuccess);
        Assert.Contains("'job' appears twice", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TwoMetricNames_Fails()
    {
        var pb = new Pb().Series(s => s.Label("__name__", "m").Label("__name__", "n").Sample(1, 1000));

        Assert.Contains("'__name__' appears twice", DecodeRaw(pb).ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("__name__", "1abc", "metric name '1abc' is invalid")]
    [InlineData("bad-label", "v", "label name 'bad-label' is invalid")]
    public void Decode_InvalidNames_Fail(string name, string value, string expected)
    {
        var pb = new Pb().Series(s => s.Label("__name__", name == "__name__" ? value : "m").Label(name == "__name__" ? "x" : name, value).Sample(1, 1000));

        Assert.Contains(expected, DecodeRaw(pb).ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NaNAndStaleMarker_AreKeptBitForBit()
    {
        var oddNaN = BitConverter.UInt64BitsToDouble(0x7ff8000000000001UL);
        var pb = new Pb().Series(s => s.Label("__name__", "m")
            .Sample(double.NaN, 1000).Sample(StaleMarker.Value, 2000).Sample(oddNaN, 3000).Sample(double.NegativeInfinity, 4000));

        var result = DecodeRaw(pb);

        Assert.True(result.IsSuccess, result.ErrorMessage);
        var samples = result.Series[0].Samples;
        Assert.True(double.IsNaN(samples[0].Value) && !StaleMarker.IsStale(samples[0].Value));
        Assert.True(StaleMarker.IsStale(samples[1].Value));
        Assert.Equal(0x7ff8000000000001UL, BitConverter.DoubleToUInt64Bits(samples[2].Value));
        Assert.Equal(double.NegativeInfinity, samples[3].Value);
    }

    [Fact]
    public void Decode_OutOfOrderSamples_AreSortedAndLastOfATimestampWins()
    {
        var pb = new Pb().Series(s => s.Label("__name__", "m")
            .Sample(3, 3000).Sample(1, 1000).Sample(2, 2000).Sample(10, 1000));

        var samples = DecodeRaw(pb).Series[0].Samples;

        Assert.Equal([1000L, 2000L, 3000L], samples.Select(x => x.At.ToUnixTimeMilliseconds()));
        Assert.Equal([10.0, 2.0, 3.0], samples.Select(x => x.Value));
    }

    [Fact]
    public void Decode_SameSeriesTwice_IsMerged()
    {
        var pb = new Pb()
            .Series(s => s.Label("__name__", "m").Label("a", "1").Sample(2, 2000))
            .Series(s => s.Label("a", "1").Label("__name__", "m").Sample(1, 1000));

        var result = DecodeRaw(pb);

        var s = Assert.Single(result.Series);
        Assert.Equal([1.0, 2.0], s.Samples.Select(x => x.Value));
    }

    [Fact]
    public void Decode_SeriesWithoutSamples_IsIgnored()
    {
        var pb = new Pb().Series(s => s.Label("__name__", "m")).Series(s => s.Label("__name__", "n").Sample(1, 1));

        var result = DecodeRaw(pb);

        Assert.Equal("n", Assert.Single(result.Series).Key.Metric);
    }

    [Fact]
    public void Decode_EmptyLabelValue_IsDroppedAsInPrometheus()
    {
        var pb = new Pb().Series(s => s.Label("__name__", "m").Label("empty", "").Label("k", "v").Sample(1, 1));

        Assert.Equal(Labels.Of("k", "v"), DecodeRaw(pb).Series[0].Key.Labels);
    }

    [Fact]
    public void Decode_InvalidUtf8_Fails()
    {
        var pb = new Pb().Series(s => s.Label("__name__", "m").Message(1, l => l.String(1, "k").Bytes(2, [0xC3, 0x28])).Sample(1, 1));

        Assert.Contains("not valid UTF-8", DecodeRaw(pb).ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_WrongWireType_Fails()
    {
        var pb = new Pb().Series(s => s.Label("__name__", "m").Message(2, x => x.Tag(1, 0).Varint(5).Int64(2, 1)));

        Assert.Contains("Sample.value has wire type 0", DecodeRaw(pb).ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TimestampBeyondYear9999_Fails()
    {
        var pb = new Pb().Series(s => s.Label("__name__", "m").Sample(1, long.MaxValue));

        Assert.Contains("outside the years", DecodeRaw(pb).ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_DeclaredSizeOverLimit_IsRefusedBeforeDecompressing()
    {
        // A snappy header claiming 1 GiB followed by nothing: refused from the header alone.
        var body = new Pb().Varint(1UL << 30).Raw(0).ToArray();

        var result = RemoteWriteDecoder.Decode(body, new RemoteWriteLimits { MaxDecompressedBytes = 1024 });

        Assert.True(result.IsLimitExceeded);
        Assert.Contains("over the limit of 1024 bytes", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_HugePayload_WithinLimits_Succeeds()
    {
        var series = Enumerable.Range(0, 20_000)
            .Select(i => new SeriesData(
                new SeriesKey("big_metric", Labels.Of("instance", "host-" + (i % 500).ToString(System.Globalization.CultureInfo.InvariantCulture), "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
                [new Sample(T0, i), new Sample(T0.AddSeconds(15), i + 1)]))
            .ToList();
        var body = RemoteWriteEncoder.Encode(series);

        var result = RemoteWriteDecoder.Decode(body);

        Assert.True(result.IsSuccess, result.ErrorMessage);
        Assert.Equal(40_000, result.SampleCount);
    }

    [Fact]
    public void Decode_TooManySeries_IsRefused()
    {
        var series = Enumerable.Range(0, 11)
            .Select(i => new SeriesData(new SeriesKey("m", Labels.Of("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))), [new Sample(T0, i)]))
            .ToList();

        var result = RemoteWriteDecoder.Decode(RemoteWriteEncoder.Encode(series), new RemoteWriteLimits { MaxSeries = 10 });

        Assert.True(result.IsLimitExceeded);
        Assert.Contains("more than 10 series", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(result.Series);
    }

    [Fact]
    public void Decode_TooManySamples_IsRefused()
    {
        var series = new SeriesData(new SeriesKey("m", Labels.Empty), [.. Enumerable.Range(0, 6).Select(i => new Sample(T0.AddSeconds(i), i))]);

        var result = RemoteWriteDecoder.Decode(RemoteWriteEncoder.Encode([series]), new RemoteWriteLimits { MaxSamples = 5 });

        Assert.True(result.IsLimitExceeded);
        Assert.Contains("more than 5 samples", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TooManyLabels_OrTooLongValue_IsRefused()
    {
        var many = new SeriesData(new SeriesKey("m", Labels.Of("a", "1", "b", "2", "c", "3")), [new Sample(T0, 1)]);
        var longValue = new SeriesData(new SeriesKey("m", Labels.Of("a", new string('x', 300))), [new Sample(T0, 1)]);

        var tooMany = RemoteWriteDecoder.Decode(RemoteWriteEncoder.Encode([many]), new RemoteWriteLimits { MaxLabelsPerSeries = 3 });
        var tooLong = RemoteWriteDecoder.Decode(RemoteWriteEncoder.Encode([longValue]), new RemoteWriteLimits { MaxLabelValueLength = 256 });

        Assert.Contains("4 labels, over the limit of 3", tooMany.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("300 characters long, over the limit of 256", tooLong.ErrorMessage, StringComparison.Ordinal);
        Assert.True(tooMany.IsLimitExceeded && tooLong.IsLimitExceeded);
    }

    [Fact]
    public void Decode_ManyBadSeries_StopsAtMaxErrors()
    {
        var pb = new Pb();
        for (var i = 0; i < 50; i++)
        {
            pb.Series(s => s.Label("job", "x").Sample(1, 1));
        }

        Assert.Equal(ParseResult.MaxErrors, DecodeRaw(pb).Errors.Count);
    }

    [Fact]
    public void Limits_NonPositive_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RemoteWriteDecoder.Decode([], new RemoteWriteLimits { MaxSeries = 0 }));
    }
}

public class RemoteWriteProtocolTests
{
    [Theory]
    [InlineData("application/x-protobuf", "snappy")]
    [InlineData("application/x-protobuf; proto=prometheus.WriteRequest", "snappy")]
    [InlineData("Application/X-Protobuf", "Snappy")]
    [InlineData(null, "snappy")]
    [InlineData("application/x-protobuf;proto=io.prometheus.write.v2.Request", "snappy")]
    public void CheckHeaders_RemoteWrite1And2_AreAccepted(string? contentType, string encoding)
    {
        Assert.Null(RemoteWriteProtocol.CheckHeaders(contentType, encoding));
    }

    [Theory]
    [InlineData("application/json", "snappy", "Content-Type 'application/json' is not supported")]
    [InlineData("application/x-protobuf;proto=io.prometheus.write.v3.Request", "snappy", "protobuf message 'io.prometheus.write.v3.Request' is not supported")]
    [InlineData("application/x-protobuf", "gzip", "Content-Encoding 'gzip' is not supported")]
    [InlineData("application/x-protobuf", null, "Content-Encoding is missing")]
    public void CheckHeaders_WrongContentTypeOrEncoding_IsUnsupportedMediaType(string contentType, string? encoding, string expected)
    {
        var error = RemoteWriteProtocol.CheckHeaders(contentType, encoding);

        Assert.NotNull(error);
        Assert.Equal(ParseErrorKind.UnsupportedMediaType, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, RemoteWriteMessage.V1)]
    [InlineData("application/x-protobuf", RemoteWriteMessage.V1)]
    [InlineData("application/x-protobuf;proto=prometheus.WriteRequest", RemoteWriteMessage.V1)]
    [InlineData("application/x-protobuf;proto=io.prometheus.write.v2.Request", RemoteWriteMessage.V2)]
    [InlineData("application/x-protobuf; proto=\"io.prometheus.write.v2.Request\"", RemoteWriteMessage.V2)]
    public void Negotiate_ReadsTheProtoParameter(string? contentType, RemoteWriteMessage expected)
    {
        Assert.Null(RemoteWriteProtocol.Negotiate(contentType, out var message));
        Assert.Equal(expected, message);
    }
}
