using System.Diagnostics;
using System.Globalization;
using Auspex.Forecasting;
using Auspex.Forecasting.Models;

namespace Auspex.Bench.Forecasting;

/// <summary>
/// CPU time of the parts of <c>auto+gbt+arima-q</c> (session 9, h-fc7): one GlobalBoosted training with the catalog's
/// options for a member (all series, and all series minus their last horizon), and Auto and AutoARIMA on every k-th
/// series (full series and minus the last horizon), one thread each so the CPU time is that of the work alone.
/// </summary>
internal static class ProfileBench
{
    public static int Run(List<(string Id, double[] Values)> train, int h, string parts, int every, int member)
    {
        var inv = CultureInfo.InvariantCulture;
        var all = train.Select(s => s.Values).ToList();
        var spec = ModelCatalog.WeightedGlobal("auto+gbt+arima-q")!;
        double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        foreach (var part in parts.Split(','))
        {
            var c0 = Cpu();
            var sw = Stopwatch.StartNew();
            string what;
            switch (part)
            {
                case "gbt":
                case "gbt-held":
                {
                    var data = part == "gbt" ? all : all.Where(s => s.Length > h).Select(s => s[..^h]).ToList();
                    var g = GlobalBoosted.Train(data, spec.GlobalOptions(member, data.Select(s => s.Length).ToList(), [24, 168], h));
                    what = string.Create(inv, $"GlobalBoosted member {member} on {data.Count} series ({g.TrainingWindows} windows, {g.Rounds} rounds)");
                    break;
                }
                case "gbt-q":
                {
                    // The eight trainings of auto+gbt+arima-q as ForecastService makes them (one TrainMany call).
                    var shortened = all.Where(s => s.Length > h).Select(s => s[..^h]).ToList();
                    var jobs = new List<(IReadOnlyList<double[]>, GlobalBoostedOptions)>();
                    for (var k = 0; k < spec.GlobalSeeds; k++)
                    {
                        jobs.Add((all, spec.GlobalOptions(k, all.Select(s => s.Length).ToList(), [24, 168], h)));
                    }
                    for (var k = 0; k < spec.GlobalSeeds; k++)
                    {
                        jobs.Add((shortened, spec.GlobalOptions(k, shortened.Select(s => s.Length).ToList(), [24, 168], h)));
                    }
                    var trained = GlobalBoosted.TrainMany(jobs, int.Parse(Environment.GetEnvironmentVariable("AUSPEX_PROFILE_DOP") ?? Environment.ProcessorCount.ToString(inv), inv));
                    what = $"GlobalBoosted.TrainMany, the {jobs.Count} trainings of auto+gbt+arima-q (rounds kept: {string.Join(' ', trained.Select(t => t.Model?.Rounds))})";
                    break;
                }
                case "auto":
                case "auto-shared":
                case "arima":
                {
                    // auto-shared: the backtest and final selections share one CrossValidationCache, as in ForecastService.
                    var n = 0;
                    for (var i = 0; i < all.Count; i += every)
                    {
                        var cache = part == "auto-shared" ? new CrossValidationCache(all[i]) : null;
                        IForecastModel Make() => cache is not null ? ModelCatalog.CreateAuto([24, 168], h, cache) : ModelCatalog.Create(part, [24, 168], h)!;
                        _ = Make().Forecast(all[i][..^h], h, [80, 95]);
                        _ = Make().Forecast(all[i], h, [80, 95]);
                        n++;
                    }
                    what = string.Create(inv, $"{part} backtest + final fit on {n} series");
                    var c = Cpu() - c0;
                    Console.WriteLine(string.Create(inv, $"{what}: CPU {c:F1} s ({c / n:F3} s per series for both fits), wall {sw.Elapsed.TotalSeconds:F1} s"));
                    continue;
                }
                default:
                    Console.Error.WriteLine($"unknown part {part}");
                    return 2;
            }
            Console.WriteLine(string.Create(inv, $"{what}: CPU {Cpu() - c0:F1} s, wall {sw.Elapsed.TotalSeconds:F1} s"));
        }
        return 0;
    }
}
