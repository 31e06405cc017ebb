using System.Buffers.Binary;
using System.Numerics;

namespace Auspex.Storage.DuckDb;

/// <summary>One series' samples of one block window, in time order, one per timestamp.</summary>
internal sealed record RawBlock(long[] T, double[] V);

/// <summary>One series' rollup buckets of one block window, in bucket order (see docs/storage.md, "Packed blocks").</summary>
internal sealed record RollupBlock(long[] Buckets, long[] Count, double[] Sum, double[] Min, double[] Max, double[] Last, long[] FirstT, double[] First);

/// <summary>
/// The packed per-series block formats stored as BLOBs in <c>block_raw</c>, <c>block_5m</c> and <c>block_1h</c>.
/// Rollup blocks store count, first-sample offset and the sum of every bucket, and min, max, last and first only for
/// buckets of more than one sample (for one sample they equal the sum).
/// Timestamps: the first as a zig-zag varint, then delta-of-delta zig-zag varints (one byte per sample at a steady
/// interval). Values: the first as 8 bytes, then each XORed with the previous one of the same stream, stored as one
/// header byte (0xFF: unchanged; else leading zero bytes · 16 + trailing zero bytes) and the bytes in between.
/// Decoding checks every length and order and throws <see cref="InvalidDataException"/> on anything malformed.
/// </summary>
internal static class BlockCodec
{
    private const byte RawVersion = 1;
    private const byte RollupVersion = 1;
    private const byte RollupVersion2 = 2;
    private const int MaxItems = 50_000_000;

    public static byte[] EncodeRaw(ReadOnlySpan<long> t, ReadOnlySpan<double> v)
    {
        if (t.Length != v.Length || t.Length == 0)
        {
            throw new ArgumentException("a raw block needs as many values as timestamps, at least one");
        }
        var w = new Writer(16 + (t.Length * 10));
        w.Byte(RawVersion);
        w.VarUInt((ulong)t.Length);
        w.VarInt(t[0]);
        var prevDelta = 0L;
        for (var i = 1; i < t.Length; i++)
        {
            var d = t[i] - t[i - 1];
            if (d <= 0)
            {
                throw new ArgumentException("raw block timestamps must be strictly increasing");
            }
            w.VarInt(d - prevDelta);
            prevDelta = d;
        }
        var prev = 0UL;
        for (var i = 0; i < v.Length; i++)
        {
            var bits = BitConverter.DoubleToUInt64Bits(v[i]);
            if (i == 0)
            {
                w.UInt64(bits);
            }
            else
            {
                w.Xor(bits ^ prev);
            }
            prev = bits;
        }
        return w.ToArray();
    }

    public static RawBlock DecodeRaw(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        if (r.Byte() != RawVersion)
        {
            throw new InvalidDataException("raw block: unknown format version");
        }
        var n = r.Count();
        if (n == 0)
        {
            throw new InvalidDataException("raw block: no samples");
        }
        var t = new long[n];
        var v = new double[n];
        t[0] = r.VarInt();
        var delta = 0L;
        for (var i = 1; i < n; i++)
        {
            delta += r.VarInt();
            if (delta <= 0)
            {
                throw new InvalidDataException("raw block: timestamps not increasing");
            }
            t[i] = checked(t[i - 1] + delta);
        }
        var prev = 0UL;
        for (var i = 0; i < n; i++)
        {
            prev = i == 0 ? r.UInt64() : prev ^ r.Xor();
            v[i] = BitConverter.UInt64BitsToDouble(prev);
        }
        r.End();
        return new RawBlock(t, v);
    }

    /// <summary>The sample count a raw block's header declares (checked against its size), to size the arrays before <see cref="DecodeRawInto"/>.</summary>
    public static int RawCount(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        if (r.Byte() != RawVersion)
        {
            throw new InvalidDataException("raw block: unknown format version");
        }
        var n = r.Count();
        return n == 0 ? throw new InvalidDataException("raw block: no samples") : n;
    }

