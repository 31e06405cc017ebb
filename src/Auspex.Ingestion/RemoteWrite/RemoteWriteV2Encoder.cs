using System.Text;
using Auspex.Core.Series;
using Snappier;

namespace Auspex.Ingestion.RemoteWrite;

/// <summary>Encodes series as a remote_write 2.0 <c>io.prometheus.write.v2.Request</c> (for tests, benchmarks and senders).</summary>
public static class RemoteWriteV2Encoder
{
    /// <summary>Encodes and snappy-compresses (block format).</summary>
    public static byte[] Encode(IReadOnlyList<SeriesData> series) => Snappy.CompressToArray(EncodeUncompressed(series));

    /// <summary>The protobuf bytes: symbols first (the empty string at index 0), then the series, labels sorted by name.</summary>
    public static byte[] EncodeUncompressed(IReadOnlyList<SeriesData> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var index = new Dictionary<string, int>(StringComparer.Ordinal) { [""] = 0 };
        var symbols = new List<string> { "" };
        int Ref(string s)
        {
            if (!index.TryGetValue(s, out var i))
            {
                i = symbols.Count;
                index[s] = i;
                symbols.Add(s);
            }
            return i;
        }
        var refsPerSeries = new List<List<int>>(series.Count);
        foreach (var s in series)
        {
            var pairs = s.Key.Labels.Select(l => (l.Key, l.Value)).Append(("__name__", s.Key.Metric)).OrderBy(p => p.Item1, StringComparer.Ordinal);
            var refs = new List<int>();
            foreach (var (n, v) in pairs)
            {
                refs.Add(Ref(n));
                refs.Add(Ref(v));
            }
            refsPerSeries.Add(refs);
        }
        var w = new ProtoWriter(4096);
        foreach (var s in symbols)
        {
            w.WriteString(4, s, Encoding.UTF8.GetByteCount(s));
        }
        for (var i = 0; i < series.Count; i++)
        {
            var inner = new ProtoWriter(256);
            var packed = new ProtoWriter(64);
            foreach (var r in refsPerSeries[i])
            {
                packed.WriteVarint((ulong)r);
            }
            inner.WriteTag(1, 2);
            inner.WriteVarint((ulong)packed.Length);
            inner.WriteBytes(packed.Written);
            foreach (var p in series[i].Samples)
            {
                var ts = unchecked((ulong)p.At.ToUnixTimeMilliseconds());
                inner.WriteTag(2, 2);
                inner.WriteVarint((ulong)(1 + 8 + 1 + ProtoWriter.VarintSize(ts)));
                inner.WriteTag(1, 1);
                inner.WriteDouble(p.Value);
                inner.WriteTag(2, 0);
                inner.WriteVarint(ts);
            }
            w.WriteTag(5, 2);
            w.WriteVarint((ulong)inner.Length);
            w.WriteBytes(inner.Written);
        }
        return w.Written.ToArray();
    }
}
