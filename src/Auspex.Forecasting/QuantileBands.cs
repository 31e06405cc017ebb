using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting;

/// <summary>The inputs a <see cref="QuantileBands"/> half-width is a linear function of (all in units of the series' scale).</summary>
[Flags]
public enum BandFeatures
{
    /// <summary>The combined forecast's own offset to its bound at that level and side (e.g. Auto's conformal CV width).</summary>
    OwnOffset = 1,

    /// <summary>The members' disagreement at that step: the standard deviation of their point forecasts (unweighted).</summary>
    Spread = 2,

    /// <summary>A constant.</summary>
    Constant = 4,

    /// <summary>√(step / horizon the bands were fitted on).</summary>
    Horizon = 8,

    /// <summary>The members' own offsets to their bounds at that level and side, averaged with the combination weights.</summary>
    MemberOffsets = 16,

    /// <summary>The five inputs above, which need nothing but the forecasts (the default).</summary>
    All = OwnOffset | Spread | Constant | Horizon | MemberOffsets,

    /// <summary>
    /// The series' in-sample seasonal-naive error at the step's phase: the mean of |y_s − y_{s−m}| over the in-sample s
    /// with s ≡ (n + step − 1) mod m (n the history length, m the season), over the scale. Hourly series are noisier at
    /// some hours of the day than at others. Needs the history (<see cref="BandExample.History"/>) and a season ≥ 2.
    /// </summary>
    PhaseProfile = 32,

    /// <summary>
    /// The point forecast's level at that step relative to the series' recent level: |ŷ_step| over the mean of |y| over
    /// the last 7 seasons of the history (a week of hourly data). Errors of multiplicative series grow with the level.
    /// Needs the history and a season ≥ 2.
    /// </summary>
    LevelRatio = 64,

    /// <summary>
    /// The series' recent volatility: the seasonal-naive MAE over the last 7 seasons of the history, over the scale (the
    /// whole history's). Needs the history and a season ≥ 2.
    /// </summary>
    RecentVolatility = 128,

    /// <summary>The three inputs computed from the series' own history.</summary>
    History = PhaseProfile | LevelRatio | RecentVolatility,

    /// <summary>
    /// Not an input of its own: every other input is multiplied by the <see cref="LevelRatio"/> at that step, so the
    /// half-width is proportional to the forecast's level relative to the recent one (a multiplicative series' errors).
    /// Needs the history and a season ≥ 2.
    /// </summary>
    ScaleByLevel = 256,
}

/// <summary>
/// One backtest forecast a <see cref="QuantileBands"/> is fitted on: the combined forecast (with its own bands at the
/// levels to fit), the members' forecasts and weights it was combined from, the series' scale and the values that
/// followed.
/// </summary>
/// <param name="Combined">Combined forecast, with bands at every fitted level.</param>
/// <param name="Members">The members' forecasts (failed ones are ignored).</param>
/// <param name="Weights">The members' combination weights (same order).</param>
/// <param name="Scale">The series' scale: its in-sample seasonal-naive MAE (<see cref="QuantileBands.Scale"/>), the MSIS denominator.</param>
/// <param name="Actual">The values that followed the forecast origin (at least the combined horizon).</param>
/// <param name="History">The series' values up to the forecast origin (the backtest's in-sample part); needed only for
/// the <see cref="BandFeatures.History"/> inputs.</param>
public sealed record BandExample(ForecastOutput Combined, IReadOnlyList<ForecastOutput> Members, IReadOnlyList<double> Weights, double Scale, IReadOnlyList<double> Actual, IReadOnlyList<double>? History = null);

/// <summary>
/// Learned interval bands for a combined forecast. Across many series' backtests, each bound's distance from the combined
/// point forecast, in units of the series' scale, is a linear function of a few inputs (<see cref="BandFeatures"/>: the
/// combination's own band offset, the members' disagreement, a constant, √step). The coefficients of each level and side
/// are fitted by linear quantile regression, minimising the pinball loss at (1 + level)/2 of the scaled errors. For the 95 %
/// level that is exactly the M4 interval score (MSIS = Σ pinball at 0.025 and 0.975, × 40, over the scale), so the bands
/// are fitted to the measure they are judged by rather than to a coverage target. Offsets below zero are clipped; levels
/// that were not fitted keep the combined forecast's own bands.
/// </summary>
public sealed class QuantileBands
{
    private readonly double[] _levels;
    private readonly double[][] _lower;
    private readonly double[][] _upper;

