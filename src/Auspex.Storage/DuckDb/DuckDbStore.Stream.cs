using System.Globalization;
using System.Runtime.ExceptionServices;
using Auspex.Core.Series;

namespace Auspex.Storage.DuckDb;

/// <summary>
/// The streamed raw read (<see cref="IRawSeriesStreamer"/>): one key query for every series' blocks, then the series in
/// chunks (in segment-file order), each chunk's blocks fetched with a few positional reads and decoded series by series
/// into per-thread buffers that are handed to the visitor and reused — no per-series arrays, nothing on the large-object
/// heap per query. Chunks run in parallel on up to <see cref="StorageOptions.RawReadThreads"/> threads; which thread
/// runs a chunk changes nothing but the timing (each series is visited once, with its index; the decoded-block cache is
/// filled afterwards in chunk order; the error of the first failing chunk is the one thrown).
/// </summary>
internal sealed partial class DuckDbStore : IRawSeriesStreamer
{
    private const int StreamChunkSeries = 64;

    // Cache slabs this store took from CacheSlabPool (T → V); given back once no cached block uses them.
    private readonly Dictionary<long[], double[]> _pooledSlabs = new(ReferenceEqualityComparer.Instance);
    private const int StreamChunkBytes = 2 << 20;

    // Buffers of one thread's chunks: the fetched block bytes, the decoded series, and the series merged with its
    // unpacked samples. They grow to the largest chunk/series seen and are dropped when over 16 MiB.
    [ThreadStatic]
    private static StreamScratch? t_stream;

