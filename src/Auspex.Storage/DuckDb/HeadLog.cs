using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Auspex.Core.Series;

namespace Auspex.Storage.DuckDb;

/// <summary>
/// The head: samples acknowledged but not yet in DuckDB, kept in memory and in an append-only log file next to the
/// database (<c>auspex.duckdb.head-NNNNNNNNNNNNNNNNNNNN.log</c>), fsynced before a commit is acknowledged. The store
/// flushes the head to DuckDB in one large transaction that also records the log's generation in <c>meta</c>; the
/// log is then deleted and the next generation started. On open, every log of a generation newer than the recorded one
/// is replayed. Records: [u32 length][u32 CRC-32 of the payload][payload]; a record cut short at the end of the file
/// (a crash during the write, never acknowledged) is dropped; a record with a bad checksum stops the replay and the
/// file is kept aside as <c>.corrupt</c>. See docs/storage.md, "Head log".
/// </summary>
internal sealed class HeadLog : IDisposable
{
    public const string MetaKey = "head_log_generation";
    private const byte RecordKind = 1;
    private const int MaxRecordBytes = 1 << 30;

    private readonly string _dir;
    private readonly string _prefix;
    private FileStream? _file;
    private bool _broken;

    public HeadLog(string databasePath)
    {
        var full = Path.GetFullPath(databasePath);
        _dir = Path.GetDirectoryName(full)!;
        _prefix = Path.GetFileName(full) + ".head-";
    }

    /// <summary>The generation of the open log file.</summary>
    public long Generation { get; private set; }

    /// <summary>Samples in the head (acknowledged, not yet flushed).</summary>
    public int Samples => Rows.Count;

    public List<(long Id, long Ts, double Value)> Rows { get; } = [];

    public List<(long Id, string Tenant, SeriesKey Key)> NewSeries { get; } = [];

    /// <summary>What the last replay found wrong, or null (for the log and tests).</summary>
    public string? RecoveryNote { get; private set; }

    private string FileOf(long gen) => Path.Combine(_dir, _prefix + gen.ToString("D20", CultureInfo.InvariantCulture) + ".log");

    private List<(long Gen, string Path)> Files() =>
        Directory.EnumerateFiles(_dir, _prefix + "*.log")
            .Select(p => (Name: Path.GetFileName(p), Path: p))
            .Where(f => f.Name.Length == _prefix.Length + 24 && long.TryParse(f.Name.AsSpan(_prefix.Length, 20), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(f => (long.Parse(f.Name.AsSpan(_prefix.Length, 20), NumberStyles.None, CultureInfo.InvariantCulture), f.Path))
            .OrderBy(f => f.Item1).ToList();

    /// <summary>
    /// Reads every log newer than <paramref name="flushedGeneration"/> into the head (series ids as logged; a series
    /// already known under <paramref name="knownId"/> is mapped to its id), deletes the older ones, and leaves
    /// <see cref="Generation"/> at the newest generation seen. Call <see cref="StartNext"/> after flushing.
    /// </summary>
    public void Replay(long flushedGeneration, Func<string, SeriesKey, long?> knownId)
    {
        Generation = flushedGeneration;
        var remap = new Dictionary<long, long>();
        foreach (var (gen, path) in Files())
        {
            Generation = Math.Max(Generation, gen);
            if (gen <= flushedGeneration)
            {
                continue; // already in DuckDB (the flush committed, the delete did not happen)
            }
            var data = File.ReadAllBytes(path);
            var p = 0;
            while (p < data.Length)
            {
                if (data.Length - p < 8)
                {
                    RecoveryNote = $"{Path.GetFileName(path)}: dropped an incomplete record at byte {p} (a write cut by a crash, never acknowledged)";
                    break;
                }
                var len = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(p));
                var crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(p + 4));
                if (len > (uint)(data.Length - p - 8))
                {
                    RecoveryNote = $"{Path.GetFileName(path)}: dropped an incomplete record at byte {p} (a write cut by a crash, never acknowledged)";
                    break;
                }
                var payload = data.AsSpan(p + 8, (int)len);
                string? error = null;
                if (Crc32(payload) != crc)
                {
                    error = "checksum mismatch";
                }
                else
                {
                    try
                    {
                        Decode(payload, remap, knownId);
                    }
                    catch (InvalidDataException e)
                    {
                        error = e.Message;
                    }
                }
                if (error is not null)
                {
                    File.Copy(path, path + ".corrupt", overwrite: true);
                    RecoveryNote = $"{Path.GetFileName(path)}: record at byte {p} is corrupt ({error}); replay stopped there, the file is kept as {Path.GetFileName(path)}.corrupt";
                    break;
                }
                p += 8 + (int)len;
            }
        }
    }