    private QuantileBands(double[] levels, double[][] lower, double[][] upper, BandFeatures features, int horizon, int rows, int season)
    {
        Season = season;
        _levels = levels;
        _lower = lower;
        _upper = upper;
        Features = features;
        Horizon = horizon;
        Rows = rows;
    }

    /// <summary>The inputs used.</summary>
    public BandFeatures Features { get; }

    /// <summary>The horizon of the backtests it was fitted on (the scale of the <see cref="BandFeatures.Horizon"/> input).</summary>
    public int Horizon { get; }

    /// <summary>The season of the <see cref="BandFeatures.History"/> inputs (1 when none is used).</summary>
    public int Season { get; }

    /// <summary>Backtest steps it was fitted on (per level and side).</summary>
    public int Rows { get; }

    /// <summary>The fitted levels in percent.</summary>
    public IReadOnlyList<double> Levels => _levels;

    /// <summary>Coefficients of one level and side, in the order of <see cref="BandFeatures"/> (only the features used).</summary>
    public IReadOnlyList<double> Coefficients(double level, bool lower)
    {
        var l = Array.IndexOf(_levels, level);
        if (l < 0)
        {
            throw new ArgumentException($"Level {level} was not fitted.", nameof(level));
        }
        return lower ? _lower[l] : _upper[l];
    }

    /// <summary>The in-sample seasonal-naive MAE of <paramref name="y"/> (lag-1 when shorter than a season); the MSIS scale.</summary>
    public static double Scale(ReadOnlySpan<double> y, int season)
    {
        var m = y.Length > season ? Math.Max(1, season) : 1;
        if (y.Length <= m)
        {
            return double.NaN;
        }
        var s = 0.0;
        for (var t = m; t < y.Length; t++)
        {
            s += Math.Abs(y[t] - y[t - m]);
        }
        return s / (y.Length - m);
    }

