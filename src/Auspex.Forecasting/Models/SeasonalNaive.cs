using System.Globalization;

namespace Auspex.Forecasting.Models;

/// <summary>
/// The seasonal naive forecast: each future value equals the observation one season earlier. Intervals are Gaussian
/// with standard deviation σ·√(k+1), k = ⌊(h−1)/m⌋ the number of complete seasons ahead, σ² the mean squared
/// lag-m residual (as R's <c>forecast::snaive</c>). Falls back to <see cref="Naive"/> when the series is shorter than
/// one season and a half.
/// </summary>
public sealed class SeasonalNaive : ForecastModel
{
    /// <summary>Creates a seasonal naive model with season length <paramref name="season"/> (e.g. 24 for hourly data).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="season"/> is less than 1.</exception>
    public SeasonalNaive(int season)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(season, 1);
        Season = season;
    }

    /// <summary>Season length in steps.</summary>
    public int Season { get; }

    /// <inheritdoc/>
    public override string Name => "SeasonalNaive";

    private protected override IFittedForecastModel FitCore(ReadOnlySpan<double> y)
    {
        if (y.Length <= Season)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"series of {y.Length} points is not longer than one season ({Season}); naive fallback");
            return Naive.FitWalk(y, 1, "Naive", ForecastStatus.Fallback, reason);
        }
        return Naive.FitWalk(y, Season, Name, ForecastStatus.Ok, null);
    }
}
