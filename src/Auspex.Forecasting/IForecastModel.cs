namespace Auspex.Forecasting;

/// <summary>
/// One forecasting method. Every model in the suite implements this contract: <see cref="Fit"/> a series, then
/// <see cref="IFittedForecastModel.Predict"/> any horizon with central intervals at any levels, read the in-sample
/// fitted values, or do both at once with the stateless <see cref="Forecast"/>.
/// </summary>
/// <remarks>
/// Implementations never throw on bad data (too short, constant, non-finite values): they fall back to a simpler model
/// and say why in <see cref="ForecastOutput.Reason"/>, or return a <see cref="ForecastStatus.Failed"/> output.
/// <c>Fit(y).Predict(h, levels)</c> equals <c>Forecast(y, h, levels)</c> for every model (the shared contract test checks it).
/// </remarks>
public interface IForecastModel
{
    /// <summary>Short, stable name of the method (e.g. <c>SeasonalNaive</c>, <c>AutoETS</c>); used in outputs and CV tables.</summary>
    string Name { get; }

    /// <summary>Fits the model to <paramref name="y"/> (evenly spaced, oldest first). Never throws on bad data.</summary>
    /// <param name="y">The history.</param>
    /// <returns>The fitted model; if it could not be fitted, a fallback or a failed fit whose predictions carry the reason.</returns>
    IFittedForecastModel Fit(ReadOnlySpan<double> y);

    /// <summary>Stateless one-shot forecast: fits <paramref name="y"/> and predicts <paramref name="horizon"/> steps.</summary>
    /// <param name="y">The history, evenly spaced, oldest first, no NaN.</param>
    /// <param name="horizon">Number of steps ahead (at least 1).</param>
    /// <param name="levels">Central interval levels in percent, each in (0, 100), e.g. 80 and 95.</param>
    ForecastOutput Forecast(ReadOnlySpan<double> y, int horizon, IReadOnlyList<double> levels);
}

/// <summary>A model fitted to one series: predicts any horizon and exposes its in-sample one-step-ahead fit.</summary>
public interface IFittedForecastModel
{
    /// <summary>Name of the model that was actually fitted (a fallback may differ from the requested model).</summary>
    string Name { get; }

    /// <summary>Whether the fit succeeded, fell back to a simpler model, or failed.</summary>
    ForecastStatus Status { get; }

    /// <summary>Why the model fell back or failed; <c>null</c> when <see cref="Status"/> is <see cref="ForecastStatus.Ok"/>.</summary>
    string? Reason { get; }

    /// <summary>In-sample one-step-ahead fitted values, one per observation; <c>NaN</c> where the model has none (e.g. the first season).</summary>
    IReadOnlyList<double> Fitted { get; }

    /// <summary>Predicts <paramref name="horizon"/> steps after the end of the fitted series.</summary>
    /// <param name="horizon">Number of steps ahead (at least 1).</param>
    /// <param name="levels">Central interval levels in percent, each in (0, 100).</param>
    ForecastOutput Predict(int horizon, IReadOnlyList<double> levels);
}

/// <summary>Outcome of fitting or forecasting one series.</summary>
public enum ForecastStatus
{
    /// <summary>The requested model was fitted and produced the forecast.</summary>
    Ok,

    /// <summary>The requested model could not be used; a simpler model produced the forecast (see the reason).</summary>
    Fallback,

    /// <summary>No forecast could be made (e.g. empty or non-finite input); the arrays are empty and the reason says why.</summary>
    Failed,
}