    /// <summary>
    /// Decodes a raw block straight into <paramref name="t"/> and <paramref name="v"/> (at least <see cref="RawCount"/>
    /// long), keeping only the samples with <paramref name="fromMs"/> ≤ time &lt; <paramref name="toMs"/>, packed from
    /// index 0; returns how many it kept. Checks the block exactly as <see cref="DecodeRaw"/> does.
    /// </summary>
    public static int DecodeRawInto(ReadOnlySpan<byte> data, Span<long> t, Span<double> v, long fromMs, long toMs)
    {
        var r = new Reader(data);
        if (r.Byte() != RawVersion)
        {
            throw new InvalidDataException("raw block: unknown format version");
        }
        var n = r.Count();
        if (n == 0)
        {
            throw new InvalidDataException("raw block: no samples");
        }
        if (t.Length < n || v.Length < n)
        {
            throw new ArgumentException("the destination is shorter than the block");
        }
        var cur = r.VarInt();
        t[0] = cur;
        var lo = cur < fromMs ? 1 : 0; // first index with time >= fromMs
        var hi = cur < toMs ? 1 : 0;   // first index with time >= toMs
        var delta = 0L;
        for (var i = 1; i < n; i++)
        {
            delta += r.VarInt();
            if (delta <= 0)
            {
                throw new InvalidDataException("raw block: timestamps not increasing");
            }
            cur = checked(cur + delta);
            t[i] = cur;
            if (cur < fromMs)
            {
                lo = i + 1;
            }
            if (cur < toMs)
            {
                hi = i + 1;
            }
        }
        var prev = 0UL;
        for (var i = 0; i < n; i++)
        {
            prev = i == 0 ? r.UInt64() : prev ^ r.Xor();
            if (i >= lo && i < hi)
            {
                v[i - lo] = BitConverter.UInt64BitsToDouble(prev);
            }
        }
        r.End();
        var kept = Math.Max(0, hi - lo);
        if (lo > 0 && kept > 0)
        {
            t.Slice(lo, kept).CopyTo(t);
        }
        return kept;
    }

    /// <summary>Names of the sections <see cref="EncodeRollup"/> measures, in order.</summary>
    public static readonly string[] RollupSections = ["header+buckets", "count+first offset+min/max codes", "sum", "min", "max", "last", "first"];

    // Version 2 of the rollup format: where a bucket's min or max is its first or last sample (a counter's min is its
    // first, its max its last), a 2-bit code says so and the value is not stored.
    private const int IsStored = 0, IsFirst = 1, IsLast = 2;

    private static int MinMaxCode(double x, double first, double last)
    {
        var bits = BitConverter.DoubleToUInt64Bits(x);
        return bits == BitConverter.DoubleToUInt64Bits(first) ? IsFirst : bits == BitConverter.DoubleToUInt64Bits(last) ? IsLast : IsStored;
    }

