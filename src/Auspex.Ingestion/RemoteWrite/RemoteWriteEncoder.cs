using System.Text;
using Auspex.Core.Series;
using Snappier;

namespace Auspex.Ingestion.RemoteWrite;

/// <summary>
/// Encodes series as a Prometheus remote_write 1.0 <c>WriteRequest</c>: labels sorted by name with <c>__name__</c> in
/// its sorted place, samples in the order given (callers pass them in time order), timestamps in milliseconds.
/// </summary>
public static class RemoteWriteEncoder
{
    /// <summary>Encodes and snappy-compresses (block format): the body of a remote_write POST.</summary>
    public static byte[] Encode(IReadOnlyList<SeriesData> series)
    {
        var writer = Write(series);
        return Snappy.CompressToArray(writer.Written);
    }

    /// <summary>Encodes without compression: the protobuf <c>WriteRequest</c> bytes.</summary>
    public static byte[] EncodeUncompressed(IReadOnlyList<SeriesData> series) => Write(series).Written.ToArray();

    private static ProtoWriter Write(IReadOnlyList<SeriesData> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var writer = new ProtoWriter(4096);
        var labels = new List<(string Name, string Value, int NameBytes, int ValueBytes)>();
        foreach (var s in series)
        {
            labels.Clear();
            var nameDone = false;
            foreach (var (name, value) in s.Key.Labels)
            {
                if (!nameDone && string.CompareOrdinal("__name__", name) < 0)
                {
                    labels.Add(("__name__", s.Key.Metric, 8, Encoding.UTF8.GetByteCount(s.Key.Metric)));
                    nameDone = true;
                }
                labels.Add((name, value, Encoding.UTF8.GetByteCount(name), Encoding.UTF8.GetByteCount(value)));
            }
            if (!nameDone)
            {
                labels.Add(("__name__", s.Key.Metric, 8, Encoding.UTF8.GetByteCount(s.Key.Metric)));
            }

            var seriesSize = 0;
            foreach (var l in labels)
            {
                var size = LabelSize(l.NameBytes, l.ValueBytes);
                seriesSize += 1 + ProtoWriter.VarintSize((ulong)size) + size;
            }
            foreach (var sample in s.Samples)
            {
                var size = SampleSize(sample);
                seriesSize += 1 + ProtoWriter.VarintSize((ulong)size) + size;
            }

            writer.WriteTag(1, 2);
            writer.WriteVarint((ulong)seriesSize);
            foreach (var l in labels)
            {
                writer.WriteTag(1, 2);
                writer.WriteVarint((ulong)LabelSize(l.NameBytes, l.ValueBytes));
                writer.WriteString(1, l.Name, l.NameBytes);
                writer.WriteString(2, l.Value, l.ValueBytes);
            }
            foreach (var sample in s.Samples)
            {
                writer.WriteTag(2, 2);
                writer.WriteVarint((ulong)SampleSize(sample));
                writer.WriteTag(1, 1);
                writer.WriteDouble(sample.Value);
                writer.WriteTag(2, 0);
                writer.WriteVarint(unchecked((ulong)sample.At.ToUnixTimeMilliseconds()));
            }
        }
        return writer;
    }

    private static int LabelSize(int nameBytes, int valueBytes) =>
        ProtoWriter.StringFieldSize(nameBytes) + ProtoWriter.StringFieldSize(valueBytes);

    private static int SampleSize(Sample sample) =>
        1 + 8 + 1 + ProtoWriter.VarintSize(unchecked((ulong)sample.At.ToUnixTimeMilliseconds()));
}
