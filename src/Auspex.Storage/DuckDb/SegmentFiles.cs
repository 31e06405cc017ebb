using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Auspex.Storage.DuckDb;

/// <summary>One segment file: a tenant's raw blocks of one UTC day (one generation of it), appended to, never rewritten in place.</summary>
internal sealed class Segment(int id, string tenant, long day, int generation, string relativePath)
{
    public int Id { get; } = id;
    public string Tenant { get; } = tenant;
    public long Day { get; } = day;
    public int Generation { get; } = generation;
    /// <summary>Path below the segment directory, as stored in the <c>segment</c> table.</summary>
    public string RelativePath { get; } = relativePath;
    /// <summary>Bytes durable and committed (the next append goes here).</summary>
    public long Length { get; set; }
    /// <summary>Bytes written and fsynced by the open batch beyond <see cref="Length"/> (not yet committed in DuckDB).</summary>
    public long Written { get; set; }
    /// <summary>Bytes appended in the open batch, not yet written.</summary>
    public List<byte[]> Pending { get; } = [];
    public long PendingBytes { get; set; }
    /// <summary>Created by the open batch (its row is not yet committed).</summary>
    public bool IsNew { get; set; }
    /// <summary>Its row is in the open DuckDB transaction.</summary>
    public bool RowInserted { get; set; }
}

/// <summary>Where a raw block lives: segment, byte offset, length and CRC-32C of its bytes.</summary>
internal readonly record struct BlockLocation(int Segment, long Offset, int Length, uint Crc);

/// <summary>
/// Raw blocks of closed days in append-only segment files, one per tenant and UTC day, next to the database in
/// <c>&lt;database&gt;.segments/&lt;tenant&gt;/raw-&lt;yyyyMMdd&gt;-&lt;generation&gt;.seg</c> (the way Prometheus keeps chunks in
/// files). DuckDB keeps only the index (<c>block_raw_seg</c>: series, day, count, segment, offset, length, checksum) and
/// the segment list (<c>segment</c>). A batch appends blocks, writes and fsyncs them (<see cref="Sync"/>) before the
/// caller commits their index rows; bytes that no committed index row reaches are cut off when the store opens. Reads
/// are positional (<see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/>) into the caller's buffer. See
/// docs/storage.md, "Segment files".
/// </summary>
internal sealed class SegmentFiles : IDisposable
{
    /// <summary>The first 8 bytes of every segment file.</summary>
    public static ReadOnlySpan<byte> Magic => "AXSEG001"u8;

    public const int HeaderBytes = 8;

    private readonly Dictionary<int, Segment> _byId = [];
    private readonly Dictionary<(string Tenant, long Day), Segment> _current = [];
    private readonly Dictionary<int, SafeFileHandle> _readHandles = [];
    private readonly List<Segment> _batch = [];
    private int _nextId = 1;

    public SegmentFiles(string databasePath)
    {
        Root = Path.GetFullPath(databasePath) + ".segments";
    }

    /// <summary>The segment directory.</summary>
    public string Root { get; }

    public IReadOnlyCollection<Segment> All => _byId.Values;

