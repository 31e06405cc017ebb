namespace Auspex.Storage;

/// <summary>Options of the embedded DuckDB store.</summary>
public sealed class StorageOptions
{
    /// <summary>Path of the database file. Default: <c>auspex.duckdb</c> in the data directory. Use <c>:memory:</c> for a throw-away store.</summary>
    public string DatabasePath { get; set; } = "auspex.duckdb";

    /// <summary>Retention for tenants without their own. Default: <see cref="RetentionPolicy.Default"/>.</summary>
    public RetentionPolicy DefaultRetention { get; set; } = RetentionPolicy.Default;

    /// <summary>Most samples one commit may hold. Default 5,000,000; larger commits are refused with a reason.</summary>
    public int MaxSamplesPerCommit { get; set; } = 5_000_000;

    /// <summary>
    /// Samples kept in the head (acknowledged once fsynced to the head log next to the database, see docs/storage.md)
    /// before they are flushed to DuckDB in one transaction. Default 500,000. 0 turns the head log off: every commit
    /// is then its own DuckDB transaction. A <c>:memory:</c> store never uses it.
    /// </summary>
    public int HeadFlushSamples { get; set; } = 500_000;

    /// <summary>
    /// Memory for decoded raw blocks of closed days (16 bytes a sample), kept least-recently-used so that repeated raw
    /// reads (a dashboard refreshing <c>rate(x[1h])</c> over 7 days) skip DuckDB's BLOB fetch and the decode. Packing and
    /// retention drop it. Default 64 MiB (about 4 million samples); 0 turns it off.
    /// </summary>
    public long DecodedBlockCacheBytes { get; set; } = 64L << 20;

    /// <summary>
    /// DuckDB's worker threads (<c>SET threads</c>). Default 1. The store runs one statement at a time under its lock,
    /// and a raw read's BLOB scan is a single row group, so DuckDB's other threads mostly poll: on the 2-core bench
    /// machine one thread took about a third less CPU for a cold 7-day read, and less wall and CPU time for the
    /// packing and rollup pass too (bench/RESULTS.md, "cold 7-day query"). A larger value may speed the rollup pass on
    /// a machine with idle cores; 0 uses DuckDB's own default (one per core).
    /// </summary>
    public int DuckDbThreads { get; set; } = 1;

    /// <summary>
    /// Threads that read and decode raw blocks of one streamed query (<see cref="IRawSeriesStreamer"/>, used by the
    /// PromQL evaluator for range functions) in parallel, each on its own share of the series; the output does not
    /// depend on it. Default 0: one per core. 1 reads on the calling thread only.
    /// </summary>
    public int RawReadThreads { get; set; }

    /// <summary>
    /// Where packed raw blocks of closed days live. Default <see cref="RawBlockLayout.SegmentFiles"/>: append-only files
    /// per tenant and day next to the database, DuckDB holding only their index (docs/storage.md, "Segment files").
    /// <see cref="RawBlockLayout.DuckDb"/> keeps them as BLOBs in DuckDB (the layout before). Opening a store written in
    /// the other layout moves its blocks over once. A <c>:memory:</c> store always uses <see cref="RawBlockLayout.DuckDb"/>.
    /// </summary>
    public RawBlockLayout RawBlockLayout { get; set; } = RawBlockLayout.SegmentFiles;

    /// <summary>Score history older than this is deleted by retention. Default 30 days.</summary>
    public TimeSpan ScoreRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            throw new ArgumentException("StorageOptions.DatabasePath must be set.");
        }
        if (DefaultRetention.Validate() is { } r)
        {
            throw new ArgumentException("StorageOptions.DefaultRetention: " + r);
        }
        if (HeadFlushSamples < 0)
        {
            throw new ArgumentException("StorageOptions.HeadFlushSamples must not be negative (0 turns the head log off).");
        }
        if (DecodedBlockCacheBytes < 0)
        {
            throw new ArgumentException("StorageOptions.DecodedBlockCacheBytes must not be negative (0 turns the cache off).");
        }
        if (DuckDbThreads < 0)
        {
            throw new ArgumentException("StorageOptions.DuckDbThreads must not be negative (0 keeps DuckDB's default).");
        }
        if (RawReadThreads < 0)
        {
            throw new ArgumentException("StorageOptions.RawReadThreads must not be negative (0 uses one per core).");
        }
        if (!Enum.IsDefined(RawBlockLayout))
        {
            throw new ArgumentException($"StorageOptions.RawBlockLayout: {(int)RawBlockLayout} is not a layout (SegmentFiles or DuckDb).");
        }
        if (MaxSamplesPerCommit <= 0)
        {
            throw new ArgumentException("StorageOptions.MaxSamplesPerCommit must be positive.");
        }
    }
}

/// <summary>Where the store keeps packed raw blocks of closed days (see <see cref="StorageOptions.RawBlockLayout"/>).</summary>
public enum RawBlockLayout
{
    /// <summary>Append-only segment files per tenant and UTC day, read with positional reads; DuckDB holds the index.</summary>
    SegmentFiles,
    /// <summary>BLOBs in DuckDB's <c>block_raw</c> table.</summary>
    DuckDb,
}
