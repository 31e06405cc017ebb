using Auspex.Core.Topology;
using Auspex.Engine.Loop;

namespace Auspex.Engine.Anomalies;

/// <summary>A filter for <see cref="AnomalyService.ListAsync"/>; every criterion is optional.</summary>
/// <param name="Since">Events whose last point is at or after this time.</param>
/// <param name="Until">Events that started at or before this time.</param>
/// <param name="Locality">Events of hosts at or under this locality (a host, rack, zone or region id).</param>
/// <param name="Series">Events of this metric (e.g. <c>auspex_host_cpu_used_cores</c>, or <c>multivariate</c>) or of this exact series key.</param>
/// <param name="Limit">At most this many events (newest first).</param>
public sealed record AnomalyQuery(DateTimeOffset? Since = null, DateTimeOffset? Until = null, string? Locality = null, string? Series = null, int Limit = 1000);

/// <summary>The outcome of <see cref="AnomalyService.ListAsync"/>: the events, or an error naming the bad criterion.</summary>
public sealed record AnomalyListResult(IReadOnlyList<AnomalyEvent> Events, string? Error)
{
    /// <summary>True when the query was valid.</summary>
    public bool Ok => Error is null;
}

/// <summary>
/// The anomaly events of the running loop: list and filter them, mark one as a false positive (the series'
/// detector adapts), subscribe to new ones. Alert rules and the API read from here.
/// </summary>
public sealed class AnomalyService
{
    private readonly AnomalyStage _stage;
    private readonly Func<Topology> _topology;
    private readonly TimeProvider _clock;

    internal AnomalyService(AnomalyStage stage, Func<Topology> topology, TimeProvider clock)
    {
        _stage = stage;
        _topology = topology;
        _clock = clock;
        stage.Raised += e => Raised?.Invoke(e);
    }

    /// <summary>Raised after a tick stored a new event or extended one (on the loop's thread; handlers must be quick).</summary>
    public event Action<AnomalyEvent>? Raised;

    /// <summary>Series flagged for forecast retraining by anomaly bursts.</summary>
    public IRetrainSignals RetrainSignals => _stage;

    /// <summary>Events matching <paramref name="query"/>, newest first; an unknown locality or a bad limit is an error.</summary>
    public async Task<AnomalyListResult> ListAsync(AnomalyQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 10_000)
        {
            return new AnomalyListResult([], $"limit must lie in [1, 10000], got {query.Limit}");
        }
        if (query.Since is { } s && query.Until is { } u && u < s)
        {
            return new AnomalyListResult([], "until lies before since");
        }
        HashSet<string>? hosts = null;
        if (query.Locality is { } loc)
        {
            var topology = _topology();
            if (topology.Find(loc) is null)
            {
                return new AnomalyListResult([], $"no locality has id '{loc}'");
            }
            hosts = new HashSet<string>(topology.HostsUnder(loc).Select(h => h.Id).Append(loc), StringComparer.Ordinal);
        }
        var events = await _stage.ListAsync(e =>
            (query.Since is not { } since || e.End >= since)
            && (query.Until is not { } until || e.Start <= until)
            && (hosts is null || hosts.Contains(e.Host))
            && (query.Series is not { } series || e.Metric == series || e.Series == series), ct).ConfigureAwait(false);
        return new AnomalyListResult(events.Take(query.Limit).ToList(), null);
    }

    /// <summary>One event by id, or null.</summary>
    public async Task<AnomalyEvent?> GetAsync(string id, CancellationToken ct = default) =>
        (await _stage.ListAsync(e => e.Id == id, ct).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>
    /// Marks an event as a false positive on behalf of <paramref name="actor"/>: its series' detector raises its
    /// tolerance so that the same surprise now scores below the threshold (decaying back over a week of points), a
    /// pending retraining signal of that series is withdrawn, and the mark, the detector state and an audit entry are
    /// persisted. Marking twice is harmless.
    /// </summary>
    public Task<FalsePositiveResult> MarkFalsePositiveAsync(string id, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(actor);
        return _stage.MarkFalsePositiveAsync(id, actor, _clock.GetUtcNow(), ct);
    }
}
