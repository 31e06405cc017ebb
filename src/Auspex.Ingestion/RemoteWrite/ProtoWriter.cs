using System.Buffers.Binary;
using System.Text;

namespace Auspex.Ingestion.RemoteWrite;

/// <summary>A minimal protobuf wire-format writer into a growable buffer.</summary>
internal sealed class ProtoWriter(int capacity)
{
    private byte[] _buffer = new byte[Math.Max(capacity, 64)];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    public static int StringFieldSize(int utf8Length) => 1 + VarintSize((ulong)utf8Length) + utf8Length;

    public void WriteTag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    public void WriteVarint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[Length++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _buffer[Length++] = (byte)value;
    }

    public void WriteDouble(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(Length), BitConverter.DoubleToUInt64Bits(value));
        Length += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    public void WriteString(int field, string value, int utf8Length)
    {
        WriteTag(field, 2);
        WriteVarint((ulong)utf8Length);
        Ensure(utf8Length);
        Length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length));
    }

    private void Ensure(int extra)
    {
        if (_buffer.Length - Length >= extra)
        {
            return;
        }
        var size = Math.Max(_buffer.Length * 2, Length + extra);
        Array.Resize(ref _buffer, size);
    }
}
