using Auspex.Storage.DuckDb;

namespace Auspex.Storage;

/// <summary>Opens the embedded store. The returned object implements every store contract and must be disposed.</summary>
public static class AuspexStorage
{
    /// <summary>Opens (creating if needed) the DuckDB store described by <paramref name="options"/>.</summary>
    public static EmbeddedStore OpenEmbedded(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new EmbeddedStore(new DuckDbStore(options));
    }

    /// <summary>
    /// Deletes the head logs and the raw segment files (<c>&lt;database&gt;.segments</c>) of the store at
    /// <paramref name="databasePath"/> (with the database, for a fresh start).
    /// </summary>
    public static void DeleteHeadLogs(string databasePath)
    {
        var full = Path.GetFullPath(databasePath);
        var dir = Path.GetDirectoryName(full)!;
        if (Directory.Exists(full + ".segments"))
        {
            Directory.Delete(full + ".segments", recursive: true);
        }
        if (!Directory.Exists(dir))
        {
            return;
        }
        foreach (var f in Directory.GetFiles(dir, Path.GetFileName(full) + ".head-*.log"))
        {
            File.Delete(f);
        }
    }
}

/// <summary>The embedded DuckDB store seen through its contracts.</summary>
public sealed class EmbeddedStore : IDisposable
{
    private readonly DuckDbStore _store;

    internal EmbeddedStore(DuckDbStore store) => _store = store;

    internal DuckDbStore Inner => _store;

    /// <summary>What replaying the head log on open found wrong (a torn last record dropped, a corrupt record), or null.</summary>
    public string? HeadLogRecovery => _store.HeadRecoveryNote;

    /// <summary>What opening the raw segment files found and did (uncommitted bytes cut off, orphan files deleted, blocks moved between layouts), or null.</summary>
    public string? SegmentRecovery => _store.SegmentRecoveryNote;

    /// <summary>Series data.</summary>
    public ISeriesStore Series => _store;

    /// <summary>Documents and audit log.</summary>
    public IStateStore State => _store;

    /// <summary>Forecasts and scores.</summary>
    public IResultStore Results => _store;

    /// <summary>Alert history and current alerts.</summary>
    public IAlertStore Alerts => _store;
    /// <summary>Each series' forecasting-model selection.</summary>
    public IModelStore Models => _store;

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();
}