    /// <summary>Encodes a rollup block (version 2); with <paramref name="sectionBytes"/> (as long as <see cref="RollupSections"/>), adds each section's bytes to it.</summary>
    public static byte[] EncodeRollup(RollupBlock b, long width, long[]? sectionBytes = null)
    {
        var n = b.Buckets.Length;
        if (n == 0 || b.Count.Length != n || b.Sum.Length != n || b.Min.Length != n || b.Max.Length != n || b.Last.Length != n || b.FirstT.Length != n || b.First.Length != n)
        {
            throw new ArgumentException("a rollup block needs at least one bucket and every column as long as the buckets");
        }
        var w = new Writer(16 + (n * 24));
        w.Byte(RollupVersion2);
        w.VarUInt((ulong)n);
        w.VarUInt((ulong)width);
        w.VarInt(b.Buckets[0]);
        for (var i = 1; i < n; i++)
        {
            var d = b.Buckets[i] - b.Buckets[i - 1];
            if (d <= 0 || d % width != 0)
            {
                throw new ArgumentException("rollup buckets must be increasing multiples of the width");
            }
            w.VarUInt((ulong)(d / width));
        }
        var mark = 0;
        void Section(int k)
        {
            if (sectionBytes is not null)
            {
                sectionBytes[k] += w.Length - mark;
            }
            mark = w.Length;
        }
        Section(0);
        // Counts; first-sample offsets as differences from the previous bucket's (a steady scrape repeats its offset).
        var prevOff = 0L;
        for (var i = 0; i < n; i++)
        {
            var off = b.FirstT[i] - b.Buckets[i];
            if (b.Count[i] <= 0 || off < 0 || off >= width)
            {
                throw new ArgumentException("rollup bucket count must be positive and its first sample inside the bucket");
            }
            w.VarUInt((ulong)b.Count[i]);
            w.VarInt(off - prevOff);
            prevOff = off;
        }
        // Per bucket of more than one sample, a 4-bit code (min: bits 0–1, max: bits 2–3), two buckets per byte.
        var multi = 0;
        var codes = 0;
        for (var i = 0; i < n; i++)
        {
            if (b.Count[i] == 1)
            {
                continue;
            }
            var code = MinMaxCode(b.Min[i], b.First[i], b.Last[i]) | (MinMaxCode(b.Max[i], b.First[i], b.Last[i]) << 2);
            codes |= code << (4 * (multi & 1));
            if ((++multi & 1) == 0)
            {
                w.Byte((byte)codes);
                codes = 0;
            }
        }
        if ((multi & 1) == 1)
        {
            w.Byte((byte)codes);
        }
        Section(1);
        // XOR streams: sum of every bucket; min, max, last and first of buckets of more than one sample (a one-sample
        // bucket's are its sum), min and max only where their code says stored.
        var sections = new[] { 2, 5, 6, 3, 4 }; // written in the order sum, last, first, min, max
        var cols = new[] { b.Sum, b.Last, b.First, b.Min, b.Max };
        for (var c = 0; c < 5; c++)
        {
            var prev = 0UL;
            var col = cols[c];
            for (var i = 0; i < n; i++)
            {
                if (c > 0 && b.Count[i] == 1)
                {
                    continue;
                }
                if ((c == 3 && MinMaxCode(b.Min[i], b.First[i], b.Last[i]) != IsStored) || (c == 4 && MinMaxCode(b.Max[i], b.First[i], b.Last[i]) != IsStored))
                {
                    continue;
                }
                var bits = BitConverter.DoubleToUInt64Bits(col[i]);
                w.Xor(bits ^ prev);
                prev = bits;
            }
            if (sectionBytes is not null)
            {
                sectionBytes[sections[c]] += w.Length - mark;
            }
            mark = w.Length;
        }
        return w.ToArray();
    }

    /// <summary>The version 1 rollup format (every value stored, offsets absolute), as stores written before version 2 hold it (tests).</summary>
    internal static byte[] EncodeRollupV1(RollupBlock b, long width)
    {
        var n = b.Buckets.Length;
        var w = new Writer(16 + (n * 40));
        w.Byte(RollupVersion);
        w.VarUInt((ulong)n);
        w.VarUInt((ulong)width);
        w.VarInt(b.Buckets[0]);
        for (var i = 1; i < n; i++)
        {
            w.VarUInt((ulong)((b.Buckets[i] - b.Buckets[i - 1]) / width));
        }
        for (var i = 0; i < n; i++)
        {
            w.VarUInt((ulong)b.Count[i]);
            w.VarUInt((ulong)(b.FirstT[i] - b.Buckets[i]));
        }
        var first = true;
        foreach (var col in (double[][])[b.Sum, b.Min, b.Max, b.Last, b.First])
        {
            var prev = 0UL;
            for (var i = 0; i < n; i++)
            {
                if (!first && b.Count[i] == 1)
                {
                    continue;
                }
                var bits = BitConverter.DoubleToUInt64Bits(col[i]);
                w.Xor(bits ^ prev);
                prev = bits;
            }
            first = false;
        }
        return w.ToArray();
    }

