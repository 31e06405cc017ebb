using Auspex.Core.Series;
using DuckDB.NET.Data;

namespace Auspex.Storage.DuckDb;

internal sealed partial class DuckDbStore
{
    public async Task AppendAlertHistoryAsync(TenantId tenant, IReadOnlyList<AlertHistoryRow> rows, int keep, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        if (rows.Count == 0)
        {
            return;
        }
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _db.BeginTransaction();
            foreach (var row in rows)
            {
                using var cmd = _db.CreateCommand();
                cmd.CommandText = """
                    INSERT INTO alert_history (tenant, at_ms, rule, target, from_state, to_state, value, summary, starts_at_ms, ends_at_ms)
                    VALUES ($t, $at, $r, $tg, $f, $to, $v, $s, $sa, $ea)
                    """;
                cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
                cmd.Parameters.Add(new DuckDBParameter("at", row.At.ToUnixTimeMilliseconds()));
                cmd.Parameters.Add(new DuckDBParameter("r", row.Rule));
                cmd.Parameters.Add(new DuckDBParameter("tg", row.Target));
                cmd.Parameters.Add(new DuckDBParameter("f", row.From));
                cmd.Parameters.Add(new DuckDBParameter("to", row.To));
                cmd.Parameters.Add(new DuckDBParameter("v", double.IsFinite(row.Value) ? row.Value : null));
                cmd.Parameters.Add(new DuckDBParameter("s", row.Summary));
                cmd.Parameters.Add(new DuckDBParameter("sa", row.StartsAt?.ToUnixTimeMilliseconds()));
                cmd.Parameters.Add(new DuckDBParameter("ea", row.EndsAt?.ToUnixTimeMilliseconds()));
                cmd.ExecuteNonQuery();
            }
            using (var trim = _db.CreateCommand())
            {
                trim.CommandText = """
                    DELETE FROM alert_history WHERE tenant = $t AND seq < (
                      SELECT coalesce(min(seq), 0) FROM (SELECT seq FROM alert_history WHERE tenant = $t ORDER BY seq DESC LIMIT $k))
                    """;
                trim.Parameters.Add(new DuckDBParameter("t", tenant.Value));
                trim.Parameters.Add(new DuckDBParameter("k", keep));
                trim.ExecuteNonQuery();
            }
            tx.Commit();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyList<AlertHistoryRow>> ReadAlertHistoryAsync(TenantId tenant, int limit, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                SELECT at_ms, rule, target, from_state, to_state, value, summary, starts_at_ms, ends_at_ms
                FROM alert_history WHERE tenant = $t ORDER BY seq DESC LIMIT $l
                """;
            cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
            cmd.Parameters.Add(new DuckDBParameter("l", Math.Max(0, limit)));
            using var r = cmd.ExecuteReader();
            var list = new List<AlertHistoryRow>();
            while (r.Read())
            {
                DateTimeOffset? Time(int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));
                list.Add(new AlertHistoryRow(DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), r.GetString(1), r.GetString(2), r.GetString(3),
                    r.GetString(4), r.IsDBNull(5) ? double.NaN : r.GetDouble(5), r.GetString(6), Time(7), Time(8)));
            }
            return list;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task ReplaceCurrentAlertsAsync(TenantId tenant, IReadOnlyList<KeyValuePair<string, string>> alerts, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _db.BeginTransaction();
            using (var del = _db.CreateCommand())
            {
                del.CommandText = "DELETE FROM alert_current WHERE tenant = $t";
                del.Parameters.Add(new DuckDBParameter("t", tenant.Value));
                del.ExecuteNonQuery();
            }
            foreach (var (key, json) in alerts)
            {
                using var cmd = _db.CreateCommand();
                cmd.CommandText = "INSERT OR REPLACE INTO alert_current VALUES ($t, $k, $j, $at)";
                cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
                cmd.Parameters.Add(new DuckDBParameter("k", key));
                cmd.Parameters.Add(new DuckDBParameter("j", json));
                cmd.Parameters.Add(new DuckDBParameter("at", at.ToUnixTimeMilliseconds()));
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyList<KeyValuePair<string, string>>> ReadCurrentAlertsAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT key, json FROM alert_current WHERE tenant = $t ORDER BY key";
            cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
            using var r = cmd.ExecuteReader();
            var list = new List<KeyValuePair<string, string>>();
            while (r.Read())
            {
                list.Add(new(r.GetString(0), r.GetString(1)));
            }
            return list;
        }
        finally
        {
            _lock.Release();
        }
    }
}
