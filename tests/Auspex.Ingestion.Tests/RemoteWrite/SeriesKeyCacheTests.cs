using Auspex.Core.Series;
using Auspex.Ingestion.RemoteWrite;
using Snappier;

namespace Auspex.Ingestion.Tests.RemoteWrite;

public class SeriesKeyCacheTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private static List<SeriesData> Series(int n, int round) => Enumerable.Range(0, n)
        .Select(i => new SeriesData(new SeriesKey("m", Labels.Of("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture), "job", "x")),
            [new Sample(T0.AddSeconds(round), i + round)]))
        .ToList();

    [Fact]
    public void Decode_WithCache_GivesTheSameResultAsWithout()
    {
        var cache = new SeriesKeyCache();
        for (var round = 0; round < 3; round++)
        {
            var body = RemoteWriteEncoder.Encode(Series(50, round));

            var cached = RemoteWriteDecoder.Decode(body, cache: cache);
            var plain = RemoteWriteDecoder.Decode(body);

            Assert.True(cached.IsSuccess, cached.ErrorMessage);
            Assert.Equal(plain.Series.Select(s => s.Key), cached.Series.Select(s => s.Key));
            Assert.Equal(plain.Series.SelectMany(s => s.Samples), cached.Series.SelectMany(s => s.Samples));
        }
        Assert.Equal(50, cache.Count);
    }

    [Fact]
    public void Decode_InvalidSeries_IsNeverCached()
    {
        var cache = new SeriesKeyCache();
        var bad = new Pb().Series(s => s.Label("job", "x").Sample(1, 1));

        RemoteWriteDecoder.Decode(Snappy.CompressToArray(bad.ToArray()), cache: cache);
        var again = RemoteWriteDecoder.Decode(Snappy.CompressToArray(bad.ToArray()), cache: cache);

        Assert.Equal(0, cache.Count);
        Assert.Contains("__name__", again.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_CachedSeries_StillChecksSamples()
    {
        var cache = new SeriesKeyCache();
        RemoteWriteDecoder.Decode(Snappy.CompressToArray(new Pb().Series(s => s.Label("__name__", "m").Sample(1, 1)).ToArray()), cache: cache);

        var r = RemoteWriteDecoder.Decode(Snappy.CompressToArray(new Pb().Series(s => s.Label("__name__", "m").Sample(1, long.MaxValue)).ToArray()), cache: cache);

        Assert.Contains("outside the years", r.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_CachedSeries_TruncatedOrCorruptedSamples_FailNamingWhatAndWhere()
    {
        var cache = new SeriesKeyCache();
        var good = new Pb().Series(s => s.Label("__name__", "m").Label("job", "j").Sample(1, 1000).Sample(2, 2000)).ToArray();
        Assert.True(RemoteWriteDecoder.Decode(Snappy.CompressToArray(good), cache: cache).IsSuccess);
        Assert.Equal(1, cache.Count);

        // Every cut of the same request now goes through the cached-labels path once the labels are whole.
        for (var cut = 1; cut < good.Length; cut++)
        {
            var r = RemoteWriteDecoder.Decode(Snappy.CompressToArray(good.AsSpan(0, cut).ToArray()), cache: cache);
            Assert.False(r.IsSuccess, $"a request cut at {cut} of {good.Length} bytes must fail");
            Assert.NotNull(r.Errors[0].Offset);
            Assert.Contains("truncated", r.ErrorMessage, StringComparison.Ordinal);
        }

        // A sample whose timestamp has the wrong wire type, behind cached labels.
        var bad = new Pb().Series(s => s.Label("__name__", "m").Label("job", "j").Raw(0x12, 0x02, 0x11, 0x00)).ToArray();
        var wrong = RemoteWriteDecoder.Decode(Snappy.CompressToArray(bad), cache: cache);
        Assert.False(wrong.IsSuccess);
        Assert.Contains("Sample.timestamp", wrong.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_LabelsInterleavedWithSamples_AreDecodedWithoutCaching()
    {
        var cache = new SeriesKeyCache();
        var pb = new Pb().Series(s => s.Label("__name__", "m").Sample(1, 1).Label("a", "b"));

        var r = RemoteWriteDecoder.Decode(Snappy.CompressToArray(pb.ToArray()), cache: cache);

        Assert.Equal(new SeriesKey("m", Labels.Of("a", "b")), Assert.Single(r.Series).Key);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Cache_AtCapacity_StartsOver()
    {
        var cache = new SeriesKeyCache(capacity: 10);

        RemoteWriteDecoder.Decode(RemoteWriteEncoder.Encode(Series(25, 0)), cache: cache);

        Assert.InRange(cache.Count, 1, 10);
    }
}
