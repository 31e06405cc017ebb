namespace Auspex.Storage.DuckDb;

/// <summary>The on-disk layout (documented in docs/storage.md). Times are Unix milliseconds, UTC.</summary>
internal static class Schema
{
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS series (id BIGINT PRIMARY KEY, tenant VARCHAR NOT NULL, metric VARCHAR NOT NULL, labels_json VARCHAR NOT NULL);
        CREATE TABLE IF NOT EXISTS samples (series_id BIGINT NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL);
        CREATE TABLE IF NOT EXISTS rollup_5m (series_id BIGINT NOT NULL, bucket BIGINT NOT NULL, count BIGINT, sum DOUBLE, min DOUBLE, max DOUBLE, last DOUBLE);
        CREATE TABLE IF NOT EXISTS rollup_1h (series_id BIGINT NOT NULL, bucket BIGINT NOT NULL, count BIGINT, sum DOUBLE, min DOUBLE, max DOUBLE, last DOUBLE);
        CREATE TABLE IF NOT EXISTS block_raw (series_id BIGINT NOT NULL, start BIGINT NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS segment (id INTEGER PRIMARY KEY, tenant VARCHAR NOT NULL, day BIGINT NOT NULL, gen INTEGER NOT NULL, path VARCHAR NOT NULL);
        CREATE TABLE IF NOT EXISTS block_raw_seg (series_id BIGINT NOT NULL, start BIGINT NOT NULL, n INTEGER NOT NULL, seg INTEGER NOT NULL, off BIGINT NOT NULL, len INTEGER NOT NULL, crc BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS block_5m (series_id BIGINT NOT NULL, start BIGINT NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS block_1h (series_id BIGINT NOT NULL, start BIGINT NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value BIGINT);
        CREATE TABLE IF NOT EXISTS rollup_dirty (tbl VARCHAR NOT NULL, series_id BIGINT NOT NULL, lo BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS retention (tenant VARCHAR PRIMARY KEY, raw_ms BIGINT, m5_ms BIGINT, h1_ms BIGINT);
        CREATE TABLE IF NOT EXISTS state (tenant VARCHAR NOT NULL, kind VARCHAR NOT NULL, id VARCHAR NOT NULL, json VARCHAR NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (tenant, kind, id));
        CREATE SEQUENCE IF NOT EXISTS audit_seq;
        CREATE TABLE IF NOT EXISTS audit (seq BIGINT DEFAULT nextval('audit_seq'), tenant VARCHAR NOT NULL, at_ms BIGINT NOT NULL, actor VARCHAR, action VARCHAR, target VARCHAR, detail VARCHAR);
        CREATE TABLE IF NOT EXISTS forecasts (tenant VARCHAR NOT NULL, series VARCHAR NOT NULL, metric VARCHAR NOT NULL, labels_json VARCHAR NOT NULL, issued_at BIGINT NOT NULL, model VARCHAR, step_ms BIGINT, levels VARCHAR, points VARCHAR);
        CREATE TABLE IF NOT EXISTS forecast_models (tenant VARCHAR NOT NULL, series VARCHAR NOT NULL, selected_at BIGINT NOT NULL, model VARCHAR NOT NULL, reason VARCHAR NOT NULL, json VARCHAR NOT NULL, PRIMARY KEY (tenant, series));
        CREATE TABLE IF NOT EXISTS scores (tenant VARCHAR NOT NULL, locality VARCHAR NOT NULL, at_ms BIGINT NOT NULL, desirability DOUBLE NOT NULL, parts VARCHAR NOT NULL);
        CREATE SEQUENCE IF NOT EXISTS alert_history_seq;
        CREATE TABLE IF NOT EXISTS alert_history (seq BIGINT DEFAULT nextval('alert_history_seq'), tenant VARCHAR NOT NULL, at_ms BIGINT NOT NULL, rule VARCHAR NOT NULL, target VARCHAR NOT NULL, from_state VARCHAR NOT NULL, to_state VARCHAR NOT NULL, value DOUBLE, summary VARCHAR NOT NULL, starts_at_ms BIGINT, ends_at_ms BIGINT);
        CREATE TABLE IF NOT EXISTS alert_current (tenant VARCHAR NOT NULL, key VARCHAR NOT NULL, json VARCHAR NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (tenant, key));
        """;
}
