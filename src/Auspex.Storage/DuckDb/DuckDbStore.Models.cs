using Auspex.Core.Series;
using DuckDB.NET.Data;

namespace Auspex.Storage.DuckDb;

internal sealed partial class DuckDbStore
{
    public async Task SaveModelSelectionsAsync(TenantId tenant, IReadOnlyList<StoredModelSelection> selections, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selections);
        if (selections.Count == 0)
        {
            return;
        }
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _db.BeginTransaction();
            using (var tmp = _db.CreateCommand())
            {
                tmp.CommandText = "CREATE OR REPLACE TEMP TABLE model_batch (series VARCHAR, selected_at BIGINT, model VARCHAR, reason VARCHAR, json VARCHAR, ord BIGINT)";
                tmp.ExecuteNonQuery();
            }
            using (var app = _db.CreateAppender("model_batch"))
            {
                var ord = 0L;
                foreach (var s in selections)
                {
                    app.CreateRow().AppendValue(s.Series).AppendValue(s.SelectedAt.ToUnixTimeMilliseconds()).AppendValue(s.Model)
                        .AppendValue(s.Reason).AppendValue(s.Json).AppendValue(ord++).EndRow();
                }
            }
            using (var cmd = _db.CreateCommand())
            {
                // Replace each series' row; within the batch the last one given for a series wins.
                cmd.CommandText = """
                    DELETE FROM forecast_models WHERE tenant = $t AND series IN (SELECT series FROM model_batch);
                    INSERT INTO forecast_models
                    SELECT $t, series, arg_max(selected_at, ord), arg_max(model, ord), arg_max(reason, ord), arg_max(json, ord)
                    FROM model_batch GROUP BY series;
                    """;
                cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyList<StoredModelSelection>> LoadModelSelectionsAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT series, selected_at, model, reason, json FROM forecast_models WHERE tenant = $t ORDER BY series";
            cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
            using var r = cmd.ExecuteReader();
            var list = new List<StoredModelSelection>();
            while (r.Read())
            {
                list.Add(new StoredModelSelection(r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetString(2), r.GetString(3), r.GetString(4)));
            }
            return list;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<int> DeleteModelSelectionsAsync(TenantId tenant, IReadOnlyCollection<string> series, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0)
        {
            return 0;
        }
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var deleted = 0;
            using var tx = _db.BeginTransaction();
            foreach (var id in series)
            {
                using var cmd = _db.CreateCommand();
                cmd.CommandText = "DELETE FROM forecast_models WHERE tenant = $t AND series = $s";
                cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
                cmd.Parameters.Add(new DuckDBParameter("s", id));
                deleted += cmd.ExecuteNonQuery();
            }
            tx.Commit();
            return deleted;
        }
        finally
        {
            _lock.Release();
        }
    }
}
