using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Auspex.Forecasting;
using Auspex.Forecasting.Live;
using Auspex.Forecasting.Models;

namespace Auspex.Bench.Forecasting;

/// <summary>
/// The control loop's forecast stage on the demo fleet (<c>samples/fleet/metrics.csv.gz</c>: 40 VMs × 5 metrics =
/// 200 series, 7 days at 5 min; and the same series averaged to 1 h): time per tick of the old stage (seasonal naive on
/// every series) and of the <see cref="LiveForecaster"/> (automatic selection, cached, retrained), and the MAE of the
/// forecasts both issue over the simulated ticks against the actuals that followed.
/// </summary>
internal static class LoopBench
{
    public static int Run(string fleetFile, int ticks)
    {
        var inv = CultureInfo.InvariantCulture;
        if (!File.Exists(fleetFile))
        {
            Console.Error.WriteLine($"fleet metrics not found at '{Path.GetFullPath(fleetFile)}'; pass --fleet FILE");
            return 2;
        }
        var series = Read(fleetFile);
        Console.WriteLine($"Loop forecast stage: {series.Count} series from {fleetFile}, {Environment.ProcessorCount} cores");
        Console.WriteLine("| data | stage | cold tick ms (wall / CPU) | steady tick ms, median (wall / CPU) | max tick wall ms | MASE | / sNaive | selections |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (label, factor) in new[] { ("5 min (2 h ahead = 24 steps, season 288)", 1), ("1 h (2 h ahead = 2 steps, season 24)", 12) })
        {
            var data = series.Select(s => Aggregate(s, factor)).ToList();
            var step = TimeSpan.FromMinutes(5 * factor);
            var horizon = Math.Max(1, (int)Math.Ceiling(TimeSpan.FromHours(2) / step));
            var season = (int)Math.Round(TimeSpan.FromDays(1) / step);
            var n = data[0].Length;
            // Ticks every hour (loop time) over the last day, each seeing the five days before it (the loop's window).
            var window = (int)(TimeSpan.FromDays(5) / step);
            var perHour = (int)(TimeSpan.FromHours(1) / step);
            var ends = Enumerable.Range(0, ticks).Select(t => n - horizon - (ticks - 1 - t) * perHour).Where(e => e - window >= 0).ToArray();
            double baseMae = 0;
            // Scale per series: in-sample one-day seasonal naive MAE before the first tick (so MASE-like, scale-free).
            var scales = data.Select(d =>
            {
                var sum = 0.0;
                for (var t = season; t < ends[0]; t++)
                {
                    sum += Math.Abs(d[t] - d[t - season]);
                }
                var sc = sum / Math.Max(1, ends[0] - season);
                return sc > 0 ? sc : 1;
            }).ToArray();
            foreach (var (name, budget) in new[] { ("SeasonalNaive (before)", -1), ("Auto, inline, budget 5/tick", 5), ("Auto, no budget", 0) })
            {
                var live = budget < 0 ? null : new LiveForecaster(new LiveForecasterOptions { MaxSelectionsPerTick = budget, SelectionWorkers = 0 });
                var times = new List<double>();
                var cpuTimes = new List<double>();
                var errSum = 0.0;
                var errCount = 0L;
                var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
                var gate = new object();
                foreach (var end in ends)
                {
                    var now = t0 + step * end;
                    var sw = Stopwatch.StartNew();
                    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                    var outputs = new ForecastOutput[data.Count];
                    Parallel.For(0, data.Count, i =>
                    {
                        var y = data[i].AsSpan(end - window, window);
                        outputs[i] = live is null
                            ? (y.Length >= 2 * season ? new SeasonalNaive(season) : (IForecastModel)new Naive()).Forecast(y, horizon, [80, 95])
                            : live.Forecast(i.ToString(inv), y, now - step, step, horizon, [season], [80, 95], now);
                    });
                    times.Add(sw.Elapsed.TotalMilliseconds);
                    cpuTimes.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds);
                    for (var i = 0; i < data.Count; i++)
                    {
                        for (var k = 0; k < horizon && end + k < n; k++)
                        {
                            errSum += Math.Abs(data[i][end + k] - outputs[i].Mean[k]) / scales[i];
                            errCount++;
                        }
                    }
                }
                var mae = errSum / errCount;
                if (live is null)
                {
                    baseMae = mae;
                }
                var steady = times.Skip(Math.Max(1, times.Count / 2)).Order().ToArray();
                var steadyCpu = cpuTimes.Skip(Math.Max(1, times.Count / 2)).Order().ToArray();
                var selections = live?.Snapshot().Sum(s => s.Retrains) ?? 0;
                Console.WriteLine(string.Create(inv,
                    $"| {label} | {name} | {times[0]:F0} / {cpuTimes[0]:F0} | {steady[steady.Length / 2]:F1} / {steadyCpu[steadyCpu.Length / 2]:F1} | {times.Max():F0} | {mae:F3} | {mae / baseMae:F3} | {selections} |"));
                if (live is not null && Verbose)
                {
                    foreach (var g in live.Snapshot().GroupBy(s => s.Model.Split('(')[0]).OrderByDescending(g => g.Count()))
                    {
                        Console.WriteLine($"  {g.Key}: {g.Count()}");
                    }
                }
            }
        }
        return 0;
    }

    internal static bool Verbose { get; set; }

    private static double[] Aggregate(double[] y, int factor)
    {
        if (factor == 1)
        {
            return y;
        }
        var r = new double[y.Length / factor];
        for (var i = 0; i < r.Length; i++)
        {
            var s = 0.0;
            for (var j = 0; j < factor; j++)
            {
                s += y[i * factor + j];
            }
            r[i] = s / factor;
        }
        return r;
    }

    private static List<double[]> Read(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        reader.ReadLine();
        var byId = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var order = new List<string>();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            var parts = line.Split(',');
            if (!byId.TryGetValue(parts[0], out var list))
            {
                byId[parts[0]] = list = [];
                order.Add(parts[0]);
            }
            list.Add(double.Parse(parts[2], CultureInfo.InvariantCulture));
        }
        return order.Select(id => byId[id].ToArray()).ToList();
    }
}
