using System.Globalization;
using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Models;

/// <summary>
/// Automatic seasonal ARIMA after Hyndman &amp; Khandakar (2008): the number of seasonal differences D ∈ {0, 1} from
/// the STL seasonal strength (&gt; 0.64), first differences d ≤ 2 from repeated KPSS tests at 5%; then a stepwise search
/// from (2,d,2)(1,D,1), (0,d,0)(0,D,0), (1,d,0)(1,D,0), (0,d,1)(0,D,1), moving p, q, P, Q by ±1 (p and q together too)
/// and toggling the constant (a mean when d + D = 0, drift when d + D = 1), keeping the lowest AICc; p, q ≤ 5,
/// P, Q ≤ 2, p + q + P + Q ≤ 5. Coefficients are estimated by conditional sum of squares with stationarity and
/// invertibility enforced; intervals are Gaussian from the ψ-weights. (Unlike R's default CSS-ML, the final exact
/// likelihood step is not run.)
/// </summary>
public sealed class AutoArima : ForecastModel
{
    /// <summary>Creates AutoARIMA with season length <paramref name="season"/> (1 for non-seasonal).</summary>
    /// <param name="season">Season length in steps.</param>
    /// <param name="maxModels">Most models the stepwise search fits (default 60).</param>
    public AutoArima(int season, int maxModels = 60)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(season, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxModels, 1);
        Season = season;
        MaxModels = maxModels;
    }

    /// <summary>Season length in steps.</summary>
    public int Season { get; }

    /// <summary>Budget of the stepwise search.</summary>
    public int MaxModels { get; }

    /// <inheritdoc/>
    public override string Name => "AutoARIMA";

    private protected override IFittedForecastModel FitCore(ReadOnlySpan<double> y)
    {
        if (InputCheck.IsConstant(y))
        {
            return Naive.FitWalk(y, 1, "Naive", ForecastStatus.Fallback, "constant series; naive fallback");
        }
        if (y.Length < 10)
        {
            return Naive.FitWalk(y, 1, "Naive", ForecastStatus.Fallback, string.Create(CultureInfo.InvariantCulture, $"AutoARIMA needs at least 10 points, got {y.Length}; naive fallback"));
        }
        var m = Season;
        var sd = m > 1 ? UnitRoot.Nsdiffs(y, m) : 0;
        var d = UnitRoot.Ndiffs(ArimaCore.Difference(y, 0, sd, m));
        var seasonal = m > 1 && y.Length > 2 * m + 10;
        var cache = new Dictionary<ArimaOrder, ArimaCore?>();
        var series = y.ToArray();
        ArimaCore? Try(ArimaOrder o)
        {
            if (o.P < 0 || o.Q < 0 || o.SP < 0 || o.SQ < 0 || o.P > 5 || o.Q > 5 || o.SP > 2 || o.SQ > 2 || o.P + o.Q + o.SP + o.SQ > 5)
            {
                return null;
            }
            if (o.Constant && o.D + o.SD > 1)
            {
                return null;
            }
            if (cache.TryGetValue(o, out var c))
            {
                return c;
            }
            if (cache.Count >= MaxModels)
            {
                return null;
            }
            var fit = ArimaCore.Fit(series, o);
            cache[o] = fit;
            return fit;
        }
        var constant = d + sd <= 1;
        var mm = seasonal ? m : 1;
        var s1 = seasonal ? 1 : 0;
        ArimaOrder[] starts =
        [
            new(2, d, 2, s1, sd, s1, mm, constant),
            new(0, d, 0, 0, sd, 0, mm, constant),
            new(1, d, 0, s1, sd, 0, mm, constant),
            new(0, d, 1, 0, sd, s1, mm, constant),
        ];
        if (constant)
        {
            starts = [.. starts, new(0, d, 0, 0, sd, 0, mm, false)];
        }
        ArimaCore? best = null;
        foreach (var o in starts)
        {
            var f = Try(o);
            if (f is not null && (best is null || f.Aicc < best.Aicc))
            {
                best = f;
            }
        }
        var improved = best is not null;
        while (improved && cache.Count < MaxModels)
        {
            improved = false;
            var o = best!.Order;
            var neighbours = new List<ArimaOrder>
            {
                o with { P = o.P - 1 }, o with { P = o.P + 1 }, o with { Q = o.Q - 1 }, o with { Q = o.Q + 1 },
                o with { P = o.P - 1, Q = o.Q - 1 }, o with { P = o.P + 1, Q = o.Q + 1 },
                o with { Constant = !o.Constant },
            };
            if (seasonal)
            {
                neighbours.AddRange([o with { SP = o.SP - 1 }, o with { SP = o.SP + 1 }, o with { SQ = o.SQ - 1 }, o with { SQ = o.SQ + 1 },
                    o with { SP = o.SP + 1, SQ = o.SQ + 1 }, o with { SP = o.SP - 1, SQ = o.SQ - 1 }]);
            }
            foreach (var nb in neighbours)
            {
                if (nb.Constant && !constant)
                {
                    continue;
                }
                var f = Try(nb);
                if (f is not null && f.Aicc < best.Aicc - 1e-9)
                {
                    best = f;
                    improved = true;
                    break;
                }
            }
        }
        if (best is null)
        {
            return Naive.FitWalk(y, 1, "Naive", ForecastStatus.Fallback, "no ARIMA model could be estimated; naive fallback");
        }
        return new Fitted(Name, best, series);
    }

    private sealed class Fitted(string name, ArimaCore core, double[] y) : FittedModel(name, ForecastStatus.Ok, null, core.FittedValues(y))
    {
        public override string ToString() => core.Order.ToString();

        protected override ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels)
        {
            var (mean, sd) = core.Forecast(y, horizon);
            return ForecastOutput.Gaussian(Name, mean, sd, levels, (double[])FittedValues.Clone());
        }
    }
}
