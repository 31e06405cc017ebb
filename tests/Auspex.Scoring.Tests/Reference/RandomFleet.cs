using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Scoring;

namespace Auspex.Scoring.Tests.Reference;

/// <summary>
/// A seeded random fleet that exercises every branch of a scoring pass: uneven racks (some with one host), hosts with
/// a zero capacity, forecasts of different lengths, level sets and list types (arrays, lists), point-mass and flat
/// forecasts, power and temperature forecasts, failures on hosts, racks and components, a maintenance window,
/// locality-specific and fleet-wide tariff bands, tiers sharing a name across providers, a latency matrix with
/// explicit entries, and components whose dependencies name services. Shared by the reference test and the bench.
/// </summary>
internal sealed record RandomFleet(Topology Topology, IReadOnlyList<HostForecast> Forecasts, DateTimeOffset At, ScoringContext Context)
{
    public static RandomFleet Create(int seed, int regions = 2, int zones = 2, int racks = 4, int maxHosts = 6, bool withExtras = true)
    {
        var rng = new Random(seed);
        var at = new DateTimeOffset(2026, 3, 1, 6, 30, 0, TimeSpan.Zero);
        var locs = new List<Locality>();
        var hosts = new List<string>();
        var racksIds = new List<string>();
        var capacityKinds = ResourceKinds.All.Where(k => k.IsCapacity()).ToList();
        for (var r = 0; r < regions; r++)
        {
            var rid = $"r{r}";
            locs.Add(new(rid, LocalityKind.Region, null, ResourceVector.Zero, null, Labels.Of("provider", r == 0 ? "onprem" : "aws")));
            for (var z = 0; z < zones; z++)
            {
                var zid = $"{rid}z{z}";
                locs.Add(new(zid, LocalityKind.Zone, rid, ResourceVector.Zero, null, Labels.Empty));
                for (var k = 0; k < racks; k++)
                {
                    var kid = $"{zid}k{k}";
                    racksIds.Add(kid);
                    locs.Add(new(kid, LocalityKind.Rack, zid, ResourceVector.Zero, null, Labels.Empty));
                    var n = k == 0 ? 1 : rng.Next(1, maxHosts + 1);
                    for (var h = 0; h < n; h++)
                    {
                        var hid = $"{kid}h{h}";
                        hosts.Add(hid);
                        var caps = capacityKinds.Select(c => new KeyValuePair<ResourceKind, double>(c,
                            rng.NextDouble() < 0.05 ? 0 : c == ResourceKind.Memory ? 64e9 * (1 + rng.Next(4)) : 10 + rng.Next(100)));
                        locs.Add(new(hid, LocalityKind.Host, kid, ResourceVector.From(caps), rng.Next(3) switch { 0 => "spot", 1 => "standard", _ => null },
                            Labels.Empty));
                    }
                }
            }
        }
        var components = Enumerable.Range(0, Math.Max(4, hosts.Count / 3)).Select(i => new Component($"c{i}", $"s{i % 5}",
            ResourceVector.Of((ResourceKind.Cpu, 1)), 2, Enumerable.Range(0, 1 + rng.Next(3)).Select(_ => hosts[rng.Next(hosts.Count)]).ToList(), [])).ToList();
        var edges = new List<DependencyEdge>();
        for (var i = 0; i < components.Count * 2; i++)
        {
            var a = rng.Next(components.Count);
            var to = rng.Next(4) == 0 ? $"s{rng.Next(5)}" : $"c{rng.Next(components.Count)}";
            if (to != $"c{a}" && !edges.Any(e => e.From == $"c{a}" && e.To == to))
            {
                edges.Add(new DependencyEdge($"c{a}", to, rng.NextDouble() * 100, rng.NextDouble() * 1e6));
            }
        }
        var failures = new List<FailureEvent>();
        for (var i = 0; i < hosts.Count * 2; i++)
        {
            var target = rng.Next(10) switch { 0 => racksIds[rng.Next(racksIds.Count)], 1 => components[rng.Next(components.Count)].Id, _ => hosts[rng.Next(hosts.Count)] };
            failures.Add(new FailureEvent(target, at - TimeSpan.FromHours(rng.NextDouble() * 24 * 200), "hardware", null));
        }
        var maintenance = withExtras
            ? new List<MaintenanceWindow> { new(racksIds[1], new TimeRange(at + TimeSpan.FromHours(1), at + TimeSpan.FromHours(3)), "firmware") }
            : [];
        var created = Topology.Create(TenantId.Default, locs, components, edges,
            [
                new Tier("standard", "onprem", 0.4, 1, 0, TimeSpan.Zero), new Tier("standard", "aws", 0.55, 1, 0, TimeSpan.Zero),
                new Tier("spot", "onprem", 0.15, 1, 0.01, TimeSpan.Zero),
            ],
            maintenance: maintenance, failures: failures);
        var topology = created.Topology ?? throw new InvalidOperationException(string.Join("; ", created.Errors));

        var forecasts = new List<HostForecast>();
        IReadOnlyList<double>[] levelSets = [Forecast.DefaultLevels, new List<double> { 0.1, 0.5, 0.9 }, new[] { 0.05, 0.25, 0.5, 0.75, 0.95 }];
        foreach (var h in hosts)
        {
            if (rng.Next(20) == 0)
            {
                continue; // a host without forecasts
            }
            var steps = rng.Next(10) == 0 ? 6 : 12;
            foreach (var kind in capacityKinds.Append(ResourceKind.Temperature))
            {
                var levels = levelSets[rng.Next(levelSets.Length)];
                var cap = topology.Find(h)!.Capacity[kind];
                var mean = kind == ResourceKind.Temperature ? 20 + rng.NextDouble() * 30 : (cap > 0 ? cap : 50) * rng.NextDouble() * 1.1;
                var sd = rng.Next(15) == 0 ? 0 : (cap > 0 ? cap : 50) * rng.NextDouble() * 0.15;
                var zs = levels.Select(l => NormalScore(l)).ToArray();
                var asArray = rng.Next(2) == 0;
                var points = Enumerable.Range(1, steps).Select(i =>
                {
                    var m = mean * (1 + 0.01 * i);
                    var qs = zs.Select(z => m + z * sd).ToList();
                    return new ForecastPoint(at + TimeSpan.FromMinutes(5 * i), m, asArray ? qs.ToArray() : qs);
                }).ToList();
                forecasts.Add(new HostForecast(h, kind, new Forecast(new SeriesKey(kind.MetricName(), Labels.Of("host", h)), "random", at, TimeSpan.FromMinutes(5), levels, points)));
            }
        }
        var tariff = new PowerTariff([new TariffBand(racksIds[2], 0, 12, 0.05), new TariffBand("*", 7, 22, 0.25), new TariffBand("*", 22, 7, 0.12)]);
        var latency = new LatencyMatrix([(racksIds[0], racksIds[1], 0.7), ("r0", "r1", 55), (hosts[0], hosts[1], 0.03)]);
        var anomalies = hosts.Where(_ => rng.Next(4) == 0).ToDictionary(h => h, _ => rng.NextDouble(), StringComparer.Ordinal);
        var context = withExtras
            ? new ScoringContext { Tariff = tariff, Latency = latency, AnomalyScores = anomalies, FailuresObservedSince = at - TimeSpan.FromDays(365) }
            : new ScoringContext { Tariff = tariff };
        return new RandomFleet(topology, forecasts, at, context);
    }

    // Acklam-free: the few levels used here, to keep forecasts symmetric about the mean.
    private static double NormalScore(double level) => level switch
    {
        0.025 => -1.959964,
        0.05 => -1.644854,
        0.1 => -1.281552,
        0.25 => -0.674490,
        0.5 => 0,
        0.75 => 0.674490,
        0.9 => 1.281552,
        0.95 => 1.644854,
        0.975 => 1.959964,
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };
}
