using System.Globalization;
using Auspex.Core.Series;

namespace Auspex.Storage.DuckDb;

internal sealed partial class DuckDbStore : IRollupReader
{
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

            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = string.Create(inv,
                    $"SELECT series_id, bucket, count, sum, min, max, last FROM {table} WHERE series_id IN ({idList}) AND bucket >= {fromMs} AND bucket < {toMs} ORDER BY series_id, bucket");
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

            // Raw samples on the instants, plus everything from (stale point − lookback) for series with stale spans.
            var onPoint = pointStepMs == 0
                ? string.Create(inv, $"ts = {pointStartMs}")
                : string.Create(inv, $"(ts >= {pointStartMs} AND (ts - {pointStartMs}) % {pointStepMs} = 0)");
            var stale = acc.Where(p => p.Value.StaleFrom != long.MaxValue).ToList();
            var where = onPoint;
            if (stale.Count > 0)
            {
                var minRawFrom = stale.Min(p => p.Value.StaleFrom - rawLookbackMs);
                where = string.Create(inv, $"({onPoint} OR (ts >= {minRawFrom} AND series_id IN ({string.Join(",", stale.Select(p => p.Key.ToString(inv)))})))");
            }
            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = string.Create(inv,
                    $"SELECT series_id, ts, arg_max(value, rowid) FROM samples WHERE series_id IN ({idList}) AND ts >= {fromMs} AND ts <= {toMs} AND {where} GROUP BY series_id, ts ORDER BY series_id, ts");
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
                    var ts = r.GetInt64(1);
                    var isPoint = pointStepMs == 0 ? ts == pointStartMs : ts >= pointStartMs && (ts - pointStartMs) % pointStepMs == 0;
                    if (isPoint || (a!.StaleFrom != long.MaxValue && ts >= a.StaleFrom - rawLookbackMs))
                    {
                        a!.RawT.Add(ts);
                        a.RawV.Add(r.GetDouble(2));
                    }
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
        public List<long> RawT { get; } = [];
        public List<double> RawV { get; } = [];
    }
}
