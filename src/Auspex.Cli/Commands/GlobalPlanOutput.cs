using System.CommandLine;
using System.Globalization;
using System.Text;
using Auspex.Engine.Services;
using Auspex.Orchestration.Plans;

namespace Auspex.Cli.Commands;

/// <summary>How <c>auspex plan --global</c> prints a global plan: a Terraform-style diff and summary, or the saved plan (json) that <c>auspex apply</c> runs.</summary>
internal static class GlobalPlanOutput
{
    /// <summary>Prints the answer; returns the exit code (0 no change, 2 changes, 1 error or no plan).</summary>
    public static int Emit(ParseResult parse, FleetRunner.Options o, GlobalPlanAnswer answer)
    {
        if (answer is GlobalPlanAnswer.Invalid bad)
        {
            Console.Error.WriteLine("error: " + bad.Error);
            return 1;
        }
        var v = ((GlobalPlanAnswer.Planned)answer).View;
        if (v.Planned is null)
        {
            Console.Error.WriteLine($"error: no global plan ({v.Status}, {v.Solver}): {string.Join("; ", v.Notes)}");
            return 1;
        }
        var text = parse.GetValue(o.Format) switch
        {
            // The executable plan (docs/orchestration.md), what `auspex apply -f` reads; {} when nothing changes.
            "json" => v.Plan is null ? "{}\n" : PlanJson.Write(v.Plan) + "\n",
            "yaml" => FleetRunner.Yaml(v with { Plan = null }),
            "csv" => FleetRunner.Csv(["action", "component", "from", "to"], v.Diff.Select(d => (IReadOnlyList<string>)[d.Kind, d.Component, d.From ?? "-", d.To ?? "-"])),
            _ => Terraform(v),
        };
        FleetRunner.Emit(parse, o, text);
        if (parse.GetValue(o.Format) != "table")
        {
            Console.Error.WriteLine("auspex: " + Summary(v));
        }
        return v.Changes ? 2 : 0;
    }

    /// <summary>The summary line.</summary>
    public static string Summary(GlobalPlanView v)
    {
        var inv = CultureInfo.InvariantCulture;
        var p = v.Planned!;
        var moves = v.Diff.Count(d => d.Kind == "move");
        var adds = v.Diff.Count(d => d.Kind == "add");
        var removes = v.Diff.Count(d => d.Kind == "remove");
        return string.Create(inv, $"Plan: {moves} to move, {adds} to add, {removes} to remove; hosts {v.Current.HostsUsed} -> {p.HostsUsed}; objective {v.Current.Objective:0.###} -> {p.Objective:0.###}, {v.Gap * 100:0.0}% above the lower bound {v.LowerBound:0.###}; {v.Solver} in {v.ElapsedSeconds:0.0} s of {v.TimeLimitSeconds:0.#} s.") + (v.BoundNote is { } note ? " " + note : "");
    }

    /// <summary>Where the demand came from: forecasts (and which rise above their requests) and the requests used instead, with why.</summary>
    public static IEnumerable<string> DemandLines(GlobalPlanView v)
    {
        var inv = CultureInfo.InvariantCulture;
        var fromForecast = v.Demand.Where(d => d.Source == "forecast").ToList();
        var rising = fromForecast.Where(d => d.SlotsAboveRequest > 0).ToList();
        yield return string.Create(inv, $"  # demand: {fromForecast.Count} component(s) from forecasts, {v.Demand.Count - fromForecast.Count} from requests") +
            (rising.Count > 0 ? "; above requests: " + string.Join(", ", rising.Take(10).Select(d => string.Create(inv, $"{d.Component} (peak {d.PeakCpuPerReplica:0.###} > {d.RequestCpu:0.###} cpu/replica in {d.SlotsAboveRequest} slot(s))"))) + (rising.Count > 10 ? ", …" : "") : "");
        foreach (var d in v.Demand.Where(d => d.Source != "forecast").Take(5))
        {
            yield return $"  #   {d.Component}: requests, {d.Reason}";
        }
        if (v.Demand.Count(d => d.Source != "forecast") > 5)
        {
            yield return string.Create(inv, $"  #   … and {v.Demand.Count(d => d.Source != "forecast") - 5} more from requests");
        }
    }

    private static string Terraform(GlobalPlanView v)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        if (!v.Changes)
        {
            sb.AppendLine(string.Create(inv, $"No changes. The current placement ({v.Current.HostsUsed} hosts, objective {v.Current.Objective:0.###}) is what {v.Solver} finds in {v.ElapsedSeconds:0.0} s."));
            foreach (var line in DemandLines(v))
            {
                sb.AppendLine(line);
            }
            sb.AppendLine(Summary(v));
            return sb.ToString();
        }
        sb.AppendLine($"Auspex will perform the following actions (global plan {v.Id}):");
        foreach (var (phase, i) in v.Plan!.Phases.Select((p, i) => (p, i)))
        {
            sb.AppendLine();
            sb.AppendLine(string.Create(inv, $"  # {phase.Name}{(phase.IsCanary ? " (canary)" : "")}: new replicas, health gate, then the originals stop"));
            var batch = v.Diff.Where(d => d.Phase == i + 1);
            foreach (var d in batch)
            {
                sb.AppendLine(d.Kind switch
                {
                    "move" => $"  ~ {d.Component}: {d.From} -> {d.To}",
                    "add" => $"  + {d.Component}: new replica on {d.To}",
                    _ => $"  - {d.Component}: replica on {d.From}",
                });
            }
        }
        if (v.FreedHosts.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(string.Create(inv, $"  # {v.FreedHosts.Count} host(s) left empty: {string.Join(", ", v.FreedHosts.Take(20))}{(v.FreedHosts.Count > 20 ? ", …" : "")}"));
        }
        sb.AppendLine();
        sb.AppendLine(string.Create(inv, $"  # communication {v.Current.Communication:0.#} -> {v.Planned!.Communication:0.#}; overloaded host-slots {v.Current.OverloadedHostSlots} -> {v.Planned.OverloadedHostSlots}"));
        foreach (var line in DemandLines(v))
        {
            sb.AppendLine(line);
        }
        sb.AppendLine(Summary(v));
        return sb.ToString();
    }
}
