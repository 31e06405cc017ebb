using System.CommandLine;
using System.Globalization;
using System.Text;
using Auspex.Engine.Services;
using Auspex.Placement.Footprints;
using Auspex.Placement.Global;
using Auspex.Placement.OrTools;

namespace Auspex.Cli.Commands;

/// <summary>
/// <c>auspex plan [-o table|json|yaml|csv] [--output FILE]</c>: a Terraform-style plan of the migrations the footprint
/// needs (replicas on localities predicted to fail or overload → safer ones, in phases). Exit code 0 = no change,
/// 2 = changes, 1 = error. <c>-o json</c> writes the saved plan format that <c>auspex apply</c> executes.
/// </summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var cmd = new Command("plan", "Plan migrations away from localities predicted to fail or overload (exit code 0 = no change, 2 = changes, 1 = error); -o json saves the plan for apply.");
        var o = FleetRunner.Add(cmd, "table", "json", "yaml", "csv");
        var global = new Option<bool>("--global") { Description = "Plan the whole fleet's placement (seed 001: pack replicas onto fewer hosts within capacity at the quantile per slot, spread and communication kept) instead of the footprint migrations; -o json saves the executable plan for apply." };
        var timeLimit = new Option<double>("--time-limit") { Description = "With --global: solver time limit in seconds, (0, 60].", DefaultValueFactory = _ => 10 };
        var solver = new Option<string>("--solver") { Description = "With --global: packing (default), greedy, or cpsat (CP-SAT from Google OR-Tools: exact on the whole problem when it is small, LP-guided packing on large fleets).", DefaultValueFactory = _ => "packing" };
        var drain = new Option<string[]>("--drain") { Description = "With --global: a host to empty (repeatable).", AllowMultipleArgumentsPerToken = true };
        var soak = new Option<double>("--soak") { Description = "With --global: each phase's health-gate soak in seconds, [0, 3600].", DefaultValueFactory = _ => 60 };
        var quantile = new Option<double>("--quantile") { Description = "With --global: forecast quantile each replica's per-slot CPU demand is taken at, (0, 1).", DefaultValueFactory = _ => 0.95 };
        var slots = new Option<int>("--slots") { Description = "With --global: time slots of the horizon (one hour each), 1–168.", DefaultValueFactory = _ => 24 };
        cmd.Options.Add(quantile);
        cmd.Options.Add(slots);
        cmd.Options.Add(global);
        cmd.Options.Add(timeLimit);
        cmd.Options.Add(solver);
        cmd.Options.Add(drain);
        cmd.Options.Add(soak);
        cmd.SetAction(async (parse, ct) =>
        {
            var opened = await FleetRunner.OpenAsync(parse, o, ct);
            if (opened is not { } x)
            {
                return 1;
            }
            await using var rt = x.Runtime;
            using var temp = x.Temp;
            if (parse.GetValue(global))
            {
                var ask = new GlobalPlanAsk
                {
                    TimeLimitSeconds = parse.GetValue(timeLimit),
                    Solver = parse.GetValue(solver) ?? "packing",
                    Drain = parse.GetValue(drain) is { Length: > 0 } d ? d : null,
                    SoakSeconds = parse.GetValue(soak),
                    Quantile = parse.GetValue(quantile),
                    Slots = parse.GetValue(slots),
                };
                return GlobalPlanOutput.Emit(parse, o, await new GlobalPlanService(rt.Store.State, rt.Topology, rt.Loop, rt.Scaling.Settings, PlacementSolverCatalog.Default().AddOrToolsSolver()).PlanAsync(ask, "cli:" + Environment.UserName,
                    p => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"auspex: {p.Stage} {p.ElapsedSeconds:0.0} s / {ask.TimeLimitSeconds:0.#} s: {p.HostsUsed} hosts")), ct));
            }
            var a = await new PlacementService(rt.Store.State, rt.Topology, rt.Loop).PlanAsync("cli:" + Environment.UserName, ct);
            var moves = a.Plan?.Moves ?? [];
            var headers = new[] { "phase", "action", "component", "from", "to", "health", "impact", "reason" };
            IEnumerable<IReadOnlyList<string>> Rows() => (a.Plan?.Phases ?? []).SelectMany(p => p.Moves.Select(m => (IReadOnlyList<string>)
                [p.Number.ToString(CultureInfo.InvariantCulture) + (p.IsCanary ? " (canary)" : ""), m.Kind == MoveKind.Move ? "move" : "scale-up", m.Component,
                    m.From ?? "-", m.To, FleetRunner.N(m.Hps, "0"), FleetRunner.N(m.Impact, "0.##"), m.Reason]));
            var text = parse.GetValue(o.Format) switch
            {
                "json" => a.Plan is null ? "{}\n" : MigrationPlanJson.Write(a.Plan) + "\n",
                "yaml" => FleetRunner.Yaml(new { a.Plan?.Id, a.ActionRequired, a.Discrepancy, a.Threshold, a.Components, a.Notes, a.Plan }),
                "csv" => FleetRunner.Csv(headers, Rows()),
                _ => Terraform(a),
            };
            FleetRunner.Emit(parse, o, text);
            return a.ActionRequired ? 2 : 0;
        });
        return cmd;
    }

    private static string Terraform(FootprintAssessment a)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        if (a.Plan is not { } plan)
        {
            sb.AppendLine(string.Create(inv, $"No changes. Footprint discrepancy {a.Discrepancy:0.###} is within the threshold {a.Threshold:0.###}."));
        }
        else
        {
            sb.AppendLine(string.Create(inv, $"Auspex will perform the following actions (plan {plan.Id}, discrepancy {a.Discrepancy:0.###} > {a.Threshold:0.###}):"));
            foreach (var p in plan.Phases)
            {
                sb.AppendLine();
                sb.AppendLine(string.Create(inv, $"  # phase {p.Number}{(p.IsCanary ? " (canary)" : "")}: {p.Steps.Count} steps, rollback {p.Rollback.Count} steps"));
                foreach (var m in p.Moves)
                {
                    sb.AppendLine(m.Kind == MoveKind.Move
                        ? $"  ~ {m.Component}: {m.From} -> {m.To}"
                        : $"  + {m.Component}: new replica on {m.To}");
                    sb.AppendLine($"      # {m.Reason}");
                }
            }
            sb.AppendLine();
            var move = plan.Moves.Count(m => m.Kind == MoveKind.Move);
            var add = plan.Moves.Count(m => m.Kind == MoveKind.ScaleUp);
            sb.AppendLine(string.Create(inv, $"Plan: {move} to move, {add} to add, {move} to decommission after verification, in {plan.Phases.Count} phase(s)."));
        }
        foreach (var n in a.Notes)
        {
            sb.AppendLine("note: " + n);
        }
        return sb.ToString();
    }
}