    public async Task StreamRawSeriesAsync(
        TenantId tenant, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, IRawSeriesVisitor visitor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        ArgumentNullException.ThrowIfNull(visitor);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            FlushHeadLocked();
            var ordered = Matching(tenant, matchers).Select(p => (p.Key, p.Id, Name: p.Key.ToString()))
                .OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => (p.Key, p.Id)).ToList();
            visitor.Begin(ordered.Count);
            if (ordered.Count == 0 || toMs < fromMs)
            {
                return;
            }
            var idList = string.Join(",", ordered.Select(p => p.Id.ToString(CultureInfo.InvariantCulture)));
            var end = toMs == long.MaxValue ? long.MaxValue : toMs + 1;
            if (_segs is null)
            {
                // Blocks as DuckDB BLOBs come through one statement: read them as arrays, then visit.
                var raw = ReadRawLocked(idList, fromMs, end);
                for (var i = 0; i < ordered.Count; i++)
                {
                    if (raw.TryGetValue(ordered[i].Id, out var a))
                    {
                        visitor.Visit(i, ordered[i].Key, a.T, a.V);
                    }
                }
                return;
            }
            StreamSegmentsLocked(ordered, idList, fromMs, end, visitor, cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    private sealed class StreamSeries(SeriesKey key, long id)
    {
        public SeriesKey Key { get; } = key;
        public long Id { get; } = id;
        public List<StreamBlock> Blocks { get; } = [];
        public List<long>? HeadT { get; set; }
        public List<double>? HeadV { get; set; }
    }

    private readonly record struct StreamBlock(long Start, int N, CachedRaw? Hit, BlockLocation L);

    private sealed class StreamScratch
    {
        public byte[] Bytes = [];
        public long[] T = [];
        public double[] V = [];
        public long[] MergedT = [];
        public double[] MergedV = [];

        public static T[] Grow<T>(T[] a, int n) => a.Length >= n ? a : new T[Math.Max(n, Math.Min(int.MaxValue / 2, a.Length * 2))];

        public void Trim()
        {
            const int Keep = 16 << 20;
            if (Bytes.Length > Keep)
            {
                Bytes = [];
            }
            if (T.Length * 8L > Keep)
            {
                (T, V) = ([], []);
            }
            if (MergedT.Length * 8L > Keep)
            {
                (MergedT, MergedV) = ([], []);
            }
        }
    }

    /// <summary>Samples with <paramref name="fromMs"/> ≤ time &lt; <paramref name="toMs"/> of <paramref name="ordered"/>, streamed (segment-file layout).</summary>
    private void StreamSegmentsLocked(List<(SeriesKey Key, long Id)> ordered, string idList, long fromMs, long toMs, IRawSeriesVisitor visitor, CancellationToken ct)
    {
        var inv = CultureInfo.InvariantCulture;
        var segs = _segs!;
        var caching = _options.DecodedBlockCacheBytes > 0;
        var rank = new Dictionary<long, int>(ordered.Count);
        var series = new StreamSeries[ordered.Count];
        for (var i = 0; i < ordered.Count; i++)
        {
            rank[ordered[i].Id] = i;
            series[i] = new StreamSeries(ordered[i].Key, ordered[i].Id);
        }

        // One key query for every series' blocks, with their locations (the same rows ReadRawLocked reads).
        var filter = string.Create(inv, $"{IdFilter(idList, out _)} AND start < {toMs} AND start > {fromMs - BlockMs}");
        var segments = new Dictionary<int, (long Id, long Start)>();
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT series_id, start, n, seg, off, len, crc FROM block_raw_seg WHERE " + filter;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetInt64(0);
                if (!rank.TryGetValue(id, out var k))
                {
                    continue;
                }
                var start = r.GetInt64(1);
                var n = r.GetInt32(2);
                if (n <= 0)
                {
                    throw new InvalidDataException(string.Create(inv, $"block_raw of series {id} at {start}: the row's sample count n = {n} is not positive"));
                }
                var hit = caching ? CachedBlock(id, start) : null;
                var loc = hit is null ? new BlockLocation(r.GetInt32(3), r.GetInt64(4), r.GetInt32(5), (uint)r.GetInt64(6)) : default;
                if (hit is null)
                {
                    segments.TryAdd(loc.Segment, (id, start));
                }
                series[k].Blocks.Add(new StreamBlock(start, n, hit, loc));
            }
        }
        using (var cmd = _db.CreateCommand())
        {
            // The unpacked samples, newer than the blocks: last write wins for a repeated timestamp (the highest rowid).
            cmd.CommandText = string.Create(inv,
                $"SELECT series_id, ts, arg_max(value, rowid) FROM samples WHERE {IdFilter(idList, out _)} AND ts >= {fromMs} AND ts < {toMs} GROUP BY series_id, ts ORDER BY series_id, ts");
            using var r = cmd.ExecuteReader();
            var lastId = long.MinValue;
            StreamSeries? cur = null;
            while (r.Read())
            {
                var id = r.GetInt64(0);
                if (id != lastId)
                {
                    lastId = id;
                    cur = rank.TryGetValue(id, out var k) ? series[k] : null;
                    if (cur is not null)
                    {
                        (cur.HeadT, cur.HeadV) = ([], []);
                    }
                }
                if (cur is not null)
                {
                    cur.HeadT!.Add(r.GetInt64(1));
                    cur.HeadV!.Add(r.GetDouble(2));
                }
            }
        }
        // Read handles are opened here, on one thread (a missing file or a bad header names a block that needs it).
        foreach (var (seg, (id, start)) in segments)
        {
            try
            {
                segs.OpenForRead(seg);
            }
            catch (InvalidDataException e)
            {
                throw BadBlock(id, start, e);
            }
        }

        // The series with anything to read, in the order of their first block in the segment files (so that a chunk's
        // blocks are neighbours in each day's file), then cut into chunks of at most 64 series or 2 MiB of block bytes.
        var work = new List<(int Series, int Segment, long Offset)>();
        for (var k = 0; k < series.Length; k++)
        {
            var s = series[k];
            if (s.Blocks.Count == 0 && s.HeadT is null)
            {
                continue;
            }
            s.Blocks.Sort((a, b) => a.Start.CompareTo(b.Start));
            var first = s.Blocks.Where(b => b.Hit is null).Select(b => (b.L.Segment, b.L.Offset)).DefaultIfEmpty((-1, -1)).Min();
            work.Add((k, first.Segment, first.Offset));
        }
        work.Sort((a, b) => a.Segment != b.Segment ? a.Segment.CompareTo(b.Segment) : a.Offset != b.Offset ? a.Offset.CompareTo(b.Offset) : a.Series.CompareTo(b.Series));
        var chunks = new List<(int Lo, int Hi)>();
        {
            var lo = 0;
            var bytes = 0L;
            for (var i = 0; i < work.Count; i++)
            {
                foreach (var b in series[work[i].Series].Blocks)
                {
                    bytes += b.Hit is null ? b.L.Length : 0;
                }
                if (i + 1 - lo >= StreamChunkSeries || bytes >= StreamChunkBytes || i + 1 == work.Count)
                {
                    chunks.Add((lo, i + 1));
                    lo = i + 1;
                    bytes = 0;
                }
            }
        }

