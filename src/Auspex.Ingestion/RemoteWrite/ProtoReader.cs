using System.Buffers.Binary;

namespace Auspex.Ingestion.RemoteWrite;

/// <summary>Thrown by <see cref="ProtoReader"/> on bytes that are not valid protobuf; caught by the decoder.</summary>
internal sealed class ProtoFormatException(string message, long offset) : Exception(message)
{
    public long Offset { get; } = offset;
}

/// <summary>A forward-only protobuf wire-format reader over a span. Offsets are relative to the whole payload.</summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly long _base;
    private int _pos;

    public ProtoReader(ReadOnlySpan<byte> data, long baseOffset)
    {
        _data = data;
        _base = baseOffset;
        _pos = 0;
    }

    public readonly bool AtEnd => _pos >= _data.Length;

    public readonly long Offset => _base + _pos;

    /// <summary>Reads a field tag; returns the field number and sets the wire type.</summary>
    public int ReadTag(out int wireType)
    {
        var start = Offset;
        var tag = ReadVarint();
        wireType = (int)(tag & 7);
        var field = tag >> 3;
        if (field == 0 || field > int.MaxValue)
        {
            throw new ProtoFormatException($"invalid protobuf field number {field}", start);
        }
        return (int)field;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _data.Length)
            {
                throw new ProtoFormatException("truncated protobuf: the payload ends inside a varint", Offset);
            }
            var b = _data[_pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new ProtoFormatException("malformed protobuf: a varint is longer than 10 bytes", Offset);
    }

    public double ReadDouble()
    {
        if (_data.Length - _pos < 8)
        {
            throw new ProtoFormatException("truncated protobuf: the payload ends inside a 64-bit field", Offset);
        }
        var bits = BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(_pos, 8));
        _pos += 8;
        return BitConverter.UInt64BitsToDouble(bits);
    }

    /// <summary>Reads a length-delimited field, returning its bytes and the payload offset they start at.</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited(out long startOffset)
    {
        var lengthAt = Offset;
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _pos))
        {
            throw new ProtoFormatException(
                $"truncated protobuf: a field declares {length} bytes but only {_data.Length - _pos} remain", lengthAt);
        }
        startOffset = Offset;
        var slice = _data.Slice(_pos, (int)length);
        _pos += (int)length;
        return slice;
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0:
                ReadVarint();
                break;
            case 1:
                Advance(8);
                break;
            case 2:
                ReadLengthDelimited(out _);
                break;
            case 5:
                Advance(4);
                break;
            default:
                throw new ProtoFormatException($"malformed protobuf: unsupported wire type {wireType}", Offset);
        }
    }

    public void Expect(int wireType, int expected, string what)
    {
        if (wireType != expected)
        {
            throw new ProtoFormatException($"malformed protobuf: {what} has wire type {wireType}, expected {expected}", Offset);
        }
    }

    private void Advance(int count)
    {
        if (_data.Length - _pos < count)
        {
            throw new ProtoFormatException("truncated protobuf: the payload ends inside a fixed-size field", Offset);
        }
        _pos += count;
    }
}