    /// <summary>Decodes a rollup block of either format version (1: every value stored; 2: min/max codes, offset differences).</summary>
    public static RollupBlock DecodeRollup(ReadOnlySpan<byte> data, long width)
    {
        var r = new Reader(data);
        var version = r.Byte();
        if (version != RollupVersion && version != RollupVersion2)
        {
            throw new InvalidDataException("rollup block: unknown format version");
        }
        var n = r.Count();
        if (n == 0)
        {
            throw new InvalidDataException("rollup block: no buckets");
        }
        if ((long)r.VarUInt() != width)
        {
            throw new InvalidDataException("rollup block: bucket width differs from the table's");
        }
        var buckets = new long[n];
        buckets[0] = r.VarInt();
        for (var i = 1; i < n; i++)
        {
            var k = r.VarUInt();
            if (k == 0 || k > int.MaxValue)
            {
                throw new InvalidDataException("rollup block: buckets not increasing");
            }
            buckets[i] = checked(buckets[i - 1] + ((long)k * width));
        }
        var count = new long[n];
        var firstT = new long[n];
        var prevOff = 0L;
        var multi = 0;
        for (var i = 0; i < n; i++)
        {
            var c = r.VarUInt();
            var off = version == RollupVersion ? (long)Math.Min(r.VarUInt(), (ulong)long.MaxValue) : prevOff + r.VarInt();
            if (c == 0 || c > long.MaxValue || off < 0 || off >= width)
            {
                throw new InvalidDataException("rollup block: bad count or first-sample offset");
            }
            count[i] = (long)c;
            firstT[i] = buckets[i] + off;
            prevOff = off;
            if (c > 1)
            {
                multi++;
            }
        }
        var minCode = new byte[n];
        var maxCode = new byte[n];
        if (version == RollupVersion2)
        {
            var m = 0;
            var codes = 0;
            for (var i = 0; i < n; i++)
            {
                if (count[i] == 1)
                {
                    continue;
                }
                if ((m & 1) == 0)
                {
                    codes = r.Byte();
                }
                var code = (codes >> (4 * (m & 1))) & 0xF;
                minCode[i] = (byte)(code & 3);
                maxCode[i] = (byte)(code >> 2);
                if (minCode[i] > IsLast || maxCode[i] > IsLast)
                {
                    throw new InvalidDataException($"rollup block: bad min/max code {code} of bucket {i}");
                }
                m++;
            }
        }
        // Column order as stored: version 1 sum, min, max, last, first; version 2 sum, last, first, min, max.
        var sum = new double[n];
        var min = new double[n];
        var max = new double[n];
        var last = new double[n];
        var first = new double[n];
        var order = version == RollupVersion ? new[] { sum, min, max, last, first } : new[] { sum, last, first, min, max };
        for (var c = 0; c < 5; c++)
        {
            var col = order[c];
            var prev = 0UL;
            for (var i = 0; i < n; i++)
            {
                if (c > 0 && count[i] == 1)
                {
                    col[i] = sum[i];
                    continue;
                }
                if (version == RollupVersion2 && ((c == 3 && minCode[i] != IsStored) || (c == 4 && maxCode[i] != IsStored)))
                {
                    var code = c == 3 ? minCode[i] : maxCode[i];
                    col[i] = code == IsFirst ? first[i] : last[i];
                    continue;
                }
                prev ^= r.Xor();
                col[i] = BitConverter.UInt64BitsToDouble(prev);
            }
        }
        r.End();
        return new RollupBlock(buckets, count, sum, min, max, last, firstT, first);
    }