    public Segment Get(int id) => _byId.TryGetValue(id, out var s) ? s
        : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"block_raw_seg names segment {id}, which the segment table does not list"));

    public string FullPath(Segment s) => Path.Combine(Root, s.RelativePath);

    /// <summary>Registers a committed segment (from the <c>segment</c> table) with its committed length.</summary>
    public void Load(Segment s, long length)
    {
        s.Length = length;
        _byId[s.Id] = s;
        _nextId = Math.Max(_nextId, s.Id + 1);
        if (!_current.TryGetValue((s.Tenant, s.Day), out var cur) || cur.Generation < s.Generation)
        {
            _current[(s.Tenant, s.Day)] = s;
        }
    }

    /// <summary>Directory name of a tenant: the name itself when it is plain, else <c>x-</c> and its UTF-8 bytes in hex.</summary>
    public static string TenantDirectory(string tenant)
    {
        var plain = tenant.Length is > 0 and <= 64 && tenant.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-');
        return plain ? "t-" + tenant : "x-" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(tenant));
    }

    // ---------------- writing ----------------

    /// <summary>Appends a block to the tenant's segment of <paramref name="day"/> (a new segment when there is none).</summary>
    public BlockLocation Append(string tenant, long day, byte[] data)
    {
        if (!_current.TryGetValue((tenant, day), out var seg))
        {
            var gen = _current.TryGetValue((tenant, day), out var old) ? old.Generation + 1 : 0;
            var date = DateTimeOffset.FromUnixTimeMilliseconds(day).UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            seg = new Segment(_nextId++, tenant, day, gen, Path.Combine(TenantDirectory(tenant), string.Create(CultureInfo.InvariantCulture, $"raw-{date}-{gen}.seg")))
            {
                Length = HeaderBytes,
                IsNew = true,
            };
            _byId[seg.Id] = seg;
            _current[(tenant, day)] = seg;
        }
        if (!_batch.Contains(seg))
        {
            _batch.Add(seg);
        }
        var off = seg.Length + seg.Written + seg.PendingBytes;
        seg.Pending.Add(data);
        seg.PendingBytes += data.Length;
        return new BlockLocation(seg.Id, off, data.Length, Crc32C(data));
    }

    /// <summary>Segments created by the open batch (their rows go into the same DuckDB transaction as the blocks' index rows).</summary>
    public IEnumerable<Segment> NewInBatch => _batch.Where(s => s.IsNew);

    /// <summary>Writes every pending block of the batch and fsyncs the files (and, for new files, their directories).</summary>
    public void Sync()
    {
        var dirs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var seg in _batch)
        {
            if (seg.PendingBytes == 0 && !(seg.IsNew && seg.Written == 0))
            {
                continue;
            }
            var path = FullPath(seg);
            var dir = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(dir))
            {
                Directory.CreateDirectory(dir);
                dirs.Add(dir);
                dirs.Add(Root);
                dirs.Add(Path.GetDirectoryName(Root)!);
            }
            var created = !File.Exists(path);
            using (var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1))
            {
                var at = seg.Length + seg.Written;
                if (seg.IsNew && seg.Written == 0)
                {
                    fs.Position = 0;
                    fs.Write(Magic);
                }
                fs.Position = at;
                foreach (var p in seg.Pending)
                {
                    fs.Write(p);
                }
                fs.Flush(flushToDisk: true);
            }
            if (created)
            {
                dirs.Add(dir);
            }
            seg.Written += seg.PendingBytes;
            seg.Pending.Clear();
            seg.PendingBytes = 0;
        }
        foreach (var d in dirs)
        {
            DirectorySync.Sync(d);
        }
    }

    /// <summary>The batch's index rows are committed: its bytes become part of the segments.</summary>
    public void CommitBatch()
    {
        foreach (var seg in _batch)
        {
            if (seg.PendingBytes > 0)
            {
                throw new InvalidOperationException("segment batch committed with unsynced blocks");
            }
            seg.Length += seg.Written;
            seg.Written = 0;
            seg.IsNew = false;
            seg.RowInserted = false;
        }
        _batch.Clear();
    }

    /// <summary>The batch's index rows were not committed: cut its bytes off again (best effort; the next open does it otherwise) and forget its new segments.</summary>
    public void AbortBatch()
    {
        foreach (var seg in _batch)
        {
            seg.Pending.Clear();
            seg.PendingBytes = 0;
            var path = FullPath(seg);
            try
            {
                if (seg.IsNew)
                {
                    CloseReader(seg.Id);
                    File.Delete(path);
                }
                else if (seg.Written > 0 && File.Exists(path))
                {
                    using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1);
                    fs.SetLength(seg.Length);
                    fs.Flush(flushToDisk: true);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
            seg.Written = 0;
            if (seg.IsNew)
            {
                _byId.Remove(seg.Id);
                if (_current.TryGetValue((seg.Tenant, seg.Day), out var cur) && cur == seg)
                {
                    _current.Remove((seg.Tenant, seg.Day));
                    var prev = _byId.Values.Where(s => s.Tenant == seg.Tenant && s.Day == seg.Day).MaxBy(s => s.Generation);
                    if (prev is not null)
                    {
                        _current[(seg.Tenant, seg.Day)] = prev;
                    }
                }
            }
        }
        _batch.Clear();
    }

    /// <summary>Forgets a segment whose index rows are gone (committed) and deletes its file.</summary>
    public void Drop(int id)
    {
        if (!_byId.Remove(id, out var seg))
        {
            return;
        }
        if (_current.TryGetValue((seg.Tenant, seg.Day), out var cur) && cur == seg)
        {
            _current.Remove((seg.Tenant, seg.Day));
            var prev = _byId.Values.Where(s => s.Tenant == seg.Tenant && s.Day == seg.Day).MaxBy(s => s.Generation);
            if (prev is not null)
            {
                _current[(seg.Tenant, seg.Day)] = prev;
            }
        }
        CloseReader(id);
        var path = FullPath(seg);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
        var dir = Path.GetDirectoryName(path)!;
        if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
        {
            Directory.Delete(dir);
        }
    }

    // ---------------- reading ----------------

    /// <summary>
    /// Reads <paramref name="dest"/>.Length bytes at <paramref name="offset"/> of segment <paramref name="id"/>; a missing
    /// file, a wrong header or a file too short fail with <see cref="InvalidDataException"/> naming the file and offset.
    /// </summary>
    public void Read(int id, long offset, Span<byte> dest)
    {
        var seg = Get(id);
        var h = Reader(seg);
        var got = 0;
        while (got < dest.Length)
        {
            var n = RandomAccess.Read(h, dest[got..], offset + got);
            if (n <= 0)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"segment file {FullPath(seg)}: {RandomAccess.GetLength(h)} bytes, but a block at offset {offset} needs {dest.Length} bytes (file truncated?)"));
            }
            got += n;
        }
    }

    /// <summary>
    /// Opens segment <paramref name="id"/>'s read handle now (checking its header), so that <see cref="Read"/> from
    /// several threads at once only looks handles up: call it for every segment first, on one thread.
    /// </summary>
    public void OpenForRead(int id) => Reader(Get(id));

    private SafeFileHandle Reader(Segment seg)
    {
        if (_readHandles.TryGetValue(seg.Id, out var h))
        {
            return h;
        }
        var path = FullPath(seg);
        try
        {
            h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidDataException($"segment file {path} is missing (listed in the segment table with committed blocks)", e);
        }
        Span<byte> head = stackalloc byte[HeaderBytes];
        var n = RandomAccess.Read(h, head, 0);
        if (n < HeaderBytes || !head.SequenceEqual(Magic))
        {
            h.Dispose();
            throw new InvalidDataException($"segment file {path}: not an Auspex segment file (bad header at offset 0)");
        }
        _readHandles[seg.Id] = h;
        return h;
    }

    private void CloseReader(int id)
    {
        if (_readHandles.Remove(id, out var h))
        {
            h.Dispose();
        }
    }

    /// <summary>Closes every read handle (they are reopened on demand).</summary>
    public void CloseReaders()
    {
        foreach (var h in _readHandles.Values)
        {
            h.Dispose();
        }
        _readHandles.Clear();
    }

    // ---------------- recovery ----------------

    /// <summary>
    /// Brings the files in line with the committed index (call after <see cref="Load"/>ing every committed segment):
    /// files no segment row names are deleted (a batch that crashed before its commit), bytes past a segment's committed
    /// length are cut off. Returns what it did and what it found wrong (a missing or short file), or null.
    /// </summary>
    public string? Recover()
    {
        var notes = new List<string>();
        if (Directory.Exists(Root))
        {
            var known = _byId.Values.ToDictionary(s => Path.GetFullPath(FullPath(s)), s => s, StringComparer.Ordinal);
            foreach (var f in Directory.EnumerateFiles(Root, "*.seg", SearchOption.AllDirectories))
            {
                var full = Path.GetFullPath(f);
                if (!known.TryGetValue(full, out var seg))
                {
                    File.Delete(full);
                    notes.Add($"deleted {full}: no committed block in it");
                    continue;
                }
                var len = new FileInfo(full).Length;
                if (len > seg.Length)
                {
                    using var fs = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1);
                    fs.SetLength(seg.Length);
                    fs.Flush(flushToDisk: true);
                    notes.Add(string.Create(CultureInfo.InvariantCulture, $"cut {len - seg.Length} uncommitted bytes off {full} at offset {seg.Length}"));
                }
                else if (len < seg.Length)
                {
                    notes.Add(string.Create(CultureInfo.InvariantCulture, $"{full} has {len} bytes, its committed blocks reach {seg.Length}: reads of the missing blocks will fail"));
                }
            }
            foreach (var dir in Directory.EnumerateDirectories(Root))
            {
                if (!Directory.EnumerateFileSystemEntries(dir).Any())
                {
                    Directory.Delete(dir);
                }
            }
        }
        foreach (var seg in _byId.Values)
        {
            if (!File.Exists(FullPath(seg)))
            {
                notes.Add($"{FullPath(seg)} is missing: reads of its blocks will fail");
            }
        }
        return notes.Count == 0 ? null : string.Join("; ", notes);
    }

    public void Dispose() => CloseReaders();

    // ---------------- helpers ----------------

    /// <summary>CRC-32C (Castagnoli), hardware-accelerated where the CPU has it (SSE4.2 / ARMv8 CRC).</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var c = 0xFFFFFFFFu;
        while (data.Length >= 8)
        {
            c = BitOperations.Crc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
        {
            c = BitOperations.Crc32C(c, b);
        }
        return c ^ 0xFFFFFFFFu;
    }
}
