using Auspex.Forecasting.Internal;
using Auspex.Forecasting.Models;
using FsCheck;
using FsCheck.Xunit;

namespace Auspex.Forecasting.Tests;

/// <summary>Numeric invariants over generated series (FsCheck).</summary>
public sealed class PropertyTests
{
    private static double[] Series(int seed, int length, double level) =>
        TestSeries.Seasonal(48 + length % 400, level: 10 + level, amplitude: 1 + level / 10, noise: 1 + level / 50, seed: seed);

    [Property(MaxTest = 40)]
    public bool FastModels_BandsNestedAroundTheMean(int seed, PositiveInt length, PositiveInt level)
    {
        var y = Series(seed, length.Get, level.Get % 1000);
        foreach (var model in new IForecastModel[] { new Naive(), new SeasonalNaive(24), new Naive2(24), new Theta(24) })
        {
            var f = model.Forecast(y, 30, [50, 80, 95]);
            for (var i = 0; i < 30; i++)
            {
                var ok = f.Lower(95)[i] <= f.Lower(80)[i] && f.Lower(80)[i] <= f.Lower(50)[i] && f.Lower(50)[i] <= f.Mean[i]
                    && f.Mean[i] <= f.Upper(50)[i] && f.Upper(50)[i] <= f.Upper(80)[i] && f.Upper(80)[i] <= f.Upper(95)[i];
                if (!ok || !double.IsFinite(f.Mean[i]))
                {
                    return false;
                }
            }
        }
        return true;
    }

    [Property(MaxTest = 40)]
    public bool NaiveFamily_ScaleEquivariant(int seed, PositiveInt length, PositiveInt scale)
    {
        var y = Series(seed, length.Get, 50);
        var c = 1 + scale.Get % 1000;
        var scaled = y.Select(v => v * c).ToArray();
        foreach (var model in new IForecastModel[] { new Naive(), new SeasonalNaive(24), new Naive2(24) })
        {
            var a = model.Forecast(y, 24, [90]);
            var b = model.Forecast(scaled, 24, [90]);
            for (var i = 0; i < 24; i++)
            {
                if (Math.Abs(b.Mean[i] - c * a.Mean[i]) > 1e-9 * c * Math.Abs(a.Mean[i]) + 1e-9
                    || Math.Abs(b.Upper(90)[i] - c * a.Upper(90)[i]) > 1e-8 * c * Math.Abs(a.Upper(90)[i]) + 1e-9)
                {
                    return false;
                }
            }
        }
        return true;
    }

    [Property(MaxTest = 60)]
    public bool Conformal_HalfWidthsGrowWithStepAndLevel(int seed, PositiveInt windows)
    {
        var rng = new Random(seed);
        var w = 1 + windows.Get % 6;
        var errors = Enumerable.Range(0, w).Select(_ => Enumerable.Range(0, 12).Select(_ => Math.Abs(TestSeries.Normal(rng))).ToArray()).ToArray();
        var w80 = Conformal.HalfWidths(errors, 20, 80);
        var w95 = Conformal.HalfWidths(errors, 20, 95);
        for (var h = 0; h < 20; h++)
        {
            if (w95[h] < w80[h] || (h > 0 && (w80[h] < w80[h - 1] || w95[h] < w95[h - 1])))
            {
                return false;
            }
        }
        return true;
    }
}
