using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Models;

/// <summary>
/// An equal-weight forecast combination: the mean of the members' point forecasts, and intervals by averaging the
/// members' bounds level by level (quantile averaging, "Vincentisation"). Members that fail are left out with the reason;
/// if all fail, the combination fails.
/// </summary>
public sealed class Combination : ForecastModel
{
    private readonly IForecastModel[] _members;

    /// <summary>Creates a combination of <paramref name="members"/> (at least one).</summary>
    public Combination(IReadOnlyList<IForecastModel> members, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("At least one member is needed.", nameof(members));
        }
        _members = [.. members];
        Name = name ?? "Combination(" + string.Join('+', _members.Select(m => m.Name)) + ")";
    }

    /// <inheritdoc/>
    public override string Name { get; }

    private protected override IFittedForecastModel FitCore(ReadOnlySpan<double> y)
    {
        var fits = new List<IFittedForecastModel>();
        var reasons = new List<string>();
        foreach (var m in _members)
        {
            var f = m.Fit(y);
            if (f.Status == ForecastStatus.Failed)
            {
                reasons.Add(m.Name + ": " + f.Reason);
                continue;
            }
            fits.Add(f);
            if (f.Reason is not null)
            {
                reasons.Add(m.Name + ": " + f.Reason);
            }
        }
        if (fits.Count == 0)
        {
            return new FailedFit(Name, string.Join("; ", reasons));
        }
        var n = y.Length;
        var fitted = new double[n];
        for (var t = 0; t < n; t++)
        {
            fitted[t] = fits.Average(f => f.Fitted[t]);
        }
        var status = reasons.Count == 0 ? ForecastStatus.Ok : ForecastStatus.Fallback;
        return new Fitted(Name, status, reasons.Count == 0 ? null : string.Join("; ", reasons), fitted, [.. fits]);
    }

    private sealed class Fitted(string name, ForecastStatus status, string? reason, double[] fitted, IFittedForecastModel[] fits)
        : FittedModel(name, status, reason, fitted)
    {
        protected override ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels)
        {
            var outs = fits.Select(f => f.Predict(horizon, levels)).Where(o => o.IsSuccess).ToArray();
            if (outs.Length == 0)
            {
                return ForecastOutput.Failed(Name, "every member failed to predict");
            }
            var mean = new double[horizon];
            for (var h = 0; h < horizon; h++)
            {
                mean[h] = outs.Average(o => o.Mean[h]);
            }
            var lower = levels.Select(l => Enumerable.Range(0, horizon).Select(h => outs.Average(o => o.Lower(l)[h])).ToArray()).ToArray();
            var upper = levels.Select(l => Enumerable.Range(0, horizon).Select(h => outs.Average(o => o.Upper(l)[h])).ToArray()).ToArray();
            return ForecastOutput.WithBands(Name, mean, levels, lower, upper, (double[])FittedValues.Clone());
        }
    }
}
