using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Models;

/// <summary>The per-series backtest error that sets a <see cref="BacktestWeightedCombination"/>'s weights.</summary>
public enum BacktestErrorMeasure
{
    /// <summary>MASE: mean absolute error over the in-sample seasonal-naive MAE of the shortened series (default).</summary>
    Mase,

    /// <summary>sMAPE (M4 definition, 200/h · Σ |y − ŷ| / (|y| + |ŷ|)): favours the member with the smaller relative error.</summary>
    Smape,

    /// <summary>sMAPE × MASE: both at once (with power 1, weights ∝ 1 / (sMAPE · MASE)).</summary>
    SmapeTimesMase,
}

/// <summary>
/// A combination whose weights are set per series by a backtest: each backtest member forecasts the series' last
/// <c>horizon</c> values from the values before them, member k's MASE there (scaled by the seasonal-naive MAE of the
/// shortened series) gives it weight ∝ MASE^−power (<see cref="Combination.InverseErrorWeights"/>), and the members
/// fitted on the whole series are combined with those weights (<see cref="Combination"/>). The backtest members are
/// the members themselves, or — for a global model — the same model trained without the series' last horizon.
/// The error measure is MASE by default; sMAPE or their product can be chosen (<see cref="BacktestErrorMeasure"/>).
/// Equal weights when the series is too short for the backtest (fewer than 2 × horizon + season values) or every
/// backtest member failed. On M4 Hourly (Auto + GlobalBoosted, power 2, chosen on a validation split) this lowered
/// OWA from 0.449 to 0.433 against equal weights (bench/RESULTS.md).
/// </summary>
public sealed class BacktestWeightedCombination : ForecastModel
{
    private readonly IForecastModel[] _members;
    private readonly IForecastModel[] _backtest;
    private readonly int _horizon;
    private readonly int _season;
    private readonly double _power;
    private readonly int? _bandsFrom;
    private readonly BacktestErrorMeasure _measure;

    /// <summary>Creates the combination.</summary>
    /// <param name="members">Models combined on the whole series.</param>
    /// <param name="backtestMembers">One model per member for the backtest (same order), e.g. the member itself.</param>
    /// <param name="horizon">Backtest length in steps (at least 1).</param>
    /// <param name="season">Season of the MASE scale (1 = none).</param>
    /// <param name="power">Weight exponent (default 2; 0 = equal weights).</param>
    /// <param name="name">Model name.</param>
    /// <exception cref="ArgumentException">No member, counts differ, or a value out of range.</exception>
    /// <param name="bandsFrom">Bands from this member's offsets around the combined point forecast (see <see cref="Combination"/>); null = averaged bounds.</param>
    /// <param name="measure">Backtest error the weights are computed from (default MASE).</param>
    public BacktestWeightedCombination(IReadOnlyList<IForecastModel> members, IReadOnlyList<IForecastModel> backtestMembers, int horizon, int season, double power = 2, string? name = null, int? bandsFrom = null, BacktestErrorMeasure measure = BacktestErrorMeasure.Mase)
    {
        if (!Enum.IsDefined(measure))
        {
            throw new ArgumentOutOfRangeException(nameof(measure), measure, "Unknown backtest error measure.");
        }
        _measure = measure;
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(backtestMembers);
        if (members.Count == 0 || members.Count != backtestMembers.Count)
        {
            throw new ArgumentException("One backtest model per member is needed, and at least one member.", nameof(backtestMembers));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(season, 1);
        if (!double.IsFinite(power) || power < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(power), power, "power must be finite and non-negative.");
        }
        _members = [.. members];
        _backtest = [.. backtestMembers];
        _horizon = horizon;
        _season = season;
        _power = power;
        if (bandsFrom is { } b && (b < 0 || b >= members.Count))
        {
            throw new ArgumentOutOfRangeException(nameof(bandsFrom), b, $"bandsFrom must index one of the {members.Count} members.");
        }
        _bandsFrom = bandsFrom;
        Name = name ?? "BacktestWeighted(" + string.Join('+', _members.Select(m => m.Name)) + ")";
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>The weights this model gives the members for <paramref name="y"/> (equal when no backtest is possible).</summary>
    public double[] Weights(ReadOnlySpan<double> y)
    {
        var equal = Enumerable.Repeat(1.0 / _members.Length, _members.Length).ToArray();
        if (y.Length < 2 * _horizon + _season)
        {
            return equal;
        }
        var train = y[..^_horizon];
        var actual = y[^_horizon..];
        var m = train.Length > _season ? _season : 1;
        var scale = 0.0;
        for (var t = m; t < train.Length; t++)
        {
            scale += Math.Abs(train[t] - train[t - m]);
        }
        scale /= train.Length - m;
        if (!(scale > 0))
        {
            return equal;
        }
        var outputs = new ForecastOutput[_backtest.Length];
        for (var k = 0; k < outputs.Length; k++)
        {
            outputs[k] = _backtest[k].Forecast(train, _horizon, []);
        }
        return WeightsFromBacktest(outputs, actual, scale, _measure, _power);
    }

    /// <summary>
    /// Weights ∝ error^−power from backtest forecasts already made: <paramref name="outputs"/>[k] is member k's forecast of
    /// <paramref name="actual"/> (failed ones get weight 0), <paramref name="scale"/> the MASE scale of the shortened series.
    /// </summary>
    /// <exception cref="ArgumentException">No output, or a measure that is not defined.</exception>
    public static double[] WeightsFromBacktest(IReadOnlyList<ForecastOutput> outputs, ReadOnlySpan<double> actual, double scale, BacktestErrorMeasure measure, double power)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (!Enum.IsDefined(measure))
        {
            throw new ArgumentOutOfRangeException(nameof(measure), measure, "Unknown backtest error measure.");
        }
        var errors = new double[outputs.Count];
        for (var k = 0; k < outputs.Count; k++)
        {
            var f = outputs[k];
            if (!f.IsSuccess || f.Horizon < actual.Length)
            {
                errors[k] = double.PositiveInfinity;
                continue;
            }
            double sum = 0, smape = 0;
            for (var t = 0; t < actual.Length; t++)
            {
                var d = Math.Abs(actual[t] - f.Mean[t]);
                sum += d;
                var den = Math.Abs(actual[t]) + Math.Abs(f.Mean[t]);
                smape += den > 0 ? d / den : 0;
            }
            var mase = sum / actual.Length / scale;
            smape *= 200.0 / actual.Length;
            errors[k] = measure switch
            {
                BacktestErrorMeasure.Smape => smape,
                BacktestErrorMeasure.SmapeTimesMase => smape * mase,
                _ => mase,
            };
            if (!double.IsFinite(errors[k]))
            {
                errors[k] = double.PositiveInfinity;
            }
        }
        return Combination.InverseErrorWeights(errors, power);
    }

    private protected override IFittedForecastModel FitCore(ReadOnlySpan<double> y) =>
        new Combination(_members, Name, Weights(y), _bandsFrom).Fit(y);
}
