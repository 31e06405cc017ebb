using System.Text.Json;
using System.Text.Json.Serialization;

namespace Auspex.Forecasting.Live;

/// <summary>
/// One series' model selection as it is persisted (docs/forecasting.md, "Persistence"): enough to forecast with the
/// same choice after a restart without running the cross-validation again. The models are
/// <see cref="ModelDescriptor"/> texts (structure pinned, parameters re-estimated on the first refit).
/// </summary>
/// <param name="Series">Series id.</param>
/// <param name="Step">The series' step when selected.</param>
/// <param name="Horizon">Steps forecast (the cross-validation window).</param>
/// <param name="Seasons">Seasonal periods considered.</param>
/// <param name="Models">The chosen model(s) as descriptors (more than one: an ensemble, combined by the mean).</param>
/// <param name="Selected">The chosen candidates' names in the cross-validation table.</param>
/// <param name="CvAbsErrors">Absolute errors [window][step] of the choice in cross-validation (the conformal source); null when none.</param>
/// <param name="Candidates">The cross-validation table, best first.</param>
/// <param name="BacktestMae">Cross-validation MAE of the choice.</param>
/// <param name="SelectedAt">When the selection landed, on the forecaster's clock.</param>
/// <param name="Reason">Why it was run (never fitted, scheduled, degraded, anomaly: …).</param>
/// <param name="Retrains">Selections of this series so far, this one included.</param>
/// <param name="Duration">How long the cross-validation took.</param>
public sealed record SeriesSelection(
    string Series, TimeSpan Step, int Horizon, IReadOnlyList<int> Seasons, IReadOnlyList<string> Models, IReadOnlyList<string> Selected,
    double[][]? CvAbsErrors, IReadOnlyList<CandidateScore> Candidates, double BacktestMae, DateTimeOffset SelectedAt, string Reason,
    int Retrains, TimeSpan Duration)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Display name of the choice, e.g. <c>ETS(A,Ad,N)</c> or <c>Ensemble(Theta+MSTL)</c>.</summary>
    public string ModelName => Models.Count == 1 ? Models[0] : "Ensemble(" + string.Join('+', Models) + ")";

    /// <summary>The selection as one JSON document (NaN kept as "NaN").</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads <see cref="ToJson"/>'s output; null with <paramref name="error"/> when the text is not a selection.</summary>
    public static SeriesSelection? FromJson(string json, out string? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var s = JsonSerializer.Deserialize<SeriesSelection>(json, Json);
            error = s is null || s.Series is null || s.Models is null || s.Models.Count == 0 || s.Step <= TimeSpan.Zero || s.Horizon < 1
                ? "missing series, models, step or horizon" : null;
            return error is null ? s : null;
        }
        catch (JsonException e)
        {
            error = e.Message;
            return null;
        }
    }
}
