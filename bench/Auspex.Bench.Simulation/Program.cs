using System.Diagnostics;
using System.Globalization;
using Auspex.Simulation;
using Auspex.Simulation.Measures;
using Auspex.Simulation.Policies;
using Auspex.Simulation.Traces;
using Auspex.Simulation.World;

// Policy comparison on real traces: every policy side by side on one simulated clock per trace.
// Usage: dotnet run -c Release --project bench/Auspex.Bench.Simulation -- [--traces worldcup,nasa,azure] [--policies hpa,static,aws,auspex,auspex-1tier]
//        [--days N] [--model mstl] [--data ../shared/data] [--tune-until F | --report-from F] [--zero-gaps MINUTES] [--resize-lead SECONDS]
//        --tune-until F: run only the first F of the span after the warm-up (the tuning part; the rest is never simulated).
//        --report-from F: run the whole trace and report, beside the whole run, the part after the first F of the span after the warm-up.
//        --zero-gaps M: mark runs of at least M minutes of exact zeros as missing data (an outage; default 30; 0 = off).
//        --resize-lead S: the world's in-place resize lead time in seconds (default: WorldOptions' 60 s).
//        --resize-semantics latest: a new limit asked while a resize is in flight replaces its target and keeps its time, like the
//          kubelet (WorldOptions.ResizeSemantics = LatestSpec; default restart: the newest ask's full lead, as before session 10).
//        --resize-serving in-force: a replica serves its limit in force until a resize lands, decreases included (default smaller).
//        --preemption-notice S: warning before a spot preemption, in seconds (AWS: 120; default 0 = none, as before session 8).
//        --rescale superposition: rescale a count trace as k independent copies of its users (WorldOptions.Rescaling; default proportional).
//        --superposition-window N: half-width in intervals of the local level of that rescaling (session 10; default 5).
//        --replica-overhead F: a per-replica charge per replica-hour as a fraction of a default-size replica's price (WorldOptions.ReplicaOverhead; default 0).
//        --causal-bound (with --report-from): also print session 9's idealised causal bound (load seen × growth quantile of the tuning part).
//        --causal-h N: the bound's information delay in intervals (default 2 for 1-min traces, 1 for coarser ones).
//        --frontier (session 10): with --report-from, the trade-off frontier: the families over their knobs side by side
//                   (default --policies: FrontierPolicies below), a table per trace with the Pareto points and the target box.
//        --frontier-plot DIR: also write DIR/frontier-<trace>.png (mean slack vs violation minutes).
//        or: -- --decider-throughput [--components 1000] [--repetitions 7]
var inv = CultureInfo.InvariantCulture;
string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
var root = FindRoot();
if (args.Contains("--decider-throughput"))
{
    // Scaling decisions per second for many components, tiered decider beside a naive proportional rule.
    DeciderThroughput.Run(root, args);
    return;
}
var data = Arg("--data", Path.Combine(root, "..", "shared", "data"));
var traces = Arg("--traces", "worldcup,nasa,azure").Split(',');
// Session 10's frontier: each family along its knob, in knob order (the last key of a name is its knob; see
// Frontier.Split). auspex-vertical along the decider quantile, alone and with h-sim6's aggressive base (no guard, SLO
// safety 1, no limit stabilisation, in-flight hold). Chosen before any frontier run; not tuned on the reported part.
const string Lean = "auspex-vertical:guard=0:safety=1:vstab=0:vhold=1";
const string Usage = "auspex-vertical:gu=1:vfc=0:vstab=0:safety=1:vhold=1";
string[] frontierPolicies =
[
    "hpa:target=0.5", "hpa:target=0.6", "hpa", "hpa:target=0.8", "hpa:target=0.9", "hpa:target=0.95",
    "hpa:target=1", // added after the first tables (below)
    "static", "aws",
    "auspex-vertical:quantile=0.5", "auspex-vertical:quantile=0.7", "auspex-vertical:quantile=0.9", "auspex-vertical:quantile=0.97",
    $"{Lean}:quantile=0.3", $"{Lean}:quantile=0.5", $"{Lean}:quantile=0.7", $"{Lean}:quantile=0.9",
    // Added after reading the first frontier tables, to find where the frontiers cross 15 % slack: the HPA at target
    // 1 (above), the aggressive base without the growth floor, and the usage-based vertical growth quantile (vq) on
    // session 7/9's gu=1:vfc=0:vstab=0:safety=1:vhold=1.
    $"{Lean}:growth=0:quantile=0.3", $"{Lean}:growth=0:quantile=0.5", $"{Lean}:growth=0:quantile=0.9",
    $"{Usage}:vq=0.9", $"{Usage}:vq=0.97", $"{Usage}:vq=0.99", $"{Usage}:vq=0.999",
    "oracle", "oracle:tier=1:loss=1:spare=100",
];
var frontier = args.Contains("--frontier");
var frontierPlot = args.Contains("--frontier-plot") ? Arg("--frontier-plot", ".") : null;
if (frontierPlot is not null && !Directory.Exists(frontierPlot))
{
    Console.Error.WriteLine($"--frontier-plot {frontierPlot}: the directory does not exist");
    Environment.Exit(2);
}
var policyNames = args.Contains("--policies") || !frontier ? Arg("--policies", "hpa,static,aws,auspex,auspex-1tier").Split(',') : frontierPolicies;
var days = double.Parse(Arg("--days", "0"), inv);
var model = Arg("--model", "mstl");
var world = new WorldOptions();
if (args.Contains("--resize-lead"))
{
    world = world with { ResizeLeadTime = TimeSpan.FromSeconds(double.Parse(Arg("--resize-lead", "60"), inv)) };
}
if (args.Contains("--resize-semantics"))
{
    world = world with
    {
        ResizeSemantics = Arg("--resize-semantics", "restart").ToLowerInvariant() switch
        {
            "restart" => ResizeSemantics.Restart,
            "latest" or "latestspec" or "latest-spec" => ResizeSemantics.LatestSpec,
            var v => throw new ArgumentException($"--resize-semantics: '{v}' is not restart or latest"),
        },
    };
}
if (args.Contains("--resize-serving"))
{
    world = world with
    {
        ResizeServing = Arg("--resize-serving", "smaller").ToLowerInvariant() switch
        {
            "smaller" => ResizeServing.Smaller,
            "in-force" or "inforce" => ResizeServing.InForce,
            var v => throw new ArgumentException($"--resize-serving: '{v}' is not smaller or in-force"),
        },
    };
}
if (args.Contains("--preemption-notice"))
{
    world = world with { PreemptionNotice = TimeSpan.FromSeconds(double.Parse(Arg("--preemption-notice", "0"), inv)) };
}
if (args.Contains("--rescale"))
{
    world = world with { Rescaling = Enum.Parse<TraceRescaling>(Arg("--rescale", "proportional"), ignoreCase: true) };
}
if (args.Contains("--superposition-window"))
{
    world = world with { SuperpositionHalfWindow = int.Parse(Arg("--superposition-window", "5"), inv) };
}
if (args.Contains("--replica-overhead"))
{
    world = world with { ReplicaOverhead = double.Parse(Arg("--replica-overhead", "0"), inv) };
}
var zeroGaps = double.Parse(Arg("--zero-gaps", "30"), inv);
Console.WriteLine($"world: {world.WorkersPerReplica} workers × {world.ServiceTime.TotalMilliseconds} ms per replica ({world.ModelReplicaRate} req/s), p99 SLO {world.LatencyP99Target.TotalMilliseconds} ms, tick {world.Tick.TotalSeconds} s, peak = {world.PeakReplicas} replicas at full use, seed {world.Seed}");
Console.WriteLine(string.Create(inv, $"vertical sizing: limits {world.MinWorkersPerReplica}..{world.WorkersPerReplica} workers per replica, resize lead {world.ResizeLeadTime.TotalSeconds} s ({world.ResizeSemantics}, serving {world.ResizeServing}); preemption notice {world.PreemptionNotice.TotalSeconds} s; rescaling {world.Rescaling} (level ±{world.SuperpositionHalfWindow} intervals); zero runs ≥ {zeroGaps} min = missing data; replica overhead {world.ReplicaOverhead} × a default replica's price"));
Console.WriteLine("tiers: " + string.Join("; ", world.Tiers.Select(t => string.Create(inv, $"{t.Name} {t.PricePerHour}/h lead {t.ProvisioningLeadTime.TotalMinutes} min preemption {t.PreemptionProbabilityPerHour}/h"))));
foreach (var name in traces)
{
    var read = name switch
    {
        "worldcup" => TraceCsv.ReadFile(Path.Combine(root, "samples/traces/worldcup98_1998-07-02_7d.csv")),
        "nasa" => TraceCsv.ReadFile(Path.Combine(root, "samples/traces/nasa_http_1995-08-01_9d.csv")),
        "azure" => AzureFleet(Path.Combine(data, "traces/azure_vm_v1_sample/vm_cpu_5min.csv.gz")),
        "bitbrains" => TraceCsv.ReadFile(Path.Combine(root, "samples/fleet/metrics.csv.gz"), null),
        _ => TraceCsv.ReadFile(name),
    };
    if (!read.Ok)
    {
        Console.WriteLine($"{name}: skipped: {string.Join("; ", read.Errors)}");
        continue;
    }
    var trace = read.Trace!;
    if (zeroGaps > 0)
    {
        trace = trace.WithZeroRunsAsMissing(TimeSpan.FromMinutes(zeroGaps));
    }
    if (days > 0)
    {
        trace = trace.Slice(0, (int)(TimeSpan.FromDays(days) / trace.Step));
    }
    var runWorld = world;
    var afterWarmUp = trace.End - trace.Start - world.WarmUp;
    var split = string.Empty;
    if (args.Contains("--tune-until"))
    {
        var f = double.Parse(Arg("--tune-until", "0.4"), inv);
        var until = world.WarmUp + RoundToHour(afterWarmUp * f);
        trace = trace.Slice(0, (int)(until / trace.Step));
        split = string.Create(inv, $"tuning part only: the first {f:P0} of the span after the warm-up, to {trace.End:yyyy-MM-dd HH:mm}");
    }
    else if (args.Contains("--report-from"))
    {
        var f = double.Parse(Arg("--report-from", "0.4"), inv);
        runWorld = world with { ReportFrom = world.WarmUp + RoundToHour(afterWarmUp * f) };
        split = string.Create(inv, $"reported part: from {trace.Start + runWorld.ReportFrom:yyyy-MM-dd HH:mm} (after the first {f:P0} of the span after the warm-up, the tuning part)");
    }
    var scale = Simulator.ScaleFor(trace, world);
    var policies = policyNames.Select(p => PolicyCatalog.Create(p, trace.PeakRate * scale, model) ?? throw new ArgumentException($"unknown policy {p}")).ToList();
    var sw = Stopwatch.StartNew();
    var (result, errors) = Simulator.Run(trace, policies, runWorld);
    if (result is null)
    {
        Console.WriteLine($"{name}: {string.Join("; ", errors)}");
        continue;
    }
    Console.WriteLine();
    Console.WriteLine(string.Create(inv, $"## {trace.Name}: {trace.Start:yyyy-MM-dd HH:mm} → {trace.End:yyyy-MM-dd HH:mm}, {trace.Count} × {trace.Step.TotalMinutes} min, peak/mean {trace.PeakRate / trace.MeanRate:0.0}, wall {sw.Elapsed.TotalSeconds:0.0} s"));
    foreach (var w in read.Warnings)
    {
        Console.WriteLine("note: " + w);
    }
    if (split.Length > 0)
    {
        Console.WriteLine(split);
    }
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    Console.WriteLine(string.Create(inv, $"process CPU time so far {cpu.TotalSeconds:0} s"));
    if (trace.MissingCount > 0)
    {
        Console.WriteLine(string.Create(inv, $"missing data: {trace.MissingCount} intervals ({trace.MissingCount * trace.Step.TotalHours:0.#} h) in zero runs ≥ {zeroGaps} min, from {trace.Start + trace.Step * Enumerable.Range(0, trace.Count).First(trace.IsMissing):yyyy-MM-dd HH:mm}"));
    }
    Table($"whole run after the warm-up ({result.Start:yyyy-MM-dd HH:mm} → {result.End:yyyy-MM-dd HH:mm})", result.Policies);
    SlackFloor(trace, runWorld, scale, result.Start, result.End);
    if (result.Reported is { } rep)
    {
        Table($"reported part ({result.ReportedFrom:yyyy-MM-dd HH:mm} → {result.End:yyyy-MM-dd HH:mm})", rep);
        SlackFloor(trace, runWorld, scale, result.ReportedFrom!.Value, result.End);
        if (args.Contains("--causal-bound"))
        {
            CausalBound(trace, runWorld, scale, result.Start, result.ReportedFrom!.Value, result.End,
                name == "azure" ? AzureParts(Path.Combine(data, "traces/azure_vm_v1_sample/vm_cpu_5min.csv.gz")) : null,
                args.Contains("--causal-h") ? int.Parse(Arg("--causal-h", "2"), inv) : null);
        }
    }
    if (frontier || frontierPlot is not null)
    {
        var rows = result.Reported ?? result.Policies;
        var part = result.Reported is null ? "whole run after the warm-up" : string.Create(inv, $"reported part from {result.ReportedFrom:yyyy-MM-dd HH:mm}");
        var summary = Frontier.Build(rows);
        Console.WriteLine();
        Console.WriteLine(string.Create(inv, $"trade-off frontier, {trace.Name}, {part}: a description of the runs, not a selection — no knob was tuned on this part. Pareto (P): no other deployable point has ≤ minutes, ≤ slack and ≤ cost with one strictly less; oracle rows are clairvoyant bounds, outside the Pareto comparison."));
        Console.Write(Frontier.Table(summary));
        if (frontierPlot is not null)
        {
            var png = Path.Combine(frontierPlot, $"frontier-{name}.png");
            Auspex.Simulation.Plots.FrontierPlot.SavePng(summary, string.Create(inv, $"{trace.Name}: violation minutes vs mean slack, {part} (knobs not tuned on it)"), png);
            Console.WriteLine($"wrote {png}");
        }
        Console.WriteLine(string.Create(inv, $"process CPU time after {trace.Name} {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0} s"));
    }
    if (args.Contains("--debug"))
    {
        foreach (var p in result.Policies)
        {
            var i = result.Policies.ToList().IndexOf(p);
            var under = result.Timeline.Where(x => x.Capacity[i] < x.Demand).GroupBy(x => x.At.ToString("MM-dd HH", inv)).Select(g => $"{g.Key}h:{g.Count()}");
            Console.WriteLine($"  {p.Policy} under capacity (ticks per hour): {string.Join(" ", under)}");
        }
    }
}

