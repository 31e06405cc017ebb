using Auspex.Core.Series;
using Auspex.Ingestion.RemoteWrite;
using Snappier;

namespace Auspex.Ingestion.Tests.RemoteWrite;

public class RemoteWriteV2DecoderTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private static RemoteWriteV2Result Decode(Pb pb, RemoteWriteLimits? limits = null) =>
        RemoteWriteV2Decoder.Decode(Snappy.CompressToArray(pb.ToArray()), limits);

    /// <summary>labels_refs as a packed field.</summary>
    private static Pb Refs(Pb series, params int[] refs)
    {
        var packed = new Pb();
        foreach (var r in refs)
        {
            packed.Varint((ulong)r);
        }
        return series.Bytes(1, packed.ToArray());
    }

    private static Pb Symbols(params string[] symbols)
    {
        var pb = new Pb();
        foreach (var s in symbols)
        {
            pb.String(4, s);
        }
        return pb;
    }

    [Fact]
    public void Encode_ThenDecode_RoundTripsLabelsSamplesAndOrder()
    {
        var series = new List<SeriesData>
        {
            new(new SeriesKey("node_cpu_seconds_total", Labels.Of("cpu", "0", "mode", "idle", "a", "ü ∑ \"q\"\n")),
                [new Sample(T0, 1.5), new Sample(T0.AddSeconds(15), 2.25)]),
            new(new SeriesKey("up", Labels.Of("mode", "idle")), [new Sample(T0, 1)]),
        };

        var result = RemoteWriteV2Decoder.Decode(RemoteWriteV2Encoder.Encode(series));

        Assert.True(result.Parsed.IsSuccess, result.Parsed.ErrorMessage);
        Assert.Equal(series.Select(s => s.Key), result.Parsed.Series.Select(s => s.Key));
        Assert.Equal(series[0].Samples, result.Parsed.Series[0].Samples);
        Assert.Equal(0, result.HistogramSamples);
    }

    [Fact]
    public void Decode_SymbolsAfterSeries_UnpackedRefs_StartTimestampAndMetadataSkipped()
    {
        // Series first, symbols last; refs unpacked; a sample with start_timestamp (field 3); metadata (field 5).
        var pb = new Pb().Message(5, s => s
                .Tag(1, 0).Varint(1).Tag(1, 0).Varint(2).Tag(1, 0).Varint(3).Tag(1, 0).Varint(4)
                .Message(2, x => x.Double(1, 7).Int64(2, T0.ToUnixTimeMilliseconds()).Int64(3, T0.ToUnixTimeMilliseconds() - 1000))
                .Message(5, m => m.Int64(1, 1).Int64(3, 5)))
            .String(4, "").String(4, "__name__").String(4, "http_requests_total").String(4, "job").String(4, "api");

        var result = Decode(pb);

        Assert.True(result.Parsed.IsSuccess, result.Parsed.ErrorMessage);
        var s = Assert.Single(result.Parsed.Series);
        Assert.Equal(new SeriesKey("http_requests_total", Labels.Of("job", "api")), s.Key);
        Assert.Equal([new Sample(T0, 7)], s.Samples);
    }

    [Fact]
    public void Decode_HistogramsAndExemplars_AreCountedNotStored()
    {
        var pb = Symbols("", "__name__", "latency", "job", "api");
        pb.Message(5, s => Refs(s, 1, 2, 3, 4)
            .Message(2, x => x.Double(1, 1).Int64(2, T0.ToUnixTimeMilliseconds()))
            .Message(3, h => h.Int64(1, 5))
            .Message(3, h => h.Int64(1, 6))
            .Message(4, e => e.Double(2, 0.5)));
        pb.Message(5, s => Refs(s, 1, 2).Message(3, h => h.Int64(1, 5)));

        var result = Decode(pb);

        Assert.True(result.Parsed.IsSuccess, result.Parsed.ErrorMessage);
        Assert.Equal(1, result.Parsed.SampleCount);
        Assert.Equal(3, result.HistogramSamples);
        Assert.Equal(1, result.Exemplars);
    }

    [Fact]
    public void Decode_RefOutsideSymbols_IsMalformedNamingTheReference()
    {
        var pb = Symbols("", "__name__", "up");
        pb.Message(5, s => Refs(s, 1, 2, 1, 9).Message(2, x => x.Double(1, 1).Int64(2, 0)));

        var result = Decode(pb);

        Assert.False(result.Parsed.IsSuccess);
        Assert.Contains("label reference 9 is outside the symbols table (3 symbols)", result.Parsed.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(result.Parsed.Series);
    }

    [Fact]
    public void Decode_OddRefs_IsMalformed()
    {
        var pb = Symbols("", "__name__", "up");
        pb.Message(5, s => Refs(s, 1, 2, 1).Message(2, x => x.Double(1, 1).Int64(2, 0)));

        Assert.Contains("labels_refs has 3 entries", Decode(pb).Parsed.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_FirstSymbolNotEmpty_IsMalformed()
    {
        var pb = Symbols("__name__", "up");
        pb.Message(5, s => Refs(s, 0, 1).Message(2, x => x.Double(1, 1).Int64(2, 0)));

        Assert.Contains("the first symbol must be the empty string", Decode(pb).Parsed.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NoName_OrBadLabelName_IsMalformedNamingTheSeries()
    {
        var pb = Symbols("", "job", "api", "__name__", "up", "bad-name");
        pb.Message(5, s => Refs(s, 1, 2).Message(2, x => x.Double(1, 1).Int64(2, 0)));
        pb.Message(5, s => Refs(s, 3, 4, 5, 2).Message(2, x => x.Double(1, 1).Int64(2, 0)));

        var message = Decode(pb).Parsed.ErrorMessage;

        Assert.Contains("series #0 {job=\"api\"}: the series has no __name__ label", message, StringComparison.Ordinal);
        Assert.Contains("label name 'bad-name' is invalid", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_InvalidUtf8Symbol_IsMalformed()
    {
        var pb = new Pb().String(4, "").Bytes(4, [0xC3, 0x28]);

        Assert.Contains("symbol #1 is not valid UTF-8", Decode(pb).Parsed.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Truncated_IsMalformed()
    {
        var whole = RemoteWriteV2Encoder.EncodeUncompressed([new SeriesData(new SeriesKey("up", Labels.Empty), [new Sample(T0, 1)])]);

        var result = RemoteWriteV2Decoder.Decode(Snappy.CompressToArray(whole.AsSpan(0, whole.Length - 3)));

        Assert.False(result.Parsed.IsSuccess);
        Assert.Contains("truncated protobuf", result.Parsed.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NotSnappy_IsMalformed()
    {
        var result = RemoteWriteV2Decoder.Decode([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);

        Assert.False(result.Parsed.IsSuccess);
        Assert.Equal(ParseErrorKind.Malformed, result.Parsed.Errors[0].Kind);
    }

    [Fact]
    public void Decode_OverLimits_IsLimitExceeded()
    {
        var series = Enumerable.Range(0, 5).Select(i => new SeriesData(new SeriesKey("m", Labels.Of("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))), [new Sample(T0, i)])).ToList();
        var body = RemoteWriteV2Encoder.Encode(series);

        var tooMany = RemoteWriteV2Decoder.Decode(body, new RemoteWriteLimits { MaxSeries = 3 });
        var tooBig = RemoteWriteV2Decoder.Decode(body, new RemoteWriteLimits { MaxDecompressedBytes = 10 });

        Assert.True(tooMany.Parsed.IsLimitExceeded);
        Assert.Contains("more than 3 series", tooMany.Parsed.ErrorMessage, StringComparison.Ordinal);
        Assert.True(tooBig.Parsed.IsLimitExceeded);
    }

    [Fact]
    public void Decode_SameSeriesTwice_MergedLastSampleOfATimestampWins()
    {
        var pb = Symbols("", "__name__", "up");
        pb.Message(5, s => Refs(s, 1, 2).Message(2, x => x.Double(1, 1).Int64(2, 2000)).Message(2, x => x.Double(1, 2).Int64(2, 1000)));
        pb.Message(5, s => Refs(s, 1, 2).Message(2, x => x.Double(1, 3).Int64(2, 2000)));

        var s = Assert.Single(Decode(pb).Parsed.Series);

        Assert.Equal([new Sample(DateTimeOffset.FromUnixTimeMilliseconds(1000), 2), new Sample(DateTimeOffset.FromUnixTimeMilliseconds(2000), 3)], s.Samples);
    }
}
