using Auspex.Core.Series;
using Auspex.Storage;

namespace Auspex.Engine.Loop;

/// <summary>
/// Keeps the recent history of a set of series in memory and tops it up from the store with only what arrived
/// since the last refresh, so a tick does not re-read days of data.
/// </summary>
internal sealed class SeriesWindowCache(ISeriesStore store, TenantId tenant, IReadOnlyList<LabelMatcher> matchers, TimeSpan history)
{
    private readonly Dictionary<SeriesKey, List<Sample>> _windows = [];
    private DateTimeOffset? _readUpTo;

    public IReadOnlyDictionary<SeriesKey, List<Sample>> Windows => _windows;

    /// <summary>Reads new samples up to <paramref name="now"/> (inclusive) and drops those older than the history.</summary>
    public async Task RefreshAsync(DateTimeOffset now, CancellationToken ct)
    {
        var from = _readUpTo ?? now - history;
        var end = now.AddTicks(1);
        if (end <= from)
        {
            return;
        }
        // Re-read a small overlap so late samples for the last read instant are seen; duplicates are skipped below.
        var data = await store.ReadAsync(tenant, matchers, new TimeRange(from, end), Resolution.Raw, ct).ConfigureAwait(false);
        foreach (var s in data)
        {
            if (!_windows.TryGetValue(s.Key, out var w))
            {
                _windows[s.Key] = w = [];
            }
            foreach (var sample in s.Samples)
            {
                if (w.Count == 0 || sample.At > w[^1].At)
                {
                    w.Add(sample);
                }
                else if (sample.At == w[^1].At)
                {
                    w[^1] = sample;
                }
            }
        }
        var cutoff = now - history;
        foreach (var w in _windows.Values)
        {
            var drop = 0;
            while (drop < w.Count && w[drop].At < cutoff)
            {
                drop++;
            }
            if (drop > 0)
            {
                w.RemoveRange(0, drop);
            }
        }
        _readUpTo = now;
    }
}
