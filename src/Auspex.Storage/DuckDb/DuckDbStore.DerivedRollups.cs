using System.Globalization;

namespace Auspex.Storage.DuckDb;

/// <summary>
/// Rollup levels that are not coarser than the raw samples (docs/storage.md, "Derived rollup blocks"): when a closed
/// day's rollup at some width would have about as many buckets as the day has samples (a series sampled every 5 minutes
/// or less often, for the 5-minute level), the packing pass does not store it. Its <c>block_5m</c> / <c>block_1h</c> row
/// is a marker (<c>n = 0</c>, empty data), and reads compute the buckets from the raw block — the very computation the
/// pass would have stored, so answers are identical. Retention stores the computed buckets before it drops or trims the
/// raw block (coarser levels are kept longer than raw), and a store written before markers existed is converted on open,
/// block by block, only where the stored buckets equal the ones computed from the raw block.
/// </summary>
internal sealed partial class DuckDbStore
{
    private const string DerivedRollupsMetaKey = "rollup_derived_v1";

    /// <summary>Tests: store every rollup level even where it repeats the raw samples (the format before markers).</summary>
    internal bool StoreRepeatingRollupsForTests { get; set; }

    /// <summary>What the rollup conversion on open did (blocks turned into markers), or null.</summary>
    internal string? RollupConversionNote { get; private set; }

    /// <summary>The encoded rollup block to store for a level, or a marker (<c>n = 0</c>, no bytes) when it repeats the raw block.</summary>
    private (byte[] Data, int N) RollupToStore(RollupBlock r, int rawCount, long width) =>
        BlockCodec.RollupRepeatsRaw(rawCount, r.Buckets.Length) && !StoreRepeatingRollupsForTests
            ? ([], 0)
            : (BlockCodec.EncodeRollup(r, width), r.Buckets.Length);

