using Auspex.Core.Series;
using Auspex.Storage;

namespace Auspex.Engine.Demo;

/// <summary>
/// Replays recorded series into the store as the loop's clock passes their time stamps, as if they arrived live.
/// When the clock runs past the end of the recording, it starts again shifted by the recording's length, so the
/// demo keeps moving.
/// </summary>
public sealed class TraceReplayer
{
    private readonly ISeriesStore _store;
    private readonly TenantId _tenant;
    private readonly IReadOnlyList<SeriesData> _series;
    private readonly DateTimeOffset _start;
    private readonly TimeSpan _length;
    private DateTimeOffset _cursor;

    /// <summary>Creates a replayer over non-empty series; nothing is written until <see cref="AppendUpToAsync"/>.</summary>
    public TraceReplayer(ISeriesStore store, TenantId tenant, IReadOnlyList<SeriesData> series)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(series);
        var nonEmpty = series.Where(s => s.Samples.Count > 0).ToList();
        if (nonEmpty.Count == 0)
        {
            throw new ArgumentException("The trace has no samples to replay.", nameof(series));
        }
        _store = store;
        _tenant = tenant;
        _series = nonEmpty;
        _start = nonEmpty.Min(s => s.Samples[0].At);
        var end = nonEmpty.Max(s => s.Samples[^1].At);
        var step = nonEmpty[0].Samples.Count > 1 ? nonEmpty[0].Samples[1].At - nonEmpty[0].Samples[0].At : TimeSpan.FromMinutes(5);
        _length = end - _start + step;
        _cursor = _start - TimeSpan.FromTicks(1);
    }

    /// <summary>First time stamp of the recording.</summary>
    public DateTimeOffset Start => _start;

    /// <summary>Length of one pass through the recording.</summary>
    public TimeSpan Length => _length;

    /// <summary>Everything up to this time has been written.</summary>
    public DateTimeOffset Cursor => _cursor;

    /// <summary>Writes, in one transaction, every sample whose (shifted) time lies in (cursor, <paramref name="now"/>].</summary>
    public async Task<int> AppendUpToAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (now <= _cursor)
        {
            return 0;
        }
        await using var app = _store.BeginAppend(_tenant);
        var firstCycle = Math.Max(0, (long)Math.Floor((_cursor - _start) / _length));
        var lastCycle = (long)Math.Floor((now - _start) / _length);
        var count = 0;
        for (var c = firstCycle; c <= lastCycle; c++)
        {
            var offset = _length * c;
            var lo = _cursor - offset;
            var hi = now - offset;
            foreach (var s in _series)
            {
                var i = FirstAfter(s.Samples, lo);
                for (; i < s.Samples.Count && s.Samples[i].At <= hi; i++)
                {
                    app.Add(s.Key, s.Samples[i].At + offset, s.Samples[i].Value);
                    count++;
                }
            }
        }
        var result = await app.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (!result.Ok)
        {
            throw new InvalidOperationException("Replay could not store samples: " + string.Join("; ", result.Errors));
        }
        _cursor = now;
        return count;
    }

    private static int FirstAfter(IReadOnlyList<Sample> samples, DateTimeOffset t)
    {
        int lo = 0, hi = samples.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (samples[mid].At <= t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
