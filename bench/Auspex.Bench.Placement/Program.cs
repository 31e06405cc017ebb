using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Auspex.Bench.Placement;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Ingestion.TopologyFiles;
using Auspex.Kubernetes.Extender;
using Auspex.Placement.Global;
using Auspex.Placement.OrTools;
using Auspex.Placement.Selection;

// Usage: dotnet run -c Release --project bench/Auspex.Bench.Placement -- [--localities 10000] [--decisions 2000]
//        [--sizes 100,300,1000] [--time-limit 10] [--runs 3] [--traces DIR] [--skip-global]
var inv = CultureInfo.InvariantCulture;
string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
var localities = int.Parse(Arg("--localities", "10000"), inv);
var decisions = int.Parse(Arg("--decisions", "2000"), inv);
var sizes = Arg("--sizes", "100,300,1000").Split(',').Select(s => int.Parse(s, inv)).ToArray();
var timeLimit = TimeSpan.FromSeconds(double.Parse(Arg("--time-limit", "10"), inv));
var runs = int.Parse(Arg("--runs", "3"), inv);
var cpsatMaxVars = long.Parse(Arg("--cpsat-max-vars", "500000"), inv);
var traces = Arg("--traces", Path.Combine("..", "shared", "data", "traces", "alibaba_microservice_callgraphs"));
var t0 = new DateTimeOffset(2013, 8, 12, 0, 0, 0, TimeSpan.Zero);

Console.WriteLine($"# Placement bench, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}");

// 1. select-a-locality latency at N hosts (every host filtered and scored per decision).
{
    var (topology, usage, scores) = Synthetic.Fleet(localities, t0, seed: 7);
    var snapshot = PlacementSnapshot.Create(topology, usage, scores, t0);
    var selector = LocalitySelection.Create();
    var request = new PlacementRequest("api", "shop", ResourceVector.Of((ResourceKind.Cpu, 2), (ResourceKind.Memory, 4.0 * (1 << 30))), new TimeRange(t0, t0.AddHours(1)));
    for (var i = 0; i < 50; i++)
    {
        selector.SelectLocality(request, snapshot, i);
    }
    var times = new double[decisions];
    var placed = 0;
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var total = Stopwatch.StartNew();
    for (var i = 0; i < decisions; i++)
    {
        var sw = Stopwatch.StartNew();
        var o = selector.SelectLocality(request, snapshot, i);
        times[i] = sw.Elapsed.TotalMilliseconds;
        placed += o is PlacementOutcome.Placed ? 1 : 0;
    }
    total.Stop();
    var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / decisions;
    Array.Sort(times);
    var feasible = selector.Evaluate(request, snapshot).FeasibleCount;
    if (args.Contains("--profile"))
    {
        var ev = Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            selector.Evaluate(request, snapshot);
        }
        Console.WriteLine($"evaluate only: {ev.Elapsed.TotalMilliseconds / 200:0.###} ms");
        var bare = PlacementSnapshot.Create(topology, [], scores, t0);
        ev.Restart();
        for (var i = 0; i < 200; i++)
        {
            selector.Evaluate(request, bare);
        }
        Console.WriteLine($"evaluate without forecasts: {ev.Elapsed.TotalMilliseconds / 200:0.###} ms");
        var greedySel = LocalitySelection.Create(new PlacementOptions { Steering = SteeringMode.Greedy, Alternatives = 0 });
        ev.Restart();
        for (var i = 0; i < 200; i++)
        {
            greedySel.SelectLocality(request, bare, i);
        }
        Console.WriteLine($"select greedy no alternatives without forecasts: {ev.Elapsed.TotalMilliseconds / 200:0.###} ms");
    }
    Console.WriteLine($"select-a-locality: {localities} hosts ({feasible} feasible), {decisions} decisions: median {times[decisions / 2]:0.###} ms, p99 {times[(int)(decisions * 0.99)]:0.###} ms, {decisions / total.Elapsed.TotalSeconds:0} decisions/s; CPU time {cpuMs:0.###} ms per decision (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");

    // Extender round trip for 500 nodes: parse, filter, prioritize, serialize.
    var ext = SchedulerExtender.Create(selector, () => snapshot, new FixedTime(t0));
    var args500 = new ExtenderArgs
    {
        Pod = new Pod { Metadata = new ObjectMeta { Name = "api-1", Labels = new() { ["app"] = "api" } }, Spec = new PodSpec { Containers = [new Container { Name = "c", Resources = new ResourceRequirements { Requests = new() { ["cpu"] = "2", ["memory"] = "4Gi" } } }] } },
        NodeNames = topology.Hosts.Take(500).Select(h => h.Id).ToList(),
    };
    var body = JsonSerializer.SerializeToUtf8Bytes(args500, ExtenderJsonContext.Default.ExtenderArgs);
    var et = new double[200];
    for (var i = 0; i < et.Length + 20; i++)
    {
        var sw = Stopwatch.StartNew();
        var a = ExtenderJson.ReadArgs(body)!;
        _ = ExtenderJson.Write(ext.Filter(a));
        _ = ExtenderJson.Write(ext.Prioritize(a));
        if (i >= 20)
        {
            et[i - 20] = sw.Elapsed.TotalMilliseconds;
        }
    }
    Array.Sort(et);
    Console.WriteLine($"extender filter+prioritize, 500 nodes (JSON in and out): median {et[et.Length / 2]:0.###} ms, p99 {et[(int)(et.Length * 0.99)]:0.###} ms");
}

