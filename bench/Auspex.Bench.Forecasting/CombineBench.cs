using System.Globalization;
using Auspex.Forecasting;
using Auspex.Forecasting.Models;

namespace Auspex.Bench.Forecasting;

/// <summary>
/// Combination study on cached member forecasts (<see cref="ForecastCache"/>): how to weight Auto and GlobalBoosted per
/// series and how to recalibrate the combined bands, chosen without the test file.
/// <para>
/// Three splits of every M4 Hourly series: <c>val96</c> (fit on the training part minus its last 96 values, score the
/// next 48), <c>val48</c> (fit on the training part minus its last 48, score them) and <c>test</c> (fit on the whole
/// training part, score the test file). Each split's per-series weights and recalibration factors come from the split
/// before it (val96 → val48, val48 → test), i.e. from a backtest any user has: the last 48 values before the origin.
/// The settings are chosen on val48 and the test figures are printed once for the chosen and the untuned variants.
/// </para>
/// </summary>
internal static class CombineBench
{
    private static readonly double[] Levels = [80, 95];

    public static int Run(List<(string Id, double[] Values)> train, List<(string Id, double[] Values)> test, int h, int m, string cacheDir, GlobalBoostedOptions gbt)
    {
        var inv = CultureInfo.InvariantCulture;
        var n = train.Count;
        var splits = new[] { "val96", "val48", "test" };
        var insample = new Dictionary<string, double[][]>
        {
            ["val96"] = [.. train.Select(s => s.Values[..^(2 * h)])],
            ["val48"] = [.. train.Select(s => s.Values[..^h])],
            ["test"] = [.. train.Select(s => s.Values)],
        };
        var actual = new Dictionary<string, double[][]>
        {
            ["val96"] = [.. train.Select(s => s.Values[^(2 * h)..^h])],
            ["val48"] = [.. train.Select(s => s.Values[^h..])],
            ["test"] = [.. test.Select(s => s.Values)],
        };
        var scales = splits.ToDictionary(s => s, s => insample[s].Select(v => Metrics.SeasonalScale(v, m)).ToArray());
        var members = new[] { "Naive2", "SeasonalNaive", "Auto", "GlobalBoosted" };
        var fc = new Dictionary<(string Split, string Model), ForecastOutput[]>();
        var scoreTest = Environment.GetEnvironmentVariable("AUSPEX_COMBINE_TEST") is { Length: > 0 };
        foreach (var split in scoreTest ? splits : splits[..2])
        {
            foreach (var model in members)
            {
                var file = Path.Combine(cacheDir, ForecastCache.Key(split, model, gbt, n));
                var c = ForecastCache.TryRead(file, n, h);
                if (c is null)
                {
                    Console.Error.WriteLine($"missing cached forecasts {file}: run the bench with --cache {cacheDir} --models {model}{(split == "test" ? "" : " --validation --val-offset " + split[3..])} first");
                    return 2;
                }
                fc[(split, model)] = [.. c.Select(f => ForecastOutput.WithBands(model, f.Mean, Levels, [f.Lower80, f.Lower95], [f.Upper80, f.Upper95], []))];
            }
        }
        string Prev(string split) => split == "test" ? "val48" : "val96";

        // Per-series MASE of each member on a split (the backtest that weights the next split).
        double[] Errors(string split, string model) => [.. Enumerable.Range(0, n).Select(i => Metrics.Mase(actual[split][i], fc[(split, model)][i].Mean, scales[split][i]))];

        ForecastOutput[] Combine(string split, string[] models, Func<int, double[]> weights, int? bandsFrom = null) =>
            [.. Enumerable.Range(0, n).Select(i => Combination.Combine("combo", [.. models.Select(mo => fc[(split, mo)][i])], weights(i), Levels, bandsFrom: bandsFrom))];

        // Inverse-error weights from the previous split's backtest: w_k ∝ MASE_k^-p (p = 0: equal weights).
        Func<int, double[]> InverseError(string split, string[] models, double p)
        {
            var errs = models.Select(mo => Errors(Prev(split), mo)).ToArray();
            return i => Combination.InverseErrorWeights([.. errs.Select(e => e[i])], p);
        }

        var naive2 = (scoreTest ? splits : splits[..2]).ToDictionary(s => s, s => Metrics.Score(fc[(s, "Naive2")], actual[s], scales[s]));
        Console.WriteLine($"Combination study on cached forecasts ({cacheDir}); OWA against each split's own Naive2.");
        Console.WriteLine("| variant | split | sMAPE | MASE | OWA | MSIS | 95% coverage | 80% coverage |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        void Print(string name, string split, ForecastOutput[] outs)
        {
            var s = Metrics.Score(outs, actual[split], scales[split]);
            var owa = 0.5 * (s.Smape / naive2[split].Smape + s.Mase / naive2[split].Mase);
            Console.WriteLine(string.Create(inv, $"| {name} | {split} | {s.Smape:F3} | {s.Mase:F3} | {owa:F3} | {s.Msis:F3} | {s.Cover95:F3} | {s.Cover80:F3} |"));
        }
        var pair = new[] { "Auto", "GlobalBoosted" };
        var triple = new[] { "Auto", "GlobalBoosted", "SeasonalNaive" };
        var variants = new List<(string Name, Func<string, ForecastOutput[]> Make)>
        {
            ("Auto", s => fc[(s, "Auto")]),
            ("GlobalBoosted", s => fc[(s, "GlobalBoosted")]),
            ("Auto+GBT equal (before)", s => Combine(s, pair, _ => [1, 1])),
        };
        foreach (var w in new[] { 0.6, 0.7 })
        {
            variants.Add((string.Create(inv, $"Auto+GBT, GBT weight {w}"), s => Combine(s, pair, _ => [1 - w, w])));
        }
        foreach (var p in new[] { 0.5, 1.0, 2.0, 4.0 })
        {
            variants.Add((string.Create(inv, $"Auto+GBT inverse-MASE^{p}"), s => s == "val96" ? [] : Combine(s, pair, InverseError(s, pair, p))));
            variants.Add((string.Create(inv, $"Auto+GBT+sNaive inverse-MASE^{p}"), s => s == "val96" ? [] : Combine(s, triple, InverseError(s, triple, p))));
        }
        // Band construction variants (no fitted parameter): the combined point forecast with Auto's own band offsets
        // (its conformal CV half-widths), or with the narrower of the two members' offsets per step and side.
        ForecastOutput[] Rebanded(string split, ForecastOutput[] combined, bool narrowest) =>
        [
            .. Enumerable.Range(0, n).Select(i =>
            {
                var c = combined[i];
                var a = fc[(split, "Auto")][i];
                var g = fc[(split, "GlobalBoosted")][i];
                double[] Side(double level, bool lower) => [.. Enumerable.Range(0, c.Horizon).Select(t =>
                {
                    double Off(ForecastOutput o) => lower ? o.Mean[t] - o.Lower(level)[t] : o.Upper(level)[t] - o.Mean[t];
                    var off = narrowest ? Math.Min(Off(a), Off(g)) : Off(a);
                    return lower ? c.Mean[t] - off : c.Mean[t] + off;
                })];
                return ForecastOutput.WithBands(c.Model, c.Mean, Levels, [Side(80, true), Side(95, true)], [Side(80, false), Side(95, false)], []);
            }),
        ];
        foreach (var (label, weights) in new (string, Func<string, Func<int, double[]>>)[] { ("equal", _ => _ => [1, 1]), ("inverse-MASE^2", s => InverseError(s, pair, 2)) })
        {
            // Auto's offsets: the library's Combination with bandsFrom = 0 (what auspex forecast --model auto+gbt-w does).
            variants.Add(($"Auto+GBT {label}, Auto's band offsets", s => s == "val96" && label != "equal" ? [] : Combine(s, pair, weights(s), bandsFrom: 0)));
            variants.Add(($"Auto+GBT {label}, narrower member offsets", s => s == "val96" && label != "equal" ? [] : Rebanded(s, Combine(s, pair, weights(s)), narrowest: true)));
        }
        var built = new Dictionary<(string Variant, string Split), ForecastOutput[]>();
        foreach (var (name, make) in variants)
        {
            foreach (var split in new[] { "val96", "val48" })
            {
                var outs = make(split);
                if (outs.Length == 0)
                {
                    continue;
                }
                built[(name, split)] = outs;
                Print(name, split, outs);
            }
        }
        // Recalibration of each variant's bands: factors from the previous split's backtest of the same variant.
        Console.WriteLine();
        Console.WriteLine("Recalibrated (factors fitted on val96, applied to val48):");
        Console.WriteLine("| variant | split | sMAPE | MASE | OWA | MSIS | 95% coverage | 80% coverage |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (name, _) in variants)
        {
            if (!built.TryGetValue((name, "val96"), out var cal))
            {
                continue;
            }
            var r = IntervalRecalibration.Fit(cal, actual["val96"], Levels);
            Print(name + " recalibrated", "val48", [.. built[(name, "val48")].Select(r.Apply)]);
        }
        if (Environment.GetEnvironmentVariable("AUSPEX_COMBINE_TEST") is not { Length: > 0 } chosen)
        {
            Console.WriteLine("(test file not scored: set AUSPEX_COMBINE_TEST=\"variant name\" to score the chosen variant once)");
            return 0;
        }
        Console.WriteLine();
        Console.WriteLine($"Test (chosen on val48: {chosen}; weights and recalibration from the val48 backtest):");
        Console.WriteLine("| variant | split | sMAPE | MASE | OWA | MSIS | 95% coverage | 80% coverage |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var name in new[] { "Auto", "GlobalBoosted", "Auto+GBT equal (before)", chosen.Replace(" recalibrated", "") }.Distinct())
        {
            var make = variants.First(v => v.Name == name).Make;
            var outs = make("test");
            Print(name, "test", outs);
            var calib = built.TryGetValue((name, "val48"), out var c48) ? c48 : make("val48");
            var r = IntervalRecalibration.Fit(calib, actual["val48"], Levels);
            Print(name + " recalibrated", "test", [.. outs.Select(r.Apply)]);
        }
        return 0;
    }
}