    /// <summary>Aggregates sorted, deduplicated samples into buckets of <paramref name="width"/> (count, sum, min, max, last, first).</summary>
    public static RollupBlock Rollup(ReadOnlySpan<long> t, ReadOnlySpan<double> v, long width)
    {
        // First the number of buckets, then each column filled in one pass (no growing lists: reads derive rollups of
        // whole blocks from raw ones, see DuckDbStore.DerivedRollups.cs).
        var nb = 0;
        var prevBucket = 0L;
        for (var k = 0; k < t.Length; k++)
        {
            var b = FloorDiv(t[k], width) * width;
            if (k == 0 || b != prevBucket)
            {
                nb++;
                prevBucket = b;
            }
        }
        var buckets = new long[nb];
        var count = new long[nb];
        var sum = new double[nb];
        var min = new double[nb];
        var max = new double[nb];
        var last = new double[nb];
        var firstT = new long[nb];
        var first = new double[nb];
        var i = 0;
        var o = 0;
        while (i < t.Length)
        {
            var b = FloorDiv(t[i], width) * width;
            var j = i;
            double s = 0, lo = v[i], hi = v[i];
            while (j < t.Length && t[j] < b + width)
            {
                s += v[j];
                lo = Math.Min(lo, v[j]);
                hi = Math.Max(hi, v[j]);
                j++;
            }
            buckets[o] = b;
            count[o] = j - i;
            sum[o] = s;
            min[o] = lo;
            max[o] = hi;
            last[o] = v[j - 1];
            firstT[o] = t[i];
            first[o] = v[i];
            o++;
            i = j;
        }
        return new RollupBlock(buckets, count, sum, min, max, last, firstT, first);
    }

    /// <summary>
    /// True when a rollup of <paramref name="buckets"/> buckets over a block of <paramref name="rawCount"/> samples is not
    /// coarser than the samples themselves (at least 4 buckets for every 5 samples: the series is sampled about as often
    /// as the bucket width or less often). Such a level is not stored; reads derive it from the raw block.
    /// </summary>
    public static bool RollupRepeatsRaw(int rawCount, int buckets) => (long)buckets * 5 >= (long)rawCount * 4;

    /// <summary>True when both blocks hold the same buckets and bit-identical aggregates.</summary>
    public static bool SameRollup(RollupBlock a, RollupBlock b)
    {
        static bool Same(double[] x, double[] y)
        {
            if (x.Length != y.Length)
            {
                return false;
            }
            for (var i = 0; i < x.Length; i++)
            {
                if (BitConverter.DoubleToUInt64Bits(x[i]) != BitConverter.DoubleToUInt64Bits(y[i]))
                {
                    return false;
                }
            }
            return true;
        }
        return a.Buckets.AsSpan().SequenceEqual(b.Buckets) && a.Count.AsSpan().SequenceEqual(b.Count) && a.FirstT.AsSpan().SequenceEqual(b.FirstT)
            && Same(a.Sum, b.Sum) && Same(a.Min, b.Min) && Same(a.Max, b.Max) && Same(a.Last, b.Last) && Same(a.First, b.First);
    }

    /// <summary>The buckets of <paramref name="b"/> with <paramref name="keep"/> true, or null when none is left.</summary>
    public static RollupBlock? Filter(RollupBlock b, Func<long, bool> keep)
    {
        var idx = Enumerable.Range(0, b.Buckets.Length).Where(i => keep(b.Buckets[i])).ToArray();
        return idx.Length == 0 ? null : new RollupBlock(
            [.. idx.Select(i => b.Buckets[i])], [.. idx.Select(i => b.Count[i])], [.. idx.Select(i => b.Sum[i])], [.. idx.Select(i => b.Min[i])],
            [.. idx.Select(i => b.Max[i])], [.. idx.Select(i => b.Last[i])], [.. idx.Select(i => b.FirstT[i])], [.. idx.Select(i => b.First[i])]);
    }

