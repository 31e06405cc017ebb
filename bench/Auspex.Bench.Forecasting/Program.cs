using System.Diagnostics;
using System.Globalization;
using Auspex.Bench.Forecasting;
using Auspex.Forecasting;
using Auspex.Forecasting.Models;

// Usage: dotnet run -c Release --project bench/Auspex.Bench.Forecasting -- [--m4 DIR] [--models A,B] [--limit N] [--validation [--val-offset K]] [--cache DIR] [--combine] [--ensemble [--bag-seeds 1,2,3]] [--traces DIR] | --loop [--fleet FILE] [--ticks N]
var inv = CultureInfo.InvariantCulture;
string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
var m4Dir = Arg("--m4", Path.Combine("..", "shared", "data", "m4"));
if (args.Contains("--loop"))
{
    LoopBench.Verbose = args.Contains("--verbose");
    return LoopBench.Run(Arg("--fleet", Path.Combine("samples", "fleet", "metrics.csv.gz")), int.Parse(Arg("--ticks", "24"), inv));
}
if (args.Contains("--traces-only") || args.Contains("--traces"))
{
    var code = TracesBench.Run(Arg("--traces", Path.Combine("..", "shared", "data", "traces")), int.Parse(Arg("--vms", "1000"), inv));
    if (args.Contains("--traces-only"))
    {
        return code;
    }
}
var limit = int.Parse(Arg("--limit", "0"), inv);
var modelArg = Arg("--models", "Naive2,SeasonalNaive,Theta,OptimisedTheta,AutoETS");

