using Auspex.Core.Series;

namespace Auspex.Storage;

/// <summary>
/// Each series' forecasting-model selection (table <c>forecast_models</c>, docs/storage.md): the latest one per series,
/// so that a restart forecasts with the chosen models instead of selecting every series again.
/// </summary>
public interface IModelStore
{
    /// <summary>Stores selections in one transaction, replacing each series' previous one.</summary>
    Task SaveModelSelectionsAsync(TenantId tenant, IReadOnlyList<StoredModelSelection> selections, CancellationToken cancellationToken = default);

    /// <summary>Every stored selection of the tenant, by series id.</summary>
    Task<IReadOnlyList<StoredModelSelection>> LoadModelSelectionsAsync(TenantId tenant, CancellationToken cancellationToken = default);

    /// <summary>Deletes the selections of the given series (e.g. deleted hosts); returns how many there were.</summary>
    Task<int> DeleteModelSelectionsAsync(TenantId tenant, IReadOnlyCollection<string> series, CancellationToken cancellationToken = default);
}

/// <summary>One series' stored model selection.</summary>
/// <param name="Series">Series id (as the forecaster names it).</param>
/// <param name="SelectedAt">When the selection was made.</param>
/// <param name="Model">The chosen model or ensemble, readable (e.g. <c>ets:24:A,Ad,N</c>).</param>
/// <param name="Reason">Why the selection ran (never fitted, scheduled, degraded, anomaly: …).</param>
/// <param name="Json">The whole selection (models to refit, cross-validation table, conformal errors) as the forecaster wrote it.</param>
public sealed record StoredModelSelection(string Series, DateTimeOffset SelectedAt, string Model, string Reason, string Json);