    public static long FloorDiv(long a, long b) => a >= 0 ? a / b : ((a + 1) / b) - 1;

    private sealed class Writer(int capacity)
    {
        private byte[] _buf = new byte[Math.Max(16, capacity)];
        private int _n;

        private void Ensure(int more)
        {
            if (_n + more > _buf.Length)
            {
                Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _n + more));
            }
        }

        public void Byte(byte b)
        {
            Ensure(1);
            _buf[_n++] = b;
        }

        public void VarUInt(ulong x)
        {
            Ensure(10);
            while (x >= 0x80)
            {
                _buf[_n++] = (byte)(x | 0x80);
                x >>= 7;
            }
            _buf[_n++] = (byte)x;
        }

        public void VarInt(long x) => VarUInt((ulong)((x << 1) ^ (x >> 63)));

        public void UInt64(ulong x)
        {
            Ensure(8);
            BinaryPrimitives.WriteUInt64LittleEndian(_buf.AsSpan(_n), x);
            _n += 8;
        }

        public void Xor(ulong x)
        {
            Ensure(9);
            if (x == 0)
            {
                _buf[_n++] = 0xFF;
                return;
            }
            var lz = BitOperations.LeadingZeroCount(x) / 8;
            var tz = BitOperations.TrailingZeroCount(x) / 8;
            _buf[_n++] = (byte)((lz << 4) | tz);
            var mid = x >> (tz * 8);
            for (var k = 0; k < 8 - lz - tz; k++)
            {
                _buf[_n++] = (byte)mid;
                mid >>= 8;
            }
        }

        public int Length => _n;

        public byte[] ToArray() => _buf.AsSpan(0, _n).ToArray();
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _d = data;
        private int _p;

        private readonly InvalidDataException Truncated() => new($"block truncated at byte {_p} of {_d.Length}");

        public byte Byte() => _p < _d.Length ? _d[_p++] : throw Truncated();

        public ulong VarUInt()
        {
            ulong x = 0;
            for (var shift = 0; shift < 70; shift += 7)
            {
                var b = Byte();
                if (shift == 63 && b > 1)
                {
                    throw new InvalidDataException("block: varint overflows 64 bits");
                }
                x |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return x;
                }
            }
            throw new InvalidDataException("block: varint too long");
        }

        public long VarInt()
        {
            var u = VarUInt();
            return (long)(u >> 1) ^ -(long)(u & 1);
        }

        public int Count()
        {
            var n = VarUInt();
            // Each item takes at least one byte, so a count beyond the remaining bytes is corrupt.
            if (n > MaxItems || n > (ulong)(_d.Length - _p))
            {
                throw new InvalidDataException($"block: item count {n} exceeds its size");
            }
            return (int)n;
        }

        public ulong UInt64()
        {
            if (_p + 8 > _d.Length)
            {
                throw Truncated();
            }
            var x = BinaryPrimitives.ReadUInt64LittleEndian(_d[_p..]);
            _p += 8;
            return x;
        }

        public ulong Xor()
        {
            var h = Byte();
            if (h == 0xFF)
            {
                return 0;
            }
            int lz = h >> 4, tz = h & 0xF;
            if (lz > 7 || tz > 7 || lz + tz > 7)
            {
                throw new InvalidDataException($"block: bad value header 0x{h:X2} at byte {_p - 1}");
            }
            var len = 8 - lz - tz;
            if (_p + len > _d.Length)
            {
                throw Truncated();
            }
            ulong mid = 0;
            for (var k = 0; k < len; k++)
            {
                mid |= (ulong)_d[_p++] << (8 * k);
            }
            if (mid == 0)
            {
                throw new InvalidDataException("block: zero value change not encoded as 0xFF");
            }
            return mid << (tz * 8);
        }

        public readonly void End()
        {
            if (_p != _d.Length)
            {
                throw new InvalidDataException($"block: {_d.Length - _p} trailing bytes");
            }
        }
    }
}
