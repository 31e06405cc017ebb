using System.Globalization;

namespace Auspex.Forecasting;

/// <summary>Options of <see cref="RetrainPolicy"/>; every default documented.</summary>
public sealed class RetrainPolicyOptions
{
    /// <summary>Refit at least this often (default 24 h).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Refit when the live mean absolute error exceeds the backtest MAE by this factor (default 1.5).</summary>
    public double DegradationRatio { get; init; } = 1.5;

    /// <summary>Live forecast errors needed before degradation is judged (default 12).</summary>
    public int MinLiveErrors { get; init; } = 12;

    /// <summary>Never refit more often than this, even when degraded (default 15 min).</summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Throws if a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DegradationRatio, 1.0);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinLiveErrors, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(MinInterval.Ticks);
    }
}

/// <summary>Whether to refit a series' model now, and why.</summary>
/// <param name="Retrain">True to refit.</param>
/// <param name="Reason">Why (or why not), for logs and the audit trail.</param>
public readonly record struct RetrainDecision(bool Retrain, string Reason);

/// <summary>
/// Decides when a series' model is refitted: on a schedule (<see cref="RetrainPolicyOptions.Interval"/>) and when the
/// live error degrades past <see cref="RetrainPolicyOptions.DegradationRatio"/> × the backtest error. Pure: the caller
/// passes the clock's time (from its <see cref="TimeProvider"/>), so the live loop and the simulator decide alike.
/// </summary>
public sealed class RetrainPolicy
{
    /// <summary>Creates a policy.</summary>
    public RetrainPolicy(RetrainPolicyOptions? options = null)
    {
        Options = options ?? new RetrainPolicyOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public RetrainPolicyOptions Options { get; }

    /// <summary>Decides for one series.</summary>
    /// <param name="now">Current time from the caller's clock.</param>
    /// <param name="lastFit">When the model was last fitted (null: never).</param>
    /// <param name="backtestMae">The model's cross-validation MAE when it was fitted (NaN if unknown).</param>
    /// <param name="liveAbsErrors">Absolute errors of its forecasts since then, as actuals arrived.</param>
    public RetrainDecision Decide(DateTimeOffset now, DateTimeOffset? lastFit, double backtestMae, IReadOnlyList<double> liveAbsErrors)
    {
        ArgumentNullException.ThrowIfNull(liveAbsErrors);
        if (lastFit is null)
        {
            return new(true, "never fitted");
        }
        var age = now - lastFit.Value;
        if (age >= Options.Interval)
        {
            return new(true, string.Create(CultureInfo.InvariantCulture, $"scheduled: last fit {age.TotalHours:F1} h ago (interval {Options.Interval.TotalHours:F1} h)"));
        }
        if (liveAbsErrors.Count < Options.MinLiveErrors || !double.IsFinite(backtestMae) || backtestMae <= 0)
        {
            return new(false, "fresh; not enough live errors to judge degradation");
        }
        var live = liveAbsErrors.Where(double.IsFinite).DefaultIfEmpty(0).Average();
        var ratio = live / backtestMae;
        if (ratio > Options.DegradationRatio)
        {
            return age < Options.MinInterval
                ? new(false, string.Create(CultureInfo.InvariantCulture, $"degraded ({ratio:F2}× backtest MAE) but refitted {age.TotalMinutes:F0} min ago"))
                : new(true, string.Create(CultureInfo.InvariantCulture, $"degraded: live MAE {live:G4} is {ratio:F2}× the backtest MAE {backtestMae:G4}"));
        }
        return new(false, string.Create(CultureInfo.InvariantCulture, $"healthy: live MAE {ratio:F2}× backtest"));
    }
}
