using System.Diagnostics;
using System.Globalization;
using Auspex.Core.Forecasts;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Orchestration.Pool;
using Auspex.Orchestration.Scaling;

/// <summary>
/// <c>--decider-throughput</c>: scaling decisions per second for N components (default 1,000) on the sample price
/// sheet's five tiers, the tiered decider (<c>DecideAll</c>, budgets off) side by side with a naive proportional rule
/// (replicas = ⌈peak quantile ÷ capacity per replica⌉ on the standard tier, what an HPA-style rule does), with the
/// hourly cost and the preemption-aware cover probability of what each chooses. Synthetic forecasts (seeded): daily
/// sine load per component with level, phase and noise drawn per component, 24 five-minute steps, quantiles from a
/// normal spread. Medians of R repetitions after one warm-up.
/// </summary>
internal static class DeciderThroughput
{
    public static void Run(string root, string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        string Arg(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        var n = int.Parse(Arg("--components", "1000"), inv);
        var reps = int.Parse(Arg("--repetitions", "7"), inv);
        using var csv = File.OpenText(Path.Combine(root, "samples", "pricing", "tiers.csv"));
        var (pool, errors) = TierPool.ParseCsv(csv);
        if (pool is null)
        {
            throw new InvalidOperationException(string.Join("; ", errors));
        }
        var t0 = new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
        var step = TimeSpan.FromMinutes(5);
        var rng = new Random(42);
        var levels = Forecast.DefaultLevels;
        var z = new[] { -1.96, -1.2816, 0, 1.2816, 1.96 };
        var requests = new List<ScalingRequest>(n);
        for (var c = 0; c < n; c++)
        {
            var level = 50 + rng.NextDouble() * 950;
            var phase = rng.NextDouble() * 2 * Math.PI;
            var sd = 0.05 + rng.NextDouble() * 0.15;
            var points = Enumerable.Range(0, 24).Select(i =>
            {
                var mean = level * (1 + 0.4 * Math.Sin(phase + i * 2 * Math.PI / 288));
                return new ForecastPoint(t0 + step * i, mean, z.Select(k => Math.Max(0, mean * (1 + k * sd))).ToArray());
            }).ToList();
            var f = new Forecast(new SeriesKey("requests_per_second", Labels.Of("component", "c" + c.ToString(inv))), "synthetic", t0, step, levels, points);
            requests.Add(new ScalingRequest(TenantId.Default, "c" + c.ToString(inv), f, 100, new Dictionary<string, int> { ["aws/standard"] = 2 }));
        }
        var standard = pool.Find("aws/standard")!;
        var clock = new FixedClock(t0);

        double Median(List<double> xs)
        {
            xs.Sort();
            return xs[xs.Count / 2];
        }
        var tiered = new List<double>();
        IReadOnlyList<ScalingDecision> decisions = [];
        for (var r = 0; r <= reps; r++)
        {
            var decider = ScalingDecider.Create(pool, new ScalingOptions(), clock);
            var sw = Stopwatch.StartNew();
            decisions = decider.DecideAll(requests);
            sw.Stop();
            if (r > 0)
            {
                tiered.Add(sw.Elapsed.TotalMilliseconds);
            }
        }
        var naive = new List<double>();
        var naiveUnits = new int[n];
        for (var r = 0; r <= reps; r++)
        {
            var sw = Stopwatch.StartNew();
            for (var c = 0; c < n; c++)
            {
                // The window the proportional rule looks at: the same as the decider's (interval + the standard lead time).
                var f = requests[c].Demand;
                var end = t0 + TimeSpan.FromMinutes(5) + standard.ProvisioningLeadTime;
                var peak = 0.0;
                for (var i = 0; i < f.Points.Count && f.Points[i].At <= end; i++)
                {
                    peak = Math.Max(peak, f.Quantile(i, 0.95));
                }
                naiveUnits[c] = (int)Math.Ceiling(peak / requests[c].CapacityPerUnit);
            }
            sw.Stop();
            if (r > 0)
            {
                naive.Add(sw.Elapsed.TotalMilliseconds);
            }
        }
        var tieredMs = Median(tiered);
        var naiveMs = Median(naive);
        var tieredCost = decisions.Sum(d => d.TargetCostPerHour);
        var naiveCost = naiveUnits.Sum() * standard.PricePerHour;
        var covered = decisions.Count(d => d.CoverProbability >= 0.99);
        var mix = decisions.SelectMany(d => d.Target).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        Console.WriteLine(string.Create(inv, $"decider throughput: {n} components, {pool.Tiers.Count} tiers, {reps} repetitions (median), {Environment.ProcessorCount} cores"));
        Console.WriteLine("| rule | ms per round (median) | decisions/s | hourly cost of the targets | components covered at q0.95 with ≥ 0.99 after preemptions |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine(string.Create(inv, $"| tiered decider (DecideAll) | {tieredMs:0.0} | {n / (tieredMs / 1000):0} | {tieredCost:0.00} | {covered} / {n} |"));
        Console.WriteLine(string.Create(inv, $"| naive proportional (standard tier) | {naiveMs:0.00} | {n / (naiveMs / 1000):0} | {naiveCost:0.00} | {n} / {n} (no preemptible units) |"));
        Console.WriteLine(string.Create(inv, $"ratio tiered/naive: time ×{tieredMs / naiveMs:0.0}, cost ×{tieredCost / naiveCost:0.00}"));
        Console.WriteLine("tiered mix: " + string.Join(", ", mix.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