    /// <summary>Fits the bands of every level in <paramref name="levels"/> on <paramref name="examples"/>.</summary>
    /// <exception cref="ArgumentException">No usable example (a finite, positive scale, a successful combined forecast,
    /// finite actuals and, for the <see cref="BandFeatures.History"/> inputs, a history of at least two seasons), a level
    /// outside (0, 100), no feature, an unknown feature, or a history input with a season below 2.</exception>
    /// <param name="examples">The backtest forecasts.</param>
    /// <param name="levels">Levels to fit, in percent.</param>
    /// <param name="features">Inputs of the half-widths.</param>
    /// <param name="season">Season of the <see cref="BandFeatures.History"/> inputs (ignored without them).</param>
    public static QuantileBands Fit(IReadOnlyList<BandExample> examples, IReadOnlyList<double> levels, BandFeatures features = BandFeatures.All, int season = 1)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(levels);
        if ((features & (BandFeatures.All | BandFeatures.History)) == 0)
        {
            throw new ArgumentException("At least one band feature is needed.", nameof(features));
        }
        if ((features & ~(BandFeatures.All | BandFeatures.History | BandFeatures.ScaleByLevel)) != 0)
        {
            throw new ArgumentException($"Unknown band feature {(int)(features & ~(BandFeatures.All | BandFeatures.History | BandFeatures.ScaleByLevel))}.", nameof(features));
        }
        var history = (features & (BandFeatures.History | BandFeatures.ScaleByLevel)) != 0;
        if (history && season < 2)
        {
            throw new ArgumentException($"The history inputs ({features & (BandFeatures.History | BandFeatures.ScaleByLevel)}) need a season of at least 2, got {season}.", nameof(season));
        }
        if (levels.Count == 0 || levels.Any(l => !(l > 0 && l < 100)))
        {
            throw new ArgumentException("Levels must be in (0, 100), at least one.", nameof(levels));
        }
        var usable = examples.Where(e => e.Combined.IsSuccess && double.IsFinite(e.Scale) && e.Scale > 0 && e.Actual.Count >= e.Combined.Horizon
            && (!history || e.History is { } y && y.Count >= 2 * season)).ToList();
        if (usable.Count == 0)
        {
            throw new ArgumentException("No usable backtest example (successful forecast, positive finite scale, enough actual values"
                + (history ? $", a history of at least 2 seasons of {season} for the history inputs" : "") + ").", nameof(examples));
        }
        var stats = usable.Select(e => history ? HistoryStats.Of(e.History!, season, e.Scale) : null).ToArray();
        var horizon = usable.Max(e => e.Combined.Horizon);
        var sorted = levels.Distinct().Order().ToArray();
        foreach (var level in sorted)
        {
            var missing = usable.FindIndex(e => !e.Combined.Levels.Contains(level));
            if (missing >= 0)
            {
                throw new ArgumentException($"Backtest example {missing} has no band at level {level.ToString(System.Globalization.CultureInfo.InvariantCulture)}: forecast the backtests at every level to fit.", nameof(examples));
            }
        }
        var p = Count(features);
        var lower = new double[sorted.Length][];
        var upper = new double[sorted.Length][];
        var rows = 0;
        for (var l = 0; l < sorted.Length; l++)
        {
            foreach (var isLower in new[] { true, false })
            {
                var x = new List<double>();
                var z = new List<double>();
                var row = new double[p];
                for (var u = 0; u < usable.Count; u++)
                {
                    var e = usable[u];
                    var c = e.Combined;
                    var bound = isLower ? c.Lower(sorted[l]) : c.Upper(sorted[l]);
                    for (var t = 0; t < c.Horizon; t++)
                    {
                        var target = (isLower ? c.Mean[t] - e.Actual[t] : e.Actual[t] - c.Mean[t]) / e.Scale;
                        if (!double.IsFinite(target) || !Row(features, e, stats[u], bound, sorted[l], isLower, t, horizon, row))
                        {
                            continue;
                        }
                        x.AddRange(row);
                        z.Add(target);
                    }
                }
                if (z.Count == 0)
                {
                    throw new ArgumentException("No finite backtest step to fit the bands on.", nameof(examples));
                }
                rows = z.Count;
                var beta = QuantileRegression([.. x], [.. z], p, 0.5 + sorted[l] / 200.0);
                (isLower ? lower : upper)[l] = beta;
            }
        }
        return new QuantileBands(sorted, lower, upper, features, horizon, rows, history ? season : 1);
    }

    /// <summary>
    /// The combined forecast with its bands at the fitted levels replaced by the learned ones (other levels unchanged);
    /// unchanged when it failed or the scale is not positive and finite, and when the bands use the
    /// <see cref="BandFeatures.History"/> inputs but <paramref name="history"/> is missing or shorter than two seasons.
    /// </summary>
    /// <param name="combined">The combined forecast.</param>
    /// <param name="members">The members' forecasts it was combined from.</param>
    /// <param name="weights">Their weights.</param>
    /// <param name="scale">The series' scale (<see cref="Scale"/>).</param>
    /// <param name="history">The series' values up to the forecast origin (for the history inputs).</param>
    public ForecastOutput Apply(ForecastOutput combined, IReadOnlyList<ForecastOutput> members, IReadOnlyList<double> weights, double scale, IReadOnlyList<double>? history = null)
    {
        ArgumentNullException.ThrowIfNull(combined);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(weights);
        if (!combined.IsSuccess || !(double.IsFinite(scale) && scale > 0))
        {
            return combined;
        }
        HistoryStats? stats = null;
        if ((Features & (BandFeatures.History | BandFeatures.ScaleByLevel)) != 0)
        {
            if (history is null || history.Count < 2 * Season)
            {
                return combined;
            }
            stats = HistoryStats.Of(history, Season, scale);
        }
        var e = new BandExample(combined, members, weights, scale, []);
        var levels = combined.Levels.ToArray();
        var lo = new double[levels.Length][];
        var hi = new double[levels.Length][];
        var row = new double[Count(Features)];
        for (var l = 0; l < levels.Length; l++)
        {
            var own = Array.IndexOf(_levels, levels[l]);
            var cl = combined.Lower(levels[l]);
            var cu = combined.Upper(levels[l]);
            if (own < 0)
            {
                lo[l] = cl;
                hi[l] = cu;
                continue;
            }
            lo[l] = new double[combined.Horizon];
            hi[l] = new double[combined.Horizon];
            for (var t = 0; t < combined.Horizon; t++)
            {
                var mean = combined.Mean[t];
                lo[l][t] = Row(Features, e, stats, cl, levels[l], true, t, Horizon, row) ? mean - scale * Math.Max(0, Offset(own, true, row)) : cl[t];
                hi[l][t] = Row(Features, e, stats, cu, levels[l], false, t, Horizon, row) ? mean + scale * Math.Max(0, Offset(own, false, row)) : cu[t];
            }
        }
        return ForecastOutput.WithBands(combined.Model, combined.Mean, levels, lo, hi, combined.Fitted, combined.Status, combined.Reason);
    }

    private double Offset(int level, bool lower, double[] row) => Dot(lower ? _lower[level] : _upper[level], row);

    private static int Count(BandFeatures f) =>
        ((f & BandFeatures.OwnOffset) != 0 ? 1 : 0) + ((f & BandFeatures.Spread) != 0 ? 1 : 0)
        + ((f & BandFeatures.Constant) != 0 ? 1 : 0) + ((f & BandFeatures.Horizon) != 0 ? 1 : 0)
        + ((f & BandFeatures.MemberOffsets) != 0 ? 1 : 0) + ((f & BandFeatures.PhaseProfile) != 0 ? 1 : 0)
        + ((f & BandFeatures.LevelRatio) != 0 ? 1 : 0) + ((f & BandFeatures.RecentVolatility) != 0 ? 1 : 0);

    // What the history inputs need from a series' in-sample values: the seasonal-naive MAE at each phase and over the
    // last 7 seasons (both over the scale), the mean |y| over the last 7 seasons, and the history length.
    private sealed record HistoryStats(double[] Phase, double RecentVolatility, double RecentLevel, int Length)
    {
        public static HistoryStats Of(IReadOnlyList<double> y, int m, double scale)
        {
            var n = y.Count;
            var sum = new double[m];
            var count = new int[m];
            for (var s = m; s < n; s++)
            {
                sum[s % m] += Math.Abs(y[s] - y[s - m]);
                count[s % m]++;
            }
            var phase = new double[m];
            for (var p = 0; p < m; p++)
            {
                phase[p] = count[p] > 0 ? sum[p] / count[p] / scale : double.NaN;
            }
            var from = Math.Max(m, n - 7 * m);
            var vol = 0.0;
            for (var s = from; s < n; s++)
            {
                vol += Math.Abs(y[s] - y[s - m]);
            }
            var levelFrom = Math.Max(0, n - 7 * m);
            var level = 0.0;
            for (var s = levelFrom; s < n; s++)
            {
                level += Math.Abs(y[s]);
            }
            return new HistoryStats(phase, vol / (n - from) / scale, level / (n - levelFrom), n);
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        var s = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    // The features of step t of one example, in units of its scale; false when one is not finite.
    private static bool Row(BandFeatures f, BandExample e, HistoryStats? hs, double[] bound, double level, bool lower, int t, int horizon, double[] row)
    {
        var c = e.Combined;
        var k = 0;
        if ((f & BandFeatures.OwnOffset) != 0)
        {
            row[k++] = Math.Abs(bound[t] - c.Mean[t]) / e.Scale;
        }
        if ((f & BandFeatures.Spread) != 0)
        {
            // Unweighted, so that the feature means the same on an equal-weight backtest and a weighted forecast.
            double sum = 0, sq = 0;
            var count = 0;
            for (var j = 0; j < e.Members.Count; j++)
            {
                var m = e.Members[j];
                if (!m.IsSuccess || m.Horizon <= t || !double.IsFinite(m.Mean[t]))
                {
                    continue;
                }
                sum += m.Mean[t];
                sq += m.Mean[t] * m.Mean[t];
                count++;
            }
            row[k++] = count > 1 ? Math.Sqrt(Math.Max(0, sq / count - sum / count * (sum / count))) / e.Scale : 0;
        }
        if ((f & BandFeatures.Constant) != 0)
        {
            row[k++] = 1;
        }
        if ((f & BandFeatures.Horizon) != 0)
        {
            row[k++] = Math.Sqrt((t + 1.0) / horizon);
        }
        if ((f & BandFeatures.MemberOffsets) != 0)
        {
            double sum = 0, total = 0;
            for (var j = 0; j < e.Members.Count; j++)
            {
                var m = e.Members[j];
                if (!m.IsSuccess || j >= e.Weights.Count || m.Horizon <= t || !m.Levels.Contains(level))
                {
                    continue;
                }
                var b = lower ? m.Lower(level)[t] : m.Upper(level)[t];
                sum += e.Weights[j] * Math.Abs(b - m.Mean[t]);
                total += e.Weights[j];
            }
            row[k++] = total > 0 ? sum / total / e.Scale : 0;
        }
        if ((f & BandFeatures.PhaseProfile) != 0)
        {
            row[k++] = hs!.Phase[(hs.Length + t) % hs.Phase.Length];
        }
        if ((f & BandFeatures.LevelRatio) != 0)
        {
            row[k++] = Math.Abs(c.Mean[t]) / hs!.RecentLevel;
        }
        if ((f & BandFeatures.RecentVolatility) != 0)
        {
            row[k++] = hs!.RecentVolatility;
        }
        if ((f & BandFeatures.ScaleByLevel) != 0)
        {
            var ratio = Math.Abs(c.Mean[t]) / hs!.RecentLevel;
            for (var i = 0; i < k; i++)
            {
                row[i] *= ratio;
            }
        }
        for (var i = 0; i < k; i++)
        {
            if (!double.IsFinite(row[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Linear quantile regression: the coefficients minimising Σ ρ_q(z_i − x_i·β) (ρ_q(r) = r·(q − 1{r &lt; 0}), the
    /// pinball loss), by iteratively reweighted least squares (weights |q − 1{r &lt; 0}| / max(|r|, ε)), keeping the
    /// iterate of lowest loss. <paramref name="x"/> is row-major, <paramref name="p"/> columns.
    /// </summary>
    internal static double[] QuantileRegression(double[] x, double[] z, int p, double q)
    {
        var n = z.Length;
        var eps = Math.Max(1e-9, 1e-6 * z.Select(Math.Abs).Average());
        var beta = new double[p];
        var w = Enumerable.Repeat(1.0, n).ToArray();
        var best = new double[p];
        var bestLoss = double.PositiveInfinity;
        var a = new double[p * p];
        var b = new double[p];
        var stale = 0;
        for (var it = 0; it < 500 && stale < 25; it++)
        {
            Array.Clear(a);
            Array.Clear(b);
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < p; j++)
                {
                    var xj = w[i] * x[i * p + j];
                    b[j] += xj * z[i];
                    for (var k = 0; k <= j; k++)
                    {
                        a[j * p + k] += xj * x[i * p + k];
                    }
                }
            }
            for (var j = 0; j < p; j++)
            {
                for (var k = 0; k < j; k++)
                {
                    a[k * p + j] = a[j * p + k];
                }
                a[j * p + j] += 1e-10 * (1 + a[j * p + j]);
            }
            if (!LinearAlgebra.CholeskySolve(a, p, b, 1))
            {
                break;
            }
            Array.Copy(b, beta, p);
            var loss = 0.0;
            for (var i = 0; i < n; i++)
            {
                var r = z[i];
                for (var j = 0; j < p; j++)
                {
                    r -= x[i * p + j] * beta[j];
                }
                loss += r >= 0 ? q * r : (q - 1) * r;
                w[i] = (r >= 0 ? q : 1 - q) / Math.Max(Math.Abs(r), eps);
            }
            if (double.IsPositiveInfinity(bestLoss) || loss < bestLoss - 1e-12 * Math.Abs(bestLoss))
            {
                bestLoss = loss;
                Array.Copy(beta, best, p);
                stale = 0;
            }
            else
            {
                stale++;
            }
        }
        return best;
    }
}
