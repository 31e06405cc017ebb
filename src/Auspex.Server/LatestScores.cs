using Auspex.Core.Scores;
using Auspex.Engine;

namespace Auspex.Server;

/// <summary>
/// The latest score of every locality of the served tenant, kept in memory: read from the store once, then again only
/// after the loop has completed another tick (the loop is the only writer of scores), so reads of the heatmap and of
/// one locality do not run the window query over the scores table per request. Concurrent readers of a stale snapshot
/// share one store read.
/// </summary>
internal sealed class LatestScores(AuspexRuntime runtime)
{
    private readonly object _gate = new();
    private Task<Snapshot>? _loading;
    private long _loadingVersion = -1;
    private Snapshot? _current;

    /// <summary>One read of the latest scores.</summary>
    /// <param name="Version">The loop's tick count (successes + failures) when the read began.</param>
    /// <param name="ById">Locality id → its latest score.</param>
    /// <param name="Newest">When the newest of them was computed, or null when there is none.</param>
    public sealed record Snapshot(long Version, IReadOnlyDictionary<string, LocalityScore> ById, DateTimeOffset? Newest);

    /// <summary>How many times the store was read (for tests and the benchmark).</summary>
    public long StoreReads => Interlocked.Read(ref _reads);

    private long _reads;

    private long Version => runtime.Loop.Ticks + runtime.Loop.Failures;

    /// <summary>The latest scores, read from the store only when the loop has ticked since the last read.</summary>
    public Task<Snapshot> GetAsync(CancellationToken ct = default)
    {
        // Read the version before the store: a tick that lands during the read bumps it, so the next call re-reads.
        var version = Version;
        lock (_gate)
        {
            if (_current is { } c && c.Version == version)
            {
                return Task.FromResult(c);
            }
            if (_loading is { } l && _loadingVersion == version && !l.IsFaulted && !l.IsCanceled)
            {
                return l.WaitAsync(ct);
            }
            _loadingVersion = version;
            _loading = LoadAsync(version);
            return _loading.WaitAsync(ct);
        }
    }

    /// <summary>Forgets the snapshot, so the next read goes to the store (the benchmark's cold case).</summary>
    internal void Invalidate()
    {
        lock (_gate)
        {
            _current = null;
        }
    }

    private async Task<Snapshot> LoadAsync(long version)
    {
        await Task.Yield();
        Interlocked.Increment(ref _reads);
        // Not the caller's token: the read is shared, and a caller that goes away must not fail the others.
        var list = await runtime.Store.Results.LatestScoresAsync(runtime.Loop.Tenant, CancellationToken.None).ConfigureAwait(false);
        var byId = new Dictionary<string, LocalityScore>(list.Count, StringComparer.Ordinal);
        DateTimeOffset? newest = null;
        foreach (var s in list)
        {
            byId[s.Locality] = s;
            if (newest is null || s.At > newest)
            {
                newest = s.At;
            }
        }
        var snap = new Snapshot(version, byId, newest);
        lock (_gate)
        {
            if (_current is null || _current.Version <= version)
            {
                _current = snap;
            }
            if (_loadingVersion == version)
            {
                _loading = null;
            }
        }
        return snap;
    }
}
