using System.Diagnostics;
using System.Globalization;
using Auspex.Forecasting;
using Auspex.Forecasting.Models;

namespace Auspex.Bench.Forecasting;

/// <summary>
/// Side by side with R's forecast package: runs r/m4_r_forecast.R (ets and auto.arima, defaults, one core) on every
/// k-th M4 Hourly series, or reads its output from an earlier run (one file, or several comma-separated: the parts of a
/// split run), then runs Auspex's models on the same series one at a time on one thread, and prints accuracy and CPU
/// seconds per series for each (R's user + system time when its file has them, else its elapsed seconds). A global
/// model (`auto+gbt+arima-q`) cannot be timed per series: its forecasts come from a `--service-out` file of a run on all
/// series, and its cost per series is that run's CPU time over its series count (<c>--q-cpu-per-series</c>).
/// </summary>
internal static class RComparison
{
    public static void Run(List<(string Id, double[] Values)> train, List<(string Id, double[] Values)> test, string m4Dir, int every, string? resultsFile,
        string? qForecasts = null, double qCpuPerSeries = double.NaN)
    {
        var inv = CultureInfo.InvariantCulture;
        var files = resultsFile?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (files is null)
        {
            var file = Path.Combine(Path.GetTempPath(), "auspex_r_m4.csv");
            files = [file];
            var script = Path.Combine(AppContext.BaseDirectory, "r", "m4_r_forecast.R");
            var psi = new ProcessStartInfo("Rscript", [script, m4Dir, every.ToString(inv), file]) { RedirectStandardError = true, UseShellExecute = false };
            Process? p;
            try
            {
                p = Process.Start(psi);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Console.WriteLine("R comparison skipped: Rscript not found (apt-get install -y r-cran-forecast).");
                return;
            }
            p!.WaitForExit();
            if (p.ExitCode != 0)
            {
                Console.WriteLine($"R comparison failed: {p.StandardError.ReadToEnd()}");
                return;
            }
        }
        // (series, model) -> (seconds, mean[], lo[], hi[])
        var r = new Dictionary<(int, string), (double Sec, double[] Mean, double[] Lo, double[] Hi)>();
        var cpuColumn = true;
        foreach (var file in files)
        {
            var lines = File.ReadLines(file).ToList();
            var header = lines[0].Split(',');
            var cpuIdx = Array.IndexOf(header, "cpu_seconds");
            cpuColumn &= cpuIdx >= 0;
            foreach (var line in lines.Skip(1))
            {
                var c = line.Split(',');
                var key = (int.Parse(c[0], inv), c[1]);
                if (!r.TryGetValue(key, out var v))
                {
                    v = (double.Parse(c[cpuIdx >= 0 ? cpuIdx : 2], inv), new double[48], new double[48], new double[48]);
                    r[key] = v;
                }
                var step = int.Parse(c[3], inv) - 1;
                v.Mean[step] = double.Parse(c[4], inv);
                v.Lo[step] = double.Parse(c[5], inv);
                v.Hi[step] = double.Parse(c[6], inv);
            }
        }
        var complete = r.Keys.Select(k => k.Item1).Distinct().Where(i => r.ContainsKey((i, "ets")) && r.ContainsKey((i, "auto.arima"))).Order().ToArray();
        if (complete.Length == 0)
        {
            Console.WriteLine($"R comparison: no complete series in {string.Join(", ", files)}.");
            return;
        }
        Dictionary<string, (double[] Mean, double[] Lo, double[] Hi)>? q = null;
        if (qForecasts is not null)
        {
            q = [];
            foreach (var line in File.ReadLines(qForecasts).Skip(1))
            {
                var c = line.Split(',');
                if (!q.TryGetValue(c[0], out var v))
                {
                    v = (new double[48], new double[48], new double[48]);
                    q[c[0]] = v;
                }
                var step = int.Parse(c[1], inv) - 1;
                v.Mean[step] = double.Parse(c[2], inv);
                v.Lo[step] = double.Parse(c[5], inv);
                v.Hi[step] = double.Parse(c[6], inv);
            }
        }
        var unit = cpuColumn ? "CPU s" : "s (elapsed)";
        Console.WriteLine();
        Console.WriteLine($"Side by side with R forecast (same machine, one core each, {complete.Length} series: {string.Join(' ', complete.Select(i => train[i].Id))})");
        Console.WriteLine($"| model | sMAPE | MASE | MSIS | 95% coverage | {unit}/series (mean) | {unit}/series (median) | R auto.arima mean / this mean | R auto.arima median / this median |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        var arimaTimes = complete.Select(i => r[(i, "auto.arima")].Sec).ToArray();
        var arimaMean = arimaTimes.Average();
        var arimaMedian = MedianOf([.. arimaTimes]);
        void Row(string name, Func<int, (double Sec, double[] Mean, double[] Lo, double[] Hi)> run)
        {
            double smape = 0, mase = 0, msis = 0, cover = 0;
            var times = new List<double>();
            foreach (var i in complete)
            {
                var (sec, mean, lo, hi) = run(i);
                times.Add(sec);
                var scale = Metrics.SeasonalScale(train[i].Values, 24);
                smape += Metrics.Smape(test[i].Values, mean);
                mase += Metrics.Mase(test[i].Values, mean, scale);
                msis += Metrics.Msis(test[i].Values, lo, hi, scale);
                cover += Metrics.Coverage(test[i].Values, lo, hi);
            }
            var n = complete.Length;
            var mean0 = times.Average();
            var median = MedianOf([.. times]);
            Console.WriteLine(string.Create(inv, $"| {name} | {smape / n:F3} | {mase / n:F3} | {msis / n:F3} | {cover / n:F3} | {mean0:F3} | {median:F3} | {arimaMean / mean0:F1} | {arimaMedian / median:F1} |"));
        }
        Row("R ets", i => r[(i, "ets")]);
        Row("R auto.arima", i => r[(i, "auto.arima")]);
        foreach (var (name, make) in new (string, Func<IForecastModel>)[]
        {
            ("Auspex AutoETS", () => new AutoEts(24)),
            ("Auspex AutoARIMA (`arima`)", () => ModelCatalog.Create("arima", [24, 168], 48)!),
            ("Auspex Auto (`auto`)", () => ModelCatalog.Create("auto", [24, 168], 48)!),
        })
        {
            Row(name, i =>
            {
                // CPU time of this process around one forecast on this thread (nothing else runs in the process).
                var c0 = Process.GetCurrentProcess().TotalProcessorTime;
                var f = make().Forecast(train[i].Values, 48, [95]);
                var cpu = (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalSeconds;
                return (cpu, f.Mean, f.Lower(95), f.Upper(95));
            });
        }
        if (q is not null)
        {
            Row("Auspex `auto+gbt+arima-q` (run on all 414 series; its CPU per series)", i =>
            {
                var v = q[train[i].Id];
                return (qCpuPerSeries, v.Mean, v.Lo, v.Hi);
            });
        }
    }

    private static double MedianOf(double[] v)
    {
        Array.Sort(v);
        return v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
    }
}
