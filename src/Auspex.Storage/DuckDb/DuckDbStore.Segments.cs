using System.Globalization;

namespace Auspex.Storage.DuckDb;

/// <summary>
/// Raw blocks in segment files (<see cref="SegmentFiles"/>; docs/storage.md, "Segment files"): opening, recovery,
/// migration between the layouts, and the positional read of blocks.
/// </summary>
internal sealed partial class DuckDbStore
{
    // Non-null when raw blocks live in segment files (a file store with RawBlockLayout.SegmentFiles).
    private SegmentFiles? _segs;

    /// <summary>What opening the segment files found and did (uncommitted bytes cut off, orphan files deleted, a migration), or null.</summary>
    internal string? SegmentRecoveryNote { get; private set; }

    /// <summary>Opens the segment files (recovering them to the committed index) or, in the DuckDB layout, moves blocks left in segment files back.</summary>
    private void OpenSegments(string path)
    {
        if (path == ":memory:")
        {
            return;
        }
        var segs = new SegmentFiles(path);
        // Segments whose blocks are all gone (retention committed, then a crash before the file was deleted).
        const string Empty = "FROM segment WHERE id NOT IN (SELECT DISTINCT seg FROM block_raw_seg)";
        if (ScalarLong("SELECT count(*) " + Empty) > 0)
        {
            Execute("DELETE " + Empty); // a commit only when there is something to delete
        }
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT s.id, s.tenant, s.day, s.gen, s.path, max(b.off + b.len) FROM segment s JOIN block_raw_seg b ON b.seg = s.id GROUP BY s.id, s.tenant, s.day, s.gen, s.path";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                segs.Load(new Segment(r.GetInt32(0), r.GetString(1), r.GetInt64(2), r.GetInt32(3), r.GetString(4)), r.GetInt64(5));
            }
        }
        var notes = new List<string>();
        if (segs.Recover() is { } note)
        {
            notes.Add(note);
        }
        if (_options.RawBlockLayout == RawBlockLayout.SegmentFiles)
        {
            _segs = segs;
            var legacy = ScalarLong("SELECT count(*) FROM block_raw");
            if (legacy > 0)
            {
                MigrateToSegments();
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"moved {legacy} raw blocks from DuckDB's block_raw into segment files"));
            }
        }
        else
        {
            var moved = segs.All.Count > 0 ? MigrateFromSegments(segs) : 0;
            segs.Dispose();
            if (moved > 0)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"moved {moved} raw blocks from segment files into DuckDB's block_raw"));
            }
        }
        SegmentRecoveryNote = notes.Count == 0 ? null : string.Join("; ", notes);
    }

    /// <summary>A store written with blocks in DuckDB: every <c>block_raw</c> row goes to the segment files, then one transaction swaps the rows for index rows.</summary>
    private void MigrateToSegments()
    {
        var segs = _segs!;
        var index = new List<(long Id, long Start, int N, BlockLocation L)>();
        try
        {
            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = "SELECT series_id, start, n, data FROM block_raw ORDER BY start, series_id";
                using var r = cmd.ExecuteReader();
                long pending = 0;
                while (r.Read())
                {
                    var id = r.GetInt64(0);
                    var start = r.GetInt64(1);
                    using var s = r.GetStream(3);
                    var data = new byte[s.Length];
                    s.ReadExactly(data);
                    var tenant = _seriesById.TryGetValue(id, out var t) ? t.Tenant
                        : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"block_raw of series {id} at {start}: no such series"));
                    index.Add((id, start, r.GetInt32(2), segs.Append(tenant, start, data)));
                    if ((pending += data.Length) > (64 << 20))
                    {
                        segs.Sync();
                        pending = 0;
                    }
                }
            }
            segs.Sync();
            using var tx = _db.BeginTransaction();
            InsertSegmentsAndIndexLocked(index);
            Execute("DELETE FROM block_raw");
            tx.Commit();
        }
        catch
        {
            segs.AbortBatch();
            throw;
        }
        segs.CommitBatch();
        Execute("CHECKPOINT");
    }

    /// <summary>The DuckDB layout chosen for a store whose blocks are in segment files: they move back into <c>block_raw</c> (checked), then the files go.</summary>
    private long MigrateFromSegments(SegmentFiles segs)
    {
        var rows = new List<(long Id, long Start, int N, BlockLocation L)>();
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT series_id, start, n, seg, off, len, crc FROM block_raw_seg";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                rows.Add((r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), new BlockLocation(r.GetInt32(3), r.GetInt64(4), r.GetInt32(5), (uint)r.GetInt64(6))));
            }
        }
        using (var tx = _db.BeginTransaction())
        {
            using (var app = _db.CreateAppender("block_raw"))
            {
                foreach (var (id, start, n, loc) in rows)
                {
                    var data = new byte[loc.Length];
                    ReadSegmentBlock(segs, id, start, loc, data);
                    app.CreateRow().AppendValue(id).AppendValue(start).AppendValue(n).AppendValue(data).EndRow();
                }
            }
            Execute("DELETE FROM block_raw_seg; DELETE FROM segment;");
            tx.Commit();
        }
        foreach (var s in segs.All.Select(s => s.Id).ToList())
        {
            segs.Drop(s);
        }
        Execute("CHECKPOINT");
        return rows.Count;
    }

    /// <summary>Inside the caller's transaction: the rows of segments the open batch created, and the blocks' index rows.</summary>
    private void InsertSegmentsAndIndexLocked(List<(long Id, long Start, int N, BlockLocation L)> index)
    {
        InsertNewSegmentRowsLocked();
        using (var app = _db.CreateAppender("block_raw_seg"))
        {
            foreach (var (id, start, n, l) in index)
            {
                app.CreateRow().AppendValue(id).AppendValue(start).AppendValue(n).AppendValue(l.Segment).AppendValue(l.Offset).AppendValue(l.Length).AppendValue((long)l.Crc).EndRow();
            }
        }
    }

    /// <summary>Inside the caller's transaction: the rows of segments the open batch created that have none yet.</summary>
    private void InsertNewSegmentRowsLocked()
    {
        var fresh = _segs!.NewInBatch.Where(s => !s.RowInserted).ToList();
        if (fresh.Count == 0)
        {
            return;
        }
        using var app = _db.CreateAppender("segment");
        foreach (var s in fresh)
        {
            app.CreateRow().AppendValue(s.Id).AppendValue(s.Tenant).AppendValue(s.Day).AppendValue(s.Generation).AppendValue(s.RelativePath).EndRow();
            s.RowInserted = true;
        }
    }

    /// <summary>Deletes the rows and files of segments with no block left (after retention); the rows go first, so a crash in between leaves only a file the next open deletes.</summary>
    private void DropEmptySegmentsLocked()
    {
        if (_segs is null)
        {
            return;
        }
        var empty = new List<int>();
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT id FROM segment WHERE id NOT IN (SELECT DISTINCT seg FROM block_raw_seg)";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                empty.Add(r.GetInt32(0));
            }
        }
        if (empty.Count == 0)
        {
            return;
        }
        Execute("DELETE FROM segment WHERE id IN (" + string.Join(",", empty.Select(i => i.ToString(CultureInfo.InvariantCulture))) + ")");
        foreach (var id in empty)
        {
            _segs.Drop(id);
        }
    }

    /// <summary>Reads one block's bytes and checks its CRC-32C; a mismatch fails naming the file and offset.</summary>
    private static void ReadSegmentBlock(SegmentFiles segs, long id, long start, BlockLocation loc, Span<byte> dest)
    {
        segs.Read(loc.Segment, loc.Offset, dest);
        CheckCrc(segs, id, start, loc, dest);
    }

    private static void CheckCrc(SegmentFiles segs, long id, long start, BlockLocation loc, ReadOnlySpan<byte> data)
    {
        var crc = SegmentFiles.Crc32C(data);
        if (crc != loc.Crc)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"segment file {segs.FullPath(segs.Get(loc.Segment))}, block of series {id} at {start} (offset {loc.Offset}, {loc.Length} bytes): checksum mismatch (index CRC-32C {loc.Crc:x8}, bytes {crc:x8})"));
        }
    }

    /// <summary>A whole block from the segment files, decoded (for merges and retention).</summary>
    private RawBlock ReadSegmentRaw(long id, long start, BlockLocation loc)
    {
        var data = new byte[loc.Length];
        try
        {
            ReadSegmentBlock(_segs!, id, start, loc, data);
            return BlockCodec.DecodeRaw(data);
        }
        catch (InvalidDataException e)
        {
            throw BadBlock(id, start, e);
        }
    }

    // One reusable buffer per thread for runs of adjacent blocks read in one positional read.
    [ThreadStatic]
    private static byte[]? t_run;

    private const int MaxRunBytes = 1 << 20;
    private const int MaxRunGap = 16 << 10;

    /// <summary>
    /// The end (exclusive) of the read run that starts at <paramref name="i"/> in blocks sorted by segment and offset:
    /// following blocks of the same segment join while the gap stays ≤ <see cref="MaxRunGap"/> and the run ≤
    /// <see cref="MaxRunBytes"/>; <paramref name="start"/>/<paramref name="end"/> are the run's byte range.
    /// </summary>
    private static int ReadRunEnd<T>(List<T> sorted, int i, Func<T, BlockLocation> location, out long start, out long end)
    {
        var first = location(sorted[i]);
        start = first.Offset;
        end = first.Offset + first.Length;
        var j = i + 1;
        while (j < sorted.Count)
        {
            var l = location(sorted[j]);
            if (l.Segment != first.Segment || l.Offset - end > MaxRunGap || l.Offset + l.Length - start > MaxRunBytes)
            {
                break;
            }
            end = Math.Max(end, l.Offset + l.Length);
            j++;
        }
        return j;
    }

    /// <summary>
    /// Fetches the given blocks from the segment files, sorted by file and offset, as runs of neighbouring blocks (gaps of
    /// at most 16 KiB, runs of at most 1 MiB) read with one positional read each into a reused buffer; checks each
    /// block's CRC-32C and hands its bytes to <paramref name="decode"/>.
    /// </summary>
    private void FetchSegmentBlocks(List<(long Id, long Start, BlockLocation L)> wanted, BlockBytes decode)
    {
        var segs = _segs!;
        wanted.Sort((a, b) => a.L.Segment != b.L.Segment ? a.L.Segment.CompareTo(b.L.Segment) : a.L.Offset.CompareTo(b.L.Offset));
        var i = 0;
        while (i < wanted.Count)
        {
            var first = wanted[i].L;
            var j = ReadRunEnd(wanted, i, static w => w.L, out var runStart, out var runEnd);
            var len = checked((int)(runEnd - runStart));
            var buf = t_run;
            if (buf is null || buf.Length < len)
            {
                t_run = buf = new byte[Math.Max(len, MaxRunBytes)];
            }
            try
            {
                segs.Read(first.Segment, runStart, buf.AsSpan(0, len));
            }
            catch (InvalidDataException)
            {
                // Name the first block that cannot be read (a short file fails on one block, not on the whole run).
                for (var k = i; k < j; k++)
                {
                    var (id, start, l) = wanted[k];
                    try
                    {
                        segs.Read(l.Segment, l.Offset, buf.AsSpan(0, l.Length));
                    }
                    catch (InvalidDataException e)
                    {
                        throw BadBlock(id, start, e);
                    }
                }
                throw;
            }
            for (var k = i; k < j; k++)
            {
                var (id, start, l) = wanted[k];
                var data = buf.AsSpan(checked((int)(l.Offset - runStart)), l.Length);
                try
                {
                    CheckCrc(segs, id, start, l, data);
                }
                catch (InvalidDataException e)
                {
                    throw BadBlock(id, start, e);
                }
                decode(id, start, data);
            }
            i = j;
        }
    }

    private delegate void BlockBytes(long id, long start, ReadOnlySpan<byte> data);

    /// <summary>Segment files and their committed lengths (for tests).</summary>
    internal IReadOnlyList<(string Path, long Length)> SegmentFilesInUse =>
        _segs is null ? [] : _segs.All.OrderBy(s => s.Id).Select(s => (_segs.FullPath(s), s.Length)).ToList();
}
