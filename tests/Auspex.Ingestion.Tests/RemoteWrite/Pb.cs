using System.Buffers.Binary;
using System.Text;

namespace Auspex.Ingestion.Tests.RemoteWrite;

/// <summary>A hand-rolled protobuf builder so tests can state exact wire bytes, including broken ones.</summary>
internal sealed class Pb
{
    private readonly List<byte> _bytes = [];

    public byte[] ToArray() => [.. _bytes];

    public Pb Varint(ulong v)
    {
        while (v >= 0x80)
        {
            _bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }
        _bytes.Add((byte)v);
        return this;
    }

    public Pb Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));

    public Pb Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public Pb Bytes(int field, byte[] payload)
    {
        Tag(field, 2).Varint((ulong)payload.Length);
        _bytes.AddRange(payload);
        return this;
    }

    public Pb String(int field, string s) => Bytes(field, Encoding.UTF8.GetBytes(s));

    public Pb Double(int field, double d)
    {
        Tag(field, 1);
        var buf = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buf, BitConverter.DoubleToUInt64Bits(d));
        _bytes.AddRange(buf);
        return this;
    }

    public Pb Int64(int field, long v) => Tag(field, 0).Varint(unchecked((ulong)v));

    public Pb Message(int field, Action<Pb> build)
    {
        var inner = new Pb();
        build(inner);
        return Bytes(field, inner.ToArray());
    }

    /// <summary>A WriteRequest.timeseries entry.</summary>
    public Pb Series(Action<Pb> build) => Message(1, build);

    /// <summary>A TimeSeries.labels entry.</summary>
    public Pb Label(string name, string value) => Message(1, l => l.String(1, name).String(2, value));

    /// <summary>A TimeSeries.samples entry.</summary>
    public Pb Sample(double value, long ms) => Message(2, s => s.Double(1, value).Int64(2, ms));
}