    private void Decode(ReadOnlySpan<byte> payload, Dictionary<long, long> remap, Func<string, SeriesKey, long?> knownId)
    {
        var r = new SpanReader(payload);
        if (r.Byte() != RecordKind)
        {
            throw new InvalidDataException("unknown record kind");
        }
        var nSeries = r.Count();
        var series = new List<(long, string, SeriesKey)>(nSeries);
        var localMap = new Dictionary<long, long>();
        for (var i = 0; i < nSeries; i++)
        {
            var id = (long)r.VarUInt();
            var tenant = r.String();
            var metric = r.String();
            Labels labels;
            try
            {
                labels = LabelsJson.Parse(r.String());
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidDataException("bad labels: " + e.Message);
            }
            var key = new SeriesKey(metric, labels);
            if (knownId(tenant, key) is { } existing)
            {
                localMap[id] = existing;
            }
            else
            {
                series.Add((id, tenant, key));
            }
        }
        var n = r.Count();
        var rows = new List<(long, long, double)>(n);
        for (var i = 0; i < n; i++)
        {
            var id = (long)r.VarUInt();
            var ts = r.VarInt();
            var v = BitConverter.UInt64BitsToDouble(r.UInt64());
            if (localMap.TryGetValue(id, out var m) || remap.TryGetValue(id, out m))
            {
                id = m;
            }
            rows.Add((id, ts, v));
        }
        r.End();
        foreach (var (id, local) in localMap)
        {
            remap[id] = local;
        }
        NewSeries.AddRange(series);
        Rows.AddRange(rows);
        foreach (var (id, t, k) in series)
        {
            Replayed?.Invoke(id, t, k);
        }
    }

    /// <summary>Called for each series first seen in a replayed record (the store adds it to its index).</summary>
    public Action<long, string, SeriesKey>? Replayed { get; set; }

    /// <summary>Deletes every log up to the current generation (all flushed) and opens the next one.</summary>
    public void StartNext()
    {
        _file?.Dispose();
        _file = null;
        foreach (var (gen, path) in Files())
        {
            if (gen <= Generation)
            {
                File.Delete(path);
            }
        }
        Generation++;
        _file = new FileStream(FileOf(Generation), FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1);
        _file.Flush(flushToDisk: true);
        DirectorySync.Sync(_dir);
        _broken = false;
    }