        var adds = new List<(long Id, long Start, CachedRaw Block)>?[chunks.Count];
        var rented = new List<(long[] T, double[] V)>?[chunks.Count];
        var errors = new ExceptionDispatchInfo?[chunks.Count];
        var firstFailed = int.MaxValue;
        void Run(int c)
        {
            if (c > Volatile.Read(ref firstFailed))
            {
                return; // an earlier chunk failed: its error is the one thrown
            }
            try
            {
                ct.ThrowIfCancellationRequested();
                adds[c] = StreamChunk(series, work, chunks[c].Lo, chunks[c].Hi, fromMs, toMs, caching, visitor, ref rented[c]);
            }
            catch (Exception e)
            {
                errors[c] = ExceptionDispatchInfo.Capture(e);
                int seen;
                while (c < (seen = Volatile.Read(ref firstFailed)) && Interlocked.CompareExchange(ref firstFailed, c, seen) != seen)
                {
                }
            }
        }
        var threads = _options.RawReadThreads == 0 ? Environment.ProcessorCount : _options.RawReadThreads;
        threads = Math.Min(threads, chunks.Count);
        if (threads <= 1)
        {
            for (var c = 0; c < chunks.Count; c++)
            {
                Run(c);
            }
        }
        else
        {
            Parallel.For(0, chunks.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, Run);
        }
        foreach (var list in rented)
        {
            foreach (var (t, v) in list ?? [])
            {
                _pooledSlabs[t] = v;
            }
        }
        if (errors.Any(e => e is not null))
        {
            ReleasePooledSlabs(all: false);
            errors.First(e => e is not null)!.Throw();
        }
        foreach (var list in adds)
        {
            foreach (var (id, start, block) in list ?? [])
            {
                CacheBlock(id, start, block);
            }
        }
        ReleasePooledSlabs(all: false); // slabs whose blocks did not fit, or were evicted since
    }

    /// <summary>Gives pooled cache slabs back: every one (<paramref name="all"/>: the cache was cleared), else those no cached block uses.</summary>
    private void ReleasePooledSlabs(bool all)
    {
        if (_pooledSlabs.Count == 0)
        {
            return;
        }
        foreach (var (t, v) in _pooledSlabs.ToList())
        {
            if (all || !_backingRefs.ContainsKey(t))
            {
                _pooledSlabs.Remove(t);
                CacheSlabPool.Return(t, v);
            }
        }
    }

    /// <summary>
    /// One chunk: fetches its blocks (sorted by file and offset, neighbours in one positional read), checks their CRCs,
    /// decodes each series into this thread's buffers, merges its unpacked samples and visits it. Returns the blocks
    /// decoded whole, copied for the decoded-block cache (one pinned slab per chunk for the blocks that lie wholly inside
    /// the range).
    /// </summary>
    private List<(long Id, long Start, CachedRaw Block)>? StreamChunk(
        StreamSeries[] series, List<(int Series, int Segment, long Offset)> work, int lo, int hi, long fromMs, long toMs, bool caching, IRawSeriesVisitor visitor,
        ref List<(long[] T, double[] V)>? rented)
    {
        var inv = CultureInfo.InvariantCulture;
        var segs = _segs!;
        var s = t_stream ??= new StreamScratch();
        try
        {
            // Blocks to fetch, flattened: series w's block b is at blockBase[w - lo] + b.
            var blockBase = new int[hi - lo + 1];
            for (var w = lo; w < hi; w++)
            {
                blockBase[w - lo + 1] = blockBase[w - lo] + series[work[w].Series].Blocks.Count;
            }
            var fetch = new List<(int Flat, BlockLocation L)>();
            for (var w = lo; w < hi; w++)
            {
                var blocks = series[work[w].Series].Blocks;
                for (var b = 0; b < blocks.Count; b++)
                {
                    if (blocks[b].Hit is null)
                    {
                        fetch.Add((blockBase[w - lo] + b, blocks[b].L));
                    }
                }
            }
            fetch.Sort((a, b) => a.L.Segment != b.L.Segment ? a.L.Segment.CompareTo(b.L.Segment) : a.L.Offset.CompareTo(b.L.Offset));
            var pos = new int[blockBase[^1]];
            var runs = new List<(int Segment, long Start, int Length, int At, int First, int End)>();
            var total = 0;
            for (var i = 0; i < fetch.Count;)
            {
                var first = fetch[i].L;
                var j = ReadRunEnd(fetch, i, static f => f.L, out var runStart, out var runEnd);
                var len = checked((int)(runEnd - runStart));
                for (var k = i; k < j; k++)
                {
                    pos[fetch[k].Flat] = total + (int)(fetch[k].L.Offset - runStart);
                }
                runs.Add((first.Segment, runStart, len, total, i, j));
                total = checked(total + len);
                i = j;
            }
            s.Bytes = StreamScratch.Grow(s.Bytes, total);
            foreach (var (seg, start, len, at, f0, f1) in runs)
            {
                try
                {
                    segs.Read(seg, start, s.Bytes.AsSpan(at, len));
                }
                catch (InvalidDataException)
                {
                    // Name the first block that cannot be read (a short file fails on one block, not on the whole run).
                    for (var k = f0; k < f1; k++)
                    {
                        var (flat, l) = fetch[k];
                        try
                        {
                            segs.Read(l.Segment, l.Offset, s.Bytes.AsSpan(pos[flat], l.Length));
                        }
                        catch (InvalidDataException e)
                        {
                            var (id, bs) = BlockOf(flat);
                            throw BadBlock(id, bs, e);
                        }
                    }
                    throw;
                }
            }
            foreach (var (flat, l) in fetch)
            {
                var data = s.Bytes.AsSpan(pos[flat], l.Length);
                if (SegmentFiles.Crc32C(data) != l.Crc)
                {
                    var (id, bs) = BlockOf(flat);
                    try
                    {
                        CheckCrc(segs, id, bs, l, data);
                    }
                    catch (InvalidDataException e)
                    {
                        throw BadBlock(id, bs, e);
                    }
                }
            }

            List<(long Id, long Start, CachedRaw Block)>? adds = caching ? [] : null;
            long[]? slabT = null;
            double[]? slabV = null;
            var slabAt = 0;
            for (var w = lo; w < hi; w++)
            {
                var ser = series[work[w].Series];
                var cap = 0;
                foreach (var b in ser.Blocks)
                {
                    cap = checked(cap + b.N);
                }
                s.T = StreamScratch.Grow(s.T, cap);
                s.V = StreamScratch.Grow(s.V, cap);
                var at = 0;
                for (var b = 0; b < ser.Blocks.Count; b++)
                {
                    var (start, n, hit, l) = ser.Blocks[b];
                    if (hit is not null)
                    {
                        var hlo = hit.Offset + LowerBound(hit.T.AsSpan(hit.Offset, hit.Count), fromMs);
                        var hhi = hit.Offset + LowerBound(hit.T.AsSpan(hit.Offset, hit.Count), toMs);
                        var m = Math.Min(Math.Max(hhi - hlo, 0), n);
                        Array.Copy(hit.T, hlo, s.T, at, m);
                        Array.Copy(hit.V, hlo, s.V, at, m);
                        at += m;
                        continue;
                    }
                    var data = s.Bytes.AsSpan(pos[blockBase[w - lo] + b], l.Length);
                    int kept;
                    try
                    {
                        var count = BlockCodec.RawCount(data);
                        if (count != n)
                        {
                            BlockCodec.DecodeRaw(data);
                            throw new InvalidDataException(string.Create(inv, $"raw block: the header counts {count} samples, the row's n says {n}"));
                        }
                        kept = BlockCodec.DecodeRawInto(data, s.T.AsSpan(at, n), s.V.AsSpan(at, n), fromMs, toMs);
                    }
                    catch (InvalidDataException e)
                    {
                        throw BadBlock(ser.Id, start, e);
                    }
                    if (adds is not null && kept == n)
                    {
                        if (n <= CacheSlabPool.Samples)
                        {
                            if (slabT is null || slabAt + n > slabT.Length)
                            {
                                (slabT, slabV) = CacheSlabPool.Rent();
                                slabAt = 0;
                                (rented ??= []).Add((slabT, slabV));
                            }
                            Array.Copy(s.T, at, slabT, slabAt, n);
                            Array.Copy(s.V, at, slabV!, slabAt, n);
                            adds.Add((ser.Id, start, new CachedRaw(slabT, slabV!, slabAt, n)));
                            slabAt += n;
                        }
                        else
                        {
                            adds.Add((ser.Id, start, new CachedRaw(Pinned<long>(s.T.AsSpan(at, n)), Pinned<double>(s.V.AsSpan(at, n)), 0, n)));
                        }
                    }
                    at += kept;
                }
                ReadOnlySpan<long> t = s.T.AsSpan(0, at);
                ReadOnlySpan<double> v = s.V.AsSpan(0, at);
                if (ser.HeadT is { } ht)
                {
                    var hv = ser.HeadV!;
                    s.MergedT = StreamScratch.Grow(s.MergedT, at + ht.Count);
                    s.MergedV = StreamScratch.Grow(s.MergedV, at + ht.Count);
                    var m = MergeInto(t, v, ht, hv, s.MergedT, s.MergedV);
                    t = s.MergedT.AsSpan(0, m);
                    v = s.MergedV.AsSpan(0, m);
                }
                if (t.Length > 0)
                {
                    visitor.Visit(work[w].Series, ser.Key, t, v);
                }
            }
            return adds;

            (long Id, long Start) BlockOf(int flat)
            {
                var w = lo;
                while (blockBase[w - lo + 1] <= flat)
                {
                    w++;
                }
                var ser = series[work[w].Series];
                return (ser.Id, ser.Blocks[flat - blockBase[w - lo]].Start);
            }
        }
        finally
        {
            s.Trim();
        }
    }

    /// <summary>Merges the block samples with the newer unpacked ones (which win on equal timestamps) into <paramref name="t"/>/<paramref name="v"/>; returns the count.</summary>
    private static int MergeInto(ReadOnlySpan<long> at, ReadOnlySpan<double> av, List<long> bt, List<double> bv, long[] t, double[] v)
    {
        int i = 0, j = 0, n = 0;
        while (i < at.Length || j < bt.Count)
        {
            if (j >= bt.Count || (i < at.Length && at[i] < bt[j]))
            {
                t[n] = at[i];
                v[n++] = av[i++];
            }
            else
            {
                if (i < at.Length && at[i] == bt[j])
                {
                    i++;
                }
                t[n] = bt[j];
                v[n++] = bv[j++];
            }
        }
        return n;
    }
}

