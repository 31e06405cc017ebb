using System.CommandLine;
using System.Globalization;
using System.Text;
using Auspex.Engine.Services;
using Auspex.Placement.Footprints;

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
        cmd.SetAction(async (parse, ct) =>
        {
            var opened = await FleetRunner.OpenAsync(parse, o, ct);
            if (opened is not { } x)
            {
                return 1;
            }
            await using var rt = x.Runtime;
            using var temp = x.Temp;
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
