using System.Diagnostics;
using System.Globalization;
using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Scoring;
using Auspex.Scoring.Tests.Reference;

namespace Auspex.Bench.Scoring;

/// <summary>
/// Times one scoring pass over a synthetic fleet: 2 regions × 4 zones × 25 racks × 49 hosts (10,010 localities), each
/// host with forecasts of 8 resources (7 capacities + temperature; 12 steps of 5 min, 5 quantile levels), 1,000
/// components with 1,500 call edges, 2,000 failure records, tier prices and a tariff. Seeded (42).
/// </summary>
internal static class SpeedBench
{
    public static void Run(int localities)
    {
        var rng = new Random(42);
        var at = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        const int regions = 2, zones = 4, racks = 25;
        var hostsPerRack = Math.Max(1, (int)Math.Ceiling((localities - regions - regions * zones - regions * zones * racks) / (double)(regions * zones * racks)));
        var locs = new List<Locality>();
        var hosts = new List<string>();
        var capacityKinds = ResourceKinds.All.Where(k => k.IsCapacity()).ToList();
        for (var r = 0; r < regions; r++)
        {
            var rid = $"r{r}";
            locs.Add(new(rid, LocalityKind.Region, null, ResourceVector.Zero, null, Labels.Empty));
            for (var z = 0; z < zones; z++)
            {
                var zid = $"{rid}z{z}";
                locs.Add(new(zid, LocalityKind.Zone, rid, ResourceVector.Zero, null, Labels.Empty));
                for (var k = 0; k < racks; k++)
                {
                    var kid = $"{zid}k{k}";
                    locs.Add(new(kid, LocalityKind.Rack, zid, ResourceVector.Zero, null, Labels.Empty));
                    for (var h = 0; h < hostsPerRack; h++)
                    {
                        var hid = $"{kid}h{h}";
                        hosts.Add(hid);
                        locs.Add(new(hid, LocalityKind.Host, kid, ResourceVector.From(capacityKinds.Select(c => new KeyValuePair<ResourceKind, double>(c, 100))),
                            h % 3 == 0 ? "spot" : "standard", Labels.Empty));
                    }
                }
            }
        }
        var components = Enumerable.Range(0, 1000).Select(i => new Component($"c{i}", $"s{i % 100}", ResourceVector.Of((ResourceKind.Cpu, 1)), 3,
            Enumerable.Range(0, 3).Select(_ => hosts[rng.Next(hosts.Count)]).ToList(), [])).ToList();
        var edges = Enumerable.Range(0, 1500).Select(_ => (a: rng.Next(1000), b: rng.Next(1000))).Where(e => e.a != e.b).Distinct()
            .Select(e => new DependencyEdge($"c{e.a}", $"c{e.b}", rng.NextDouble() * 100, rng.NextDouble() * 1e6)).ToList();
        var failures = Enumerable.Range(0, 2000).Select(_ => new FailureEvent(hosts[rng.Next(hosts.Count)], at - TimeSpan.FromHours(rng.NextDouble() * 24 * 365), "hardware", null)).ToList();
        var topology = Topology.Create(TenantId.Default, locs, components, edges,
            [new Tier("standard", "onprem", 0.4, 1, 0, TimeSpan.Zero), new Tier("spot", "onprem", 0.15, 1, 0.01, TimeSpan.Zero)],
            failures: failures).Topology!;
        var levels = Forecast.DefaultLevels;
        var zs = new[] { -1.96, -1.2816, 0, 1.2816, 1.96 };
        var forecasts = new List<HostForecast>();
        foreach (var h in hosts)
        {
            foreach (var kind in capacityKinds.Append(ResourceKind.Temperature))
            {
                var mean = kind == ResourceKind.Temperature ? 25 + rng.NextDouble() * 20 : rng.NextDouble() * 90;
                var sd = 1 + rng.NextDouble() * 10;
                var points = Enumerable.Range(1, 12).Select(i =>
                {
                    var m = mean + i * 0.2;
                    return new ForecastPoint(at + TimeSpan.FromMinutes(5 * i), m, zs.Select(q => m + q * sd).ToList());
                }).ToList();
                forecasts.Add(new HostForecast(h, kind, new Forecast(new SeriesKey(kind.MetricName(), Labels.Of("host", h)), "bench", at, TimeSpan.FromMinutes(5), levels, points)));
            }
        }
        var tariff = new PowerTariff([new TariffBand("*", 7, 22, 0.25), new TariffBand("*", 22, 7, 0.12)]);
        var scorer = new LocalityScorer();
        var model = FailureRateModel.Fit(FailureHistory.HostExposures(topology, failures, at - TimeSpan.FromDays(365), at, TimeSpan.FromDays(90)));
        var ctx = new ScoringContext { FailureModel = model, Tariff = tariff };

        var sw = Stopwatch.StartNew();
        var columns = ForecastColumns.From(forecasts);
        var convert = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var first = scorer.Assess(topology, columns, at, new ScoringContext { Tariff = tariff, FailuresObservedSince = at - TimeSpan.FromDays(365) });
        var withFit = sw.Elapsed.TotalMilliseconds;
        // The straightforward path (tests/Auspex.Scoring.Tests/Reference), the object-input path (HostForecast list,
        // converted to columns inside the pass) and the columnar pass, alternating in one process so all see the same
        // machine load; each warmed up once first.
        var reference = new ReferenceLocalityScorer();
        var referenceReport = reference.Assess(topology, forecasts, at, ctx);
        _ = scorer.Assess(topology, forecasts, at, ctx);
        var report = scorer.Assess(topology, columns, at, ctx);
        var maxDiff = 0.0;
        for (var i = 0; i < report.Scores.Count; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(report.Scores[i].Desirability - referenceReport.Scores[i].Desirability));
            foreach (var (name, part) in report.Scores[i].Parts)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(part.Value - referenceReport.Scores[i].Parts[name].Value));
            }
        }
        var sameText = report.Scores.Count == referenceReport.Scores.Count
            && report.Scores.Select((s, i) => s.Locality == referenceReport.Scores[i].Locality
                && s.Parts.Keys.SequenceEqual(referenceReport.Scores[i].Parts.Keys)
                && s.Parts.All(p => p.Value.Explanation == referenceReport.Scores[i].Parts[p.Key].Explanation)).All(x => x);
        var sameDetails = report.Details.Count == referenceReport.Details.Count && report.Details.All(d =>
        {
            var e = referenceReport.Details[d.Key];
            return d.Value.Capacity.SequenceEqual(e.Capacity) && d.Value.Cost?.PerCoreHour == e.Cost?.PerCoreHour
                && d.Value.Risk?.Probability == e.Risk?.Probability && (d.Value.Risk?.Reasons ?? []).SequenceEqual(e.Risk?.Reasons ?? [])
                && d.Value.Proximity == e.Proximity;
        });
        var sameHps = report.Components.Select(c => (c.Component, c.Hps)).SequenceEqual(referenceReport.Components.Select(c => (c.Component, c.Hps)));
        referenceReport = null;
        report = null;
        var proc = Process.GetCurrentProcess();
        var oneThread = new LocalityScorer(new ScoringOptions { Parallelism = 1 });
        _ = oneThread.Assess(topology, columns, at, ctx);
        string[] names = ["reference", "object input", "columnar pass, 1 thread", "columnar pass", "explanations + details"];
        var runs = names.ToDictionary(n => n, _ => (Wall: new List<double>(), Cpu: new List<double>(), Gc0: 0, Bytes: 0L));
        const int Passes = 9;
        for (var i = 0; i < Passes; i++)
        {
            ScoringReport? columnar = null;
            foreach (var name in names)
            {
                if (name != "explanations + details")
                {
                    // Each path starts from a collected heap, so none pays for the garbage of the path before it.
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                }
                var gc0 = GC.CollectionCount(0);
                var bytes = GC.GetTotalAllocatedBytes(precise: true);
                proc.Refresh();
                var c0 = proc.TotalProcessorTime;
                sw.Restart();
                switch (name)
                {
                    case "reference":
                        _ = reference.Assess(topology, forecasts, at, ctx);
                        break;
                    case "object input":
                        _ = scorer.Assess(topology, forecasts, at, ctx);
                        break;
                    case "columnar pass":
                        columnar = scorer.Assess(topology, columns, at, ctx);
                        break;
                    case "columnar pass, 1 thread":
                        _ = oneThread.Assess(topology, columns, at, ctx);
                        break;
                    case "explanations + details":
                        var chars = 0L;
                        foreach (var s in columnar!.Scores)
                        {
                            foreach (var part in s.Parts.Values)
                            {
                                chars += part.Explanation.Length;
                            }
                        }
                        foreach (var d in columnar.Details.Values)
                        {
                            chars += d.Capacity.Count;
                        }
                        _ = chars;
                        break;
                    default:
                        throw new InvalidOperationException(name);
                }
                var wall = sw.Elapsed.TotalMilliseconds;
                proc.Refresh();
                var r = runs[name];
                r.Wall.Add(wall);
                r.Cpu.Add((proc.TotalProcessorTime - c0).TotalMilliseconds);
                runs[name] = (r.Wall, r.Cpu, r.Gc0 + GC.CollectionCount(0) - gc0, r.Bytes + GC.GetTotalAllocatedBytes(precise: true) - bytes);
            }
        }
        // Where the columnar pass's time goes: process CPU and wall at each stage's end, one instrumented series.
        var stages = new Dictionary<string, (List<double> Cpu, List<double> Wall)>();
        var last = (Cpu: TimeSpan.Zero, Wall: 0.0);
        scorer.Checkpoint = stage =>
        {
            proc.Refresh();
            var (cpu, wall) = (proc.TotalProcessorTime, sw.Elapsed.TotalMilliseconds);
            if (!stages.TryGetValue(stage, out var l))
            {
                stages[stage] = l = ([], []);
            }
            l.Cpu.Add((cpu - last.Cpu).TotalMilliseconds);
            l.Wall.Add(wall - last.Wall);
            last = (cpu, wall);
        };
        var series = (Cpu: new List<double>(), Wall: new List<double>());
        for (var i = 0; i < Passes; i++)
        {
            proc.Refresh();
            var start = proc.TotalProcessorTime;
            sw.Restart();
            last = (start, 0);
            _ = scorer.Assess(topology, columns, at, ctx);
            var wall = sw.Elapsed.TotalMilliseconds;
            proc.Refresh();
            series.Cpu.Add((proc.TotalProcessorTime - start).TotalMilliseconds);
            series.Wall.Add(wall);
        }
        scorer.Checkpoint = null;

        static double Median(List<double> x)
        {
            var s = x.Order().ToList();
            return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"localities {topology.Localities.Count} (hosts {hosts.Count}), forecasts {forecasts.Count} (8 resources × 12 steps × 5 levels), components {components.Count}, edges {edges.Count}, failures {failures.Count}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scored {first.Scores.Count} localities, {first.Components.Count} components; parts per score {first.Scores.Average(s => s.Parts.Count):0.##}; columnar vs reference: max |Δ| over desirability and parts {maxDiff:0.###e+0}, explanations identical: {sameText}, details identical: {sameDetails}, HPS identical: {sameHps}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"one-off: converting the {forecasts.Count} HostForecast objects to columns {convert:0} ms wall; first columnar pass (failure-model fit, fleet index, placement, proximity) {withFit:0} ms wall"));
        Console.WriteLine($"| path | CPU ms median (min) | wall ms median (min) | gen0 GCs per pass | MB allocated per pass |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var name in names)
        {
            var (w, c, g, b) = runs[name];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Median(c):0.0} ({c.Min():0.0}) | {Median(w):0.0} ({w.Min():0.0}) | {g / (double)w.Count:0.#} | {b / (double)w.Count / 1e6:0.#} |"));
        }
        var (rw, rc, _, _) = runs["reference"];
        var (ow, oc, _, _) = runs["object input"];
        var (cw, cc, _, _) = runs["columnar pass"];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio reference / columnar pass: CPU {Median(rc) / Median(cc):0.0}×, wall {Median(rw) / Median(cw):0.0}×; reference / object input: CPU {Median(rc) / Median(oc):0.0}×, wall {Median(rw) / Median(ow):0.0}×"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"columnar pass back to back (instrumented, no collection between passes): CPU {Median(series.Cpu):0.0} ({series.Cpu.Min():0.0}) ms, wall {Median(series.Wall):0.0} ({series.Wall.Min():0.0}) ms"));
        Console.WriteLine("columnar pass by stage (instrumented series, process CPU / wall ms, medians): "
            + string.Join(", ", stages.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {Median(kv.Value.Cpu):0.0} / {Median(kv.Value.Wall):0.0}"))));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"load average at the end: {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores; server GC: {System.Runtime.GCSettings.IsServerGC}"));
    }
}
