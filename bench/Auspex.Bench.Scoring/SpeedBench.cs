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
        var first = scorer.Assess(topology, forecasts, at, new ScoringContext { Tariff = tariff, FailuresObservedSince = at - TimeSpan.FromDays(365) });
        var withFit = sw.Elapsed.TotalMilliseconds;
        // The straightforward path (tests/Auspex.Scoring.Tests/Reference) and the optimised one, alternating in one
        // process so both see the same machine load; each warmed up once first.
        var reference = new ReferenceLocalityScorer();
        var referenceReport = reference.Assess(topology, forecasts, at, ctx);
        var report = scorer.Assess(topology, forecasts, at, ctx);
        var maxDiff = 0.0;
        for (var i = 0; i < report.Scores.Count; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(report.Scores[i].Desirability - referenceReport.Scores[i].Desirability));
            foreach (var (name, part) in report.Scores[i].Parts)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(part.Value - referenceReport.Scores[i].Parts[name].Value));
            }
        }
        var sameText = report.Scores.Select((s, i) => s.Parts.All(p => p.Value.Explanation == referenceReport.Scores[i].Parts[p.Key].Explanation)).All(x => x);
        referenceReport = null;
        var proc = Process.GetCurrentProcess();
        var runs = new Dictionary<string, (List<double> Wall, List<double> Cpu, int Gc0)>
        {
            ["reference"] = ([], [], 0),
            ["optimised"] = ([], [], 0),
        };
        for (var i = 0; i < 7; i++)
        {
            foreach (var name in runs.Keys.ToList())
            {
                var gc0 = GC.CollectionCount(0);
                proc.Refresh();
                var c0 = proc.TotalProcessorTime;
                sw.Restart();
                var r = name == "reference" ? reference.Assess(topology, forecasts, at, ctx) : scorer.Assess(topology, forecasts, at, ctx);
                var wall = sw.Elapsed.TotalMilliseconds;
                proc.Refresh();
                var (w, c, g) = runs[name];
                w.Add(wall);
                c.Add((proc.TotalProcessorTime - c0).TotalMilliseconds);
                runs[name] = (w, c, g + GC.CollectionCount(0) - gc0);
                _ = r;
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"localities {topology.Localities.Count} (hosts {hosts.Count}), forecasts {forecasts.Count} (8 resources × 12 steps × 5 levels), components {components.Count}, edges {edges.Count}, failures {failures.Count}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scored {report.Scores.Count} localities, {report.Components.Count} components; parts per score {report.Scores.Average(s => s.Parts.Count):0.##}; optimised vs reference: max |Δ| over desirability and parts {maxDiff:0.###e+0}, explanations identical: {sameText}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first optimised pass (failure-model fit, fleet index, proximity): {withFit:0} ms wall"));
        Console.WriteLine("| path | CPU ms median (min) | wall ms median (min) | gen0 GCs per pass |");
        Console.WriteLine("| --- | --- | --- | --- |");
        foreach (var (name, (w, c, g)) in runs)
        {
            w.Sort();
            c.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {c[c.Count / 2]:0.0} ({c[0]:0.0}) | {w[w.Count / 2]:0.0} ({w[0]:0.0}) | {g / (double)w.Count:0.#} |"));
        }
        var (rw, rc, _) = runs["reference"];
        var (ow, oc, _) = runs["optimised"];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio reference / optimised: CPU {rc[rc.Count / 2] / oc[oc.Count / 2]:0.0}×, wall {rw[rw.Count / 2] / ow[ow.Count / 2]:0.0}×; load average at the end: {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores"));
        _ = first;
    }
}
