using System.CommandLine;
using System.Globalization;
using Auspex.Cli.Plots;
using Auspex.Engine.Services;
using Auspex.Simulation.Measures;
using Auspex.Simulation.Plots;
using Auspex.Simulation.World;

namespace Auspex.Cli.Commands;

/// <summary>
/// <c>auspex simulate --trace FILE_OR_NAME --policies hpa,static,aws,auspex [-o table|json|png] [--plot FILE] [--frontier-plot FILE]</c>: replays a demand
/// trace on a simulated clock against every policy and prints the comparison. A thin adapter over <see cref="SimulationService"/>.
/// </summary>
internal static class SimulateCommand
{
    private static readonly Dictionary<string, string> Samples = new(StringComparer.OrdinalIgnoreCase)
    {
        ["worldcup98"] = "worldcup98_1998-07-02_7d.csv",
        ["worldcup"] = "worldcup98_1998-07-02_7d.csv",
        ["nasa"] = "nasa_http_1995-08-01_9d.csv",
    };

    public static Command Create()
    {
        var trace = new Option<string>("--trace") { Description = "A trace CSV (timestamp,value / ds,y / unique_id,ds,y; .gz allowed) or a sample name: worldcup98, nasa.", Required = true };
        var policies = new Option<string>("--policies") { Description = "Policies, comma-separated: hpa[:target=U:tol=T:stab=M], static, aws, auspex, auspex-1tier, auspex-vertical[:keys], oracle[:keys] (a clairvoyant bound, not a deployable policy).", DefaultValueFactory = _ => "hpa,static,aws,auspex" };
        var format = new Option<string>("--output", "-o") { Description = "table, json, or png (prints the table and writes the plot of demand against each policy's capacity).", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "png");
        var plotFile = new Option<FileInfo?>("--plot") { Description = "Write the plot (PNG) to this file; with -o png the default is auspex-simulate-<trace>.png in the current directory." };
        var frontierFile = new Option<FileInfo?>("--frontier-plot") { Description = "Write the trade-off frontier (PNG) to this file: mean slack against SLO-violation minutes, one series per family (the name without its last :key=value, e.g. hpa for hpa:target=0.9) joined in the order given, the oracle apart, and the target box (slack < 15 %, ≤ 20 % of the default hpa's minutes at no more cost) when hpa is run." };
        var model = new Option<string>("--model") { Description = "Forecasting model of the predictive policies (mstl, snaive, ets, theta…).", DefaultValueFactory = _ => "mstl" };
        var capacity = new Option<double?>("--replica-capacity") { Description = "Trace units per second one replica serves at full use (default: the trace is rescaled so its peak needs 40 replicas)." };
        var warmUp = new Option<string>("--warm-up") { Description = "Unmeasured start (history for the forecasting policies), e.g. 1d, 12h, 0.", DefaultValueFactory = _ => "1d" };
        var seed = new Option<int>("--seed") { Description = "Seed of failures and preemptions.", DefaultValueFactory = _ => 42 };
        var notice = new Option<string>("--preemption-notice") { Description = "Warning a spot replica gets before it is preempted, e.g. 2m (EC2) or 30s; it serves until then and its replacement launches at the notice. Default 0 (none).", DefaultValueFactory = _ => "0" };
        var rescale = new Option<string>("--rescale") { Description = "How the trace is rescaled to the model: proportional (every interval × k) or superposition (a count trace as k independent copies of its users: level × k, deviations × √k).", DefaultValueFactory = _ => "proportional" };
        rescale.AcceptOnlyFromAmong("proportional", "superposition");
        var resizeSemantics = new Option<string>("--resize-semantics") { Description = "A new per-replica limit asked while an in-place resize is in flight: restart (the newest ask's full 1-min lead; the default, every figure before session 10) or latest (like the kubelet: the pending resize lands at its own time with the newest limit).", DefaultValueFactory = _ => "restart" };
        resizeSemantics.AcceptOnlyFromAmong("restart", "latest");
        var resizeServing = new Option<string>("--resize-serving") { Description = "What a replica serves while its resize is in flight: smaller (the smaller of the old and new limit; the default) or in-force (the old limit until the resize lands, as a container's cgroup does).", DefaultValueFactory = _ => "smaller" };
        resizeServing.AcceptOnlyFromAmong("smaller", "in-force");
        var overhead = new Option<double>("--replica-overhead") { Description = "A fixed charge per replica-hour as a fraction of a default-size replica's price on its tier (sidecar, base memory, per-pod reservation), 0..10, so spreading over small replicas is not free. Default 0.", DefaultValueFactory = _ => 0 };
        var zeroGaps = new Option<string>("--zero-gaps") { Description = "Mark runs of at least this long of exactly zero demand as missing (an outage of the source, not an idle service), e.g. 30m, so mean slack leaves them out. Default 0 (off).", DefaultValueFactory = _ => "0" };
        var levelWindow = new Option<int>("--superposition-window") { Description = "With --rescale superposition: half-width in trace intervals of the centred window whose mean is the local level scaled by k (the rest scales by √k), 1..10000. Default 5; sparse traces such as NASA's are better modelled with about 30 (docs/simulation.md).", DefaultValueFactory = _ => 5 };
        var command = new Command("simulate", "Compare scaling policies (HPA, static, AWS predictive, Auspex) on a demand trace: SLO minutes, cost, slack.")
        {
            trace, policies, format, plotFile, frontierFile, model, capacity, warmUp, seed, notice, rescale, resizeSemantics, resizeServing, overhead, levelWindow, zeroGaps,
        };
        command.SetAction(parse =>
        {
            var err = Console.Error;
            var name = parse.GetValue(trace)!;
            var path = Resolve(name);
            if (path is null)
            {
                err.WriteLine($"error: --trace '{name}' is neither a file nor a sample name ({string.Join(", ", Samples.Keys)})");
                return 2;
            }
            if (!TryDuration(parse.GetValue(warmUp), out var wu))
            {
                err.WriteLine($"error: --warm-up '{parse.GetValue(warmUp)}' is not a duration like 1d, 12h, 30m or 0");
                return 2;
            }
            // Where the plot goes is checked before the (long) simulation, so a bad path costs nothing.
            var fmt = parse.GetValue(format);
            var plotPath = parse.GetValue(plotFile)?.FullName
                ?? (fmt == "png" ? Path.GetFullPath($"auspex-simulate-{Path.GetFileNameWithoutExtension(Path.GetFileNameWithoutExtension(path))}.png") : null);
            if (plotPath is not null && PlotHelpers.CheckPngPath(plotPath) is { } plotError)
            {
                err.WriteLine("error: " + plotError);
                return 1;
            }
            var frontierPath = parse.GetValue(frontierFile)?.FullName;
            if (frontierPath is not null && PlotHelpers.CheckPngPath(frontierPath) is { } frontierError)
            {
                err.WriteLine("error: --frontier-plot: " + frontierError);
                return 1;
            }
            if (!TryDuration(parse.GetValue(notice), out var pn))
            {
                err.WriteLine($"error: --preemption-notice '{parse.GetValue(notice)}' is not a duration like 2m, 30s or 0");
                return 2;
            }
            if (!TryDuration(parse.GetValue(zeroGaps), out var zg))
            {
                err.WriteLine($"error: --zero-gaps '{parse.GetValue(zeroGaps)}' is not a duration like 30m, 2h or 0");
                return 2;
            }
            var ov = parse.GetValue(overhead);
            if (!double.IsFinite(ov) || ov is < 0 or > 10)
            {
                err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: --replica-overhead {ov} must be between 0 and 10 (a fraction of a default-size replica's price)"));
                return 2;
            }
            if (parse.GetValue(levelWindow) is < 1 or > 10_000)
            {
                err.WriteLine($"error: --superposition-window {parse.GetValue(levelWindow)} must be 1..10000 trace intervals");
                return 2;
            }
            var world = new WorldOptions
            {
                ReplicaCapacity = parse.GetValue(capacity), WarmUp = wu, Seed = parse.GetValue(seed), PreemptionNotice = pn,
                Rescaling = parse.GetValue(rescale) == "superposition" ? TraceRescaling.Superposition : TraceRescaling.Proportional,
                ResizeSemantics = parse.GetValue(resizeSemantics) == "latest" ? ResizeSemantics.LatestSpec : ResizeSemantics.Restart,
                ResizeServing = parse.GetValue(resizeServing) == "in-force" ? ResizeServing.InForce : ResizeServing.Smaller,
                ReplicaOverhead = ov, SuperpositionHalfWindow = parse.GetValue(levelWindow),
            };
            var names = (parse.GetValue(policies) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var lastPercent = -1;
            var progress = new Progress(p =>
            {
                var percent = (int)(100 * p.Done.Ticks / Math.Max(1, p.Total.Ticks));
                if (percent != lastPercent)
                {
                    lastPercent = percent;
                    err.Write(string.Create(CultureInfo.InvariantCulture, $"\rsimulating {percent,3}% of {p.Total.TotalDays:0.#} days"));
                }
            });
            var (result, errors, warnings) = SimulationService.Run(path, names, world, parse.GetValue(model) ?? "mstl", progress,
                zeroGaps: zg > TimeSpan.Zero ? zg : null);
            if (lastPercent >= 0)
            {
                err.WriteLine();
            }
            foreach (var w in warnings)
            {
                err.WriteLine("note: " + w);
            }
            if (result is null)
            {
                foreach (var e in errors)
                {
                    err.WriteLine("error: " + e);
                }
                return 1;
            }
            Console.Out.Write(fmt == "json" ? SimulationService.Json(result) + Environment.NewLine : SimulationService.Table(result));
            if (plotPath is not null)
            {
                try
                {
                    SimulationPlot.SavePng(result, plotPath);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    err.WriteLine($"error: cannot write the plot to {plotPath}: {e.Message}");
                    return 1;
                }
                err.WriteLine($"auspex: wrote the plot to {plotPath}");
            }
            if (frontierPath is not null)
            {
                var frontier = Frontier.Build(result.Reported ?? result.Policies);
                try
                {
                    FrontierPlot.SavePng(frontier, string.Create(CultureInfo.InvariantCulture,
                        $"{result.Trace}: SLO-violation minutes vs mean slack ({result.Start:yyyy-MM-dd HH:mm} → {result.End:yyyy-MM-dd HH:mm} UTC)"), frontierPath);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    err.WriteLine($"error: --frontier-plot: cannot write the plot to {frontierPath}: {e.Message}");
                    return 1;
                }
                err.WriteLine($"auspex: wrote the frontier to {frontierPath}");
            }
            return 0;
        });
        return command;
    }

    private static string? Resolve(string name)
    {
        if (File.Exists(name))
        {
            return name;
        }
        if (!Samples.TryGetValue(name, out var file))
        {
            return null;
        }
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "samples", "traces", file) };
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, "samples", "traces", file));
        }
        return candidates.FirstOrDefault(File.Exists);
    }

    private static bool TryDuration(string? s, out TimeSpan d)
    {
        d = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(s) || s == "0")
        {
            return s == "0";
        }
        var unit = s[^1];
        if (!double.TryParse(s[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < 0)
        {
            return false;
        }
        d = unit switch { 'd' => TimeSpan.FromDays(v), 'h' => TimeSpan.FromHours(v), 'm' => TimeSpan.FromMinutes(v), 's' => TimeSpan.FromSeconds(v), _ => TimeSpan.MinValue };
        return d != TimeSpan.MinValue;
    }

    private sealed class Progress(Action<SimulationProgress> report) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value) => report(value);
    }
}
