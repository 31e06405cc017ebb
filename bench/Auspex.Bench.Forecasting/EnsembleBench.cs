using System.Globalization;
using Auspex.Forecasting;
using Auspex.Forecasting.Models;

namespace Auspex.Bench.Forecasting;

/// <summary>
/// Session-7 study on cached forecasts (<see cref="ForecastCache"/>), same three splits and protocol as
/// <see cref="CombineBench"/> (val96 → val48 → test; a split's weights and interval calibration come only from the splits
/// before it): more members (GlobalBoosted bagged over seeds, AutoARIMA), other backtest weightings and pooled conformal
/// bands for the combined forecast. Variants are chosen on val48; the test file is read only when
/// <c>AUSPEX_ENSEMBLE_TEST</c> names the chosen variants (separated by <c>;</c>), and then only those and the baselines
/// are scored on it.
/// </summary>
internal static class EnsembleBench
{
    private static readonly double[] Levels = [80, 95];

    private enum Weighting
    {
        Equal,
        InverseMase,
        InverseSmape,
        InverseProduct,
        Median,
    }

    private sealed record Variant(string Name, string[] Members, Weighting Weighting, double Power);

    public static int Run(List<(string Id, double[] Values)> train, List<(string Id, double[] Values)> test, int h, int m, string cacheDir, GlobalBoostedOptions gbt, int[] seeds, (int Seed, int Rounds)[]? extraGbt = null)
    {
        extraGbt ??= [];
        var inv = CultureInfo.InvariantCulture;
        var n = train.Count;
        var chosen = Environment.GetEnvironmentVariable("AUSPEX_ENSEMBLE_TEST") is { Length: > 0 } e
            ? e.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
        // AUSPEX_ENSEMBLE_SPLITS (session 8, h-fc5): the validation chain, earliest window first, e.g. "val192,val144"
        // (a split's weights and bands come from the split before it in the chain); default "val96,val48". Band variants
        // are compared on the last split of the chain; the test file is read only with AUSPEX_ENSEMBLE_TEST and then
        // follows the last validation split.
        var valSplits = Environment.GetEnvironmentVariable("AUSPEX_ENSEMBLE_SPLITS") is { Length: > 0 } sp
            ? sp.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : ["val96", "val48"];
        if (valSplits.Any(v => !v.StartsWith("val", StringComparison.Ordinal) || !int.TryParse(v[3..], NumberStyles.None, inv, out var k) || k < h || k % h != 0)
            || valSplits.Select(v => int.Parse(v[3..], inv)).Zip(valSplits.Skip(1).Select(v => int.Parse(v[3..], inv))).Any(p => p.Second >= p.First))
        {
            Console.Error.WriteLine($"AUSPEX_ENSEMBLE_SPLITS '{string.Join(',', valSplits)}': expected valK names (K a multiple of {h}), earliest (largest K) first");
            return 2;
        }
        var lastVal = valSplits[^1];
        string[] splits = chosen.Length > 0 ? [.. valSplits, "test"] : valSplits;
        int Off(string split) => int.Parse(split[3..], inv);
        var insample = new Dictionary<string, double[][]> { ["test"] = [.. train.Select(s => s.Values)] };
        var actual = new Dictionary<string, double[][]> { ["test"] = [.. test.Select(s => s.Values)] };
        foreach (var v in valSplits)
        {
            insample[v] = [.. train.Select(s => s.Values[..^Off(v)])];
            actual[v] = [.. train.Select(s => s.Values[^Off(v)..^(Off(v) - h)])];
        }
        var scales = splits.ToDictionary(s => s, s => insample[s].Select(v => Metrics.SeasonalScale(v, m)).ToArray());
        var fc = new Dictionary<(string Split, string Model), ForecastOutput[]>();
        ForecastOutput[]? Load(string split, string model, GlobalBoostedOptions o)
        {
            var c = ForecastCache.TryRead(Path.Combine(cacheDir, ForecastCache.Key(split, model, o, n)), n, h);
            return c is null ? null : [.. c.Select(f => ForecastOutput.WithBands(model, f.Mean, Levels, [f.Lower80, f.Lower95], [f.Upper80, f.Upper95], []))];
        }
        var bagSeeds = new List<int>();
        foreach (var split in splits)
        {
            foreach (var model in new[] { "Naive2", "SeasonalNaive", "Auto", "AutoARIMA" })
            {
                if (Load(split, model, gbt) is { } f)
                {
                    fc[(split, model)] = f;
                }
            }
            foreach (var seed in seeds)
            {
                if (Load(split, "GlobalBoosted", CopyWithSeed(gbt, seed)) is { } f)
                {
                    fc[(split, "GBT" + seed.ToString(inv))] = f;
                }
            }
        }
        var extraNames = new List<string>();
        foreach (var (seed, rounds) in extraGbt)
        {
            var name = string.Create(inv, $"GBT{seed}r{rounds}");
            foreach (var split in splits)
            {
                if (Load(split, "GlobalBoosted", CopyWithSeed(gbt, seed, rounds)) is { } f)
                {
                    fc[(split, name)] = f;
                }
            }
            if (splits.All(s => fc.ContainsKey((s, name))))
            {
                extraNames.Add(name);
            }
            else
            {
                Console.Error.WriteLine($"extra member {name}: not cached on every split ({string.Join(", ", splits.Where(s => !fc.ContainsKey((s, name))))} missing); variants with it are skipped there");
                if (valSplits.All(s => fc.ContainsKey((s, name))))
                {
                    extraNames.Add(name);
                }
            }
        }
        foreach (var seed in seeds)
        {
            if (splits.All(s => fc.ContainsKey((s, "GBT" + seed.ToString(inv)))))
            {
                bagSeeds.Add(seed);
            }
        }
        foreach (var split in splits)
        {
            foreach (var need in new[] { "Naive2", "Auto" })
            {
                if (!fc.ContainsKey((split, need)))
                {
                    Console.Error.WriteLine($"missing cached forecasts of {need} on {split} in {cacheDir}: run the bench with --cache first");
                    return 2;
                }
            }
            if (!fc.ContainsKey((split, "GBT" + gbt.Seed.ToString(inv))))
            {
                Console.Error.WriteLine($"missing cached GlobalBoosted (seed {gbt.Seed}) forecasts on {split} in {cacheDir}");
                return 2;
            }
            fc[(split, "GBT")] = fc[(split, "GBT" + gbt.Seed.ToString(inv))];
            // The bag: equal mean of the GlobalBoosted runs with different seeds (row/feature subsampling), bounds averaged.
            fc[(split, "GBTbag")] = [.. Enumerable.Range(0, n).Select(i => Combination.Combine("GBTbag", [.. bagSeeds.Select(s => fc[(split, "GBT" + s.ToString(inv))][i])], [.. bagSeeds.Select(_ => 1.0)], Levels))];
        }
        Console.WriteLine(string.Create(inv, $"Ensemble study on cached forecasts ({cacheDir}); GlobalBoosted seeds in the bag: {string.Join(',', bagSeeds)}; AutoARIMA cached: {splits.All(s => fc.ContainsKey((s, "AutoARIMA")))}."));

        string? Prev(string split) => split == "test" ? lastVal : Array.IndexOf(valSplits, split) is > 0 and var k ? valSplits[k - 1] : null;
        double Err(string split, string model, int i, Weighting w)
        {
            var a = actual[split][i];
            var f = fc[(split, model)][i].Mean;
            return w switch
            {
                Weighting.InverseSmape => Metrics.Smape(a, f),
                Weighting.InverseProduct => Metrics.Smape(a, f) * Metrics.Mase(a, f, scales[split][i]),
                _ => Metrics.Mase(a, f, scales[split][i]),
            };
        }

        // Point forecast of a variant on a split with Auto's band offsets; null when its weights need a backtest split
        // that does not exist (val96 has none before it).
        ForecastOutput[]? Make(string split, Variant v, bool equalIfNoBacktest = false)
        {
            if (v.Members.Any(mo => !fc.ContainsKey((split, mo))))
            {
                return null;
            }
            var autoIndex = Array.IndexOf(v.Members, "Auto");
            int? bandsFrom = autoIndex >= 0 ? autoIndex : null;
            if (v.Weighting == Weighting.Median)
            {
                return [.. Enumerable.Range(0, n).Select(i => Median(v.Members.Select(mo => fc[(split, mo)][i]).ToArray(), autoIndex))];
            }
            Func<int, double[]> weights = _ => [.. v.Members.Select(_ => 1.0)];
            if (v.Weighting != Weighting.Equal)
            {
                var prev = Prev(split);
                if (prev is null || v.Members.Any(mo => !fc.ContainsKey((prev, mo))))
                {
                    if (!equalIfNoBacktest)
                    {
                        return null;
                    }
                }
                else
                {
                    weights = i => Combination.InverseErrorWeights([.. v.Members.Select(mo => Err(prev, mo, i, v.Weighting))], v.Power);
                }
            }
            return [.. Enumerable.Range(0, n).Select(i => Combination.Combine(v.Name, [.. v.Members.Select(mo => fc[(split, mo)][i])], weights(i), Levels, bandsFrom: bandsFrom))];
        }

        Func<int, double[]> WeightsOf(string split, Variant v)
        {
            var prev = Prev(split);
            if (v.Weighting is Weighting.Equal or Weighting.Median || prev is null || v.Members.Any(mo => !fc.ContainsKey((prev, mo))))
            {
                return _ => [.. v.Members.Select(_ => 1.0 / v.Members.Length)];
            }
            return i => Combination.InverseErrorWeights([.. v.Members.Select(mo => Err(prev, mo, i, v.Weighting))], v.Power);
        }

        var naive2 = splits.ToDictionary(s => s, s => Metrics.Score(fc[(s, "Naive2")], actual[s], scales[s]));
        void Header()
        {
            Console.WriteLine("| variant | split | sMAPE | MASE | OWA | MSIS | 95% coverage | 80% coverage |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
        }
        void Print(string name, string split, ForecastOutput[] outs)
        {
            var s = Metrics.Score(outs, actual[split], scales[split]);
            var owa = 0.5 * (s.Smape / naive2[split].Smape + s.Mase / naive2[split].Mase);
            Console.WriteLine(string.Create(inv, $"| {name} | {split} | {s.Smape:F3} | {s.Mase:F3} | {owa:F4} | {s.Msis:F3} | {s.Cover95:F3} | {s.Cover80:F3} |"));
        }

        var variants = new List<Variant>
        {
            new("Auto", ["Auto"], Weighting.Equal, 0),
            new("GlobalBoosted (seed 1)", ["GBT"], Weighting.Equal, 0),
            new("GlobalBoosted bag", ["GBTbag"], Weighting.Equal, 0),
            new("AutoARIMA", ["AutoARIMA"], Weighting.Equal, 0),
            new("Auto+GBT inverse-MASE^2 (session 6, auto+gbt-w)", ["Auto", "GBT"], Weighting.InverseMase, 2),
            new("Auto+GBTbag inverse-MASE^2", ["Auto", "GBTbag"], Weighting.InverseMase, 2),
            new("Auto+GBTbag inverse-MASE^1", ["Auto", "GBTbag"], Weighting.InverseMase, 1),
            new("Auto+GBTbag inverse-sMAPE^2", ["Auto", "GBTbag"], Weighting.InverseSmape, 2),
            new("Auto+GBTbag inverse-sMAPE^1", ["Auto", "GBTbag"], Weighting.InverseSmape, 1),
            new("Auto+GBTbag inverse-sMAPE^3", ["Auto", "GBTbag"], Weighting.InverseSmape, 3),
            new("Auto+GBTbag inverse-(sMAPE*MASE)^1", ["Auto", "GBTbag"], Weighting.InverseProduct, 1),
            new("Auto+GBTbag+ARIMA inverse-sMAPE^2", ["Auto", "GBTbag", "AutoARIMA"], Weighting.InverseSmape, 2),
            new("Auto+GBT+ARIMA inverse-MASE^2", ["Auto", "GBT", "AutoARIMA"], Weighting.InverseMase, 2),
            new("Auto+GBTbag+ARIMA inverse-MASE^2", ["Auto", "GBTbag", "AutoARIMA"], Weighting.InverseMase, 2),
            new("Auto+GBTbag+ARIMA inverse-MASE^1", ["Auto", "GBTbag", "AutoARIMA"], Weighting.InverseMase, 1),
            new("Auto+GBTbag+ARIMA equal", ["Auto", "GBTbag", "AutoARIMA"], Weighting.Equal, 0),
            new("median(Auto, GBTbag, ARIMA)", ["Auto", "GBTbag", "AutoARIMA"], Weighting.Median, 0),
            new("Auto+GBT seeds as separate members inverse-MASE^2", ["Auto", .. bagSeeds.Select(s => "GBT" + s.ToString(inv))], Weighting.InverseMase, 2),
            new("Auto+GBT seeds as separate members inverse-sMAPE^2", ["Auto", .. bagSeeds.Select(s => "GBT" + s.ToString(inv))], Weighting.InverseSmape, 2),
            new("Auto+GBT seeds as separate members inverse-sMAPE^1", ["Auto", .. bagSeeds.Select(s => "GBT" + s.ToString(inv))], Weighting.InverseSmape, 1),
            new("Auto+GBT seeds+ARIMA as separate members inverse-sMAPE^2", ["Auto", .. bagSeeds.Select(s => "GBT" + s.ToString(inv)), "AutoARIMA"], Weighting.InverseSmape, 2),
        };
        if (extraNames.Count > 0)
        {
            // Session 8: the power on its own, without the extra member, to tell the two apart.
            variants.Add(new("Auto+GBT seeds+ARIMA as separate members inverse-sMAPE^3", ["Auto", .. bagSeeds.Select(s => "GBT" + s.ToString(inv)), "AutoARIMA"], Weighting.InverseSmape, 3));
            variants.Add(new("Auto+GBT seeds+ARIMA as separate members inverse-sMAPE^4", ["Auto", .. bagSeeds.Select(s => "GBT" + s.ToString(inv)), "AutoARIMA"], Weighting.InverseSmape, 4));
        }
        foreach (var x in extraNames)
        {
            variants.Add(new("Auto+GBT seeds+" + x + "+ARIMA inverse-sMAPE^4", ["Auto", .. bagSeeds.Select(s => "GBT" + s.ToString(inv)), x, "AutoARIMA"], Weighting.InverseSmape, 4));
            variants.Add(new(x + " (extra member alone)", [x], Weighting.Equal, 0));
            variants.Add(new("Auto+GBT seeds+" + x + "+ARIMA inverse-sMAPE^2", ["Auto", .. bagSeeds.Select(s => "GBT" + s.ToString(inv)), x, "AutoARIMA"], Weighting.InverseSmape, 2));
            variants.Add(new("Auto+GBT seeds+" + x + "+ARIMA inverse-sMAPE^3", ["Auto", .. bagSeeds.Select(s => "GBT" + s.ToString(inv)), x, "AutoARIMA"], Weighting.InverseSmape, 3));
            variants.Add(new("Auto+GBT seeds 2,3+" + x + "+ARIMA inverse-sMAPE^2 (extra replaces seed 1)", ["Auto", .. bagSeeds.Where(s => s != 1).Select(s => "GBT" + s.ToString(inv)), x, "AutoARIMA"], Weighting.InverseSmape, 2));
        }
        Console.WriteLine();
        Console.WriteLine("Point forecasts (bands: Auto's offsets around the combined forecast where Auto is a member):");
        Header();
        foreach (var v in variants)
        {
            foreach (var split in valSplits)
            {
                if (Make(split, v) is { } outs)
                {
                    Print(v.Name, split, outs);
                }
            }
        }

        // Pooled conformal bands around a variant's combined forecast: residuals (y − ŷ) / scale of the same variant on
        // every split before this one (val96 has no backtest before it, so its combination there uses equal weights),
        // pooled over series and the steps within ±H/8, scaled by each series' in-sample seasonal-naive MAE.
        ForecastOutput[] Pooled(string split, Variant v, ForecastOutput[] outs, string mode)
        {
            var cal = new List<(ForecastOutput[] F, double[][] A, double[] S)>();
            for (var p = Prev(split); p is not null; p = Prev(p))
            {
                cal.Add((Make(p, v, equalIfNoBacktest: true)!, actual[p], scales[p]));
            }
            if (mode == "clip")
            {
                // Auto's offsets, lower bounds of non-negative series floored at 0 (the rule of the learned-band model).
                return [.. outs.Select((o, i) => insample[split][i].Min() >= 0 ? ClipAtZero(o) : o)];
            }
            if (mode.StartsWith("learned", StringComparison.Ordinal))
            {
                // Session 8: QuantileBands (linear quantile regression of the scaled errors on the band inputs) fitted on
                // the split before only, on that split's equal-weight combination of the same members (what the CLI's
                // single backtest has), then applied to this split's combined forecast.
                var prevSplit = Prev(split)!;
                var clip = mode.EndsWith("+clip", StringComparison.Ordinal);
                mode = mode.Replace("+clip", "", StringComparison.Ordinal);
                var features = mode switch
                {
                    "learned-own" => BandFeatures.OwnOffset,
                    "learned-own+h" => BandFeatures.OwnOffset | BandFeatures.Constant | BandFeatures.Horizon,
                    "learned-own+spread" => BandFeatures.OwnOffset | BandFeatures.Spread,
                    "learned-4" => BandFeatures.OwnOffset | BandFeatures.Spread | BandFeatures.Constant | BandFeatures.Horizon,
                    "learned-members" => BandFeatures.MemberOffsets | BandFeatures.Constant | BandFeatures.Horizon,
                    "learned-own+members+h" => BandFeatures.OwnOffset | BandFeatures.MemberOffsets | BandFeatures.Constant | BandFeatures.Horizon,
                    // Session 9 (h-fc6): inputs from the series' own history (phase profile, level ratio, recent volatility).
                    "learned-own+h+phase" => BandFeatures.OwnOffset | BandFeatures.Constant | BandFeatures.Horizon | BandFeatures.PhaseProfile,
                    "learned-own+h+level" => BandFeatures.OwnOffset | BandFeatures.Constant | BandFeatures.Horizon | BandFeatures.LevelRatio,
                    "learned-own+h+vol" => BandFeatures.OwnOffset | BandFeatures.Constant | BandFeatures.Horizon | BandFeatures.RecentVolatility,
                    "learned-own+h+hist" => BandFeatures.OwnOffset | BandFeatures.Constant | BandFeatures.Horizon | BandFeatures.History,
                    "learned-own+h+phase+level" => BandFeatures.OwnOffset | BandFeatures.Constant | BandFeatures.Horizon | BandFeatures.PhaseProfile | BandFeatures.LevelRatio,
                    "learned-own+h*level" => BandFeatures.OwnOffset | BandFeatures.Constant | BandFeatures.Horizon | BandFeatures.ScaleByLevel,
                    "learned-own+h+phase*level" => BandFeatures.OwnOffset | BandFeatures.Constant | BandFeatures.Horizon | BandFeatures.PhaseProfile | BandFeatures.ScaleByLevel,
                    "learned-own+h+vol*level" => BandFeatures.OwnOffset | BandFeatures.Constant | BandFeatures.Horizon | BandFeatures.RecentVolatility | BandFeatures.ScaleByLevel,
                    "learned-4*level" => BandFeatures.OwnOffset | BandFeatures.Spread | BandFeatures.Constant | BandFeatures.Horizon | BandFeatures.ScaleByLevel,
                    "learned*level" => BandFeatures.All | BandFeatures.ScaleByLevel,
                    "learned-4+hist" => BandFeatures.OwnOffset | BandFeatures.Spread | BandFeatures.Constant | BandFeatures.Horizon | BandFeatures.History,
                    _ => BandFeatures.All,
                };
                var eq = v with { Weighting = Weighting.Equal };
                var calOuts = Make(prevSplit, eq)!;
                var ones = v.Members.Select(_ => 1.0 / v.Members.Length).ToArray();
                var examples = Enumerable.Range(0, n).Select(i => new BandExample(calOuts[i], [.. v.Members.Select(mo => fc[(prevSplit, mo)][i])], ones, scales[prevSplit][i], actual[prevSplit][i], insample[prevSplit][i])).ToList();
                var qb = QuantileBands.Fit(examples, Levels, features, m);
                Console.Error.WriteLine(string.Create(inv, $"{v.Name} {mode} on {split}: 95 lower [{string.Join(", ", qb.Coefficients(95, true).Select(c => c.ToString("F3", inv)))}] upper [{string.Join(", ", qb.Coefficients(95, false).Select(c => c.ToString("F3", inv)))}]"));
                var wts = WeightsOf(split, v);
                var learned = Enumerable.Range(0, n).Select(i => qb.Apply(outs[i], [.. v.Members.Select(mo => fc[(split, mo)][i])], wts(i), scales[split][i], insample[split][i])).ToArray();
                if (clip)
                {
                    learned = [.. learned.Select((o, i) => insample[split][i].Min() >= 0 ? ClipAtZero(o) : o)];
                }
                return learned;
            }
            if (mode == "stretch")
            {
                // IntervalRecalibration of the variant's own (Auto-offset) bands, scores pooled over the earlier splits.
                var r = IntervalRecalibration.Fit([.. cal.SelectMany(c => c.F)], [.. cal.SelectMany(c => c.A)], Levels);
                return [.. outs.Select(r.Apply)];
            }
            var w = Math.Max(1, h / 8);
            var lo = new double[Levels.Length][];
            var hi = new double[Levels.Length][];
            for (var l = 0; l < Levels.Length; l++)
            {
                lo[l] = new double[h];
                hi[l] = new double[h];
            }
            var pool = new List<double>();
            for (var t = 0; t < h; t++)
            {
                pool.Clear();
                foreach (var (f, a, s) in cal)
                {
                    for (var i = 0; i < n; i++)
                    {
                        for (var j = Math.Max(0, t - w); j <= Math.Min(h - 1, t + w); j++)
                        {
                            var r = (a[i][j] - f[i].Mean[j]) / s[i];
                            pool.Add(mode == "signed" ? r : Math.Abs(r));
                        }
                    }
                }
                pool.Sort();
                for (var l = 0; l < Levels.Length; l++)
                {
                    var level = Levels[l] / 100;
                    if (mode == "signed")
                    {
                        lo[l][t] = Quantile(pool, (1 - level) / 2, lower: true);
                        hi[l][t] = Quantile(pool, (1 + level) / 2, lower: false);
                    }
                    else
                    {
                        var q = Quantile(pool, level, lower: false);
                        lo[l][t] = -q;
                        hi[l][t] = q;
                    }
                }
            }
            return
            [
                .. Enumerable.Range(0, n).Select(i =>
                {
                    var c = outs[i];
                    var s = scales[split][i];
                    double[][] Side(bool lower) => [.. Enumerable.Range(0, Levels.Length).Select(l => Enumerable.Range(0, h).Select(t =>
                    {
                        var pooled = c.Mean[t] + s * (lower ? lo[l][t] : hi[l][t]);
                        if (mode != "mix")
                        {
                            return pooled;
                        }
                        // Geometric mean of the pooled half-width and the variant's own (Auto's) half-width.
                        var own = lower ? c.Mean[t] - c.Lower(Levels[l])[t] : c.Upper(Levels[l])[t] - c.Mean[t];
                        var half = Math.Abs(pooled - c.Mean[t]);
                        return c.Mean[t] + (lower ? -1 : 1) * Math.Sqrt(Math.Max(own, 0) * half);
                    }).ToArray())];
                    return ForecastOutput.WithBands(c.Model, c.Mean, Levels, Side(true), Side(false), []);
                }),
            ];
        }
        Console.WriteLine();
        Console.WriteLine($"Bands (same point forecasts) on {lastVal}: Auto's offsets vs pooled conformal / learned from the splits before ({string.Join(" → ", valSplits)}):");
        Header();
        var bandModes = new[] { "abs", "signed", "mix", "stretch", "clip", "learned", "learned-4", "learned-own", "learned-own+h", "learned-own+spread", "learned-members", "learned-own+members+h", "learned+clip", "learned-own+h+clip",
            "learned-own+h+phase+clip", "learned-own+h+level+clip", "learned-own+h+vol+clip", "learned-own+h+hist+clip", "learned-4+hist+clip",
            "learned-own+h+phase+level+clip", "learned-own+h*level+clip", "learned-own+h+phase*level+clip",
            "learned-own+h+vol*level+clip", "learned-4*level+clip", "learned*level+clip" };
        var bandFilter = Environment.GetEnvironmentVariable("AUSPEX_ENSEMBLE_BAND_VARIANTS");
        foreach (var v in variants.Where(v => v.Members.Length > 1 && (string.IsNullOrEmpty(bandFilter) || bandFilter.Split(';').Contains(v.Name))))
        {
            if (Make(lastVal, v) is not { } outs)
            {
                continue;
            }
            Print(v.Name + " (Auto's offsets)", lastVal, outs);
            foreach (var mode in bandModes)
            {
                Print(v.Name + ", pooled conformal " + mode, lastVal, Pooled(lastVal, v, outs, mode));
            }
        }
        if (chosen.Length == 0)
        {
            Console.WriteLine("(test file not scored: set AUSPEX_ENSEMBLE_TEST=\"variant[, pooled conformal MODE];...\" to score the chosen variants once)");
            return 0;
        }
        Console.WriteLine();
        Console.WriteLine($"Test (chosen on validation: {string.Join(" | ", chosen)}; weights and calibration from {lastVal}):");
        Header();
        var testOutputs = new Dictionary<string, ForecastOutput[]>();
        foreach (var name in new[] { "Auto", "GlobalBoosted (seed 1)", "Auto+GBT inverse-MASE^2 (session 6, auto+gbt-w)" }.Concat(chosen).Distinct())
        {
            var mode = bandModes.FirstOrDefault(b => name.EndsWith(", pooled conformal " + b, StringComparison.Ordinal));
            var baseName = mode is null ? name : name[..^(", pooled conformal " + mode).Length];
            var v = variants.FirstOrDefault(x => x.Name == baseName);
            if (v is null || Make("test", v) is not { } outs)
            {
                Console.WriteLine($"| {name} | test | (unknown variant or members not cached on test) |");
                continue;
            }
            var final = mode is null ? outs : Pooled("test", v, outs, mode);
            Print(name, "test", final);
            testOutputs[name] = final;
        }
        if (Environment.GetEnvironmentVariable("AUSPEX_ENSEMBLE_SUBSET_EVERY") is { Length: > 0 } everyText)
        {
            // The same test forecasts on every k-th series only: the series of the R side-by-side run (--r --r-every k).
            var every = int.Parse(everyText, inv);
            var idx = Enumerable.Range(0, n).Where(i => i % every == 0).ToArray();
            if (Environment.GetEnvironmentVariable("AUSPEX_ENSEMBLE_SUBSET_COUNT") is { Length: > 0 } countText)
            {
                // Only the first K of them: the series R finished (it works through them in order).
                idx = [.. idx.Take(int.Parse(countText, inv))];
            }
            Console.WriteLine();
            Console.WriteLine(string.Create(inv, $"Test, every {every}th series only ({idx.Length} series, the R comparison's):"));
            Console.WriteLine("| variant | sMAPE | MASE | MSIS | 95% coverage |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var (name, outs) in testOutputs)
            {
                var sc = Metrics.Score([.. idx.Select(i => outs[i])], [.. idx.Select(i => actual["test"][i])], [.. idx.Select(i => scales["test"][i])]);
                Console.WriteLine(string.Create(inv, $"| {name} | {sc.Smape:F3} | {sc.Mase:F3} | {sc.Msis:F3} | {sc.Cover95:F3} |"));
            }
        }
        return 0;
    }

    private static ForecastOutput ClipAtZero(ForecastOutput o) =>
        ForecastOutput.WithBands(o.Model, o.Mean, [.. o.Levels], [.. o.Levels.Select(l => o.Lower(l).Select(v => Math.Max(0, v)).ToArray())], [.. o.Levels.Select(o.Upper)], o.Fitted);

    private static GlobalBoostedOptions CopyWithSeed(GlobalBoostedOptions o, int seed, int? rounds = null) => new()
    {
        Horizon = o.Horizon,
        Season = o.Season,
        Lags = o.Lags,
        SeasonalLags = o.SeasonalLags,
        ScaleWindow = o.ScaleWindow,
        Calendar = o.Calendar,
        MedianLoss = o.MedianLoss,
        LearningRate = o.LearningRate,
        MaxDepth = o.MaxDepth,
        MinSamplesLeaf = o.MinSamplesLeaf,
        FeatureFraction = o.FeatureFraction,
        RowFraction = o.RowFraction,
        Rounds = rounds ?? o.Rounds,
        EarlyStoppingRounds = o.EarlyStoppingRounds,
        Lambda = o.Lambda,
        RefitOnAll = o.RefitOnAll,
        Seed = seed,
    };

    // Split-conformal rank on a sorted pool: the ⌈(k+1)p⌉-th smallest for an upper quantile, the ⌊(k+1)p⌋-th for a lower one.
    private static double Quantile(List<double> sorted, double p, bool lower)
    {
        var k = sorted.Count;
        var rank = lower ? (int)Math.Floor((k + 1) * p) : (int)Math.Ceiling((k + 1) * p);
        return sorted[Math.Clamp(rank, 1, k) - 1];
    }

    private static ForecastOutput Median(ForecastOutput[] members, int bandsFrom)
    {
        var h = members[0].Horizon;
        var mean = new double[h];
        var buf = new double[members.Length];
        for (var t = 0; t < h; t++)
        {
            for (var k = 0; k < members.Length; k++)
            {
                buf[k] = members[k].Mean[t];
            }
            Array.Sort(buf);
            mean[t] = buf.Length % 2 == 1 ? buf[buf.Length / 2] : 0.5 * (buf[buf.Length / 2 - 1] + buf[buf.Length / 2]);
        }
        var src = members[Math.Max(0, bandsFrom)];
        var lo = Levels.Select(l => src.Lower(l).Select((v, t) => mean[t] - (src.Mean[t] - v)).ToArray()).ToArray();
        var hi = Levels.Select(l => src.Upper(l).Select((v, t) => mean[t] + (v - src.Mean[t])).ToArray()).ToArray();
        return ForecastOutput.WithBands("median", mean, Levels, lo, hi, []);
    }
}