/// <summary>
/// Pinned slabs for decoded blocks in the cache, shared by the stores of the process: a store gives its slabs back when
/// its cache is cleared (packing, retention, closing) or no longer uses them, and the next cache fill — in this store
/// or another — reuses them instead of allocating 16 bytes a sample afresh (on the pinned heap, counted against
/// gen-2's budget). At most 128 slab pairs (64 MiB, the default cache bound) are kept free. Slabs reach only the cache, never a caller.
/// </summary>
internal static class CacheSlabPool
{
    /// <summary>Samples per slab (256 KiB of times and 256 KiB of values).</summary>
    public const int Samples = 1 << 15;

    private const int MaxFree = 128;
    private static readonly Stack<(long[] T, double[] V)> Free = new();

    /// <summary>A slab pair, from the pool when it has one; its contents are undefined.</summary>
    public static (long[] T, double[] V) Rent()
    {
        lock (Free)
        {
            if (Free.TryPop(out var s))
            {
                return s;
            }
        }
        return (GC.AllocateUninitializedArray<long>(Samples, pinned: true), GC.AllocateUninitializedArray<double>(Samples, pinned: true));
    }

    /// <summary>Gives a slab pair back (dropped when the pool is full). The caller must hold no reference to it any more.</summary>
    public static void Return(long[] t, double[] v)
    {
        if (t.Length != Samples || v.Length != Samples)
        {
            return;
        }
        lock (Free)
        {
            if (Free.Count < MaxFree)
            {
                Free.Push((t, v));
            }
        }
    }
}
