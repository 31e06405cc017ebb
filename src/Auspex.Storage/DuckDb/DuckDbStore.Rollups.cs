using System.Globalization;
using Auspex.Core.Series;

namespace Auspex.Storage.DuckDb;

internal sealed partial class DuckDbStore : IRollupReader, IRawArrayReader
{
    public async Task<IReadOnlyList<RawSeriesArrays>> ReadRawArraysAsync(
        TenantId tenant, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            FlushHeadLocked();
            var ids = Matching(tenant, matchers);
            if (ids.Count == 0 || toMs < fromMs)
            {
                return [];
            }
            var idList = string.Join(",", ids.Select(p => p.Id.ToString(CultureInfo.InvariantCulture)));
            var raw = ReadRawLocked(idList, fromMs, toMs == long.MaxValue ? long.MaxValue : toMs + 1);
            return ids.Where(p => raw.ContainsKey(p.Id))
                .OrderBy(p => p.Key.ToString(), StringComparer.Ordinal)
                .Select(p => new RawSeriesArrays(p.Key, raw[p.Id].T, raw[p.Id].V)).ToList();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyList<RollupSeries>> ReadRollupsAsync(
        TenantId tenant, IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, TimeSpan width,
        long pointStartMs, long pointStepMs, long rawLookbackMs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var table = width == FiveMinutes ? "rollup_5m"
            : width == OneHour ? "rollup_1h"
            : throw new ArgumentException("rollups exist only for 5 minutes and 1 hour", nameof(width));
        ArgumentOutOfRangeException.ThrowIfNegative(pointStepMs);
        ArgumentOutOfRangeException.ThrowIfNegative(rawLookbackMs);
        var w = (long)width.TotalMilliseconds;
        var inv = CultureInfo.InvariantCulture;
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            FlushHeadLocked();
            var ids = Matching(tenant, matchers);
            if (ids.Count == 0)
            {
                return [];
            }
            var idList = string.Join(",", ids.Select(p => p.Id.ToString(inv)));
            var acc = ids.ToDictionary(p => p.Id, p => new Acc(p.Key));

            // Where each series' rollups stop being complete: its earliest dirty mark, floored to the bucket.
            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = $"SELECT series_id, min(lo) FROM rollup_dirty WHERE tbl = '{table}' AND series_id IN ({idList}) GROUP BY series_id";
                using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (r.Read())
                {
                    var lo = r.GetInt64(1);
                    acc[r.GetInt64(0)].StaleFrom = (lo >= 0 ? lo / w : ((lo + 1) / w) - 1) * w;
                }
            }

            bool IsPoint(long ts) => pointStepMs == 0 ? ts == pointStartMs : ts >= pointStartMs && (ts - pointStartMs) % pointStepMs == 0;

            // Closed days: the packed buckets, and each bucket's first sample when it lies exactly on an instant.
            foreach (var (id, blocks) in ReadPackedRollupsLocked(table, w, idList, fromMs, toMs))
            {
                var a = acc[id];
                foreach (var b in blocks)
                {
                    for (var i = 0; i < b.Buckets.Length; i++)
                    {
                        var bucket = b.Buckets[i];
                        if (bucket < fromMs || bucket > toMs)
                        {
                            continue;
                        }
                        if (b.FirstT[i] == bucket && IsPoint(bucket))
                        {
                            a.Points[bucket] = b.First[i];
                        }
                        if (bucket >= toMs || bucket >= a.StaleFrom)
                        {
                            continue;
                        }
                        a.Buckets.Add(bucket);
                        a.Count.Add(b.Count[i]);
                        a.Sum.Add(b.Sum[i]);
                        a.Min.Add(b.Min[i]);
                        a.Max.Add(b.Max[i]);
                        a.Last.Add(b.Last[i]);
                    }
                }
            }

            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = string.Create(inv,
                    $"SELECT series_id, bucket, count, sum, coalesce(min, sum), coalesce(max, sum), coalesce(last, sum) FROM {table} WHERE series_id IN ({idList}) AND bucket >= {fromMs} AND bucket < {toMs} ORDER BY series_id, bucket");
                using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                Acc? a = null;
                var lastId = long.MinValue;
                while (r.Read())
                {
                    var id = r.GetInt64(0);
                    if (id != lastId)
                    {
                        a = acc[id];
                        lastId = id;
                    }
                    var bucket = r.GetInt64(1);
                    if (bucket >= a!.StaleFrom)
                    {
                        continue;
                    }
                    a.Buckets.Add(bucket);
                    a.Count.Add(r.GetInt64(2));
                    a.Sum.Add(r.GetDouble(3));
                    a.Min.Add(r.GetDouble(4));
                    a.Max.Add(r.GetDouble(5));
                    a.Last.Add(r.GetDouble(6));
                }
            }

