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