    /// <summary>
    /// The raw blocks (whole, decoded) of the given (series, day) keys among the rows <paramref name="filter"/> selects
    /// from the raw block index; from the decoded-block cache where a block is cached whole.
    /// </summary>
    private Dictionary<(long Id, long Start), (long[] T, double[] V, int Offset, int Count)> ReadRawBlocksLocked(
        string filter, HashSet<(long Id, long Start)> keys, HashSet<long>? wanted)
    {
        var result = new Dictionary<(long, long), (long[], double[], int, int)>(keys.Count);
        var caching = _options.DecodedBlockCacheBytes > 0;
        // True when the block is not wanted or was answered from the decoded-block cache; false when it must be read.
        bool SkipOrHit((long Id, long Start) key)
        {
            if ((wanted is not null && !wanted.Contains(key.Id)) || !keys.Contains(key))
            {
                return true;
            }
            if (caching && CachedBlock(key.Id, key.Start) is { } hit)
            {
                result[key] = (hit.T, hit.V, hit.Offset, hit.Count);
                return true;
            }
            return false;
        }
        if (_segs is not null)
        {
            var locs = new List<(long Id, long Start, BlockLocation L)>();
            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = "SELECT series_id, start, seg, off, len, crc FROM block_raw_seg WHERE " + filter;
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    var key = (r.GetInt64(0), r.GetInt64(1));
                    if (SkipOrHit(key))
                    {
                        continue;
                    }
                    locs.Add((key.Item1, key.Item2, new BlockLocation(r.GetInt32(2), r.GetInt64(3), r.GetInt32(4), (uint)r.GetInt64(5))));
                }
            }
            if (locs.Count > 0)
            {
                FetchSegmentBlocks(locs, (id, start, data) =>
                {
                    try
                    {
                        var b = BlockCodec.DecodeRaw(data);
                        result[(id, start)] = (b.T, b.V, 0, b.T.Length);
                    }
                    catch (InvalidDataException e)
                    {
                        throw BadBlock(id, start, e);
                    }
                });
            }
        }
        else
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT series_id, start, data FROM block_raw WHERE " + filter;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var key = (r.GetInt64(0), r.GetInt64(1));
                if (SkipOrHit(key))
                {
                    continue;
                }
                var b = DecodeRawBlob(r, 2, key.Item1, key.Item2);
                result[key] = (b.T, b.V, 0, b.T.Length);
            }
        }
        return result;
    }

    /// <summary>The rollup blocks of the marker rows <paramref name="markers"/> of <paramref name="table"/>, computed from their raw blocks.</summary>
    private Dictionary<(long Id, long Start), RollupBlock> DeriveRollupsLocked(string table, long width, string filter, HashSet<(long Id, long Start)> markers, HashSet<long>? wanted)
    {
        var raw = ReadRawBlocksLocked(filter, markers, wanted);
        var result = new Dictionary<(long, long), RollupBlock>(markers.Count);
        foreach (var key in markers)
        {
            if (!raw.TryGetValue(key, out var b))
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{table} of series {key.Id} at {key.Start}: the row says its buckets are computed from the raw block of that day, but there is no raw block"));
            }
            result[key] = BlockCodec.Rollup(b.T.AsSpan(b.Offset, b.Count), b.V.AsSpan(b.Offset, b.Count), width);
        }
        return result;
    }

    /// <summary>
    /// Retention, before raw blocks older than <paramref name="rawCutoff"/> are dropped or trimmed: the marker rows of
    /// those days become stored rollup blocks (computed from the whole raw block), so the coarser levels keep them.
    /// </summary>
    private void MaterializeDerivedRollupsLocked(string idList, long rawCutoff)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var (table, width) in new[] { ("block_5m", FiveMinMs), ("block_1h", HourMs) })
        {
            var markers = new HashSet<(long, long)>();
            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = string.Create(inv, $"SELECT series_id, start FROM {table} WHERE series_id IN ({idList}) AND n = 0 AND start < {rawCutoff}");
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    markers.Add((r.GetInt64(0), r.GetInt64(1)));
                }
            }
            if (markers.Count == 0)
            {
                continue;
            }
            var derived = DeriveRollupsLocked(table, width, string.Create(inv, $"series_id IN ({idList}) AND start < {rawCutoff}"), markers, null);
            UpdateRollupRowsLocked(table, width, derived);
        }
    }

    private void UpdateRollupRowsLocked(string table, long width, Dictionary<(long Id, long Start), RollupBlock> blocks)
    {
        if (blocks.Count == 0)
        {
            return;
        }
        var pairs = string.Join(",", blocks.Keys.Select(k => string.Create(CultureInfo.InvariantCulture, $"({k.Id},{k.Start})")));
        Execute($"""
            CREATE OR REPLACE TEMP TABLE rewritten AS SELECT * FROM (VALUES {pairs}) v(series_id, start);
            DELETE FROM {table} b USING rewritten x WHERE b.series_id = x.series_id AND b.start = x.start;
            DROP TABLE rewritten;
            """);
        using var app = _db.CreateAppender(table);
        foreach (var ((id, start), b) in blocks)
        {
            app.CreateRow().AppendValue(id).AppendValue(start).AppendValue(b.Buckets.Length).AppendValue(BlockCodec.EncodeRollup(b, width)).EndRow();
        }
    }

    /// <summary>
    /// Once per store: rollup blocks written before markers existed that repeat their raw block become markers — each
    /// only after its stored buckets are checked bit-identical to the ones computed from the raw block.
    /// </summary>
    private void ConvertRepeatingRollupsOnOpen()
    {
        if (ScalarLong($"SELECT count(*) FROM meta WHERE key = '{DerivedRollupsMetaKey}'") > 0)
        {
            return;
        }
        var rawTable = _segs is null ? "block_raw" : "block_raw_seg";
        var converted = 0;
        var kept = 0;
        using var tx = _db.BeginTransaction();
        foreach (var (table, width) in new[] { ("block_5m", FiveMinMs), ("block_1h", HourMs) })
        {
            const string Candidates = "FROM {0} b JOIN {1} r ON r.series_id = b.series_id AND r.start = b.start WHERE b.n > 0 AND b.n * 5 >= r.n * 4";
            var days = new List<long>();
            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = "SELECT DISTINCT b.start " + string.Format(CultureInfo.InvariantCulture, Candidates, table, rawTable) + " ORDER BY 1";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    days.Add(r.GetInt64(0));
                }
            }
            // A day at a time, so the decoded blocks of a large store are never all in memory.
            foreach (var day in days)
            {
                var stored = new Dictionary<(long Id, long Start), RollupBlock>();
                using (var cmd = _db.CreateCommand())
                {
                    cmd.CommandText = "SELECT b.series_id, b.start, b.data " + string.Format(CultureInfo.InvariantCulture, Candidates, table, rawTable) + string.Create(CultureInfo.InvariantCulture, $" AND b.start = {day}");
                    using var r = cmd.ExecuteReader();
                    while (r.Read())
                    {
                        var (id, start) = (r.GetInt64(0), r.GetInt64(1));
                        stored[(id, start)] = DecodeRollupBlob(r, 2, width, table, id, start);
                    }
                }
                var keys = stored.Keys.ToHashSet();
                var derived = DeriveRollupsLocked(table, width, string.Create(CultureInfo.InvariantCulture, $"start = {day}"), keys, null);
                var same = keys.Where(k => BlockCodec.SameRollup(stored[k], derived[k])).ToList();
                kept += keys.Count - same.Count;
                converted += same.Count;
                if (same.Count > 0)
                {
                    var pairs = string.Join(",", same.Select(k => string.Create(CultureInfo.InvariantCulture, $"({k.Id},{k.Start})")));
                    Execute($"""
                        CREATE OR REPLACE TEMP TABLE repeating AS SELECT * FROM (VALUES {pairs}) v(series_id, start);
                        UPDATE {table} b SET n = 0, data = ''::BLOB FROM repeating x WHERE b.series_id = x.series_id AND b.start = x.start;
                        DROP TABLE repeating;
                        """);
                }
            }
        }
        Execute($"INSERT OR REPLACE INTO meta VALUES ('{DerivedRollupsMetaKey}', 1)");
        tx.Commit();
        if (converted > 0 || kept > 0)
        {
            RollupConversionNote = string.Create(CultureInfo.InvariantCulture,
                $"{converted} rollup blocks that repeat their raw blocks are now computed from them on read{(kept > 0 ? $" ({kept} kept: they differ from their raw block, e.g. trimmed by retention)" : "")}");
            Execute("CHECKPOINT");
        }
    }

    /// <summary>Per rollup table: blocks stored, markers, and the bytes of each section of the stored blocks (bench and tests).</summary>
    internal IReadOnlyList<(string Table, long Stored, long Markers, long[] SectionBytes)> RollupBlockBytes()
    {
        _lock.Wait();
        try
        {
            var result = new List<(string, long, long, long[])>();
            foreach (var (table, width) in new[] { ("block_5m", FiveMinMs), ("block_1h", HourMs) })
            {
                var sections = new long[BlockCodec.RollupSections.Length];
                long stored = 0, markers = 0;
                using var cmd = _db.CreateCommand();
                cmd.CommandText = $"SELECT series_id, start, n, data FROM {table}";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    if (r.GetInt32(2) == 0)
                    {
                        markers++;
                        continue;
                    }
                    stored++;
                    var (id, start) = (r.GetInt64(0), r.GetInt64(1));
                    var b = DecodeRollupBlob(r, 3, width, table, id, start);
                    BlockCodec.EncodeRollup(b, width, sections);
                }
                result.Add((table, stored, markers, sections));
            }
            return result;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>DuckDB's blocks: total, used and free bytes (bench).</summary>
    internal (long Total, long Used, long Free) DatabaseBlocks()
    {
        _lock.Wait();
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT block_size::BIGINT, total_blocks::BIGINT, used_blocks::BIGINT, free_blocks::BIGINT FROM pragma_database_size()";
            using var r = cmd.ExecuteReader();
            return r.Read() ? (r.GetInt64(0) * r.GetInt64(1), r.GetInt64(0) * r.GetInt64(2), r.GetInt64(0) * r.GetInt64(3)) : (0, 0, 0);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Per table, the DuckDB blocks its column segments and overflow data occupy (a block shared by two tables counts for both; bench).</summary>
    internal IReadOnlyList<(string Table, long Blocks)> TableBlocks()
    {
        _lock.Wait();
        try
        {
            var tables = new List<string>();
            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    tables.Add(r.GetString(0));
                }
            }
            var result = new List<(string, long)>();
            foreach (var t in tables)
            {
                long n;
                try
                {
                    n = ScalarLong($"SELECT count(DISTINCT b)::BIGINT FROM (SELECT block_id AS b FROM pragma_storage_info('{t}') WHERE block_id >= 0 UNION ALL SELECT unnest(additional_block_ids) FROM pragma_storage_info('{t}'))");
                }
                catch (DuckDB.NET.Data.DuckDBException)
                {
                    n = ScalarLong($"SELECT count(DISTINCT block_id)::BIGINT FROM pragma_storage_info('{t}') WHERE block_id >= 0");
                }
                if (n > 0)
                {
                    result.Add((t, n));
                }
            }
            return result;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Stores every marker row's buckets (the format before markers, for the bench's side-by-side read).</summary>
    internal void StoreDerivedRollupsForBench()
    {
        _lock.Wait();
        try
        {
            FlushHeadLocked();
            var ids = string.Join(",", _seriesById.Keys.Select(i => i.ToString(CultureInfo.InvariantCulture)));
            if (ids.Length == 0)
            {
                return;
            }
            using (var tx = _db.BeginTransaction())
            {
                MaterializeDerivedRollupsLocked(ids, long.MaxValue);
                tx.Commit();
            }
            _segs?.CommitBatch();
            Execute("CHECKPOINT");
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Runs one statement under the store's lock (bench: CHECKPOINT experiments).</summary>
    internal void ExecuteForBench(string sql)
    {
        _lock.Wait();
        try
        {
            Execute(sql);
        }
        finally
        {
            _lock.Release();
        }
    }
}
