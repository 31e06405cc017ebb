using System.Globalization;
using DuckDB.NET.Data;

namespace Auspex.Storage.DuckDb;

/// <summary>
/// Packed per-series blocks for closed days (docs/storage.md, "Packed blocks"): the rollup pass moves every raw sample
/// of a closed day out of <c>samples</c> into one <c>block_raw</c> row per series and day, and writes that day's 5-minute
/// and hourly buckets as one <c>block_5m</c> / <c>block_1h</c> row, computed from the day's samples only. A 7-day read
/// then touches about 7 rows per series instead of one per sample.
/// </summary>
internal sealed partial class DuckDbStore
{
    /// <summary>The width of a block: one UTC day (a whole number of hours, so buckets never straddle blocks).</summary>
    internal const long BlockMs = 86_400_000;

    private const long FiveMinMs = 300_000;
    private const long HourMs = 3_600_000;

    /// <summary>Packs every raw sample older than <paramref name="closed"/> (a day boundary) into blocks, merging with the blocks already there.</summary>
    private void CompactLocked(long closed)
    {
        ClearBlockCache(); // blocks of the affected days are about to be rewritten
        var rows = new Dictionary<long, List<(long Ts, long RowId, double V)>>();
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = string.Create(CultureInfo.InvariantCulture, $"SELECT series_id, ts, value, rowid FROM samples WHERE ts < {closed}");
            using var r = cmd.ExecuteReader();
            List<(long, long, double)>? cur = null;
            var lastId = long.MinValue;
            while (r.Read())
            {
                var id = r.GetInt64(0);
                if (id != lastId)
                {
                    if (!rows.TryGetValue(id, out cur))
                    {
                        rows[id] = cur = [];
                    }
                    lastId = id;
                }
                cur!.Add((r.GetInt64(1), r.GetInt64(3), r.GetDouble(2)));
            }
        }
        if (rows.Count == 0)
        {
            return;
        }

        // Per series and day: the new samples, sorted, one per timestamp (the highest rowid wins).
        var fresh = new Dictionary<(long Id, long Start), (List<long> T, List<double> V)>();
        long minStart = long.MaxValue, maxStart = long.MinValue;
        foreach (var (id, list) in rows)
        {
            list.Sort((a, b) => a.Ts != b.Ts ? a.Ts.CompareTo(b.Ts) : a.RowId.CompareTo(b.RowId));
            for (var i = 0; i < list.Count; i++)
            {
                if (i + 1 < list.Count && list[i + 1].Ts == list[i].Ts)
                {
                    continue; // a later write of the same timestamp follows
                }
                var start = BlockCodec.FloorDiv(list[i].Ts, BlockMs) * BlockMs;
                if (!fresh.TryGetValue((id, start), out var w))
                {
                    fresh[(id, start)] = w = ([], []);
                    minStart = Math.Min(minStart, start);
                    maxStart = Math.Max(maxStart, start);
                }
                w.T.Add(list[i].Ts);
                w.V.Add(list[i].V);
            }
        }
        rows.Clear();

