namespace Auspex.Forecasting.Internal;

/// <summary>Base of fitted models: validates the request, then predicts; carries status and reason.</summary>
internal abstract class FittedModel : IFittedForecastModel
{
    protected FittedModel(string name, ForecastStatus status, string? reason, double[] fitted)
    {
        Name = name;
        Status = status;
        Reason = reason;
        FittedValues = fitted;
    }

    public string Name { get; }

    public ForecastStatus Status { get; }

    public string? Reason { get; }

    public IReadOnlyList<double> Fitted => FittedValues;

    protected double[] FittedValues { get; }

    public ForecastOutput Predict(int horizon, IReadOnlyList<double> levels)
    {
        var problem = InputCheck.Request(horizon, levels);
        if (problem is not null)
        {
            return ForecastOutput.Failed(Name, problem);
        }
        var output = PredictCore(horizon, levels);
        return Status == ForecastStatus.Fallback && Reason is not null ? output.AsFallback(Reason) : output;
    }

    protected abstract ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels);
}

/// <summary>A fit that could not be made: every prediction is a failed output with the reason.</summary>
internal sealed class FailedFit : FittedModel
{
    public FailedFit(string name, string reason)
        : base(name, ForecastStatus.Failed, reason, [])
    {
    }

    protected override ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels) => ForecastOutput.Failed(Name, Reason!);
}

/// <summary>
/// A fit whose searched structure (e.g. the ETS spec AICc chose) can be kept so later refits on newer data only
/// re-estimate parameters instead of searching again.
/// </summary>
internal interface IPinnableFit
{
    /// <summary>A model that fits only the structure this fit found.</summary>
    IForecastModel Pinned { get; }
}

/// <summary>
/// A fit that can be brought up to date with a newer window of the same series without re-estimating its parameters
/// (the live forecaster's cheap path between re-selections).
/// </summary>
internal interface IRefreshableFit
{
    /// <summary>
    /// The fit applied to <paramref name="y"/>, whose last value is <paramref name="advanced"/> steps after the last
    /// value this fit saw; null when it cannot be applied (the caller refits).
    /// </summary>
    IFittedForecastModel? Refresh(ReadOnlySpan<double> y, int advanced);
}