if (args.Contains("--skip-global"))
{
    return 0;
}

// 2. Global plans: CP-SAT vs greedy vs kube-default vs FFD.
var options = new GlobalPlacementOptions { TimeLimit = timeLimit, Workers = 2, Slots = 6, SlotLength = TimeSpan.FromHours(4), RelativeGapLimit = 0.005 };
var cp = CpSatPlacement.Create();
var greedy = PlacementSolvers.Greedy();

void Row(string name, IReadOnlyDictionary<string, IReadOnlyList<string>>? assignment, GlobalPlacementProblem p, double seconds, double bound, double? ownGap = null)
{
    if (assignment is null)
    {
        Console.WriteLine($"| {name} | no plan | | | | | |");
        return;
    }
    var m = PlanEvaluator.Evaluate(p, assignment, options);
    var g = ownGap ?? (m.Objective - bound) / m.Objective;
    var gap = double.IsNaN(g) ? "" : (Math.Max(0, g) * 100).ToString("0.0", inv) + "%";
    Console.WriteLine($"| {name} | {m.Objective:0.###} | {gap} | {m.HostsUsed} | {m.CommunicationCost:0} | {m.OverloadedHostSlots} | {seconds:0.###} |");
}

void Compare(string title, GlobalPlacementProblem p, double[][] requests, int repeat)
{
    Console.WriteLine();
    Console.WriteLine($"### {title}: {p.Hosts.Count} hosts, {p.Components.Count} components, {p.Components.Sum(c => c.Replicas)} replicas, {p.Edges.Count} edges, {p.SlotCount} slots");
    Console.WriteLine("| solver | objective | gap to CP-SAT bound | hosts used | communication (calls/s × distance) | overloaded host-slots at p95 | time s |");
    Console.WriteLine("|---|---|---|---|---|---|---|");
    var cpTimes = new List<double>();
    GlobalPlacementResult? cpResult = null;
    var vars = (long)p.Components.Count * p.Hosts.Count;
    if (vars > cpsatMaxVars)
    {
        Console.WriteLine($"| CP-SAT | skipped: {vars:N0} assignment variables > --cpsat-max-vars {cpsatMaxVars:N0} | | | | | |");
        repeat = 0;
    }
    for (var i = 0; i < repeat; i++)
    {
        cpResult = cp.Solve(p, options);
        cpTimes.Add(cpResult.WallTime.TotalSeconds);
    }
    cpTimes.Sort();
    var bound = cpResult?.BestBound ?? double.NaN;
    if (cpResult is not null)
    {
        Row($"CP-SAT ({cpResult.Status}, median of {repeat})", cpResult.HasPlan ? cpResult.Assignment : null, p, cpTimes[cpTimes.Count / 2], bound, cpResult.Gap);
        if (cpResult.Reasons.Count > 0)
        {
            Console.WriteLine($"  CP-SAT: {string.Join("; ", cpResult.Reasons)}");
        }
    }
    if (p.Components.Count * p.Hosts.Count > 20_000)
    {
        var part = PlacementSolvers.Partitioned(cp, 20_000).Solve(p, options);
        Row($"CP-SAT partitioned ({part.Status})", part.HasPlan ? part.Assignment : null, p, part.WallTime.TotalSeconds, bound);
        Console.WriteLine($"  partitioned: {string.Join("; ", part.Reasons)}");
    }
    var sw = Stopwatch.StartNew();
    var g = greedy.Solve(p, options);
    Row("greedy (Auspex heuristic)", g.HasPlan ? g.Assignment : null, p, sw.Elapsed.TotalSeconds, bound);
    sw.Restart();
    var k = Baselines.KubernetesDefault(p, requests);
    Row("kube default (LeastAllocated+Balanced on requests)", k, p, sw.Elapsed.TotalSeconds, bound);
    sw.Restart();
    var f = Baselines.FirstFitDecreasing(p);
    Row("first-fit-decreasing (peak p95)", f, p, sw.Elapsed.TotalSeconds, bound);
}

var fleet = TopologyFile.Load(Path.Combine("samples", "fleet", "topology.yaml")).Topology;
if (fleet is not null)
{
    var p = GlobalProblems.FromTopology(fleet, [], t0, options);
    var req = p.Components.Select(c => c.Demand[0].ToArray()).ToArray();
    Compare("Sample fleet (samples/fleet, requests as demand)", p, req, runs);
}
if (Directory.Exists(traces))
{
    foreach (var n in sizes)
    {
        var (p, req, services) = Synthetic.FromCallGraphs(traces, n, options.Slots, t0);
        Compare($"Alibaba call graphs, {services} services", p, req, 1);
    }
}
else
{
    Console.WriteLine($"call graphs not found in {Path.GetFullPath(traces)}; pass --traces DIR");
}
return 0;

internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
