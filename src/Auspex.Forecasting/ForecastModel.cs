using System.Globalization;
using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting;

/// <summary>
/// Base of every model in the suite: validates the input once, turns bad data into a failed or fallback fit with a
/// reason (never an exception), and makes <see cref="Forecast"/> exactly <c>Fit(y).Predict(h, levels)</c>.
/// </summary>
public abstract class ForecastModel : IForecastModel
{
    private protected ForecastModel()
    {
    }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public IFittedForecastModel Fit(ReadOnlySpan<double> y)
    {
        var problem = InputCheck.Series(y);
        if (problem is not null)
        {
            return new FailedFit(Name, problem);
        }
        try
        {
            return FitCore(y);
        }
        catch (Exception ex) when (ex is ArithmeticException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            // A model that blows up numerically must not take a batch down: fall back to the naive walk.
            var reason = string.Create(CultureInfo.InvariantCulture, $"{Name} failed to fit ({ex.GetType().Name}: {ex.Message}); naive fallback");
            return Models.Naive.FitWalk(y, 1, "Naive", ForecastStatus.Fallback, reason);
        }
    }

    /// <inheritdoc/>
    public ForecastOutput Forecast(ReadOnlySpan<double> y, int horizon, IReadOnlyList<double> levels) => Fit(y).Predict(horizon, levels);

    /// <summary>Fits a series already checked to be non-empty and finite.</summary>
    private protected abstract IFittedForecastModel FitCore(ReadOnlySpan<double> y);
}