            // Raw samples on the instants still in the samples table (the open day and late writes; they win over
            // the packed first samples), then, for series with stale spans, every raw sample from (stale point −
            // lookback) on, read from blocks and samples merged.
            var onPoint = pointStepMs == 0
                ? string.Create(inv, $"ts = {pointStartMs}")
                : string.Create(inv, $"(ts >= {pointStartMs} AND (ts - {pointStartMs}) % {pointStepMs} = 0)");
            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = string.Create(inv,
                    $"SELECT series_id, ts, arg_max(value, rowid) FROM samples WHERE series_id IN ({idList}) AND ts >= {fromMs} AND ts <= {toMs} AND {onPoint} GROUP BY series_id, ts");
                using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (r.Read())
                {
                    acc[r.GetInt64(0)].Points[r.GetInt64(1)] = r.GetDouble(2);
                }
            }
            var stale = acc.Where(p => p.Value.StaleFrom != long.MaxValue).ToList();
            Dictionary<long, (long[] T, double[] V)> staleRaw = [];
            if (stale.Count > 0)
            {
                var minRawFrom = Math.Max(fromMs, stale.Min(p => p.Value.StaleFrom == long.MinValue ? long.MinValue : p.Value.StaleFrom - rawLookbackMs));
                staleRaw = ReadRawLocked(string.Join(",", stale.Select(p => p.Key.ToString(inv))), minRawFrom, toMs + 1);
            }
            foreach (var (id, a) in acc)
            {
                var rawFrom = a.StaleFrom == long.MaxValue ? long.MaxValue
                    : a.StaleFrom == long.MinValue ? long.MinValue
                    : a.StaleFrom - rawLookbackMs;
                foreach (var (ts, v) in a.Points)
                {
                    if (ts < rawFrom)
                    {
                        a.RawT.Add(ts);
                        a.RawV.Add(v);
                    }
                }
                if (staleRaw.TryGetValue(id, out var sr))
                {
                    for (var i = 0; i < sr.T.Length; i++)
                    {
                        if (sr.T[i] >= rawFrom)
                        {
                            a.RawT.Add(sr.T[i]);
                            a.RawV.Add(sr.V[i]);
                        }
                    }
                }
                if (!IsSorted(a.Buckets))
                {
                    SortBuckets(a);
                }
            }
            return acc.Values
                .OrderBy(a => a.Key.ToString(), StringComparer.Ordinal)
                .Select(a => new RollupSeries(a.Key, a.StaleFrom, [.. a.Buckets], [.. a.Count], [.. a.Sum], [.. a.Min], [.. a.Max], [.. a.Last], [.. a.RawT], [.. a.RawV]))
                .ToList();
        }
        finally
        {
            _lock.Release();
        }
    }

    private sealed class Acc(SeriesKey key)
    {
        public SeriesKey Key { get; } = key;
        public long StaleFrom { get; set; } = long.MaxValue;
        public List<long> Buckets { get; } = [];
        public List<long> Count { get; } = [];
        public List<double> Sum { get; } = [];
        public List<double> Min { get; } = [];
        public List<double> Max { get; } = [];
        public List<double> Last { get; } = [];
        public SortedDictionary<long, double> Points { get; } = [];
        public List<long> RawT { get; } = [];
        public List<double> RawV { get; } = [];
    }

    private static bool IsSorted(List<long> xs)
    {
        for (var i = 1; i < xs.Count; i++)
        {
            if (xs[i] <= xs[i - 1])
            {
                return false;
            }
        }
        return true;
    }

    private static void SortBuckets(Acc a)
    {
        var order = Enumerable.Range(0, a.Buckets.Count).OrderBy(i => a.Buckets[i]).ToArray();
        void Apply<T>(List<T> xs)
        {
            var copy = order.Select(i => xs[i]).ToList();
            xs.Clear();
            xs.AddRange(copy);
        }
        Apply(a.Buckets);
        Apply(a.Count);
        Apply(a.Sum);
        Apply(a.Min);
        Apply(a.Max);
        Apply(a.Last);
    }
}
