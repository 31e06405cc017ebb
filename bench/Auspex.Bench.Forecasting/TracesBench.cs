using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Auspex.Forecasting;
using Auspex.Forecasting.Batch;
using Auspex.Forecasting.Models;

namespace Auspex.Bench.Forecasting;

/// <summary>
/// Per-VM CPU forecasting on the Bitbrains Rnd and Azure V1 samples (5-min data): the last two days of each VM are held
/// out; forecasts from origins inside them at horizons 1 h (12 steps, an origin every 12 h) and 24 h (288 steps, an
/// origin at the start of each held-out day), each from the preceding 14 days. MASE is scaled by the in-sample
/// seasonal naive (one day) MAE; coverage of the 80% and 95% intervals.
/// </summary>
internal static class TracesBench
{
    private const int Day = 288;
    private const int History = 14 * Day;

    public static int Run(string dir, int maxVms)
    {
        var inv = CultureInfo.InvariantCulture;
        var series = new List<(string Source, string Id, double[] Y)>();
        var bb = Path.Combine(dir, "bitbrains_rnd", "vms");
        var az = Path.Combine(dir, "azure_vm_v1_sample", "vm_cpu_5min.csv.gz");
        if (!Directory.Exists(bb) && !File.Exists(az))
        {
            Console.Error.WriteLine($"Trace samples not found under '{Path.GetFullPath(dir)}' (expected bitbrains_rnd/vms and azure_vm_v1_sample). Pass --traces DIR.");
            return 2;
        }
        if (Directory.Exists(bb))
        {
            foreach (var file in Directory.GetFiles(bb, "*.csv.gz").Order(StringComparer.Ordinal).Take(maxVms))
            {
                var builder = SeriesBatch.CreateBuilder(hasTime: true);
                foreach (var line in ReadGz(file).Skip(1))
                {
                    var c = line.Split(',');
                    builder.Add("vm", DateTimeOffset.FromUnixTimeSeconds(long.Parse(c[0], inv)).UtcTicks, double.Parse(c[4], inv));
                }
                var batch = builder.Build();
                series.Add(("bitbrains", Path.GetFileName(file), batch.Values(0).ToArray()));
            }
        }
        if (File.Exists(az))
        {
            var byVm = new Dictionary<string, List<double>>(StringComparer.Ordinal);
            foreach (var line in ReadGz(az).Skip(1))
            {
                var c = line.Split(',');
                if (!byVm.TryGetValue(c[0], out var list))
                {
                    byVm[c[0]] = list = [];
                }
                list.Add(double.Parse(c[2], inv));
            }
            foreach (var (id, list) in byVm.Take(maxVms))
            {
                series.Add(("azure", id, [.. list]));
            }
        }
        var shiftDays = int.TryParse(Environment.GetEnvironmentVariable("AUSPEX_TRACES_SHIFT_DAYS"), NumberStyles.Integer, inv, out var sd) ? sd : 0;
        if (shiftDays > 0)
        {
            // Validation: drop the last shiftDays days of every VM, so the two scored days precede the reported ones.
            series = [.. series.Select(s => (s.Source, s.Id, s.Y.Length > shiftDays * Day ? s.Y[..^(shiftDays * Day)] : []))];
            Console.WriteLine($"VALIDATION: the last {shiftDays} days of every VM dropped; the two days before them are scored.");
        }
        Console.WriteLine($"Traces: {series.Count(s => s.Source == "bitbrains")} Bitbrains + {series.Count(s => s.Source == "azure")} Azure VMs, 5-min CPU %, last 2 days held out, fit on the preceding 14 days");
        var models = new (string Name, Func<int, IForecastModel> Make)[]
        {
            ("SeasonalNaive", _ => new SeasonalNaive(Day)),
            ("Naive", _ => new Naive()),
            ("Theta", _ => new Theta(Day)),
            ("MSTL", _ => new Mstl([Day])),
            ("Auto", h => new AutoSelect([new SeasonalNaive(Day), new Naive(), new Theta(Day), new Mstl([Day])],
                new AutoSelectOptions { CrossValidation = new() { Horizon = h, Windows = 2, MinTrainLength = 3 * Day } })),
        };
        if (Environment.GetEnvironmentVariable("AUSPEX_TRACES_VARIANTS") is { Length: > 0 })
        {
            // Selection variants for day-ahead forecasts on strongly daily VMs (the Azure 24 h weakness).
            models =
            [
                .. models,
                ("Auto 6w", h => new AutoSelect([new SeasonalNaive(Day), new Naive(), new Theta(Day), new Mstl([Day])],
                    new AutoSelectOptions { CrossValidation = new() { Horizon = h, Windows = 6, Step = Math.Min(h, Day / 2), MinTrainLength = 3 * Day } })),
                ("Auto floor10", h => new AutoSelect([new SeasonalNaive(Day), new Naive(), new Theta(Day), new Mstl([Day])],
                    new AutoSelectOptions { CrossValidation = new() { Horizon = h, Windows = 2, MinTrainLength = 3 * Day }, BenchmarkMargin = 0.1 })),
                ("Auto floor25", h => new AutoSelect([new SeasonalNaive(Day), new Naive(), new Theta(Day), new Mstl([Day])],
                    new AutoSelectOptions { CrossValidation = new() { Horizon = h, Windows = 2, MinTrainLength = 3 * Day }, BenchmarkMargin = 0.25 })),
            ];
        }
        // Optional filters for quick studies: AUSPEX_TRACES_MODELS=a,b (SeasonalNaive is always run first, it is the ratio's base),
        // AUSPEX_TRACES_ONLY=azure:24 h (one source and horizon).
        if (Environment.GetEnvironmentVariable("AUSPEX_TRACES_MODELS") is { Length: > 0 } only)
        {
            var keep = only.Split(',').Append("SeasonalNaive").ToHashSet(StringComparer.OrdinalIgnoreCase);
            models = [.. models.Where(mo => keep.Contains(mo.Name))];
        }
        var onlyCase = Environment.GetEnvironmentVariable("AUSPEX_TRACES_ONLY");
        foreach (var (label, h, spacing) in new[] { ("1 h", 12, Day / 2), ("24 h", Day, Day) })
        {
            Console.WriteLine();
            Console.WriteLine($"Horizon {label} ({h} steps), origins every {spacing / 12} h over the 2 held-out days");
            Console.WriteLine("| source | model | MASE | MASE / sNaive | 80% coverage | 95% coverage | fallbacks | wall s |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            foreach (var source in new[] { "bitbrains", "azure" })
            {
                if (onlyCase is { Length: > 0 } && onlyCase != source + ":" + label)
                {
                    continue;
                }
                var set = series.Where(s => s.Source == source && s.Y.Length >= History + 2 * Day).ToList();
                if (set.Count == 0)
                {
                    continue;
                }
                double? snaiveMase = null;
                foreach (var (name, make) in models)
                {
                    var mase = new List<double>[set.Count];
                    var c80 = new double[set.Count];
                    var c95 = new double[set.Count];
                    var points = new int[set.Count];
                    var fallbacks = 0;
                    var sw = Stopwatch.StartNew();
                    Parallel.For(0, set.Count, i =>
                    {
                        var y = set[i].Y;
                        var holdStart = y.Length - 2 * Day;
                        mase[i] = [];
                        for (var origin = holdStart; origin + h <= y.Length; origin += spacing)
                        {
                            var train = y.AsSpan(origin - History, History);
                            var f = make(h).Forecast(train, h, [80, 95]);
                            if (!f.IsSuccess)
                            {
                                f = new Naive().Forecast(train, h, [80, 95]);
                            }
                            if (f.Status != ForecastStatus.Ok)
                            {
                                Interlocked.Increment(ref fallbacks);
                            }
                            var actual = y.AsSpan(origin, h);
                            var scale = Metrics.SeasonalScale(train, Day);
                            if (scale <= 1e-9)
                            {
                                scale = 1e-9;
                            }
                            mase[i].Add(Metrics.Mase(actual, f.Mean, scale));
                            c80[i] += Metrics.Coverage(actual, f.Lower(80), f.Upper(80)) * h;
                            c95[i] += Metrics.Coverage(actual, f.Lower(95), f.Upper(95)) * h;
                            points[i] += h;
                        }
                    });
                    var secs = sw.Elapsed.TotalSeconds;
                    var all = mase.SelectMany(m => m).Where(double.IsFinite).ToArray();
                    var meanMase = all.Average();
                    snaiveMase ??= meanMase;
                    var total = points.Sum();
                    Console.WriteLine(string.Create(inv,
                        $"| {source} | {name} | {meanMase:F3} | {meanMase / snaiveMase.Value:F3} | {c80.Sum() / total:F3} | {c95.Sum() / total:F3} | {fallbacks} | {secs:F1} |"));
                }
            }
        }
        return 0;
    }

    private static IEnumerable<string> ReadGz(string path)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            yield return line;
        }
    }
}