    /// <summary>Appends one commit's record and fsyncs it; on failure the file is cut back so that later records stay readable.</summary>
    public void Append(List<(long Id, string Tenant, SeriesKey Key)> newSeries, List<(long Id, long Ts, double Value)> rows)
    {
        if (_file is null || _broken)
        {
            throw new IOException("the head log could not be written earlier and is closed; restart the store");
        }
        if (rows.Count == 0 && newSeries.Count == 0)
        {
            return;
        }
        var w = new SpanWriter(64 + (rows.Count * 20));
        w.Int32(0);
        w.Int32(0);
        w.Byte(RecordKind);
        w.VarUInt((ulong)newSeries.Count);
        foreach (var (id, tenant, key) in newSeries)
        {
            w.VarUInt((ulong)id);
            w.String(tenant);
            w.String(key.Metric);
            w.String(LabelsJson.Format(key.Labels));
        }
        w.VarUInt((ulong)rows.Count);
        foreach (var (id, ts, v) in rows)
        {
            w.VarUInt((ulong)id);
            w.VarInt(ts);
            w.UInt64(BitConverter.DoubleToUInt64Bits(v));
        }
        var buf = w.Buffer;
        var len = w.Length - 8;
        if (len > MaxRecordBytes)
        {
            throw new InvalidOperationException("a head log record over 1 GiB; split the commit");
        }
        BinaryPrimitives.WriteUInt32LittleEndian(buf, (uint)len);
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(4), Crc32(buf.AsSpan(8, len)));
        var before = _file.Length;
        try
        {
            _file.Write(buf, 0, w.Length);
            _file.Flush(flushToDisk: true);
        }
        catch
        {
            try
            {
                _file.SetLength(before);
                _file.Flush(flushToDisk: true);
            }
            catch (IOException)
            {
                _broken = true;
            }
            throw;
        }
        NewSeries.AddRange(newSeries);
        Rows.AddRange(rows);
    }

    /// <summary>Forgets the in-memory head after it was flushed to DuckDB.</summary>
    public void ClearFlushed()
    {
        Rows.Clear();
        NewSeries.Clear();
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }


    private static readonly uint[] CrcTable = MakeTable();

    private static uint[] MakeTable()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            t[i] = c;
        }
        return t;
    }

    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }
        return c ^ 0xFFFFFFFFu;
    }

    private sealed class SpanWriter(int capacity)
    {
        public byte[] Buffer { get; private set; } = new byte[Math.Max(64, capacity)];

        public int Length { get; private set; }

        private void Ensure(int more)
        {
            if (Length + more > Buffer.Length)
            {
                var b = Buffer;
                Array.Resize(ref b, Math.Max(b.Length * 2, Length + more));
                Buffer = b;
            }
        }

        public void Byte(byte x)
        {
            Ensure(1);
            Buffer[Length++] = x;
        }

        public void Int32(int x)
        {
            Ensure(4);
            BinaryPrimitives.WriteInt32LittleEndian(Buffer.AsSpan(Length), x);
            Length += 4;
        }

        public void UInt64(ulong x)
        {
            Ensure(8);
            BinaryPrimitives.WriteUInt64LittleEndian(Buffer.AsSpan(Length), x);
            Length += 8;
        }

        public void VarUInt(ulong x)
        {
            Ensure(10);
            while (x >= 0x80)
            {
                Buffer[Length++] = (byte)(x | 0x80);
                x >>= 7;
            }
            Buffer[Length++] = (byte)x;
        }

        public void VarInt(long x) => VarUInt((ulong)((x << 1) ^ (x >> 63)));

        public void String(string s)
        {
            var n = Encoding.UTF8.GetByteCount(s);
            VarUInt((ulong)n);
            Ensure(n);
            Length += Encoding.UTF8.GetBytes(s, Buffer.AsSpan(Length));
        }
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _d = data;
        private int _p;

        public byte Byte() => _p < _d.Length ? _d[_p++] : throw new InvalidDataException("record truncated");

        public ulong VarUInt()
        {
            ulong x = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Byte();
                x |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return x;
                }
            }
            throw new InvalidDataException("varint too long");
        }

        public long VarInt()
        {
            var u = VarUInt();
            return (long)(u >> 1) ^ -(long)(u & 1);
        }

        public int Count()
        {
            var n = VarUInt();
            return n <= (ulong)(_d.Length - _p) ? (int)n : throw new InvalidDataException("count exceeds the record");
        }

        public ulong UInt64()
        {
            if (_p + 8 > _d.Length)
            {
                throw new InvalidDataException("record truncated");
            }
            var x = BinaryPrimitives.ReadUInt64LittleEndian(_d[_p..]);
            _p += 8;
            return x;
        }

        public string String()
        {
            var n = Count();
            var s = Encoding.UTF8.GetString(_d.Slice(_p, n));
            _p += n;
            return s;
        }

        public readonly void End()
        {
            if (_p != _d.Length)
            {
                throw new InvalidDataException("trailing bytes in record");
            }
        }
    }
}
