using System.Globalization;
using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Placement.Global;
using Auspex.Placement.Selection;

namespace Auspex.Bench.Placement;

internal static class Synthetic
{
    private const double GiB = 1024.0 * 1024 * 1024;

    /// <summary>A fleet of <paramref name="hosts"/> hosts (20 per rack, 50 racks per zone) with cpu/memory forecasts and zone/rack scores.</summary>
    public static (Topology Topology, List<HostUsageForecast> Usage, List<LocalityScore> Scores) Fleet(int hosts, DateTimeOffset t0, int seed)
    {
        var rng = new Random(seed);
        var locs = new List<Locality> { new("region", LocalityKind.Region, null, ResourceVector.Zero, null, Labels.Empty) };
        var usage = new List<HostUsageForecast>();
        var scores = new List<LocalityScore>();
        var step = TimeSpan.FromMinutes(15);
        for (var i = 0; i < hosts; i++)
        {
            var rack = i / 20;
            var zone = rack / 50;
            if (i % 1000 == 0)
            {
                locs.Add(new($"z{zone}", LocalityKind.Zone, "region", ResourceVector.Zero, null, Labels.Empty));
                scores.Add(new LocalityScore($"z{zone}", t0, 0.3 + 0.6 * rng.NextDouble(), new Dictionary<string, ScorePart>()));
            }
            if (i % 20 == 0)
            {
                locs.Add(new($"r{rack}", LocalityKind.Rack, $"z{zone}", ResourceVector.Zero, null, Labels.Empty));
                scores.Add(new LocalityScore($"r{rack}", t0, 0.2 + 0.8 * rng.NextDouble(), new Dictionary<string, ScorePart>()));
            }
            var id = $"h{i:D5}";
            locs.Add(new(id, LocalityKind.Host, $"r{rack}", ResourceVector.Of((ResourceKind.Cpu, 16), (ResourceKind.Memory, 64 * GiB)), null, Labels.Empty));
            var cpu = 2 + 10 * rng.NextDouble();
            var mem = (8 + 40 * rng.NextDouble()) * GiB;
            usage.Add(new(id, ResourceKind.Cpu, Flat(id, ResourceKind.Cpu, t0, step, cpu)));
            usage.Add(new(id, ResourceKind.Memory, Flat(id, ResourceKind.Memory, t0, step, mem)));
        }
        var topology = Topology.Create(TenantId.Default, locs).Topology ?? throw new InvalidOperationException("synthetic topology invalid");
        return (topology, usage, scores);
    }

    private static Forecast Flat(string host, ResourceKind kind, DateTimeOffset t0, TimeSpan step, double mean) =>
        new(new SeriesKey(kind.MetricName(), Labels.Of("host", host)), "bench", t0, step, [0.5, 0.95],
            Enumerable.Range(0, 8).Select(i => new ForecastPoint(t0 + step * i, mean, [mean, mean * (1.1 + 0.05 * i)])).ToList());