        // The blocks already stored for those series and days (late samples merge into them; the new value wins).
        var idList = string.Join(",", fresh.Keys.Select(k => k.Id).Distinct().Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var existing = new Dictionary<(long, long), RawBlock>();
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = _segs is null
                ? string.Create(CultureInfo.InvariantCulture, $"SELECT series_id, start, data FROM block_raw WHERE series_id IN ({idList}) AND start >= {minStart} AND start <= {maxStart}")
                : string.Create(CultureInfo.InvariantCulture, $"SELECT series_id, start, seg, off, len, crc FROM block_raw_seg WHERE series_id IN ({idList}) AND start >= {minStart} AND start <= {maxStart}");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var key = (r.GetInt64(0), r.GetInt64(1));
                if (fresh.ContainsKey(key))
                {
                    existing[key] = _segs is null
                        ? DecodeRawBlob(r, 2, key.Item1, key.Item2)
                        : ReadSegmentRaw(key.Item1, key.Item2, new BlockLocation(r.GetInt32(2), r.GetInt64(3), r.GetInt32(4), (uint)r.GetInt64(5)));
                }
            }
        }

        // Every block encoded first; with segment files, their bytes are written and fsynced before the transaction that
        // commits their index rows (a crash in between leaves bytes no index row reaches, cut off at the next open).
        var encoded = new List<(long Id, long Start, int N, byte[] Raw, byte[] B5, int N5, byte[] B1, int N1)>(fresh.Count);
        foreach (var ((id, start), (nt, nv)) in fresh)
        {
            long[] t;
            double[] v;
            if (existing.TryGetValue((id, start), out var old))
            {
                (t, v) = MergeSorted(old.T, old.V, nt, nv);
            }
            else
            {
                (t, v) = ([.. nt], [.. nv]);
            }
            // A level with about as many buckets as the day has samples is not stored: a marker row (n = 0) says reads
            // compute it from the raw block (DuckDbStore.DerivedRollups.cs).
            var (b5, n5) = RollupToStore(BlockCodec.Rollup(t, v, FiveMinMs), t.Length, FiveMinMs);
            var (b1, n1) = RollupToStore(BlockCodec.Rollup(t, v, HourMs), t.Length, HourMs);
            encoded.Add((id, start, t.Length, BlockCodec.EncodeRaw(t, v), b5, n5, b1, n1));
        }
        List<(long Id, long Start, int N, BlockLocation L)>? index = null;
        if (_segs is not null)
        {
            index = new(encoded.Count);
            try
            {
                // Day by day, series by series: a day's blocks lie in the order a range read wants them.
                foreach (var e in encoded.OrderBy(e => e.Start).ThenBy(e => e.Id))
                {
                    index.Add((e.Id, e.Start, e.N, _segs.Append(_seriesById[e.Id].Tenant, e.Start, e.Raw)));
                }
                _segs.Sync();
                AfterSegmentSyncForTests?.Invoke();
            }
            catch
            {
                _segs.AbortBatch();
                throw;
            }
        }

        var pairs = string.Join(",", fresh.Keys.Select(k => string.Create(CultureInfo.InvariantCulture, $"({k.Id},{k.Start})")));
        var rawTable = _segs is null ? "block_raw" : "block_raw_seg";
        using var tx = _db.BeginTransaction();
        try
        {
            // The old blocks of the same (series, day) and the table rollups of those days go; the new blocks replace them.
            Execute(string.Create(CultureInfo.InvariantCulture, $"""
                CREATE OR REPLACE TEMP TABLE affected AS SELECT * FROM (VALUES {pairs}) v(series_id, start);
                DELETE FROM {rawTable} b USING affected a WHERE b.series_id = a.series_id AND b.start = a.start;
                DELETE FROM block_5m b USING affected a WHERE b.series_id = a.series_id AND b.start = a.start;
                DELETE FROM block_1h b USING affected a WHERE b.series_id = a.series_id AND b.start = a.start;
                DELETE FROM rollup_5m r USING affected a WHERE r.series_id = a.series_id AND r.bucket >= a.start AND r.bucket < a.start + {BlockMs};
                DELETE FROM rollup_1h r USING affected a WHERE r.series_id = a.series_id AND r.bucket >= a.start AND r.bucket < a.start + {BlockMs};
                DELETE FROM samples WHERE ts < {closed};
                UPDATE rollup_dirty SET lo = {closed} WHERE lo < {closed};
                DROP TABLE affected;
                """));
            if (index is not null)
            {
                InsertSegmentsAndIndexLocked(index);
            }
            else
            {
                using var raw = _db.CreateAppender("block_raw");
                foreach (var e in encoded)
                {
                    raw.CreateRow().AppendValue(e.Id).AppendValue(e.Start).AppendValue(e.N).AppendValue(e.Raw).EndRow();
                }
            }
            using (var b5 = _db.CreateAppender("block_5m"))
            using (var b1 = _db.CreateAppender("block_1h"))
            {
                foreach (var e in encoded)
                {
                    b5.CreateRow().AppendValue(e.Id).AppendValue(e.Start).AppendValue(e.N5).AppendValue(e.B5).EndRow();
                    b1.CreateRow().AppendValue(e.Id).AppendValue(e.Start).AppendValue(e.N1).AppendValue(e.B1).EndRow();
                }
            }
            tx.Commit();
        }
        catch
        {
            _segs?.AbortBatch();
            throw;
        }
        _segs?.CommitBatch();
        // Write the new blocks into the database file now: until a checkpoint, DuckDB serves them from its log's
        // in-memory form, where reading the BLOBs back measured several times slower.
        Execute("CHECKPOINT");
    }

    /// <summary>Runs when a pass's blocks are fsynced to the segment files and their index rows not yet committed (tests: a crash or a failure at that point).</summary>
    internal Action? AfterSegmentSyncForTests { get; set; }

    private static (long[] T, double[] V) MergeSorted(long[] at, double[] av, List<long> bt, List<double> bv)
    {
        // b (newer) wins on equal timestamps.
        var t = new List<long>(at.Length + bt.Count);
        var v = new List<double>(at.Length + bt.Count);
        int i = 0, j = 0;
        while (i < at.Length || j < bt.Count)
        {
            if (j >= bt.Count || (i < at.Length && at[i] < bt[j]))
            {
                t.Add(at[i]);
                v.Add(av[i++]);
            }
            else
            {
                if (i < at.Length && at[i] == bt[j])
                {
                    i++;
                }
                t.Add(bt[j]);
                v.Add(bv[j++]);
            }
        }
        return ([.. t], [.. v]);
    }

    // One reusable buffer per thread for BLOB bytes: a block is decoded right after it is read, so the bytes need not
    // outlive the call (a 7-day read fetches ~7,000 blocks; a new array each was garbage at once).
    [ThreadStatic]
    private static byte[]? t_blob;

    private static ReadOnlySpan<byte> ReadBlob(DuckDBDataReader r, int ordinal)
    {
        using var s = r.GetStream(ordinal);
        var n = checked((int)s.Length);
        var buf = t_blob;
        if (buf is null || buf.Length < n)
        {
            t_blob = buf = new byte[Math.Max(n, 16 << 10)];
        }
        s.ReadExactly(buf, 0, n);
        return buf.AsSpan(0, n);
    }

    private static RawBlock DecodeRawBlob(DuckDBDataReader r, int ordinal, long id, long start)
    {
        try
        {
            return BlockCodec.DecodeRaw(ReadBlob(r, ordinal));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"block_raw of series {id} at {start}: {e.Message}"), e);
        }
    }

    private static RollupBlock DecodeRollupBlob(DuckDBDataReader r, int ordinal, long width, string table, long id, long start)
    {
        try
        {
            return BlockCodec.DecodeRollup(ReadBlob(r, ordinal), width);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{table} of series {id} at {start}: {e.Message}"), e);
        }
    }

    /// <summary>
    /// Raw samples of the given series with <paramref name="fromMs"/> ≤ time &lt; <paramref name="toMs"/>, in time order,
    /// one per timestamp: the packed blocks merged with the rows still in <c>samples</c> (which are newer and win).
    /// <para>
    /// First a key query (<c>series_id, start, n</c>, no BLOBs: a few ms even on a freshly opened database) sizes every
    /// series' arrays and places each block in them; then only the BLOBs of blocks not in the decoded-block cache are
    /// fetched and each is decoded, as it arrives, straight into its place (through one small reused buffer: no BLOB
    /// arena, no per-block arrays). Blocks decoded whole are cached as slices of those arrays, without a copy, so the
    /// arrays handed out are shared with the cache and must not be modified (see <see cref="RawSeriesArrays"/>).
    /// </para>
    /// </summary>
    private Dictionary<long, (long[] T, double[] V)> ReadRawLocked(string idList, long fromMs, long toMs)
    {
        var inv = CultureInfo.InvariantCulture;
        var filter = string.Create(inv, $"{IdFilter(idList, out var wanted)} AND start < {toMs} AND start > {fromMs - BlockMs}");
        var caching = _options.DecodedBlockCacheBytes > 0;
        // Per series, its blocks: start, the row's sample count, and the decoded block when cached.
        var blocks = new Dictionary<long, List<(long Start, int N, CachedRaw? Hit)>>();
        var missing = 0;
        // With segment files, where each block not in the cache lies (the key query carries the location).
        var locs = _segs is null ? null : new List<(long Id, long Start, BlockLocation L)>();
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = _segs is null
                ? "SELECT series_id, start, n FROM block_raw WHERE " + filter
                : "SELECT series_id, start, n, seg, off, len, crc FROM block_raw_seg WHERE " + filter;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetInt64(0);
                if (wanted is not null && !wanted.Contains(id))
                {
                    continue;
                }
                var start = r.GetInt64(1);
                var n = r.GetInt32(2);
                if (n <= 0)
                {
                    throw new InvalidDataException(string.Create(inv, $"block_raw of series {id} at {start}: the row's sample count n = {n} is not positive"));
                }
                if (!blocks.TryGetValue(id, out var list))
                {
                    blocks[id] = list = [];
                }
                var hit = caching ? CachedBlock(id, start) : null;
                list.Add((start, n, hit));
                if (hit is null)
                {
                    missing++;
                    locs?.Add((id, start, new BlockLocation(r.GetInt32(3), r.GetInt64(4), r.GetInt32(5), (uint)r.GetInt64(6))));
                }
            }
        }
        var head = new Dictionary<long, (List<long> T, List<double> V)>();
        using (var cmd = _db.CreateCommand())
        {
            // Last write wins for a repeated timestamp: the highest rowid. The ids as a range, as for the blocks (a
            // 1,000-id IN list alone measured 6–14 ms CPU on an empty table).
            cmd.CommandText = string.Create(inv,
                $"SELECT series_id, ts, arg_max(value, rowid) FROM samples WHERE {IdFilter(idList, out _)} AND ts >= {fromMs} AND ts < {toMs} GROUP BY series_id, ts ORDER BY series_id, ts");
            using var r = cmd.ExecuteReader();
            var lastId = long.MinValue;
            (List<long> T, List<double> V) cur = ([], []);
            while (r.Read())
            {
                var id = r.GetInt64(0);
                if (wanted is not null && !wanted.Contains(id))
                {
                    continue;
                }
                if (id != lastId)
                {
                    head[id] = cur = ([], []);
                    lastId = id;
                }
                cur.T.Add(r.GetInt64(1));
                cur.V.Add(r.GetDouble(2));
            }
        }

        // Each series' arrays, sized from its blocks' counts (on the pinned-object heap: a 7-day read allocates ~32 MB
        // of them, alive until the query ends, and the GC would otherwise copy them along in every gen-0/gen-1
        // collection), and each block's slot in them: blocks of a series are whole days, ordered by start.
        var ids = blocks.Keys.ToArray();
        var arrays = new (long[] T, double[] V)[ids.Length];
        var kept = new int[ids.Length][];
        var slots = new Dictionary<(long Id, long Start), (int Series, int Block, int At)>(missing);
        for (var k = 0; k < ids.Length; k++)
        {
            var list = blocks[ids[k]];
            if (!IsSortedByStart(list.Select(b => b.Start)))
            {
                list.Sort((a, b) => a.Start.CompareTo(b.Start));
            }
            var cap = 0;
            foreach (var b in list)
            {
                cap = checked(cap + b.N);
            }
            var t = GC.AllocateUninitializedArray<long>(cap, pinned: true);
            var v = GC.AllocateUninitializedArray<double>(cap, pinned: true);
            arrays[k] = (t, v);
            kept[k] = new int[list.Count];
            var at = 0;
            for (var j = 0; j < list.Count; j++)
            {
                var (start, n, hit) = list[j];
                if (hit is not null)
                {
                    var lo = hit.Offset + LowerBound(hit.T.AsSpan(hit.Offset, hit.Count), fromMs);
                    var hi = hit.Offset + LowerBound(hit.T.AsSpan(hit.Offset, hit.Count), toMs);
                    var m = Math.Min(Math.Max(hi - lo, 0), n);
                    Array.Copy(hit.T, lo, t, at, m);
                    Array.Copy(hit.V, lo, v, at, m);
                    kept[k][j] = m;
                }
                else
                {
                    slots[(ids[k], start)] = (k, j, at);
                }
                at += n;
            }
        }
        // Decodes one fetched raw block into its series' arrays at its slot; damaged bytes name the series and the block.
        void DecodeSlot(long id, long start, (int Series, int Block, int At) slot, ReadOnlySpan<byte> data)
        {
            var n = blocks[id][slot.Block].N;
            var (t, v) = arrays[slot.Series];
            try
            {
                var count = BlockCodec.RawCount(data);
                if (count != n)
                {
                    // The codec's own complaint (truncated, …) first when the bytes are bad, else the mismatch.
                    BlockCodec.DecodeRaw(data);
                    throw new InvalidDataException(string.Create(inv, $"raw block: the header counts {count} samples, the row's n says {n}"));
                }
                kept[slot.Series][slot.Block] = BlockCodec.DecodeRawInto(data, t.AsSpan(slot.At, n), v.AsSpan(slot.At, n), fromMs, toMs);
            }
            catch (InvalidDataException e)
            {
                throw BadBlock(id, start, e);
            }
        }

        if (missing > 0 && locs is not null)
        {
            // Positional reads of the segment files, in file order, neighbouring blocks in one read.
            FetchSegmentBlocks(locs, (id, start, data) => DecodeSlot(id, start, slots[(id, start)], data));
        }
        else if (missing > 0)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT series_id, start, data FROM block_raw WHERE " + filter;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetInt64(0);
                var start = r.GetInt64(1);
                if (!slots.TryGetValue((id, start), out var slot))
                {
                    continue; // another series in the id range, or a block served from the cache
                }
                DecodeSlot(id, start, slot, ReadBlob(r, 2));
                slots.Remove((id, start));
            }
            if (slots.Count > 0)
            {
                var ((id, start), _) = slots.First();
                throw new InvalidDataException(string.Create(inv, $"block_raw of series {id} at {start}: listed by the key query but not returned with its data"));
            }
        }

        var result = new Dictionary<long, (long[] T, double[] V)>(ids.Length + head.Count);
        for (var k = 0; k < ids.Length; k++)
        {
            var list = blocks[ids[k]];
            var (t, v) = arrays[k];
            // Blocks that reached past the range kept fewer samples than their slot: close the gaps.
            var n = 0;
            var at = 0;
            var whole = new List<(long Start, int At, int N)>();
            for (var j = 0; j < list.Count; j++)
            {
                var m = kept[k][j];
                if (n != at && m > 0)
                {
                    Array.Copy(t, at, t, n, m);
                    Array.Copy(v, at, v, n, m);
                }
                if (caching && list[j].Hit is null && m == list[j].N)
                {
                    whole.Add((list[j].Start, n, m));
                }
                n += m;
                at += list[j].N;
            }
            if (n < t.Length)
            {
                t = Pinned<long>(t.AsSpan(0, n)); // only when a block reaches past the range
                v = Pinned<double>(v.AsSpan(0, n));
            }
            foreach (var (start, off, m) in whole)
            {
                CacheBlock(ids[k], start, new CachedRaw(t, v, off, m));
            }
            if (n > 0)
            {
                result[ids[k]] = (t, v);
            }
        }
        foreach (var (id, h) in head)
        {
            var (t, v) = result.TryGetValue(id, out var b) ? MergeSorted(b.T, b.V, h.T, h.V) : ([.. h.T], [.. h.V]);
            if (t.Length > 0)
            {
                result[id] = (t, v);
            }
        }
        return result;
    }

    private static T[] Pinned<T>(ReadOnlySpan<T> x)
    {
        var a = GC.AllocateUninitializedArray<T>(x.Length, pinned: true);
        x.CopyTo(a);
        return a;
    }

    /// <summary>A decoded closed-day block in the cache: <see cref="Count"/> samples at <see cref="Offset"/> of arrays it shares with the read that decoded it.</summary>
    private sealed record CachedRaw(long[] T, double[] V, int Offset, int Count);

    // Decoded raw blocks of closed days, least recently used first (under _lock only). A cached block keeps its whole
    // backing arrays alive, so the bound counts each backing array once, whole, for as long as any of its blocks is cached.
    private readonly Dictionary<(long Id, long Start), LinkedListNode<((long Id, long Start) Key, CachedRaw Block)>> _blockCache = [];
    private readonly LinkedList<((long Id, long Start) Key, CachedRaw Block)> _blockLru = new();
    private readonly Dictionary<long[], int> _backingRefs = new(ReferenceEqualityComparer.Instance);
    private long _blockCacheBytes;

    private static long BackingBytes(CachedRaw b) => (16L * b.T.Length) + 96;

    private CachedRaw? CachedBlock(long id, long start)
    {
        if (!_blockCache.TryGetValue((id, start), out var node))
        {
            return null;
        }
        _blockLru.Remove(node);
        _blockLru.AddLast(node);
        return node.Value.Block;
    }

    private void CacheBlock(long id, long start, CachedRaw block)
    {
        var added = _backingRefs.ContainsKey(block.T) ? 0 : BackingBytes(block);
        if (added > _options.DecodedBlockCacheBytes || _blockCache.ContainsKey((id, start)))
        {
            return;
        }
        _backingRefs[block.T] = _backingRefs.GetValueOrDefault(block.T) + 1;
        _blockCache[(id, start)] = _blockLru.AddLast(((id, start), block));
        _blockCacheBytes += added;
        while (_blockCacheBytes > _options.DecodedBlockCacheBytes && _blockLru.First is { } oldest)
        {
            _blockLru.RemoveFirst();
            _blockCache.Remove(oldest.Value.Key);
            var b = oldest.Value.Block;
            if (--_backingRefs[b.T] == 0)
            {
                _backingRefs.Remove(b.T);
                _blockCacheBytes -= BackingBytes(b);
            }
        }
    }

    private void ClearBlockCache()
    {
        ReleasePooledSlabs(all: true);
        _blockCache.Clear();
        _blockLru.Clear();
        _backingRefs.Clear();
        _blockCacheBytes = 0;
    }

    /// <summary>Decoded blocks cached and the bytes they are counted as (for tests).</summary>
    internal (int Blocks, long Bytes) BlockCacheUse => (_blockCache.Count, _blockCacheBytes);

    /// <summary>DuckDB's <c>threads</c> setting as the database reports it (for tests).</summary>
    internal long DuckDbThreadsInEffect => ScalarLong("SELECT current_setting('threads')::BIGINT");

    private static InvalidDataException BadBlock(long id, long start, InvalidDataException e) =>
        new(string.Create(CultureInfo.InvariantCulture, $"block_raw of series {id} at {start}: {e.Message}"), e);

    /// <summary>The packed rollup buckets of the given series for blocks overlapping [<paramref name="fromMs"/>, <paramref name="toMs"/>], per series in bucket order.</summary>
    private Dictionary<long, List<RollupBlock>> ReadPackedRollupsLocked(string table, long width, string idList, long fromMs, long toMs)
    {
        var packed = table == "rollup_5m" ? "block_5m" : "block_1h";
        var result = new Dictionary<long, List<RollupBlock>>();
        var filter = string.Create(CultureInfo.InvariantCulture, $"{IdFilter(idList, out var wanted)} AND start <= {toMs} AND start > {fromMs - BlockMs}");
        // Marker rows (n = 0): the level repeats the raw samples of that day and is computed from the raw block.
        var markers = new HashSet<(long Id, long Start)>();
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = $"SELECT series_id, start, n, data FROM {packed} WHERE {filter}";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetInt64(0);
                if (wanted is not null && !wanted.Contains(id))
                {
                    continue;
                }
                if (r.GetInt32(2) == 0)
                {
                    markers.Add((id, r.GetInt64(1)));
                    continue;
                }
                if (!result.TryGetValue(id, out var list))
                {
                    result[id] = list = [];
                }
                list.Add(DecodeRollupBlob(r, 3, width, packed, id, r.GetInt64(1)));
            }
        }
        if (markers.Count > 0)
        {
            foreach (var ((id, _), b) in DeriveRollupsLocked(packed, width, filter, markers, wanted))
            {
                if (!result.TryGetValue(id, out var list))
                {
                    result[id] = list = [];
                }
                list.Add(b);
            }
        }
        // No ORDER BY in SQL: DuckDB would sort the BLOBs along (measured: most of the read); blocks sort here by start.
        foreach (var list in result.Values)
        {
            if (!IsSortedByStart(list.Select(b => b.Buckets[0])))
            {
                list.Sort((a, b) => a.Buckets[0].CompareTo(b.Buckets[0]));
            }
        }
        return result;
    }

    /// <summary>Deletes packed data older than the cutoffs for one tenant's series, rewriting the block that straddles a cutoff; returns samples and buckets removed.</summary>
    private (long Raw, long FiveMinutes, long Hour) RetentionBlocksLocked(string idList, long rawCutoff, long fiveCutoff, long hourCutoff)
    {
        // Rollup levels computed from raw blocks on read are stored before those raw blocks go or are trimmed.
        MaterializeDerivedRollupsLocked(idList, rawCutoff);
        var raw = TrimBlocks("block_raw", 0, idList, rawCutoff);
        var five = TrimBlocks("block_5m", FiveMinMs, idList, fiveCutoff);
        var hour = TrimBlocks("block_1h", HourMs, idList, hourCutoff);
        return (raw, five, hour);
    }

    private long TrimBlocks(string table, long width, string idList, long cutoff)
    {
        if (width == 0)
        {
            ClearBlockCache();
            if (_segs is not null)
            {
                return TrimSegmentBlocks(idList, cutoff);
            }
        }
        var inv = CultureInfo.InvariantCulture;
        long removed = 0;
        // Whole blocks before the cutoff.
        removed += ScalarLong(string.Create(inv, $"SELECT coalesce(sum(n), 0)::BIGINT FROM {table} WHERE series_id IN ({idList}) AND start + {BlockMs} <= {cutoff}"));
        ExecuteCount(string.Create(inv, $"DELETE FROM {table} WHERE series_id IN ({idList}) AND start + {BlockMs} <= {cutoff}"));
        // The block the cutoff falls in: keep only what is at or after it.
        var rewrite = new List<(long Id, long Start, int N, byte[]? Data)>();
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = string.Create(inv, $"SELECT series_id, start, n, data FROM {table} WHERE series_id IN ({idList}) AND start < {cutoff} AND start + {BlockMs} > {cutoff}");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetInt64(0);
                var start = r.GetInt64(1);
                var n = r.GetInt32(2);
                if (width == 0)
                {
                    var b = DecodeRawBlob(r, 3, id, start);
                    var lo = LowerBound(b.T, cutoff);
                    removed += lo;
                    rewrite.Add((id, start, n - lo, lo == b.T.Length ? null : BlockCodec.EncodeRaw(b.T.AsSpan(lo), b.V.AsSpan(lo))));
                }
                else
                {
                    var b = DecodeRollupBlob(r, 3, width, table, id, start);
                    var kept = BlockCodec.Filter(b, bucket => bucket >= cutoff);
                    removed += b.Buckets.Length - (kept?.Buckets.Length ?? 0);
                    rewrite.Add((id, start, kept?.Buckets.Length ?? 0, kept is null ? null : BlockCodec.EncodeRollup(kept, width)));
                }
            }
        }
        foreach (var (id, start, n, data) in rewrite)
        {
            using var cmd = _db.CreateCommand();
            if (data is null)
            {
                cmd.CommandText = string.Create(inv, $"DELETE FROM {table} WHERE series_id = {id} AND start = {start}");
            }
            else
            {
                cmd.CommandText = string.Create(inv, $"UPDATE {table} SET n = {n}, data = $d WHERE series_id = {id} AND start = {start}");
                cmd.Parameters.Add(new DuckDBParameter("d", data));
            }
            cmd.ExecuteNonQuery();
        }
        return removed;
    }

    /// <summary>
    /// Retention of raw blocks in segment files: index rows of whole expired blocks are deleted (their files go once no
    /// block is left in them, after the commit); the block the cutoff falls in is rewritten without its older samples,
    /// appended to its day's segment and fsynced before the caller's transaction commits the new index row.
    /// </summary>
    private long TrimSegmentBlocks(string idList, long cutoff)
    {
        var inv = CultureInfo.InvariantCulture;
        var segs = _segs!;
        long removed = ScalarLong(string.Create(inv, $"SELECT coalesce(sum(n), 0)::BIGINT FROM block_raw_seg WHERE series_id IN ({idList}) AND start + {BlockMs} <= {cutoff}"));
        ExecuteCount(string.Create(inv, $"DELETE FROM block_raw_seg WHERE series_id IN ({idList}) AND start + {BlockMs} <= {cutoff}"));
        var rewrite = new List<(long Id, long Start, int N, BlockLocation? L)>();
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = string.Create(inv, $"SELECT series_id, start, n, seg, off, len, crc FROM block_raw_seg WHERE series_id IN ({idList}) AND start < {cutoff} AND start + {BlockMs} > {cutoff} ORDER BY start, series_id");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetInt64(0);
                var start = r.GetInt64(1);
                var n = r.GetInt32(2);
                var b = ReadSegmentRaw(id, start, new BlockLocation(r.GetInt32(3), r.GetInt64(4), r.GetInt32(5), (uint)r.GetInt64(6)));
                var lo = LowerBound(b.T, cutoff);
                removed += lo;
                if (lo == 0)
                {
                    continue;
                }
                rewrite.Add((id, start, n - lo, lo == b.T.Length ? null
                    : segs.Append(_seriesById[id].Tenant, start, BlockCodec.EncodeRaw(b.T.AsSpan(lo), b.V.AsSpan(lo)))));
            }
        }
        segs.Sync();
        foreach (var (id, start, n, l) in rewrite)
        {
            ExecuteCount(l is { } x
                ? string.Create(inv, $"UPDATE block_raw_seg SET n = {n}, seg = {x.Segment}, off = {x.Offset}, len = {x.Length}, crc = {x.Crc} WHERE series_id = {id} AND start = {start}")
                : string.Create(inv, $"DELETE FROM block_raw_seg WHERE series_id = {id} AND start = {start}"));
        }
        InsertNewSegmentRowsLocked();
        return removed;
    }

    /// <summary>
    /// The SQL filter on series ids: an IN list for a few, else the id range (cheap for DuckDB's zone maps; a long IN
    /// list measured 100–200 ms on 7,000 rows) with <paramref name="wanted"/> to drop the other ids in C#.
    /// </summary>
    private static string IdFilter(string idList, out HashSet<long>? wanted)
    {
        var ids = idList.Split(',').Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToList();
        if (ids.Count <= 64)
        {
            wanted = null;
            return $"series_id IN ({idList})";
        }
        wanted = [.. ids];
        return string.Create(CultureInfo.InvariantCulture, $"series_id BETWEEN {ids.Min()} AND {ids.Max()}");
    }

    private static bool IsSortedByStart(IEnumerable<long> starts)
    {
        var prev = long.MinValue;
        foreach (var x in starts)
        {
            if (x < prev)
            {
                return false;
            }
            prev = x;
        }
        return true;
    }

    /// <summary>First index with value ≥ x.</summary>
    private static int LowerBound(long[] a, long x) => LowerBound(a.AsSpan(), x);

    /// <summary>First index with value ≥ x.</summary>
    private static int LowerBound(ReadOnlySpan<long> a, long x)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (a[mid] < x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
