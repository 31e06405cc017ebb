using System.Globalization;
using System.Text.Json;
using Auspex.Core.Forecasts;
using Auspex.Core.Scores;
using Auspex.Core.Series;
using DuckDB.NET.Data;

namespace Auspex.Storage.DuckDb;

/// <summary>
/// The embedded store: one DuckDB file holding series, rollups, forecasts, scores, state documents and the audit log.
/// One connection guarded by a lock; DuckDB's own transactions make every commit atomic and durable.
/// </summary>
internal sealed partial class DuckDbStore : ISeriesStore, IStateStore, IResultStore, IAlertStore, IModelStore, IDisposable
{
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan OneHour = TimeSpan.FromHours(1);

    private readonly DuckDBConnection _db;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly StorageOptions _options;
    private readonly Dictionary<(string Tenant, SeriesKey Key), long> _seriesIds = [];
    private readonly Dictionary<long, (string Tenant, SeriesKey Key)> _seriesById = [];
    private long _nextSeriesId = 1;

    // Per series, the earliest time already marked in rollup_dirty since the last rollup pass: a commit marks a series
    // only when it writes earlier than that, so a steady stream adds one mark per series per pass, not one per commit.
    // Forgotten on restart, which only means marking again (marks are idempotent).
    private readonly Dictionary<long, long> _marked = [];
    private bool _disposed;

    // Acknowledged samples not yet in DuckDB (null when the head log is off); see HeadLog.
    private readonly HeadLog? _head;

