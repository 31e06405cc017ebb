using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Models;

/// <summary>
/// A forecast combination: the (weighted) mean of the members' point forecasts, and intervals by averaging the
/// members' bounds level by level with the same weights (quantile averaging, "Vincentisation"). Equal weights unless
/// given. Members that fail are left out with the reason (the others' weights renormalised); if all fail, the
/// combination fails.
/// </summary>
public sealed class Combination : ForecastModel
{
    private readonly IForecastModel[] _members;
    private readonly double[] _weights;
    private readonly int? _bandsFrom;
    private readonly QuantileBands? _learned;
    private readonly int _season;
    private readonly bool _nonNegative;

    /// <summary>Creates a combination of <paramref name="members"/> (at least one), weighted by <paramref name="weights"/> (default equal).</summary>
    /// <exception cref="ArgumentException">No member, or weights of another count, negative, non-finite or all zero.</exception>
    /// <param name="members">The models combined.</param>
    /// <param name="name">Model name (default lists the members).</param>
    /// <param name="weights">Member weights (default equal).</param>
    /// <param name="bandsFrom">Null (default): bands are the weighted average of the members' bounds. A member index:
    /// the bands are that member's offsets from its own point forecast, placed around the combined point forecast
    /// (e.g. Auto's conformal CV widths; on M4 Hourly this gave the lower MSIS, bench/RESULTS.md); if that member
    /// fails, the averaged bands are used.</param>
    /// <param name="learnedBands">Learned bands (<see cref="QuantileBands"/>) that replace the bands at their fitted
    /// levels, computed from the combined forecast (with the bands chosen by <paramref name="bandsFrom"/>), the members'
    /// forecasts and the series' scale (<see cref="QuantileBands.Scale"/> with <paramref name="season"/>).</param>
    /// <param name="season">Season of the scale for <paramref name="learnedBands"/>.</param>
    /// <param name="nonNegative">When the fitted series has no negative value, lower bounds below zero are raised to zero.</param>
    public Combination(IReadOnlyList<IForecastModel> members, string? name = null, IReadOnlyList<double>? weights = null, int? bandsFrom = null, QuantileBands? learnedBands = null, int season = 1, bool nonNegative = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(season, 1);
        _learned = learnedBands;
        _season = season;
        _nonNegative = nonNegative;
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("At least one member is needed.", nameof(members));
        }
        _members = [.. members];
        _weights = CheckWeights(weights ?? Enumerable.Repeat(1.0, members.Count).ToArray(), members.Count);
        if (bandsFrom is { } b && (b < 0 || b >= members.Count))
        {
            throw new ArgumentOutOfRangeException(nameof(bandsFrom), b, $"bandsFrom must index one of the {members.Count} members.");
        }
        _bandsFrom = bandsFrom;
        Name = name ?? "Combination(" + string.Join('+', _members.Select(m => m.Name)) + ")";
    }

    /// <inheritdoc/>
    public override string Name { get; }

    private protected override IFittedForecastModel FitCore(ReadOnlySpan<double> y)
    {
        var fits = new List<IFittedForecastModel>();
        var weights = new List<double>();
        int? bandsFit = null;
        var reasons = new List<string>();
        for (var k = 0; k < _members.Length; k++)
        {
            var m = _members[k];
            var f = m.Fit(y);
            if (f.Status == ForecastStatus.Failed)
            {
                reasons.Add(m.Name + ": " + f.Reason);
                continue;
            }
            if (_bandsFrom == k)
            {
                bandsFit = fits.Count;
            }
            fits.Add(f);
            weights.Add(_weights[k]);
            if (f.Reason is not null)
            {
                reasons.Add(m.Name + ": " + f.Reason);
            }
        }
        if (fits.Count == 0)
        {
            return new FailedFit(Name, string.Join("; ", reasons));
        }
        if (weights.Sum() <= 0)
        {
            // The members with weight were the ones that failed: fall back to the rest, equally weighted.
            weights = [.. weights.Select(_ => 1.0)];
        }
        var n = y.Length;
        var fitted = new double[n];
        var total = weights.Sum();
        for (var t = 0; t < n; t++)
        {
            var sum = 0.0;
            for (var k = 0; k < fits.Count; k++)
            {
                sum += weights[k] * fits[k].Fitted[t];
            }
            fitted[t] = sum / total;
        }
        var status = reasons.Count == 0 ? ForecastStatus.Ok : ForecastStatus.Fallback;
        var floor = double.NegativeInfinity;
        if (_nonNegative)
        {
            var min = double.PositiveInfinity;
            foreach (var v in y)
            {
                min = Math.Min(min, v);
            }
            floor = min >= 0 ? 0 : double.NegativeInfinity;
        }
        var learned = _learned is null ? null : new LearnedBands(_learned, QuantileBands.Scale(y, _season), (_learned.Features & (BandFeatures.History | BandFeatures.ScaleByLevel)) != 0 ? y.ToArray() : null);
        return new Fitted(Name, status, reasons.Count == 0 ? null : string.Join("; ", reasons), fitted, [.. fits], [.. weights], bandsFit, learned, floor);
    }

    /// <summary>
    /// Combines already computed forecasts: the weighted mean of the point forecasts and of the bounds at each level in
    /// <paramref name="levels"/> (every output must carry them). Failed outputs are left out (the others' weights
    /// renormalised); a failed output when all failed.
    /// </summary>
    /// <exception cref="ArgumentException">Weights of another count than the outputs, negative, non-finite or all zero; outputs of different horizons.</exception>
    /// <param name="name">Name of the combined output.</param>
    /// <param name="outputs">The members' forecasts.</param>
    /// <param name="weights">Their weights.</param>
    /// <param name="levels">Levels of the combined bands.</param>
    /// <param name="fitted">In-sample fitted values to carry (optional).</param>
    /// <param name="bandsFrom">Null: averaged bounds. An index: that output's offsets from its own point forecast,
    /// around the combined point forecast (averaged bounds if that output failed).</param>
    public static ForecastOutput Combine(string name, IReadOnlyList<ForecastOutput> outputs, IReadOnlyList<double> weights, IReadOnlyList<double> levels, double[]? fitted = null, int? bandsFrom = null)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(levels);
        var w = CheckWeights(weights, outputs.Count);
        var keep = Enumerable.Range(0, outputs.Count).Where(i => outputs[i].IsSuccess).ToArray();
        if (keep.Length == 0)
        {
            return ForecastOutput.Failed(name, "every member failed to predict");
        }
        var total = keep.Sum(i => w[i]);
        if (total <= 0)
        {
            foreach (var i in keep)
            {
                w[i] = 1;
            }
            total = keep.Length;
        }
        var horizon = outputs[keep[0]].Horizon;
        if (keep.Any(i => outputs[i].Horizon != horizon))
        {
            throw new ArgumentException("The outputs to combine differ in horizon.", nameof(outputs));
        }
        double[] Mix(Func<ForecastOutput, double[]> pick)
        {
            var r = new double[horizon];
            foreach (var i in keep)
            {
                var a = pick(outputs[i]);
                for (var h = 0; h < horizon; h++)
                {
                    r[h] += w[i] / total * a[h];
                }
            }
            return r;
        }
        var mean = Mix(o => o.Mean);
        if (bandsFrom is { } b && b >= 0 && b < outputs.Count && outputs[b].IsSuccess)
        {
            var src = outputs[b];
            var lo = levels.Select(l => src.Lower(l).Select((v, h) => mean[h] - (src.Mean[h] - v)).ToArray()).ToArray();
            var hi = levels.Select(l => src.Upper(l).Select((v, h) => mean[h] + (v - src.Mean[h])).ToArray()).ToArray();
            return ForecastOutput.WithBands(name, mean, levels, lo, hi, fitted ?? []);
        }
        var lower = levels.Select(l => Mix(o => o.Lower(l))).ToArray();
        var upper = levels.Select(l => Mix(o => o.Upper(l))).ToArray();
        return ForecastOutput.WithBands(name, mean, levels, lower, upper, fitted ?? []);
    }

    /// <summary>
    /// Per-series combination weights from a backtest: member k gets weight ∝ errors[k]^(−power) (errors, e.g. each member's
    /// MASE on the series' last horizon forecast without it, floored at 1e-9·max). power 0 gives equal weights; a
    /// non-finite error (a member that failed the backtest) gets weight 0 unless every error is non-finite (then equal).
    /// On M4 Hourly, power 2 with Auto and GlobalBoosted was chosen on the validation split (bench/RESULTS.md).
    /// </summary>
    /// <exception cref="ArgumentException">No errors, a negative error, or power negative or non-finite.</exception>
    public static double[] InverseErrorWeights(IReadOnlyList<double> errors, double power)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("At least one error is needed.", nameof(errors));
        }
        if (!double.IsFinite(power) || power < 0)
        {
            throw new ArgumentException("power must be finite and non-negative.", nameof(power));
        }
        if (errors.Any(e => e < 0))
        {
            throw new ArgumentException("Backtest errors must be non-negative.", nameof(errors));
        }
        var finite = errors.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return [.. errors.Select(_ => 1.0 / errors.Count)];
        }
        var floor = Math.Max(finite.Max() * 1e-9, double.Epsilon);
        var w = errors.Select(e => double.IsFinite(e) ? Math.Pow(Math.Max(e, floor), -power) : 0).ToArray();
        var total = w.Sum();
        return [.. w.Select(v => v / total)];
    }

    private static double[] CheckWeights(IReadOnlyList<double> weights, int count)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != count)
        {
            throw new ArgumentException($"{weights.Count} weights for {count} members.", nameof(weights));
        }
        if (weights.Any(w => !double.IsFinite(w) || w < 0) || weights.Sum() <= 0)
        {
            throw new ArgumentException("Combination weights must be finite, non-negative and not all zero.", nameof(weights));
        }
        return [.. weights];
    }

    /// <summary>Raises every lower bound of <paramref name="output"/> below <paramref name="floor"/> to it (upper bounds and the mean untouched).</summary>
    internal static ForecastOutput FloorLower(ForecastOutput output, double floor)
    {
        if (!output.IsSuccess || double.IsNegativeInfinity(floor))
        {
            return output;
        }
        var levels = output.Levels.ToArray();
        return ForecastOutput.WithBands(output.Model, output.Mean, levels, [.. levels.Select(l => output.Lower(l).Select(v => Math.Max(floor, v)).ToArray())],
            [.. levels.Select(output.Upper)], output.Fitted, output.Status, output.Reason);
    }

    private sealed record LearnedBands(QuantileBands Bands, double Scale, double[]? History);

    private sealed class Fitted(string name, ForecastStatus status, string? reason, double[] fitted, IFittedForecastModel[] fits, double[] weights, int? bandsFrom, LearnedBands? learned = null, double floor = double.NegativeInfinity)
        : FittedModel(name, status, reason, fitted)
    {
        protected override ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels)
        {
            var outs = fits.Select(f => f.Predict(horizon, levels)).ToArray();
            var combined = Combine(Name, outs, weights, levels, (double[])FittedValues.Clone(), bandsFrom);
            if (learned is not null)
            {
                combined = learned.Bands.Apply(combined, outs, weights, learned.Scale, learned.History);
            }
            return FloorLower(combined, floor);
        }
    }
}