    /// <summary>
    /// A global problem of <paramref name="hostCount"/> hosts (racks of 10, zones of ~100; alternating 16-core/64 GiB
    /// at 0.80/h and 8-core/32 GiB at 0.45/h) and components taken service by service from the Alibaba 2022 call
    /// graphs (two replicas each, spread over zones) until their mean cpu reaches ~40% of capacity; demand per slot
    /// follows a daily sine with a per-service phase, the p95 at 1.35 × mean; edges carry calls/s from each service's
    /// share of traces × 5,000 req/s. Also returns the per-component requests (mean demand) kube-scheduler would see.
    /// </summary>
    public static (GlobalPlacementProblem Problem, double[][] Requests, int Services) FromCallGraphs(string dir, int hostCount, int slots, DateTimeOffset t0)
    {
        var inv = CultureInfo.InvariantCulture;
        var zones = Math.Max(3, hostCount / 100);
        var hosts = new List<PlanHost>();
        for (var i = 0; i < hostCount; i++)
        {
            var big = i % 2 == 0;
            var rack = i / 10;
            hosts.Add(new PlanHost($"m{i:D4}", $"rack{rack}", $"zone{rack % zones}", big ? [16, 64 * GiB] : [8, 32 * GiB],
                big ? 0.80 : 0.45, big ? 120 : 80, 10, Enumerable.Repeat(true, slots).ToArray()));
        }
        var cpuCapacity = hosts.Sum(h => h.Capacity[0]);

        var services = File.ReadLines(Path.Combine(dir, "services.csv")).Skip(1).Select(l => l.Split(','))
            .Select(f => (Id: f[0], Traces: double.Parse(f[2], inv), Ms: int.Parse(f[4], inv)))
            .Where(s => s.Ms is >= 3 and <= 30).ToList();
        var totalTraces = services.Sum(s => s.Traces);
        var nodes = File.ReadLines(Path.Combine(dir, "ms_nodes.csv")).Skip(1).Select(l => l.Split(','))
            .GroupBy(f => f[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(f => (Ms: f[1], Label: f[2])).ToList(), StringComparer.Ordinal);
        var edges = File.ReadLines(Path.Combine(dir, "ms_dependency_edges.csv")).Skip(1).Select(l => l.Split(','))
            .GroupBy(f => f[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        var comps = new List<PlanComponent>();
        var requests = new List<double[]>();
        var planEdges = new List<PlanEdge>();
        var used = 0.0;
        var serviceCount = 0;
        foreach (var s in services)
        {
            if (used >= 0.4 * cpuCapacity)
            {
                break;
            }
            if (!nodes.TryGetValue(s.Id, out var ms))
            {
                continue;
            }
            serviceCount++;
            var phase = 2 * Math.PI * (serviceCount % 24) / 24.0;
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (name, label) in ms.Where(m => m.Ms != "USER"))
            {
                var (cpu, mem) = label switch
                {
                    "Memcached" => (0.5, 4 * GiB),
                    "database" => (2.0, 8 * GiB),
                    _ => (1.0, 2 * GiB),
                };
                var demand = new IReadOnlyList<double>[slots];
                double sumCpu = 0, sumMem = 0;
                for (var k = 0; k < slots; k++)
                {
                    var f = 0.6 + 0.4 * Math.Sin(2 * Math.PI * k / slots + phase);
                    demand[k] = [cpu * f * 1.35, mem * (0.8 + 0.2 * f) * 1.35];
                    sumCpu += cpu * f;
                    sumMem += mem * (0.8 + 0.2 * f);
                }
                index[name] = comps.Count;
                comps.Add(new PlanComponent($"{s.Id}/{name}", 2, demand, [], 1, null));
                requests.Add([sumCpu / slots, sumMem / slots]);
                used += 2 * sumCpu / slots;
            }
            var rate = s.Traces / totalTraces * 5000;
            foreach (var e in edges.GetValueOrDefault(s.Id, []))
            {
                if (index.TryGetValue(e[1], out var a) && index.TryGetValue(e[2], out var b) && a != b)
                {
                    planEdges.Add(new PlanEdge(a, b, double.Parse(e[6], inv) * rate));
                }
            }
        }
        var problem = new GlobalPlacementProblem(["cpu", "memory"], Enumerable.Range(0, slots).Select(k => t0.AddHours(24.0 * k / slots)).ToArray(), hosts, comps, planEdges);
        return (problem, requests.ToArray(), serviceCount);
    }

    /// <summary>
    /// Per-slot load profiles from real VM traces: for each Bitbrains Rnd VM and Azure V1 VM, its first day cut into
    /// <paramref name="slots"/> equal slots; cpu profile = the slot's p95 of cpu % ÷ the day's mean (mean floored at
    /// 1 % so near-idle VMs do not explode; ratio clamped to [0.2, 4]); memory profile (Bitbrains only) = the slot's
    /// p95 of memory used ÷ the day's mean, clamped to [0.5, 2]; Azure VMs have no memory column: 1.1.
    /// </summary>
    public static List<(double[] Cpu, double[] Mem)> Profiles(string tracesRoot, int slots)
    {
        var inv = CultureInfo.InvariantCulture;
        var list = new List<(double[], double[])>();
        static double P95(List<double> v)
        {
            var a = v.Order().ToArray();
            return a.Length == 0 ? 0 : a[Math.Min(a.Length - 1, (int)(a.Length * 0.95))];
        }
        (double[], double[]) Shape(List<double> cpu, List<double>? mem)
        {
            var per = cpu.Count / slots;
            var mean = Math.Max(1.0, cpu.Average());
            var c = new double[slots];
            var m = new double[slots];
            var memMean = mem is null ? 1 : Math.Max(1e-9, mem.Average());
            for (var k = 0; k < slots; k++)
            {
                c[k] = Math.Clamp(P95(cpu.GetRange(k * per, per)) / mean, 0.2, 4);
                m[k] = mem is null ? 1.1 : Math.Clamp(P95(mem.GetRange(k * per, per)) / memMean, 0.5, 2);
            }
            return (c, m);
        }
        var bb = Path.Combine(tracesRoot, "bitbrains_rnd", "vms");
        if (Directory.Exists(bb))
        {
            foreach (var f in Directory.GetFiles(bb, "*.csv.gz").Order(StringComparer.Ordinal))
            {
                using var gz = new System.IO.Compression.GZipStream(File.OpenRead(f), System.IO.Compression.CompressionMode.Decompress);
                using var reader = new StreamReader(gz);
                reader.ReadLine();
                var cpu = new List<double>();
                var mem = new List<double>();
                string? line;
                while ((line = reader.ReadLine()) is not null && cpu.Count < 288)
                {
                    var x = line.Split(',');
                    cpu.Add(double.Parse(x[4], inv));
                    mem.Add(double.Parse(x[6], inv));
                }
                if (cpu.Count == 288)
                {
                    list.Add(Shape(cpu, mem));
                }
            }
        }
        var az = Path.Combine(tracesRoot, "azure_vm_v1_sample", "vm_cpu_5min.csv.gz");
        if (File.Exists(az))
        {
            using var gz = new System.IO.Compression.GZipStream(File.OpenRead(az), System.IO.Compression.CompressionMode.Decompress);
            using var reader = new StreamReader(gz);
            reader.ReadLine();
            var byVm = new Dictionary<string, List<double>>(StringComparer.Ordinal);
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                var x = line.Split(',');
                if (int.Parse(x[1], inv) >= 288)
                {
                    continue;
                }
                if (!byVm.TryGetValue(x[0], out var l))
                {
                    byVm[x[0]] = l = [];
                }
                l.Add(double.Parse(x[2], inv));
            }
            foreach (var (_, cpu) in byVm.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (cpu.Count == 288)
                {
                    list.Add(Shape(cpu, null));
                }
            }
        }
        return list;
    }

    /// <summary>
    /// The Alibaba fleet: the first <paramref name="hostCount"/> machines (by id) of the real cluster-trace-v2018 machine
    /// table, each 96 cores and memory 100 (the table's normalised unit), rack = failure_domain_1, zone =
    /// failure_domain_2; priced 4.80/h (0.05 per core-hour), 250 W idle + 3 W per busy core. Components: services of
    /// the Alibaba 2022 call graphs in trace-count order (3–30 microservices, two replicas each, one per zone), each
    /// microservice sized as an Alibaba 2018 container (4 cores, memory 2; Memcached 2 cores, memory 4; database 8
    /// cores, memory 6: the mean), its per-slot p95 = mean × the load profile of one real VM (Bitbrains or Azure,
    /// <see cref="Profiles"/>, one profile per service), taken until the largest slot's total p95 cpu reaches
    /// <paramref name="fill"/> of the fleet's cores. Edges: calls/s from the service's share of traces × 5,000 req/s.
    /// Kubernetes sees the mean as the request.
    /// </summary>
    public static (GlobalPlacementProblem Problem, double[][] Requests, int Services) FromAlibabaMachines(string tracesRoot, int hostCount, int slots, DateTimeOffset t0, double fill = 0.6, bool flat = false)
    {
        var inv = CultureInfo.InvariantCulture;
        var meta = File.ReadLines(Path.Combine(tracesRoot, "alibaba_v2018_sample", "machine_meta.csv")).Skip(1).Select(l => l.Split(','))
            .GroupBy(f => f[0], StringComparer.Ordinal).Select(g => g.Last())
            .OrderBy(f => int.Parse(f[0].AsSpan(2), inv)).Take(hostCount).ToList();
        var hosts = meta.Select(f => new PlanHost(f[0], "fd1-" + f[2], "fd2-" + f[3], [double.Parse(f[4], inv), double.Parse(f[5], inv)],
            0.05 * double.Parse(f[4], inv), 250, 3, Enumerable.Repeat(true, slots).ToArray())).ToList();
        var cpuCapacity = hosts.Sum(h => h.Capacity[0]);
        // flat: a diagnostic with every profile constant at 1.35 (p95 = 1.35 × mean in every slot), where the bound is tight.
        var profiles = flat ? [(Enumerable.Repeat(1.35, slots).ToArray(), Enumerable.Repeat(1.35, slots).ToArray())] : Profiles(tracesRoot, slots);
        if (profiles.Count == 0)
        {
            throw new InvalidOperationException("no Bitbrains or Azure VM traces found under " + tracesRoot);
        }
        var dir = Path.Combine(tracesRoot, "alibaba_microservice_callgraphs");
        var services = File.ReadLines(Path.Combine(dir, "services.csv")).Skip(1).Select(l => l.Split(','))
            .Select(f => (Id: f[0], Traces: double.Parse(f[2], inv), Ms: int.Parse(f[4], inv)))
            .Where(s => s.Ms is >= 3 and <= 30).ToList();
        var totalTraces = services.Sum(s => s.Traces);
        var nodes = File.ReadLines(Path.Combine(dir, "ms_nodes.csv")).Skip(1).Select(l => l.Split(','))
            .GroupBy(f => f[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(f => (Ms: f[1], Label: f[2])).ToList(), StringComparer.Ordinal);
        var edges = File.ReadLines(Path.Combine(dir, "ms_dependency_edges.csv")).Skip(1).Select(l => l.Split(','))
            .GroupBy(f => f[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var comps = new List<PlanComponent>();
        var requests = new List<double[]>();
        var planEdges = new List<PlanEdge>();
        var peak = new double[slots];
        var serviceCount = 0;
        foreach (var s in services)
        {
            if (peak.Max() >= fill * cpuCapacity)
            {
                break;
            }
            if (!nodes.TryGetValue(s.Id, out var ms))
            {
                continue;
            }
            var (cpuShape, memShape) = profiles[serviceCount % profiles.Count];
            serviceCount++;
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (name, label) in ms.Where(m => m.Ms != "USER"))
            {
                var (cpu, mem) = label switch
                {
                    "Memcached" => (2.0, 4.0),
                    "database" => (8.0, 6.0),
                    _ => (4.0, 2.0),
                };
                var demand = new IReadOnlyList<double>[slots];
                for (var k = 0; k < slots; k++)
                {
                    demand[k] = [cpu * cpuShape[k], mem * memShape[k]];
                    peak[k] += 2 * cpu * cpuShape[k];
                }
                index[name] = comps.Count;
                comps.Add(new PlanComponent($"{s.Id}/{name}", 2, demand, [], 1, null));
                requests.Add([cpu, mem]);
            }
            var rate = s.Traces / totalTraces * 5000;
            foreach (var e in edges.GetValueOrDefault(s.Id, []))
            {
                if (index.TryGetValue(e[1], out var a) && index.TryGetValue(e[2], out var b) && a != b)
                {
                    planEdges.Add(new PlanEdge(a, b, double.Parse(e[6], inv) * rate));
                }
            }
        }
        var problem = new GlobalPlacementProblem(["cpu", "memory_share"], Enumerable.Range(0, slots).Select(k => t0.AddHours(24.0 * k / slots)).ToArray(), hosts, comps, planEdges);
        return (problem, requests.ToArray(), serviceCount);
    }
}