    public DuckDbStore(StorageOptions options)
    {
        options.Validate();
        _options = options;
        var path = options.DatabasePath;
        if (path != ":memory:")
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir is not null)
            {
                Directory.CreateDirectory(dir);
            }
        }
        _db = new DuckDBConnection("Data Source=" + path);
        _db.Open();
        if (options.DuckDbThreads > 0)
        {
            Execute(string.Create(CultureInfo.InvariantCulture, $"SET threads = {options.DuckDbThreads}"));
        }
        Execute(Schema.Sql);
        LoadSeriesIndex();
        OpenSegments(path);
        ConvertRepeatingRollupsOnOpen();
        if (path != ":memory:" && options.HeadFlushSamples > 0)
        {
            _head = new HeadLog(path);
            _head.Replayed = (id, tenant, key) =>
            {
                _seriesIds[(tenant, key)] = id;
                _seriesById[id] = (tenant, key);
                _nextSeriesId = Math.Max(_nextSeriesId, id + 1);
            };
            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = $"SELECT value FROM meta WHERE key = '{HeadLog.MetaKey}'";
                var flushed = cmd.ExecuteScalar() is { } v and not DBNull ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : 0;
                _head.Replay(flushed, (t, k) => _seriesIds.TryGetValue((t, k), out var id) ? id : null);
            }
            FlushHeadLocked(force: true);
        }
    }

    /// <summary>Whatever the last head-log replay found wrong (a dropped torn record, a corrupt record), or null.</summary>
    internal string? HeadRecoveryNote => _head?.RecoveryNote;

    /// <summary>
    /// Moves the head into DuckDB in one transaction that also records the head log's generation, then starts the
    /// next log. Every read calls it first, so reads always see every acknowledged sample.
    /// </summary>
    private void FlushHeadLocked(bool force = false)
    {
        if (_head is null || (_head.Samples == 0 && _head.NewSeries.Count == 0 && !force))
        {
            return;
        }
        if (_head.Samples > 0 || _head.NewSeries.Count > 0)
        {
            WriteLocked(_head.Rows, _head.NewSeries, _head.Generation);
            _head.ClearFlushed();
        }
        else if (force)
        {
            Execute(string.Create(CultureInfo.InvariantCulture, $"INSERT OR REPLACE INTO meta VALUES ('{HeadLog.MetaKey}', {_head.Generation})"));
        }
        _head.StartNext();
    }

    /// <summary>A flush after a commit that is already durable in the head log: a failure leaves the head for the next flush (every read retries it and reports the error).</summary>
    private void TryFlushHeadLocked()
    {
        try
        {
            FlushHeadLocked();
        }
        catch (DuckDBException)
        {
        }
    }

    private void LoadSeriesIndex()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT id, tenant, metric, labels_json FROM series";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var id = r.GetInt64(0);
            var key = new SeriesKey(r.GetString(2), LabelsJson.Parse(r.GetString(3)));
            _seriesIds[(r.GetString(1), key)] = id;
            _seriesById[id] = (r.GetString(1), key);
            _nextSeriesId = Math.Max(_nextSeriesId, id + 1);
        }
    }

    // ---------------- series ----------------

    public ISeriesAppender BeginAppend(TenantId tenant) => new Appender(this, tenant);

    public IReadOnlyList<SeriesKey> FindSeries(TenantId tenant, IReadOnlyList<LabelMatcher> matchers)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        _lock.Wait();
        try
        {
            return Matching(tenant, matchers).Select(p => p.Key).OrderBy(k => k.ToString(), StringComparer.Ordinal).ToList();
        }
        finally
        {
            _lock.Release();
        }
    }

    private List<(SeriesKey Key, long Id)> Matching(TenantId tenant, IReadOnlyList<LabelMatcher> matchers) =>
        _seriesIds.Where(p => p.Key.Tenant == tenant.Value && matchers.All(m => m.Matches(p.Key.Key)))
            .Select(p => (p.Key.Key, p.Value)).ToList();

    public async Task<IReadOnlyList<SeriesData>> ReadAsync(
        TenantId tenant, IReadOnlyList<LabelMatcher> matchers, TimeRange range, Resolution resolution = Resolution.Auto,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var res = resolution != Resolution.Auto ? resolution
            : range.Duration <= TimeSpan.FromDays(2) ? Resolution.Raw
            : range.Duration <= TimeSpan.FromDays(30) ? Resolution.FiveMinutes
            : Resolution.OneHour;
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            FlushHeadLocked();
            var ids = Matching(tenant, matchers);
            if (ids.Count == 0)
            {
                return [];
            }
            var byId = ids.ToDictionary(p => p.Id, p => (p.Key, Samples: new List<Sample>()));
            var idList = string.Join(",", ids.Select(p => p.Id.ToString(CultureInfo.InvariantCulture)));
            var fromMs = range.Start.ToUnixTimeMilliseconds();
            var toMs = range.End.ToUnixTimeMilliseconds();
            if (res == Resolution.Raw)
            {
                foreach (var (id, (t, v)) in ReadRawLocked(idList, fromMs, toMs))
                {
                    var list = byId[id].Samples;
                    list.Capacity = t.Length;
                    for (var i = 0; i < t.Length; i++)
                    {
                        list.Add(new Sample(DateTimeOffset.FromUnixTimeMilliseconds(t[i]), v[i]));
                    }
                }
                return byId.Values.Where(v => v.Samples.Count > 0)
                    .OrderBy(v => v.Key.ToString(), StringComparer.Ordinal)
                    .Select(v => new SeriesData(v.Key, v.Samples)).ToList();
            }
            var table = res == Resolution.FiveMinutes ? "rollup_5m" : "rollup_1h";
            var width = res == Resolution.FiveMinutes ? FiveMinMs : HourMs;
            // Closed days come from the packed rollup blocks, the rest from the rollup table (disjoint by construction).
            foreach (var (id, blocks) in ReadPackedRollupsLocked(table, width, idList, fromMs, toMs))
            {
                var list = byId[id].Samples;
                foreach (var b in blocks)
                {
                    for (var i = 0; i < b.Buckets.Length; i++)
                    {
                        if (b.Buckets[i] >= fromMs && b.Buckets[i] < toMs)
                        {
                            list.Add(new Sample(DateTimeOffset.FromUnixTimeMilliseconds(b.Buckets[i]), b.Sum[i] / b.Count[i]));
                        }
                    }
                }
            }
            using var cmd = _db.CreateCommand();
            cmd.CommandText = $"SELECT series_id, bucket, sum / count FROM {table} WHERE series_id IN ({idList}) AND bucket >= $from AND bucket < $to";
            cmd.Parameters.Add(new DuckDBParameter("from", fromMs));
            cmd.Parameters.Add(new DuckDBParameter("to", toMs));
            using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var lastId = -1L;
            List<Sample>? current = null;
            while (r.Read())
            {
                var id = r.GetInt64(0);
                if (id != lastId)
                {
                    current = byId[id].Samples;
                    lastId = id;
                }
                current!.Add(new Sample(DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetDouble(2)));
            }
            foreach (var (_, samples) in byId.Values)
            {
                SortIfNeeded(samples);
            }
            return byId.Values.Where(v => v.Samples.Count > 0)
                .OrderBy(v => v.Key.ToString(), StringComparer.Ordinal)
                .Select(v => new SeriesData(v.Key, v.Samples)).ToList();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Sorts by time unless already sorted (rollup rows usually come back in bucket order per series).</summary>
    private static void SortIfNeeded(List<Sample> samples)
    {
        for (var i = 1; i < samples.Count; i++)
        {
            if (samples[i].At < samples[i - 1].At)
            {
                samples.Sort((a, b) => a.At.CompareTo(b.At));
                return;
            }
        }
    }

    /// <summary>
    /// Commits queued samples. They arrive as runs — consecutive samples of one series — so each series' id is looked
    /// up once per run, not once per sample.
    /// </summary>
    private async Task<AppendResult> CommitAsync(TenantId tenant, List<(SeriesKey Key, int Count)> runs, List<(long Ts, double Value)> points, List<string> errors, CancellationToken ct)
    {
        if (errors.Count > 0)
        {
            return new AppendResult(0, 0, errors);
        }
        if (points.Count > _options.MaxSamplesPerCommit)
        {
            return new AppendResult(0, 0, [$"commit holds {points.Count} samples, more than the limit of {_options.MaxSamplesPerCommit}; split it"]);
        }
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        var added = new List<(long Id, string Tenant, SeriesKey Key)>();
        try
        {
            var resolved = new List<(long Id, long Ts, double Value)>(points.Count);
            var at = 0;
            foreach (var (key, count) in runs)
            {
                if (!_seriesIds.TryGetValue((tenant.Value, key), out var id))
                {
                    id = _nextSeriesId++;
                    _seriesIds[(tenant.Value, key)] = id;
                    _seriesById[id] = (tenant.Value, key);
                    added.Add((id, tenant.Value, key));
                }
                for (var end = at + count; at < end; at++)
                {
                    var (ts, value) = points[at];
                    resolved.Add((id, ts, value));
                }
            }
            try
            {
                if (_head is null)
                {
                    WriteLocked(resolved, added, walGeneration: null);
                }
                else
                {
                    // Durable once the head log record is on disk (fsync); DuckDB gets it in the next large flush.
                    _head.Append(added, resolved);
                    if (_head.Samples >= _options.HeadFlushSamples)
                    {
                        TryFlushHeadLocked();
                    }
                }
            }
            catch
            {
                foreach (var (id, t, k) in added)
                {
                    _seriesIds.Remove((t, k));
                    _seriesById.Remove(id);
                }
                throw;
            }
            return new AppendResult(points.Count, added.Count, []);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Writes samples (and new series) to DuckDB in one transaction, with the rollup marks; when
    /// <paramref name="walGeneration"/> is given, records in the same transaction that the head log up to it is in.
    /// </summary>
    private void WriteLocked(List<(long Id, long Ts, double Value)> rows, List<(long Id, string Tenant, SeriesKey Key)> newSeries, long? walGeneration)
    {
        using var tx = _db.BeginTransaction();
        try
        {
            var dirty = new Dictionary<long, long>();
            using (var seriesAppender = _db.CreateAppender("series"))
            {
                foreach (var (id, tenant, key) in newSeries)
                {
                    seriesAppender.CreateRow().AppendValue(id).AppendValue(tenant).AppendValue(key.Metric)
                        .AppendValue(LabelsJson.Format(key.Labels)).EndRow();
                }
            }
            using (var sampleAppender = _db.CreateAppender("samples"))
            {
                long runId = -1, runLo = long.MaxValue;
                foreach (var (id, ts, value) in rows)
                {
                    sampleAppender.CreateRow().AppendValue(id).AppendValue(ts).AppendValue(value).EndRow();
                    if (id != runId)
                    {
                        if (runId >= 0)
                        {
                            dirty[runId] = dirty.TryGetValue(runId, out var lo) ? Math.Min(lo, runLo) : runLo;
                        }
                        runId = id;
                        runLo = ts;
                    }
                    else
                    {
                        runLo = Math.Min(runLo, ts);
                    }
                }
                if (runId >= 0)
                {
                    dirty[runId] = dirty.TryGetValue(runId, out var lo) ? Math.Min(lo, runLo) : runLo;
                }
            }
            // Each rollup recomputes, per series, the buckets from the earliest time this commit touched.
            var marks = new List<(long Id, long Lo)>();
            using (var dirtyAppender = _db.CreateAppender("rollup_dirty"))
            {
                foreach (var (id, lo) in dirty)
                {
                    if (_marked.TryGetValue(id, out var marked) && marked <= lo)
                    {
                        continue;
                    }
                    dirtyAppender.CreateRow().AppendValue("rollup_5m").AppendValue(id).AppendValue(lo).EndRow();
                    dirtyAppender.CreateRow().AppendValue("rollup_1h").AppendValue(id).AppendValue(lo).EndRow();
                    marks.Add((id, lo));
                }
            }
            if (walGeneration is { } gen)
            {
                Execute(string.Create(CultureInfo.InvariantCulture, $"INSERT OR REPLACE INTO meta VALUES ('{HeadLog.MetaKey}', {gen})"));
            }
            tx.Commit();
            foreach (var (id, lo) in marks)
            {
                _marked[id] = lo;
            }
        }
        catch
        {
            tx.Rollback();
            throw;
        }
    }

    public async Task RollupAsync(DateTimeOffset upTo, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            FlushHeadLocked();
            _marked.Clear(); // the passes below rewrite the marks; the next commit of a series marks it again
            // Closed days are packed into blocks (raw and both rollups, from their own samples only); the SQL passes
            // below then fold just the still-open day's samples into the rollup tables.
            CompactLocked(BlockCodec.FloorDiv(upTo.ToUnixTimeMilliseconds(), BlockMs) * BlockMs);
            RollupLocked("rollup_5m", FiveMinutes, upTo);
            RollupLocked("rollup_1h", OneHour, upTo);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Re-aggregates, for every series written since the last pass, the buckets from the earliest written time up to
    /// the last closed bucket before <paramref name="upTo"/> (deduplicated as raw reads are: last write wins). A series
    /// with samples in the still-open bucket stays marked, so late and future samples are folded in next time.
    /// </summary>
    private void RollupLocked(string table, TimeSpan width, DateTimeOffset upTo)
    {
        const string OneSample = "count(*) = 1 AND min(s.value) <> 0 AND NOT isnan(min(s.value))";
        var w = (long)width.TotalMilliseconds;
        var cutoff = upTo.ToUnixTimeMilliseconds() / w * w;
        using var tx = _db.BeginTransaction();
        Execute($"""
            CREATE OR REPLACE TEMP TABLE touched AS
              SELECT series_id, (min(lo) // {w}) * {w} AS lo FROM rollup_dirty WHERE tbl = '{table}' GROUP BY series_id;
            DELETE FROM rollup_dirty WHERE tbl = '{table}';
            INSERT INTO rollup_dirty SELECT '{table}', series_id, greatest(lo, {cutoff}) FROM touched;
            DELETE FROM touched WHERE lo >= {cutoff};
            DELETE FROM {table} t USING touched x WHERE t.series_id = x.series_id AND t.bucket >= x.lo AND t.bucket < {cutoff};
            INSERT INTO {table}
              SELECT s.series_id, (s.ts // {w}) * {w} AS b, count(*), sum(s.value),
                -- One-sample buckets: min, max and last are the sum (the value itself), left NULL (a validity bit, not
                -- 8 bytes each); readers coalesce. Kept for 0 (sign of zero) and NaN (payload bits, e.g. stale markers).
                CASE WHEN {OneSample} THEN NULL ELSE min(s.value) END,
                CASE WHEN {OneSample} THEN NULL ELSE max(s.value) END,
                CASE WHEN {OneSample} THEN NULL ELSE arg_max(s.value, s.ts) END
              FROM (SELECT d.series_id, d.ts, arg_max(d.value, d.rowid) AS value FROM samples d
                    JOIN touched x ON d.series_id = x.series_id
                    WHERE d.ts >= x.lo AND d.ts < {cutoff}
                    GROUP BY d.series_id, d.ts) s
              GROUP BY s.series_id, b;
            DROP TABLE touched;
            """);
        // Series marked only for the open bucket stay marked if they have samples there; the rest are done.
        Execute($"""
            DELETE FROM rollup_dirty r WHERE tbl = '{table}' AND lo = {cutoff}
              AND NOT EXISTS (SELECT 1 FROM samples s WHERE s.series_id = r.series_id AND s.ts >= {cutoff});
            """);
        tx.Commit();
    }

    public async Task<RetentionReport> ApplyRetentionAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            FlushHeadLocked();
            long raw = 0, r5 = 0, r1 = 0;
            var tenants = _seriesIds.Keys.Select(k => k.Tenant).Distinct().ToList();
            using var tx = _db.BeginTransaction();
            try
            {
                foreach (var t in tenants)
                {
                    var p = RetentionLocked(t);
                    var ids = string.Join(",", _seriesIds.Where(s => s.Key.Tenant == t).Select(s => s.Value.ToString(CultureInfo.InvariantCulture)));
                    var (pr, p5, p1) = RetentionBlocksLocked(ids, (now - p.Raw).ToUnixTimeMilliseconds(), (now - p.FiveMinutes).ToUnixTimeMilliseconds(), (now - p.OneHour).ToUnixTimeMilliseconds());
                    raw += pr;
                    r5 += p5;
                    r1 += p1;
                    raw += ExecuteCount($"DELETE FROM samples WHERE series_id IN ({ids}) AND ts < {(now - p.Raw).ToUnixTimeMilliseconds()}");
                    r5 += ExecuteCount($"DELETE FROM rollup_5m WHERE series_id IN ({ids}) AND bucket < {(now - p.FiveMinutes).ToUnixTimeMilliseconds()}");
                    r1 += ExecuteCount($"DELETE FROM rollup_1h WHERE series_id IN ({ids}) AND bucket < {(now - p.OneHour).ToUnixTimeMilliseconds()}");
                }
                ExecuteCount($"DELETE FROM scores WHERE at_ms < {(now - _options.ScoreRetention).ToUnixTimeMilliseconds()}");
                tx.Commit();
            }
            catch
            {
                _segs?.AbortBatch(); // blocks rewritten into segment files by this pass: not committed
                throw;
            }
            _segs?.CommitBatch();
            // Whole segment files whose blocks have all expired go (rows first, then the files).
            DropEmptySegmentsLocked();
            return new RetentionReport(raw, r5, r1);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task SetRetentionAsync(TenantId tenant, RetentionPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Validate() is { } err)
        {
            throw new ArgumentException($"Retention for tenant '{tenant}': {err}.");
        }
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT OR REPLACE INTO retention VALUES ($t, $raw, $m5, $h1)";
            cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
            cmd.Parameters.Add(new DuckDBParameter("raw", (long)policy.Raw.TotalMilliseconds));
            cmd.Parameters.Add(new DuckDBParameter("m5", (long)policy.FiveMinutes.TotalMilliseconds));
            cmd.Parameters.Add(new DuckDBParameter("h1", (long)policy.OneHour.TotalMilliseconds));
            cmd.ExecuteNonQuery();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<RetentionPolicy> GetRetentionAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return RetentionLocked(tenant.Value);
        }
        finally
        {
            _lock.Release();
        }
    }

    private RetentionPolicy RetentionLocked(string tenant)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT raw_ms, m5_ms, h1_ms FROM retention WHERE tenant = $t";
        cmd.Parameters.Add(new DuckDBParameter("t", tenant));
        using var r = cmd.ExecuteReader();
        return r.Read()
            ? new RetentionPolicy(TimeSpan.FromMilliseconds(r.GetInt64(0)), TimeSpan.FromMilliseconds(r.GetInt64(1)), TimeSpan.FromMilliseconds(r.GetInt64(2)))
            : _options.DefaultRetention;
    }

    // ---------------- helpers ----------------

    private void Execute(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private long ExecuteCount(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteNonQuery();
    }

    private long ScalarLong(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _lock.Wait();
        try
        {
            try
            {
                FlushHeadLocked(); // a failure keeps the head log, replayed on the next open
                Execute("CHECKPOINT");
            }
            finally
            {
                ClearBlockCache(); // pooled cache slabs go back for other stores
                _head?.Dispose();
                _segs?.Dispose();
                _db.Dispose();
            }
        }
        finally
        {
            _lock.Release();
            _lock.Dispose();
        }
    }

    private sealed class Appender(DuckDbStore store, TenantId tenant) : ISeriesAppender
    {
        private const int MaxErrors = 20;
        // Samples in the order added, and runs of consecutive samples of one series over them.
        private readonly List<(SeriesKey Key, int Count)> _runs = [];
        private readonly List<(long Ts, double Value)> _points = [];
        private readonly List<string> _errors = [];
        private bool _done;

        public void Add(SeriesKey key, DateTimeOffset at, double value)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            if (!double.IsFinite(value))
            {
                if (_errors.Count < MaxErrors)
                {
                    _errors.Add($"series {key} at {at:O}: value {value.ToString(CultureInfo.InvariantCulture)} is not a finite number");
                }
                return;
            }
            _points.Add((at.ToUnixTimeMilliseconds(), value));
            var last = _runs.Count - 1;
            if (last >= 0 && SameKey(_runs[last].Key, key))
            {
                _runs[last] = (key, _runs[last].Count + 1);
            }
            else
            {
                _runs.Add((key, 1));
            }
        }

        public void Add(SeriesData series)
        {
            ArgumentNullException.ThrowIfNull(series);
            foreach (var s in series.Samples)
            {
                Add(series.Key, s.At, s.Value);
            }
        }

        /// <summary>Equal keys; a decoder's cached key is the same instance, which is checked first.</summary>
        private static bool SameKey(SeriesKey a, SeriesKey b) =>
            (ReferenceEquals(a.Labels, b.Labels) && ReferenceEquals(a.Metric, b.Metric)) || a == b;

        public async Task<AppendResult> CommitAsync(CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            _done = true;
            return await store.CommitAsync(tenant, _runs, _points, _errors, cancellationToken).ConfigureAwait(false);
        }

        public void Rollback()
        {
            _done = true;
            _runs.Clear();
            _points.Clear();
        }

        public ValueTask DisposeAsync()
        {
            Rollback();
            return ValueTask.CompletedTask;
        }
    }
}
