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
/// Stores pushed samples (remote_write, Influx, CSV over HTTP) for a tenant in one transaction per request, with a
/// bound on concurrent writes: when the bound is reached for too long the request is refused as overloaded (HTTP 429)
/// so the sender backs off and retries instead of losing data.
/// </summary>
public sealed class IngestService(EmbeddedStore store, int maxConcurrentWrites = 4, TimeSpan? queueWait = null)
{
    private readonly SemaphoreSlim _slots = new(maxConcurrentWrites, maxConcurrentWrites);
    private readonly TimeSpan _wait = queueWait ?? TimeSpan.FromMilliseconds(250);
    private long _accepted;
    private long _stale;
    private long _nan;
    private long _overloaded;

    /// <summary>Samples stored since start.</summary>
    public long AcceptedTotal => Interlocked.Read(ref _accepted);

    /// <summary>Stale markers skipped since start.</summary>
    public long StaleTotal => Interlocked.Read(ref _stale);

    /// <summary>Non-finite samples skipped since start.</summary>
    public long NaNTotal => Interlocked.Read(ref _nan);

    /// <summary>Requests refused as overloaded since start.</summary>
    public long OverloadedTotal => Interlocked.Read(ref _overloaded);

    /// <summary>Stores the series' finite samples atomically.</summary>
    public async Task<IngestResult> AppendAsync(TenantId tenant, IReadOnlyList<SeriesData> series, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (!await _slots.WaitAsync(_wait, ct).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _overloaded);
            return new IngestResult(0, 0, 0, true, []);
        }
        try
        {
            int stale = 0, nan = 0;
            await using var app = store.Series.BeginAppend(tenant);
            foreach (var s in series)
            {
                foreach (var p in s.Samples)
                {
                    if (double.IsFinite(p.Value))
                    {
                        app.Add(s.Key, p.At, p.Value);
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
            var r = await app.CommitAsync(ct).ConfigureAwait(false);
            if (!r.Ok)
            {
                return new IngestResult(0, 0, 0, false, r.Errors);
            }
            Interlocked.Add(ref _accepted, r.Samples);
            Interlocked.Add(ref _stale, stale);
            Interlocked.Add(ref _nan, nan);
            return new IngestResult(r.Samples, stale, nan, false, []);
        }
        finally
        {
            _slots.Release();
        }
    }
}
