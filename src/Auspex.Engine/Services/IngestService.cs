using System.Collections.Concurrent;
using Auspex.Core.Series;
using Auspex.Storage;

namespace Auspex.Engine.Services;

/// <summary>The outcome of one ingest request.</summary>
/// <param name="Accepted">Samples stored.</param>
/// <param name="DroppedStale">Prometheus staleness markers skipped (the store keeps no NaN; absence means stale).</param>
/// <param name="DroppedNaN">Other non-finite samples skipped and counted.</param>
/// <param name="Overloaded">True when the store was busy: nothing was written and the sender should retry later.</param>
/// <param name="Errors">Why nothing was stored, when not overloaded.</param>
public sealed record IngestResult(int Accepted, int DroppedStale, int DroppedNaN, bool Overloaded, IReadOnlyList<string> Errors)
{
    /// <summary>True when the samples were stored.</summary>
    public bool Ok => !Overloaded && Errors.Count == 0;
}

/// <summary>
/// Stores pushed samples (remote_write, Influx, CSV over HTTP, scrapes, source reads) with <b>group commit</b>: requests
/// that arrive while a commit is in flight are queued and written together in the next transaction, and each is
/// answered only once that transaction is committed — so an acknowledged sample is durable, and a burst of small
/// requests (Prometheus' remote_write shards) costs one commit instead of one each. When more than
/// <c>maxPendingSamples</c> wait, a request is refused as overloaded (HTTP 429) so the sender backs off and retries
/// instead of losing data. A request is stored whole or not at all: if a shared commit fails, each request of it is
/// committed alone and gets its own outcome.
/// </summary>
public sealed class IngestService(EmbeddedStore store, int maxPendingSamples = 4_000_000, int maxSamplesPerCommit = 1_000_000)
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly ConcurrentQueue<Pending> _queue = new();
    private long _pending;
    private long _accepted;
    private long _stale;
    private long _nan;
    private long _overloaded;
    private long _commits;

    /// <summary>Samples stored since start.</summary>
    public long AcceptedTotal => Interlocked.Read(ref _accepted);

    /// <summary>Stale markers skipped since start.</summary>
    public long StaleTotal => Interlocked.Read(ref _stale);

    /// <summary>Non-finite samples skipped since start.</summary>
    public long NaNTotal => Interlocked.Read(ref _nan);

    /// <summary>Requests refused as overloaded since start.</summary>
    public long OverloadedTotal => Interlocked.Read(ref _overloaded);

    /// <summary>Transactions committed since start (fewer than requests when requests were grouped).</summary>
    public long CommitsTotal => Interlocked.Read(ref _commits);

    /// <summary>Stores the series' finite samples atomically; returns once they are committed.</summary>
    public async Task<IngestResult> AppendAsync(TenantId tenant, IReadOnlyList<SeriesData> series, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        int stale = 0, nan = 0, finite = 0;
        foreach (var s in series)
        {
            foreach (var p in s.Samples)
            {
                if (double.IsFinite(p.Value))
                {
                    finite++;
                }
                else if (Auspex.Ingestion.StaleMarker.IsStale(p.Value))
                {
                    stale++;
                }
                else
                {
                    nan++;
                }
            }
        }
        if (Interlocked.Add(ref _pending, finite) > maxPendingSamples && finite > 0)
        {
            Interlocked.Add(ref _pending, -finite);
            Interlocked.Increment(ref _overloaded);
            return new IngestResult(0, 0, 0, true, []);
        }
        var item = new Pending(tenant, series, finite, stale, nan);
        _queue.Enqueue(item);
        // Not cancellable once queued: the request's data is handed over and is committed or refused as a whole.
        await _writer.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            while (!item.Done.Task.IsCompleted)
            {
                await CommitQueuedAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _writer.Release();
        }
        return await item.Done.Task.ConfigureAwait(false);
    }

    /// <summary>Takes what is queued (up to the commit size) and commits it, one transaction per tenant.</summary>
    private async Task CommitQueuedAsync()
    {
        var batch = new List<Pending>();
        var samples = 0;
        while (_queue.TryPeek(out var next) && (batch.Count == 0 || samples + next.Finite <= maxSamplesPerCommit) && _queue.TryDequeue(out next))
        {
            batch.Add(next);
            samples += next.Finite;
        }
        foreach (var group in batch.GroupBy(p => p.Tenant))
        {
            var items = group.ToList();
            if (items.Count > 1 && await TryCommitAsync(group.Key, items).ConfigureAwait(false) is { Ok: true })
            {
                continue;
            }
            foreach (var item in items.Where(i => !i.Done.Task.IsCompleted))
            {
                var r = await TryCommitAsync(group.Key, [item]).ConfigureAwait(false);
                item.Done.TrySetResult(r.Ok
                    ? new IngestResult(item.Finite, item.Stale, item.NaN, false, [])
                    : new IngestResult(0, 0, 0, false, r.Errors));
            }
        }
    }

    private async Task<AppendResult> TryCommitAsync(TenantId tenant, List<Pending> items)
    {
        AppendResult r;
        try
        {
            await using var app = store.Series.BeginAppend(tenant);
            foreach (var item in items)
            {
                foreach (var s in item.Series)
                {
                    foreach (var p in s.Samples)
                    {
                        if (double.IsFinite(p.Value))
                        {
                            app.Add(s.Key, p.At, p.Value);
                        }
                    }
                }
            }
            r = await app.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            r = new AppendResult(0, 0, ["the store failed: " + e.Message]);
        }
        if (!r.Ok)
        {
            if (items.Count == 1)
            {
                Interlocked.Add(ref _pending, -items[0].Finite);
            }
            return r;
        }
        Interlocked.Increment(ref _commits);
        foreach (var item in items)
        {
            Interlocked.Add(ref _pending, -item.Finite);
            Interlocked.Add(ref _accepted, item.Finite);
            Interlocked.Add(ref _stale, item.Stale);
            Interlocked.Add(ref _nan, item.NaN);
            item.Done.TrySetResult(new IngestResult(item.Finite, item.Stale, item.NaN, false, []));
        }
        return r;
    }

    private sealed class Pending(TenantId tenant, IReadOnlyList<SeriesData> series, int finite, int stale, int nan)
    {
        public TenantId Tenant { get; } = tenant;
        public IReadOnlyList<SeriesData> Series { get; } = series;
        public int Finite { get; } = finite;
        public int Stale { get; } = stale;
        public int NaN { get; } = nan;
        public TaskCompletionSource<IngestResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