static void Table(string title, IReadOnlyList<Auspex.Simulation.Measures.PolicyResult> rows)
{
    var inv = CultureInfo.InvariantCulture;
    Console.WriteLine();
    Console.WriteLine(title);
    Console.WriteLine("| policy | SLO-violation min | cost | mean slack (time avg, gaps left out) | slack incl. gaps as 0 usage | slack (capacity-weighted) | scaling actions | resizes | preemptions | violation min after a preemption | failures | dropped | peak replicas | sized replica-h | forecasts | of the cost: replica overhead |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    foreach (var p in rows)
    {
        Console.WriteLine(string.Create(inv, $"| {p.Policy} | {p.SloViolationMinutes:0.#} | {p.Cost:0.00} | {p.MeanSlack:P1} | {p.MeanSlackAllTicks:P1} | {p.CapacityWeightedSlack:P1} | {p.ScalingActions} | {p.Resizes} | {p.Preemptions} | {p.PreemptionViolationMinutes:0.#} | {p.Failures} | {p.DroppedFraction:P3} | {p.PeakReplicas} | {p.SizedReplicaHours:0} | {p.Forecasts} | {p.OverheadCost:0.00} |"));
    }
}

// The lowest time-averaged slack any policy could have while meeting the SLO at every tick: a clairvoyant that sets,
// for each interval's load, the fewest servers whose p99 stays within the SLO (the queueing model's inverse), rounded
// up to whole default-size replicas (horizontal only) or to whole workers (vertical sizing, at least the smallest limit).
// Intervals without data are left out, as in the mean slack.
static void SlackFloor(DemandTrace trace, WorldOptions world, double scale, DateTimeOffset from, DateTimeOffset to)
{
    var inv = CultureInfo.InvariantCulture;
    var s = world.ServiceTime.TotalSeconds;
    double sumH = 0, sumV = 0;
    var n = 0;
    var rates = Simulator.Rates(trace, scale, world.Rescaling, world.SuperpositionHalfWindow);
    for (var i = 0; i < trace.Count; i++)
    {
        var at = trace.Start + trace.Step * i;
        if (at < from || at >= to || trace.IsMissing(i))
        {
            continue;
        }
        var lambda = rates[i];
        var c = lambda <= 0 ? 1 : QueueModel.ServersFor(lambda, s, world.ServiceTimeCv, 0.99, world.LatencyP99Target.TotalSeconds) ?? 1;
        var h = Math.Max(1, (int)Math.Ceiling((double)c / world.WorkersPerReplica)) * world.WorkersPerReplica;
        var v = Math.Max(world.MinWorkersPerReplica, c);
        sumH += 1 - lambda * s / h;
        sumV += 1 - lambda * s / v;
        n++;
    }
    Console.WriteLine(string.Create(inv, $"slack floor (clairvoyant, fewest servers meeting the SLO each interval, gaps left out): whole replicas {sumH / Math.Max(1, n):P1}, per-worker limits {sumV / Math.Max(1, n):P1}"));
}

// Session 9: an idealised causal bound. Capacity for each trace interval is the fewest servers meeting the SLO for
// the load of the last interval a raise could still act on (seen h intervals earlier: h = 2 with 1-min intervals, as a
// limit increase asked at the start of the previous interval, which sees only the one before, lands at the start of
// this one after the 1-min resize lead; h = 1 with 5-min intervals) × the q quantile of the growth ratio r[i] ÷ r[i−h]
// over the tuning part (all of it, or only the intervals whose seen level is within ×2 of the level seen now). No
// failures, no in-flight rule, no backlog, and only the one interval to cover: optimistic for any policy that sizes
// from the load it has seen. Prints mean slack and the intervals whose need exceeds that capacity (violations).
static void CausalBound(DemandTrace trace, WorldOptions world, double scale, DateTimeOffset tuneFrom, DateTimeOffset reportFrom, DateTimeOffset to, double[][]? parts = null, int? seenBack = null)
{
    var inv = CultureInfo.InvariantCulture;
    var s = world.ServiceTime.TotalSeconds;
    var rates = Simulator.Rates(trace, scale, world.Rescaling, world.SuperpositionHalfWindow);
    // --causal-h N (session 10) overrides h, e.g. 1 on a 1-min trace: a policy that reacts within the interval after.
    var h = seenBack ?? (trace.Step <= TimeSpan.FromMinutes(1) ? 2 : 1);
    var memo = new Dictionary<long, int>();
    int Servers(double lambda)
    {
        var key = (long)Math.Round(lambda * 1000);
        if (!memo.TryGetValue(key, out var c))
        {
            memo[key] = c = lambda <= 0 ? 1 : QueueModel.ServersFor(lambda, s, world.ServiceTimeCv, 0.99, world.LatencyP99Target.TotalSeconds) ?? 1;
        }
        return c;
    }
    int Index(DateTimeOffset at) => (int)((at - trace.Start).Ticks / trace.Step.Ticks);
    var tune = new List<(double Level, double Ratio)>();
    for (var i = Math.Max(h, Index(tuneFrom)); i < Index(reportFrom); i++)
    {
        if (!trace.IsMissing(i) && !trace.IsMissing(i - h) && rates[i - h] > 0)
        {
            tune.Add((rates[i - h], rates[i] / rates[i - h]));
        }
    }
    tune.Sort((a, b) => a.Level.CompareTo(b.Level));
    var levels = tune.Select(x => x.Level).ToArray();
    static double Quantile(List<double> xs, double p)
    {
        xs.Sort();
        return xs[(int)Math.Min(xs.Count - 1, Math.Ceiling(p * xs.Count) - 1)];
    }
    foreach (var conditional in new[] { false, true })
    {
        foreach (var p in new[] { 0.9, 0.99, 0.999 })
        {
            var global = Quantile(tune.Select(x => x.Ratio).ToList(), p);
            var byLevel = new Dictionary<long, double>();
            double sum = 0;
            int n = 0, missed = 0;
            for (var i = Math.Max(h, Index(reportFrom)); i < Math.Min(rates.Length, Index(to)); i++)
            {
                if (trace.IsMissing(i) || trace.IsMissing(i - h))
                {
                    continue;
                }
                var seen = rates[i - h];
                var g = global;
                if (conditional && seen > 0)
                {
                    var key = (long)Math.Round(Math.Log(seen) * 20);
                    if (!byLevel.TryGetValue(key, out g))
                    {
                        var lo = Array.BinarySearch(levels, seen / 2);
                        lo = lo < 0 ? ~lo : lo;
                        var hi = Array.BinarySearch(levels, seen * 2);
                        hi = hi < 0 ? ~hi : hi + 1;
                        var near = tune.Skip(lo).Take(Math.Max(0, hi - lo)).Select(x => x.Ratio).ToList();
                        byLevel[key] = g = near.Count >= 30 ? Quantile(near, p) : global;
                    }
                }
                var c = Servers(seen * g);
                if (Servers(rates[i]) > c)
                {
                    missed++;
                }
                sum += Math.Max(0, 1 - rates[i] * s / c);
                n++;
            }
            Console.WriteLine(string.Create(inv, $"causal bound ({(conditional ? "level-conditional" : "global")} growth q{p}, seen {h} interval(s) back): mean slack {sum / Math.Max(1, n):P1}, {missed} of {n} intervals under the need ({missed * trace.Step.TotalMinutes:0.#} min)"));
        }
    }

    // Session 10 (h-sim7): the same bound with the time of day. Learned causally from everything seen by t − h (the
    // warm-up day included), or from the tuning part only; phase window ±10 min; at least 20 samples at the phase, else
    // all. Variants: level-only (expanding), phase-conditional growth, and the seasonal-ratio base seen × P(t) ÷ P(t − h)
    // (P: mean of earlier days at that phase) with a global or phase-conditional residual quantile.
    var missing = Enumerable.Range(0, trace.Count).Select(trace.IsMissing).ToArray();
    var perDay = (int)(TimeSpan.FromDays(1) / trace.Step);
    var w = Math.Max(1, (int)Math.Round(10 / trace.Step.TotalMinutes));
    var seenBase = CausalBounds.SeenBase(rates, missing, h);
    var profileBase = CausalBounds.ProfileRatioBase(rates, missing, h, perDay);
    int rFrom = Math.Max(h, Index(reportFrom)), rTo = Math.Min(rates.Length, Index(to)), tFrom = Index(tuneFrom);
    var qs = new[] { 0.9, 0.99, 0.995, 0.999, 1.0 };
    var grid = new[] { 0.9, 0.95, 0.97, 0.98, 0.985, 0.99, 0.9925, 0.995, 0.9965, 0.998, 0.999, 0.9995, 1.0 };
    var w60 = Math.Max(1, (int)Math.Round(60 / trace.Step.TotalMinutes));
    var variants = new (string Name, double[] Base, int LearnFrom, int? LearnUntil, int Window)[]
    {
        ("level-only, tuning part (h-sim6's global)", seenBase, tFrom, rFrom, -1),
        ("level-only, expanding", seenBase, 0, null, -1),
        ("phase-conditional growth ±10 min, tuning part", seenBase, tFrom, rFrom, w),
        ("phase-conditional growth ±10 min, expanding", seenBase, 0, null, w),
        ("phase-conditional growth ±60 min, expanding", seenBase, 0, null, w60),
        ("seasonal ratio × global residual, expanding", profileBase, 0, null, -1),
        ("seasonal ratio × phase residual ±10 min, expanding", profileBase, 0, null, w),
        ("seasonal ratio × phase residual ±60 min, expanding", profileBase, 0, null, w60),
    };
    if (parts is not null)
    {
        // Azure: the seasonal ratio per VM (each VM's own earlier days at that phase), summed: base[t] = load seen ×
        // Σ_v seen_v × P_v(t) ÷ P_v(t − h) ÷ Σ_v seen_v (a VM whose seen load is 0 adds nothing).
        var vmBase = new double[rates.Length];
        var vmBases = parts.Select(v => CausalBounds.ProfileRatioBase(v.Take(rates.Length).ToArray(), new bool[rates.Length], h, perDay)).ToArray();
        for (var t = 0; t < rates.Length; t++)
        {
            double num = 0, den = 0;
            for (var v = 0; v < parts.Length; v++)
            {
                if (t >= h)
                {
                    den += parts[v][t - h];
                    num += double.IsNaN(vmBases[v][t]) ? 0 : vmBases[v][t];
                }
            }
            vmBase[t] = double.IsNaN(seenBase[t]) || den <= 0 ? double.NaN : seenBase[t] * num / den;
        }
        variants = [.. variants, ("per-VM seasonal ratio × global residual, expanding", vmBase, 0, null, -1), ("per-VM seasonal ratio × phase residual ±60 min, expanding", vmBase, 0, null, w60)];
    }
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    Console.WriteLine(string.Create(inv, $"seasonal causal bounds (seen {h} interval(s) back, {perDay} intervals per day): mean slack (min under the need); the last two columns: the least slack over q in {{{string.Join(", ", grid.Select(q => q.ToString(inv)))}}} with 0 min / ≤ 7 min under the need"));
    Console.WriteLine("| variant | " + string.Join(" | ", qs.Select(q => string.Create(inv, $"q{q}"))) + " | least slack, 0 min | least slack, ≤ 7 min |");
    Console.WriteLine("|---|" + string.Concat(qs.Select(_ => "---|")) + "---|---|");
    foreach (var v in variants)
    {
        var results = grid.Select(q =>
        {
            var pred = CausalBounds.Predict(rates, missing, v.Base, h, q, rFrom, rTo, v.LearnFrom, v.LearnUntil, perDay, v.Window, 20);
            var (slack, missed, _) = CausalBounds.Evaluate(rates, missing, pred, rFrom, s, Servers);
            return (Q: q, Slack: slack, Min: missed * trace.Step.TotalMinutes);
        }).ToList();
        string Least(double max) => results.Where(r => r.Min <= max).OrderBy(r => r.Slack).Select(r => string.Create(inv, $"{r.Slack:P1} (q{r.Q}, {r.Min:0.#})")).FirstOrDefault() ?? "none";
        var cells = qs.Select(q => results.First(r => r.Q == q)).Select(r => string.Create(inv, $"{r.Slack:P1} ({r.Min:0.#})"));
        Console.WriteLine($"| {v.Name} | {string.Join(" | ", cells)} | {Least(0)} | {Least(7)} |");
    }
    // Session 10 (lead): volatility-scaled growth. The level seen × exp(z_q × σ), σ the recent RMS of the one-interval
    // log growth seen by t − h (EWMA, half-life 15 or 60 minutes), z_q learned on the standardised log ratios: the
    // band widens in bursty hours and narrows in quiet ones (volatility clustering).
    foreach (var (hlMinutes, expanding) in new[] { (15.0, false), (15.0, true), (60.0, false), (60.0, true) })
    {
        var sigma = CausalBounds.RecentVolatility(rates, missing, h, Math.Max(1, hlMinutes / trace.Step.TotalMinutes));
        var results = grid.Select(q =>
        {
            var pred = expanding
                ? CausalBounds.PredictVolatilityScaled(rates, missing, seenBase, sigma, h, q, rFrom, rTo)
                : CausalBounds.PredictVolatilityScaled(rates, missing, seenBase, sigma, h, q, rFrom, rTo, tFrom, rFrom);
            var (slack, missed, _) = CausalBounds.Evaluate(rates, missing, pred, rFrom, s, Servers);
            return (Q: q, Slack: slack, Min: missed * trace.Step.TotalMinutes);
        }).ToList();
        string Least(double max) => results.Where(r => r.Min <= max).OrderBy(r => r.Slack).Select(r => string.Create(inv, $"{r.Slack:P1} (q{r.Q}, {r.Min:0.#})")).FirstOrDefault() ?? "none";
        var cells = qs.Select(q => results.First(r => r.Q == q)).Select(r => string.Create(inv, $"{r.Slack:P1} ({r.Min:0.#})"));
        Console.WriteLine(string.Create(inv, $"| volatility-scaled growth, half-life {hlMinutes:0} min, {(expanding ? "expanding" : "tuning part")} | {string.Join(" | ", cells)} | {Least(0)} | {Least(7)} |"));
    }
    Console.WriteLine(string.Create(inv, $"seasonal causal bounds: process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds:0.0} s"));
}

static TimeSpan RoundToHour(TimeSpan t) => TimeSpan.FromHours(Math.Round(t.TotalHours));

static TraceReadResult AzureFleet(string path)
{
    // Azure V1 per-VM CPU (vm_id,step,cpu_avg_pct,...): fleet demand = sum of the VMs' average CPU per 5-min step.
    if (!File.Exists(path))
    {
        return new TraceReadResult(null, [$"Azure sample missing at {path} (benchmarks read ../shared/data; skipped)"], []);
    }
    using var gz = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
    using var reader = new StreamReader(gz);
    reader.ReadLine();
    var sums = new SortedDictionary<int, double>();
    string? line;
    while ((line = reader.ReadLine()) is not null)
    {
        var f = line.Split(',');
        var step = int.Parse(f[1], CultureInfo.InvariantCulture);
        sums[step] = sums.GetValueOrDefault(step) + double.Parse(f[2], CultureInfo.InvariantCulture);
    }
    // The source does not record the absolute start; the steps are laid on an arbitrary Monday 00:00 UTC.
    var (trace, error) = DemandTrace.Create("azure_vm_v1_80vms_cpu", new DateTimeOffset(2017, 1, 2, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(5), sums.Values.ToList());
    return trace is null ? new TraceReadResult(null, [error!], []) : new TraceReadResult(trace, [], ["Azure: 80 VMs' average CPU summed per 5-min step"]);
}

// The Azure sample per VM (average CPU per 5-min step, 0 where a VM has no row), for the per-VM seasonal bound.
static double[][] AzureParts(string path)
{
    using var gz = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
    using var reader = new StreamReader(gz);
    reader.ReadLine();
    var byVm = new Dictionary<string, Dictionary<int, double>>();
    var last = 0;
    string? line;
    while ((line = reader.ReadLine()) is not null)
    {
        var f = line.Split(',');
        var step = int.Parse(f[1], CultureInfo.InvariantCulture);
        last = Math.Max(last, step);
        if (!byVm.TryGetValue(f[0], out var d))
        {
            byVm[f[0]] = d = [];
        }
        d[step] = double.Parse(f[2], CultureInfo.InvariantCulture);
    }
    return byVm.Values.Select(d => Enumerable.Range(0, last + 1).Select(i => d.GetValueOrDefault(i)).ToArray()).ToArray();
}

static string FindRoot()
{
    var dir = AppContext.BaseDirectory;
    while (dir is not null && !File.Exists(Path.Combine(dir, "Auspex.slnx")))
    {
        dir = Path.GetDirectoryName(dir);
    }
    return dir ?? Directory.GetCurrentDirectory();
}
