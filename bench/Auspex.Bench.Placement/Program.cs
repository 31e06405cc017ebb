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
var machines = Arg("--machines", "100,300,1000").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, inv)).ToArray();
var cpsatMaxVars = long.Parse(Arg("--cpsat-max-vars", "500000"), inv);
var traces = Arg("--traces", Path.Combine("..", "shared", "data", "traces", "alibaba_microservice_callgraphs"));
var t0 = new DateTimeOffset(2013, 8, 12, 0, 0, 0, TimeSpan.Zero);

Console.WriteLine($"# Placement bench, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}");

// 1. select-a-locality latency at N hosts: the full evaluation, kube-scheduler's sampling and the candidate index,
//    side by side on the same snapshot and request, interleaved in rounds so machine load hits all three alike.
{
    var (topology, usage, scores) = Synthetic.Fleet(localities, t0, seed: 7);
    var snapshot = PlacementSnapshot.Create(topology, usage, scores, t0);
    var selector = LocalitySelection.Create();
    var request = new PlacementRequest("api", "shop", ResourceVector.Of((ResourceKind.Cpu, 2), (ResourceKind.Memory, 4.0 * (1 << 30))), new TimeRange(t0, t0.AddHours(1)));
    var modes = new (string Name, ILocalitySelector Selector, int Decisions)[]
    {
        ("every host (PercentageOfHostsToScore 100, index off)", LocalitySelection.Create(new PlacementOptions { PercentageOfHostsToScore = 100, IndexedCandidates = 0 }), Math.Max(20, decisions / 50)),
        ("kube sampling (adaptive 5 %, index off; before this change)", LocalitySelection.Create(new PlacementOptions { IndexedCandidates = 0 }), Math.Max(100, decisions / 5)),
        ("candidate index (IndexedCandidates 32, the default)", selector, decisions),
    };
    // Quality: the chosen host's total in the full evaluation (same normalisation for all modes) and the best total.
    var full = selector.Evaluate(request, snapshot);
    var fullTotal = new Dictionary<string, double>(StringComparer.Ordinal);
    var bestFull = 0.0;
    for (var i = 0; i < full.FeasibleCount; i++)
    {
        fullTotal[full.Host(i)] = full.Total(i);
        bestFull = Math.Max(bestFull, full.Total(i));
    }
    var rankOf = fullTotal.OrderByDescending(kv => kv.Value).Select((kv, i) => (kv.Key, i)).ToDictionary(x => x.Key, x => x.i, StringComparer.Ordinal);
    var wall = modes.Select(m => new List<double>()).ToArray();
    var cpu = modes.Select(m => new List<double>()).ToArray();
    var chosenTotal = modes.Select(m => new List<double>()).ToArray();
    var chosenRank = modes.Select(m => new List<int>()).ToArray();
    var alloc = new long[modes.Length];
    var procCpu = new double[modes.Length];
    var wallSum = new double[modes.Length];
    var distinct = modes.Select(m => new HashSet<string>(StringComparer.Ordinal)).ToArray();
    var examined = new double[modes.Length];
    var rounds = 10;
    var seed = 0;
    for (var m = 0; m < modes.Length; m++)
    {
        for (var i = 0; i < 200; i++)
        {
            modes[m].Selector.SelectLocality(request, snapshot, seed++); // warm-up: JIT (tiered to full opt), index built
        }
    }
    for (var round = 0; round < rounds; round++)
    {
        for (var m = 0; m < modes.Length; m++)
        {
            var n = modes[m].Decisions / rounds;
            var a0 = GC.GetAllocatedBytesForCurrentThread();
            var p0 = Process.GetCurrentProcess().TotalProcessorTime;
            var all = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                var c0 = ThreadCpu.Now();
                var t = Stopwatch.GetTimestamp();
                var o = modes[m].Selector.SelectLocality(request, snapshot, seed++);
                var dt = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                var dc = ThreadCpu.Now() - c0;
                wall[m].Add(dt);
                cpu[m].Add(dc);
                if (o is PlacementOutcome.Placed pl)
                {
                    chosenTotal[m].Add(fullTotal.GetValueOrDefault(pl.Host, double.NaN));
                    chosenRank[m].Add(rankOf.GetValueOrDefault(pl.Host, -1));
                    distinct[m].Add(pl.Host);
                    examined[m] += pl.Feasible + pl.Rejected;
                }
            }
            wallSum[m] += all.Elapsed.TotalSeconds;
            procCpu[m] += (Process.GetCurrentProcess().TotalProcessorTime - p0).TotalMilliseconds;
            alloc[m] += GC.GetAllocatedBytesForCurrentThread() - a0;
        }
    }
    static double Q(List<double> v, double q)
    {
        var a = v.ToArray();
        Array.Sort(a);
        return a[Math.Min(a.Length - 1, (int)(a.Length * q))];
    }
    Console.WriteLine($"select-a-locality: {localities} hosts ({full.FeasibleCount} feasible), one request (2 cores, 4 GiB, 1 h), {rounds} interleaved rounds after warm-up; load average at the end {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; process priority nice {Nice()}");
    Console.WriteLine("| mode | decisions | wall median ms | wall p99 ms | wall p99.9 ms | wall max ms | thread-CPU median ms | thread-CPU p99 ms | thread-CPU p99.9 ms | process CPU ms/decision | decisions/s | allocated KB/decision | hosts looked at | chosen host's full-evaluation total (best " + bestFull.ToString("0.0", inv) + ") mean / min | chosen rank median | distinct hosts chosen |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (var m = 0; m < modes.Length; m++)
    {
        var n = wall[m].Count;
        var ranks = chosenRank[m].Order().ToArray();
        Console.WriteLine(string.Create(inv, $"| {modes[m].Name} | {n} | {Q(wall[m], 0.5):0.###} | {Q(wall[m], 0.99):0.###} | {Q(wall[m], 0.999):0.###} | {wall[m].Max():0.###} | {Q(cpu[m], 0.5):0.###} | {Q(cpu[m], 0.99):0.###} | {Q(cpu[m], 0.999):0.###} | {procCpu[m] / n:0.###} | {n / wallSum[m]:0} | {alloc[m] / 1024.0 / n:0.#} | {examined[m] / n:0} | {chosenTotal[m].Average():0.0} / {chosenTotal[m].Min():0.0} | {ranks[ranks.Length / 2]} | {distinct[m].Count} |"));
    }
    if (args.Contains("--profile"))
    {
        var ev = Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            selector.Evaluate(request, snapshot);
        }
        Console.WriteLine($"evaluate only: {ev.Elapsed.TotalMilliseconds / 200:0.###} ms");
    }

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
    if (args.Contains("--skip-cpsat"))
    {
        Console.WriteLine("| CP-SAT | skipped (--skip-cpsat) | | | | | |");
        repeat = 0;
    }
    else if (vars > cpsatMaxVars)
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
    if (p.Components.Count * p.Hosts.Count > 20_000 && !args.Contains("--skip-cpsat"))
    {
        var part = PlacementSolvers.Partitioned(cp, 20_000).Solve(p, options);
        Row($"CP-SAT partitioned ({part.Status})", part.HasPlan ? part.Assignment : null, p, part.WallTime.TotalSeconds, bound);
        Console.WriteLine($"  partitioned: {string.Join("; ", part.Reasons)}");
    }
    var lb = PlacementBounds.Lower(p, options);
    var validBound = double.IsNaN(bound) ? lb.Value : Math.Max(bound, lb.Value);
    Console.WriteLine($"  valid lower bound for the rows below: {validBound:0.###} = max(CP-SAT's proved bound {(double.IsNaN(bound) ? "(none)" : bound.ToString("0.###", inv))}, {lb.Explanation})");
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var pk = PlacementSolvers.Packing().Solve(p, options);
    var pkCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
    if (args.Contains("--config-bound"))
    {
        var cbt = Stopwatch.StartNew();
        var cb = ConfigurationBound.Compute(p, options, TimeSpan.FromSeconds(double.Parse(Arg("--config-bound-time", "60"), inv)), pk.HasPlan ? pk.Assignment : null, double.Parse(Arg("--config-prove-time", "0"), inv));
        Console.WriteLine($"  configuration-LP bound: {cb.Value:0.###} in {cbt.Elapsed.TotalSeconds:0.#} s ({cb.Explanation})");
        validBound = Math.Max(validBound, cb.Value);
    }
    bound = validBound;
    Row("packing (bundles + host-emptying local search)", pk.HasPlan ? pk.Assignment : null, p, pk.WallTime.TotalSeconds, bound);
    if (pk.Reasons.Count > 0)
    {
        Console.WriteLine($"  packing: {string.Join("; ", pk.Reasons)}");
    }
    Console.WriteLine($"  packing: process CPU {pkCpu:0.##} s");
    if (args.Contains("--lp-study"))
    {
        // Column generation alone, seeded by the packing plan above: LP value reached, GLOP solves and CPU per variant.
        // A variant is g<GLOP parameter set>-a<smoothing α>-d<diverse columns>, variants separated by '/'.
        string[] glopSets = ["", "use_preprocessing:false", "use_preprocessing:false use_dual_simplex:false", "use_preprocessing:false use_dual_simplex:true", "use_preprocessing:false use_scaling:false", "use_preprocessing:false use_scaling:false use_dual_simplex:false", "use_scaling:false", "use_preprocessing:false use_scaling:false provide_strong_optimal_guarantee:false", "use_preprocessing:false use_scaling:false initial_basis:NONE"];
        var studyTime = TimeSpan.FromSeconds(double.Parse(Arg("--lp-study-time", "5"), inv));
        Console.WriteLine($"  column generation study, {studyTime.TotalSeconds:0.#} s each; GLOP parameter sets: {string.Join(" | ", glopSets.Select((g, i) => $"g{i} = '{g}'"))}");
        Console.WriteLine("| variant | LP value (host cost) | in hosts | LP solves | columns | GLOP s | wall s | process CPU s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var v in Arg("--lp-study", "g0-a0-d0").Split('/'))
        {
            var parts = v.Split('-');
            var lpStudy = new ConfigurationLp(p, options)
            {
                GlopParameters = glopSets[int.Parse(parts[0][1..], inv)],
                Smoothing = double.Parse(parts[1][1..], inv),
                DiverseColumns = int.Parse(parts[2][1..], inv),
                Trace = args.Contains("--trace") ? l => Console.WriteLine($"    {v}: {l}") : null,
            };
            var c0 = Process.GetCurrentProcess().TotalProcessorTime;
            var o = lpStudy.Solve(studyTime, pk.HasPlan ? pk.Assignment : null, exactPricing: false);
            var c1 = (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalSeconds;
            Console.WriteLine($"| {v} | {o.LpValue:0.###} | {o.LpValue / lpStudy.HostTypes[0].Cost:0.#} | {o.Iterations} | {lpStudy.Columns.Count} | {lpStudy.LpSeconds:0.##} | {o.Elapsed.TotalSeconds:0.##} | {c1:0.##} |");
        }
        return;
    }
    var lpShare = double.Parse(Arg("--lp-share", "0.5"), inv);
    // LP-guided packing variants side by side: "before" = session 7's column generation (GLOP defaults, greedy orders
    // only); "new" = GLOP warm-started (no presolve/scaling) + diverse columns + same-demand swaps ("new-noswap" without them); "new-cpu" = "new" with the time limit
    // counted in process CPU time instead of wall time (what the plan reaches with that much CPU on a shared machine).
    foreach (var variant in Arg("--lp-variants", "before,new").Split(','))
    {
        foreach (var roundUp in Arg("--lp-round-up", "1,0.5").Split(',').Select(x => double.Parse(x, inv)))
        {
            cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var wall0 = Stopwatch.StartNew();
            var solver = new LpPackingSolver(lpShare, roundUp)
            {
                Trace = args.Contains("--trace") ? l => Console.WriteLine("    lp: " + l) : null,
                GlopParameters = variant == "before" ? "" : null,
                DiverseColumns = variant == "before" ? 0 : null,
                Clock = variant.EndsWith("-cpu", StringComparison.Ordinal) ? () => Process.GetCurrentProcess().TotalProcessorTime : null,
                CommunicationSwaps = variant != "before" && !variant.Contains("noswap", StringComparison.Ordinal),
            };
            var lpk = solver.Solve(p, options);
            var lpCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            Row($"LP-guided packing [{variant}] (configuration LP {lpShare:0.##} of the {(solver.Clock is null ? "wall" : "CPU")} time, {(roundUp >= 1 ? "⌊λ⌋" : $"⌊λ⌋ + 1 from {roundUp:0.##}")}, packing local search)", lpk.HasPlan ? lpk.Assignment : null, p, wall0.Elapsed.TotalSeconds, bound);
            if (lpk.Reasons.Count > 0)
            {
                Console.WriteLine($"  lp-packing [{variant}]: {string.Join("; ", lpk.Reasons)}");
            }
            Console.WriteLine($"  lp-packing [{variant}]: process CPU {lpCpu:0.##} s, wall {wall0.Elapsed.TotalSeconds:0.##} s");
        }
    }
    if (args.Contains("--only-lp"))
    {
        return;
    }
    var hy = CpSatPlacement.CreateNeighbourhoodSearch(int.Parse(Arg("--lns-hosts", "8"), inv)).Solve(p, options);
    Row("hybrid: packing + CP-SAT neighbourhoods", hy.HasPlan ? hy.Assignment : null, p, hy.WallTime.TotalSeconds, bound);
    if (hy.Reasons.Count > 0)
    {
        Console.WriteLine($"  hybrid: {string.Join("; ", hy.Reasons)}");
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
if (fleet is not null && !args.Contains("--skip-sample"))
{
    var p = GlobalProblems.FromTopology(fleet, [], t0, options);
    var req = p.Components.Select(c => c.Demand[0].ToArray()).ToArray();
    Compare("Sample fleet (samples/fleet, requests as demand)", p, req, runs);
}
var tracesRoot = Path.GetDirectoryName(Path.GetFullPath(traces))!;
if (File.Exists(Path.Combine(tracesRoot, "alibaba_v2018_sample", "machine_meta.csv")))
{
    foreach (var n in machines)
    {
        var (p, req, services) = Synthetic.FromAlibabaMachines(tracesRoot, n, options.Slots, t0);
        Compare($"Alibaba 2018 machine table, {services} call-graph services with Bitbrains/Azure load profiles", p, req, 1);
    }
    if (args.Contains("--flat-diagnostic"))
    {
        var (p, req, services) = Synthetic.FromAlibabaMachines(tracesRoot, machines.Max(), options.Slots, t0, flat: true);
        Compare($"Diagnostic: the same Alibaba fleet, {services} services, every profile flat (p95 = 1.35 × mean in every slot)", p, req, 1);
    }
}
if (Directory.Exists(traces) && !args.Contains("--skip-synthetic"))
{
    foreach (var n in sizes)
    {
        var (p, req, services) = Synthetic.FromCallGraphs(traces, n, options.Slots, t0);
        Compare($"Alibaba call graphs, {services} services", p, req, 1);
    }
}
else if (!Directory.Exists(traces))
{
    Console.WriteLine($"call graphs not found in {Path.GetFullPath(traces)}; pass --traces DIR");
}
return 0;

static string Nice()
{
    try
    {
        return File.ReadAllText("/proc/self/stat").Split(' ')[18];
    }
    catch (IOException)
    {
        return "?";
    }
}

internal static class ThreadCpu
{
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec ts);

    private struct TimeSpec
    {
        public long Sec;
        public long Nsec;
    }

    /// <summary>This thread's CPU time in ms (CLOCK_THREAD_CPUTIME_ID = 3); NaN off Linux.</summary>
    public static double Now()
    {
        try
        {
            return ClockGetTime(3, out var ts) == 0 ? ts.Sec * 1e3 + ts.Nsec / 1e6 : double.NaN;
        }
        catch (DllNotFoundException)
        {
            return double.NaN;
        }
    }
}

internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
