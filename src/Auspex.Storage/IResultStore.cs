using Auspex.Core.Forecasts;
using Auspex.Core.Scores;
using Auspex.Core.Series;

namespace Auspex.Storage;

/// <summary>What the loop produces: forecasts (latest per series) and locality scores (with history).</summary>
public interface IResultStore
{
    /// <summary>Stores forecasts, replacing each series' previous latest forecast.</summary>
    Task SaveForecastsAsync(TenantId tenant, IReadOnlyList<Forecast> forecasts, CancellationToken cancellationToken = default);

    /// <summary>The latest forecast of a series, or null.</summary>
    Task<Forecast?> LatestForecastAsync(TenantId tenant, SeriesKey series, CancellationToken cancellationToken = default);

    /// <summary>Appends one round of locality scores.</summary>
    Task SaveScoresAsync(TenantId tenant, IReadOnlyList<LocalityScore> scores, CancellationToken cancellationToken = default);

    /// <summary>The latest score of every locality that has one.</summary>
    Task<IReadOnlyList<LocalityScore>> LatestScoresAsync(TenantId tenant, CancellationToken cancellationToken = default);

    /// <summary>A locality's scores in a time range, oldest first.</summary>
    Task<IReadOnlyList<LocalityScore>> ScoreHistoryAsync(TenantId tenant, string locality, TimeRange range, CancellationToken cancellationToken = default);
}
