using System.Text.Json;
using Auspex.Core.Forecasts;
using Auspex.Core.Scores;
using Auspex.Core.Series;
using DuckDB.NET.Data;

namespace Auspex.Storage.DuckDb;

internal sealed partial class DuckDbStore
{
    private sealed record PointRow(long At, double Mean, double[] Q);

    private sealed record PartRow(double Value, double Weight, string Explanation);

    public async Task SaveForecastsAsync(TenantId tenant, IReadOnlyList<Forecast> forecasts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(forecasts);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _db.BeginTransaction();
            // Replace each series' latest forecast: delete the batch's series in one statement, then append.
            using (var tmp = _db.CreateCommand())
            {
                tmp.CommandText = "CREATE OR REPLACE TEMP TABLE forecast_batch (series VARCHAR)";
                tmp.ExecuteNonQuery();
            }
            using (var keys = _db.CreateAppender("forecast_batch"))
            {
                foreach (var f in forecasts)
                {
                    keys.CreateRow().AppendValue(f.Series.ToString()).EndRow();
                }
            }
            using (var del = _db.CreateCommand())
            {
                del.CommandText = "DELETE FROM forecasts WHERE tenant = $t AND series IN (SELECT series FROM forecast_batch)";
                del.Parameters.Add(new DuckDBParameter("t", tenant.Value));
                del.ExecuteNonQuery();
            }
            using (var app = _db.CreateAppender("forecasts"))
            {
                foreach (var f in forecasts)
                {
                    var points = f.Points.Select(p => new PointRow(p.At.ToUnixTimeMilliseconds(), p.Mean, [.. p.Quantiles])).ToArray();
                    app.CreateRow().AppendValue(tenant.Value).AppendValue(f.Series.ToString()).AppendValue(f.Series.Metric)
                        .AppendValue(LabelsJson.Format(f.Series.Labels)).AppendValue(f.IssuedAt.ToUnixTimeMilliseconds())
                        .AppendValue(f.Model).AppendValue((long)f.Step.TotalMilliseconds)
                        .AppendValue(JsonSerializer.Serialize(f.Levels, StoreJson.Options))
                        .AppendValue(JsonSerializer.Serialize(points, StoreJson.Options)).EndRow();
                }
            }
            tx.Commit();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<Forecast?> LatestForecastAsync(TenantId tenant, SeriesKey series, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT issued_at, model, step_ms, levels, points FROM forecasts WHERE tenant = $t AND series = $s";
            cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
            cmd.Parameters.Add(new DuckDBParameter("s", series.ToString()));
            using var r = cmd.ExecuteReader();
            if (!r.Read())
            {
                return null;
            }
            var levels = JsonSerializer.Deserialize<double[]>(r.GetString(3), StoreJson.Options) ?? [];
            var points = JsonSerializer.Deserialize<PointRow[]>(r.GetString(4), StoreJson.Options) ?? [];
            return new Forecast(series, r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)),
                TimeSpan.FromMilliseconds(r.GetInt64(2)), levels,
                points.Select(p => new ForecastPoint(DateTimeOffset.FromUnixTimeMilliseconds(p.At), p.Mean, p.Q)).ToList());
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task SaveScoresAsync(TenantId tenant, IReadOnlyList<LocalityScore> scores, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scores);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _db.BeginTransaction();
            using (var app = _db.CreateAppender("scores"))
            {
                foreach (var s in scores)
                {
                    var parts = s.Parts.ToDictionary(p => p.Key, p => new PartRow(p.Value.Value, p.Value.Weight, p.Value.Explanation));
                    app.CreateRow().AppendValue(tenant.Value).AppendValue(s.Locality).AppendValue(s.At.ToUnixTimeMilliseconds())
                        .AppendValue(s.Desirability).AppendValue(JsonSerializer.Serialize(parts, StoreJson.Options)).EndRow();
                }
            }
            tx.Commit();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyList<LocalityScore>> LatestScoresAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                SELECT locality, at_ms, desirability, parts FROM scores
                WHERE tenant = $t QUALIFY row_number() OVER (PARTITION BY locality ORDER BY at_ms DESC) = 1
                ORDER BY locality
                """;
            cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
            return ReadScores(cmd);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyList<LocalityScore>> ScoreHistoryAsync(TenantId tenant, string locality, TimeRange range, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT locality, at_ms, desirability, parts FROM scores WHERE tenant = $t AND locality = $l AND at_ms >= $f AND at_ms < $to ORDER BY at_ms";
            cmd.Parameters.Add(new DuckDBParameter("t", tenant.Value));
            cmd.Parameters.Add(new DuckDBParameter("l", locality));
            cmd.Parameters.Add(new DuckDBParameter("f", range.Start.ToUnixTimeMilliseconds()));
            cmd.Parameters.Add(new DuckDBParameter("to", range.End.ToUnixTimeMilliseconds()));
            return ReadScores(cmd);
        }
        finally
        {
            _lock.Release();
        }
    }

    private static List<LocalityScore> ReadScores(DuckDBCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<LocalityScore>();
        while (r.Read())
        {
            var parts = JsonSerializer.Deserialize<Dictionary<string, PartRow>>(r.GetString(3), StoreJson.Options) ?? [];
            list.Add(new LocalityScore(r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetDouble(2),
                parts.ToDictionary(p => p.Key, p => new ScorePart(p.Value.Value, p.Value.Weight, p.Value.Explanation))));
        }
        return list;
    }
}