const int h = 48;
const int m = 24;
var trainPath = Path.Combine(m4Dir, "Hourly-train.csv");
var testPath = Path.Combine(m4Dir, "Hourly-test.csv");
if (!File.Exists(trainPath) || !File.Exists(testPath))
{
    Console.Error.WriteLine($"M4 Hourly data not found in '{Path.GetFullPath(m4Dir)}' (expected Hourly-train.csv and Hourly-test.csv). Pass --m4 DIR.");
    return 2;
}
var train = M4Data.Read(trainPath);
var test = M4Data.Read(testPath);
if (limit > 0)
{
    train = train.Take(limit).ToList();
    test = test.Take(limit).ToList();
}
var split = "test";
if (args.Contains("--validation"))
{
    // Tuning split carved from the training part only: the last h values of each training series play the test; the
    // M4 test file is not read for scoring. Hyperparameters of GlobalBoosted were chosen on this split.
    // --val-offset K (a multiple of h, default h) scores values [n-K, n-K+h) of each training series from the K before.
    var off = int.Parse(Arg("--val-offset", h.ToString(inv)), inv);
    test = train.Select(s => s with { Values = s.Values[^off..^(off - h)] }).ToList();
    train = train.Select(s => s with { Values = s.Values[..^off] }).ToList();
    split = "val" + off.ToString(inv);
    Console.WriteLine($"VALIDATION SPLIT: each training series minus its last {off} values; the next 48 of them are scored (test file unused).");
}
var cacheDir = args.Contains("--cache") ? Arg("--cache", "") : null;
var gbtOptions = new GlobalBoostedOptions
{
    Horizon = h,
    Lags = int.Parse(Arg("--gbt-lags", "24"), inv),
    MaxDepth = int.Parse(Arg("--gbt-depth", "6"), inv),
    LearningRate = double.Parse(Arg("--gbt-lr", "0.05"), inv),
    MinSamplesLeaf = int.Parse(Arg("--gbt-leaf", "100"), inv),
    Rounds = int.Parse(Arg("--gbt-rounds", "600"), inv),
    MedianLoss = args.Contains("--gbt-median"),
    Calendar = !args.Contains("--gbt-no-calendar"),
    ScaleWindow = int.Parse(Arg("--gbt-scale", "168"), inv),
    Seed = int.Parse(Arg("--gbt-seed", "1"), inv),
};
if (args.Contains("--ensemble"))
{
    // Session-7 ensemble study on cached forecasts (see EnsembleBench): no model is fitted here.
    var seeds = Arg("--bag-seeds", "1,2,3").Split(',').Select(x => int.Parse(x, inv)).ToArray();
    // --extra-gbt SEED:ROUNDS[,...]: further GlobalBoosted members trained with another seed and round cap (session 8).
    var extra = Arg("--extra-gbt", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(x => (Seed: int.Parse(x.Split(':')[0], inv), Rounds: int.Parse(x.Split(':')[1], inv))).ToArray();
    return EnsembleBench.Run(train, test, h, m, Arg("--cache", "/tmp/auspex-m4-cache"), gbtOptions, seeds, extra);
}
if (args.Contains("--combine"))
{
    // Combination study on cached member forecasts (see CombineBench): no model is fitted here.
    return CombineBench.Run(train, test, h, m, Arg("--cache", "/tmp/auspex-m4-cache"), gbtOptions);
}
if (args.Contains("--profile"))
{
    // CPU time of the parts of auto+gbt+arima-q (ProfileBench): --profile gbt,gbt-held,auto,arima [--profile-every K] [--profile-member K]
    return ProfileBench.Run(train, h, Arg("--profile", "gbt,gbt-held,auto,arima"), int.Parse(Arg("--profile-every", "4"), inv), int.Parse(Arg("--profile-member", "0"), inv));
}
if (args.Contains("--service"))
{
    // The CLI path end to end: the training series as long-format CSV (integer ds) through ForecastService with
    // --model NAME --season 24,168 --horizon 48, scored on the split's held-out values.
    var serviceModel = Arg("--service", "auto+gbt+arima-w");
    var csv = new System.Text.StringBuilder("unique_id,ds,y\n");
    foreach (var (id, values) in train)
    {
        for (var t = 0; t < values.Length; t++)
        {
            csv.Append(id).Append(',').Append(t.ToString(inv)).Append(',').Append(values[t].ToString("R", inv)).Append('\n');
        }
    }
    var swService = Stopwatch.StartNew();
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var run = Auspex.Forecasting.Batch.ForecastService.Run(new StringReader(csv.ToString()), new Auspex.Forecasting.Batch.ForecastRequest
    {
        Horizon = Auspex.Forecasting.Batch.HorizonSpec.FromSteps(h),
        Seasons = [24, 168],
        Levels = [80, 95],
        Model = serviceModel,
    });
    if (run.Result is not { } res)
    {
        Console.Error.WriteLine(string.Join('\n', run.Errors.Select(e => e.Message)));
        return 1;
    }
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
    var byId = Enumerable.Range(0, res.Batch.Count).ToDictionary(i => res.Batch.Ids[i]);
    double sm = 0, ma = 0, ms = 0, cv = 0, n2s = 0, n2m = 0;
    var l95 = res.Levels.ToList().IndexOf(95);
    for (var i = 0; i < train.Count; i++)
    {
        var k = byId[train[i].Id];
        var o = res.Offsets[k];
        var mean = res.Mean.AsSpan(o, h);
        var lo = res.LowerBands[l95].AsSpan(o, h);
        var hi = res.UpperBands[l95].AsSpan(o, h);
        var scale = Metrics.SeasonalScale(train[i].Values, m);
        sm += Metrics.Smape(test[i].Values, mean);
        ma += Metrics.Mase(test[i].Values, mean, scale);
        ms += Metrics.Msis(test[i].Values, lo.ToArray(), hi.ToArray(), scale);
        cv += Metrics.Coverage(test[i].Values, lo.ToArray(), hi.ToArray());
        var n2 = new Naive2(24).Forecast(train[i].Values, h, []).Mean;
        n2s += Metrics.Smape(test[i].Values, n2);
        n2m += Metrics.Mase(test[i].Values, n2, scale);
    }
    var cnt = train.Count;
    if (args.Contains("--service-out"))
    {
        // Every forecast value ("R" round-trip format) for a bit-for-bit comparison of two runs (session 9).
        using var w = new StreamWriter(Arg("--service-out", "service.csv"));
        w.WriteLine("unique_id,step,yhat,lo80,hi80,lo95,hi95");
        var l80 = res.Levels.ToList().IndexOf(80);
        for (var i = 0; i < train.Count; i++)
        {
            var o = res.Offsets[byId[train[i].Id]];
            for (var s = 0; s < h; s++)
            {
                w.WriteLine(string.Create(inv, $"{train[i].Id},{s + 1},{res.Mean[o + s]:R},{res.LowerBands[l80][o + s]:R},{res.UpperBands[l80][o + s]:R},{res.LowerBands[l95][o + s]:R},{res.UpperBands[l95][o + s]:R}"));
            }
        }
    }
    Console.WriteLine(string.Create(inv, $"ForecastService --model {serviceModel} on {split} ({cnt} series): sMAPE {sm / cnt:F3} MASE {ma / cnt:F3} OWA {0.5 * (sm / n2s + ma / n2m):F4} MSIS {ms / cnt:F3} 95% coverage {cv / cnt:F3}; wall {swService.Elapsed.TotalSeconds:F0} s, CPU {cpu:F0} s ({cpu / cnt:F2} CPU s per series)"));
    return 0;
}
var globalBoosted = new Lazy<GlobalBoosted>(() =>
{
    var sw = Stopwatch.StartNew();
    var g = GlobalBoosted.Train(train.Select(s => s.Values).ToList(), gbtOptions);
    Console.WriteLine(string.Create(inv, $"GlobalBoosted trained on {g.TrainedOn} series, {g.TrainingWindows} windows, {g.Rounds} rounds kept, in {sw.Elapsed.TotalSeconds:F1} s"));
    return g;
});
var globalLinear = new Lazy<GlobalLinear>(() => GlobalLinear.Train(train.Select(s => s.Values).ToList(), new GlobalLinearOptions { Horizon = h, Lags = int.Parse(Arg("--lags", "336"), inv), Ridge = double.Parse(Arg("--ridge", "30"), inv) }));
var factories = new Dictionary<string, Func<IForecastModel>>(StringComparer.OrdinalIgnoreCase)
{
    ["Naive"] = () => new Naive(),
    ["SeasonalNaive"] = () => new SeasonalNaive(24),
    ["Naive2"] = () => new Naive2(24),
    ["Theta"] = () => new Theta(24),
    ["OptimisedTheta"] = () => new Theta(24, ThetaVariant.Optimised),
    ["AutoETS"] = () => new AutoEts(24),
    ["AutoARIMA"] = () => new AutoArima(24),
    ["MSTL"] = () => new Mstl([24, 168]),
    ["MSTL24"] = () => new Mstl([24]),
    ["GlobalLinear"] = () => globalLinear.Value,
    ["AutoPlusGlobal"] = () => new Combination([new AutoSelect(AutoSelect.DefaultCandidates([24, 168]), new AutoSelectOptions { CrossValidation = new() { Horizon = h, Windows = 3 } }), globalLinear.Value], "Auto+GlobalLinear"),
    ["GlobalBoosted"] = () => globalBoosted.Value,
    ["AutoPlusBoosted"] = () => new Combination([new AutoSelect(AutoSelect.DefaultCandidates([24, 168]), new AutoSelectOptions { CrossValidation = new() { Horizon = h, Windows = 3 } }), globalBoosted.Value], "Auto+GlobalBoosted"),
    ["AutoWithBoosted"] = () => new AutoSelect([.. AutoSelect.DefaultCandidates([24, 168]), globalBoosted.Value], new AutoSelectOptions { CrossValidation = new() { Horizon = h, Windows = 3 } }),
    ["Auto"] = () => new AutoSelect(AutoSelect.DefaultCandidates([24, 168]), new AutoSelectOptions { CrossValidation = new() { Horizon = h, Windows = 3 } }),
    ["AutoEnsemble"] = () => new AutoSelect(AutoSelect.DefaultCandidates([24, 168]), new AutoSelectOptions { CrossValidation = new() { Horizon = h, Windows = 3 }, EnsembleSize = 3 }),
};

var scales = train.Select(s => Metrics.SeasonalScale(s.Values, m)).ToArray();
Console.WriteLine($"M4 Hourly: {train.Count} series, h = {h}, m = {m}, {Environment.ProcessorCount} cores");
Console.WriteLine("| model | sMAPE | MASE | OWA | MSIS | 95% coverage | fallbacks | wall s | series/s |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
double? naive2Smape = null, naive2Mase = null;
foreach (var name in modelArg.Split(',', StringSplitOptions.RemoveEmptyEntries))
{
    if (!factories.TryGetValue(name, out var factory))
    {
        Console.Error.WriteLine($"unknown model {name}");
        continue;
    }
    var smape = new double[train.Count];
    var mase = new double[train.Count];
    var msis = new double[train.Count];
    var cover = new double[train.Count];
    var fallbacks = 0;
    var sw = Stopwatch.StartNew();
    var cacheFile = cacheDir is null ? null : Path.Combine(cacheDir, ForecastCache.Key(split, name, gbtOptions, train.Count));
    var cached = cacheFile is not null ? ForecastCache.TryRead(cacheFile, train.Count, h) : null;
    var outs = cached ?? new CachedForecast[train.Count];
    if (cached is not null)
    {
        Console.WriteLine($"  {name}: forecasts read from the cache {cacheFile}");
    }
    Parallel.For(0, train.Count, i =>
    {
        if (cached is null)
        {
            var f = factory().Forecast(train[i].Values, h, [80, 95]);
            if (!f.IsSuccess)
            {
                f = new Naive().Forecast(train[i].Values, h, [80, 95]);
            }
            outs[i] = new CachedForecast(f.Status != ForecastStatus.Ok, f.Mean, f.Lower(80), f.Upper(80), f.Lower(95), f.Upper(95));
        }
        var c = outs[i];
        var actual = test[i].Values;
        if (c.Fallback)
        {
            Interlocked.Increment(ref fallbacks);
        }
        smape[i] = Metrics.Smape(actual, c.Mean);
        mase[i] = Metrics.Mase(actual, c.Mean, scales[i]);
        msis[i] = Metrics.Msis(actual, c.Lower95, c.Upper95, scales[i]);
        cover[i] = Metrics.Coverage(actual, c.Lower95, c.Upper95);
    });
    if (cacheFile is not null && cached is null)
    {
        ForecastCache.Write(cacheFile, outs);
    }
    var secs = sw.Elapsed.TotalSeconds;
    if (args.Contains("--worst"))
    {
        foreach (var i in Enumerable.Range(0, train.Count).OrderByDescending(i => smape[i]).Take(8))
        {
            Console.WriteLine(string.Create(inv, $"  worst {train[i].Id}: sMAPE {smape[i]:F1} MASE {mase[i]:F2} fit {factory().Fit(train[i].Values)}"));
        }
    }
    var s = smape.Average();
    var ma = mase.Average();
    if (name.Equals("Naive2", StringComparison.OrdinalIgnoreCase))
    {
        naive2Smape = s;
        naive2Mase = ma;
    }
    var owa = naive2Smape is null ? double.NaN : 0.5 * (s / naive2Smape.Value + ma / naive2Mase!.Value);
    Console.WriteLine(string.Create(inv, $"| {name} | {s:F3} | {ma:F3} | {owa:F3} | {msis.Average():F3} | {cover.Average():F3} | {fallbacks} | {secs:F1} | {train.Count / secs:F1} |"));
}
if (args.Contains("--r") || args.Contains("--r-results"))
{
    // --q-forecasts FILE (a --service-out file of auto+gbt+arima-q on all series) --q-cpu-per-series X (that run's CPU s / series).
    RComparison.Run(train, test, m4Dir, int.Parse(Arg("--r-every", "40"), inv), args.Contains("--r-results") ? Arg("--r-results", "") : null,
        args.Contains("--q-forecasts") ? Arg("--q-forecasts", "") : null, double.Parse(Arg("--q-cpu-per-series", "NaN"), inv));
}
return 0;
