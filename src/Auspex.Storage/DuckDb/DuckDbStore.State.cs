using Auspex.Core.Series;
using DuckDB.NET.Data;

namespace Auspex.Storage.DuckDb;

internal sealed partial class DuckDbStore
{
    public async Task PutAsync(TenantId tenant, string kind, string id, string json, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT OR REPLACE INTO state VALUES ($t, $k, $i, $j, $at)";
            cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
            cmd.Parameters.Add(new DuckDBParameter("k", kind));
            cmd.Parameters.Add(new DuckDBParameter("i", id));
            cmd.Parameters.Add(new DuckDBParameter("j", json));
            cmd.Parameters.Add(new DuckDBParameter("at", at.ToUnixTimeMilliseconds()));
            cmd.ExecuteNonQuery();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task PutManyAsync(TenantId tenant, string kind, IReadOnlyList<KeyValuePair<string, string>> documents, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _db.BeginTransaction();
            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = "CREATE OR REPLACE TEMP TABLE state_batch (id VARCHAR, json VARCHAR)";
                cmd.ExecuteNonQuery();
            }
            using (var app = _db.CreateAppender("state_batch"))
            {
                foreach (var (id, json) in documents)
                {
                    app.CreateRow().AppendValue(id).AppendValue(json).EndRow();
                }
            }
            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = """
                    DELETE FROM state WHERE tenant = $t AND kind = $k AND id IN (SELECT id FROM state_batch);
                    INSERT INTO state SELECT $t, $k, id, last(json), $at FROM state_batch GROUP BY id;
                    """;
                cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
                cmd.Parameters.Add(new DuckDBParameter("k", kind));
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

    public async Task<string?> GetAsync(TenantId tenant, string kind, string id, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT json FROM state WHERE tenant = $t AND kind = $k AND id = $i";
            cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
            cmd.Parameters.Add(new DuckDBParameter("k", kind));
            cmd.Parameters.Add(new DuckDBParameter("i", id));
            return cmd.ExecuteScalar() as string;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyList<StateDocument>> ListAsync(TenantId tenant, string kind, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT kind, id, json, updated_at FROM state WHERE tenant = $t AND kind = $k ORDER BY id";
            cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
            cmd.Parameters.Add(new DuckDBParameter("k", kind));
            using var r = cmd.ExecuteReader();
            var list = new List<StateDocument>();
            while (r.Read())
            {
                list.Add(new StateDocument(r.GetString(0), r.GetString(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3))));
            }
            return list;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<bool> DeleteAsync(TenantId tenant, string kind, string id, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM state WHERE tenant = $t AND kind = $k AND id = $i";
            cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
            cmd.Parameters.Add(new DuckDBParameter("k", kind));
            cmd.Parameters.Add(new DuckDBParameter("i", id));
            return cmd.ExecuteNonQuery() > 0;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task AuditAsync(TenantId tenant, AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO audit (tenant, at_ms, actor, action, target, detail) VALUES ($t, $at, $a, $ac, $tg, $d)";
            cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
            cmd.Parameters.Add(new DuckDBParameter("at", entry.At.ToUnixTimeMilliseconds()));
            cmd.Parameters.Add(new DuckDBParameter("a", entry.Actor));
            cmd.Parameters.Add(new DuckDBParameter("ac", entry.Action));
            cmd.Parameters.Add(new DuckDBParameter("tg", entry.Target));
            cmd.Parameters.Add(new DuckDBParameter("d", entry.Detail));
            cmd.ExecuteNonQuery();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(TenantId tenant, int limit, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT at_ms, actor, action, target, detail FROM audit WHERE tenant = $t ORDER BY seq DESC LIMIT $n";
            cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
            cmd.Parameters.Add(new DuckDBParameter("n", Math.Clamp(limit, 1, 10_000)));
            using var r = cmd.ExecuteReader();
            var list = new List<AuditEntry>();
            while (r.Read())
            {
                list.Add(new AuditEntry(DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4)));
            }
            return list;
        }
        finally
        {
            _lock.Release();
        }
    }
}
