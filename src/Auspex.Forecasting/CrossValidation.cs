namespace Auspex.Forecasting;

/// <summary>How rolling-origin cross-validation is run.</summary>
public sealed class CrossValidationOptions
{
    /// <summary>Number of forecast origins (windows). Default 3. Must be at least 1.</summary>
    public int Windows { get; init; } = 3;

    /// <summary>Steps forecast from each origin. Default 24. Must be at least 1.</summary>
    public int Horizon { get; init; } = 24;

    /// <summary>Steps between consecutive origins; 0 (default) means equal to <see cref="Horizon"/> (non-overlapping windows).</summary>
    public int Step { get; init; }

    /// <summary>Shortest training length allowed at the first origin; windows that would need less are dropped. Default 48.</summary>
    public int MinTrainLength { get; init; } = 48;

    /// <summary>Throws if a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Windows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Horizon, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(Step);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinTrainLength, 2);
    }

    /// <summary>The forecast origins (training lengths) for a series of <paramref name="n"/> points, oldest first; may be empty.</summary>
    public int[] Origins(int n)
    {
        var step = Step == 0 ? Horizon : Step;
        var origins = new List<int>();
        for (var w = Windows - 1; w >= 0; w--)
        {
            var origin = n - Horizon - w * step;
            if (origin >= MinTrainLength)
            {
                origins.Add(origin);
            }
        }
        return [.. origins];
    }
}

/// <summary>One cell of the cross-validation table: one model at one origin.</summary>
/// <param name="Model">Candidate model name.</param>
/// <param name="Origin">Training length at this origin.</param>
/// <param name="Mae">Mean absolute error over the window (NaN if it failed).</param>
/// <param name="Smape">Symmetric MAPE in percent over the window (NaN if it failed).</param>
/// <param name="Failure">Why the model failed or fell back at this origin, if it did.</param>
public sealed record CrossValidationRow(string Model, int Origin, double Mae, double Smape, string? Failure);

/// <summary>The cross-validation table kept by automatic selection, and what it chose.</summary>
/// <param name="Rows">Every model at every origin.</param>
/// <param name="Ranking">Candidate names by mean MAE, best first, with their mean MAE.</param>
/// <param name="Selected">The model(s) used for the forecast (several for an ensemble).</param>
public sealed record CrossValidationTable(IReadOnlyList<CrossValidationRow> Rows, IReadOnlyList<(string Model, double MeanMae)> Ranking, IReadOnlyList<string> Selected);
