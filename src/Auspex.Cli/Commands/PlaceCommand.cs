using System.CommandLine;
using System.Globalization;
using Auspex.Engine.Services;
using Auspex.Ingestion.TopologyFiles;

namespace Auspex.Cli.Commands;

/// <summary>
/// <c>auspex place (--component C | --cpu N --memory Q) [--replicas N] [--lifetime 1h] [--spread-over zone] [--seed S] [--candidates K] [-o table|json|yaml|csv]</c>:
/// where would this deployment go, and why (every score plugin per candidate). Dry: nothing is recorded, the question is audited.
/// </summary>
internal static class PlaceCommand
{
    public static Command Create()
    {
        var component = new Option<string?>("--component") { Description = "An existing component (its requests, service and tiers are the defaults)." };
        var cpu = new Option<string?>("--cpu") { Description = "Cores per replica (e.g. 2 or 500m)." };
        var memory = new Option<string?>("--memory") { Description = "Memory per replica (e.g. 4Gi)." };
        var replicas = new Option<int>("--replicas") { Description = "Replicas to place.", DefaultValueFactory = _ => 1 };
        var lifetime = new Option<string>("--lifetime") { Description = "How long they will run (fit is checked over it).", DefaultValueFactory = _ => "1h" };
        var spread = new Option<string?>("--spread-over") { Description = "Spread replicas over host, rack, zone or region (max skew 1)." };
        var seed = new Option<int>("--seed") { Description = "Steering seed (same seed, same choice).", DefaultValueFactory = _ => 0 };
        var candidates = new Option<int>("--candidates") { Description = "How many of the best candidates to show.", DefaultValueFactory = _ => 5 };
        var cmd = new Command("place", "Where would this deployment go, and why: the chosen host and every score plugin's score for the best candidates.")
        {
            component, cpu, memory, replicas, lifetime, spread, seed, candidates,
        };
        var o = FleetRunner.Add(cmd, "table", "json", "yaml", "csv");
        cmd.SetAction(async (parse, ct) =>
        {
            var requests = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (opt, key) in new[] { (cpu, "cpu"), (memory, "memory") })
            {
                if (parse.GetValue(opt) is { } given)
                {
                    if (!Quantities.TryParseQuantity(given, out var v) || v < 0)
                    {
                        Console.Error.WriteLine($"error: --{key} '{given}' is not a quantity such as 2, 500m or 4Gi");
                        return 1;
                    }
                    requests[key] = v;
                }
            }
            if (!Quantities.TryParseDuration(parse.GetValue(lifetime), out var life) || life <= TimeSpan.Zero)
            {
                Console.Error.WriteLine($"error: --lifetime '{parse.GetValue(lifetime)}' is not a duration such as 30m or 6h");
                return 1;
            }
            var ask = new PlacementAsk
            {
                Component = parse.GetValue(component),
                Requests = requests.Count > 0 ? requests : null,
                Replicas = parse.GetValue(replicas),
                LifetimeHours = life.TotalHours,
                SpreadOver = parse.GetValue(spread),
                Seed = parse.GetValue(seed),
                Candidates = parse.GetValue(candidates),
            };
            var opened = await FleetRunner.OpenAsync(parse, o, ct);
            if (opened is not { } x)
            {
                return 1;
            }
            await using var rt = x.Runtime;
            using var temp = x.Temp;
            var service = new PlacementService(rt.Store.State, rt.Topology, rt.Loop);
            var answer = await service.DecideAsync(ask, "cli:" + Environment.UserName, ct);
            if (answer is PlacementAnswer.Invalid bad)
            {
                Console.Error.WriteLine("error: " + bad.Error);
                return 1;
            }
            var d = ((PlacementAnswer.Decided)answer).Decision;
            var plugins = d.Weights.Keys.ToList();
            var headers = new[] { "rank", "host", "total" }.Concat(plugins.Select(p => p)).ToArray();
            IEnumerable<IReadOnlyList<string>> Rows() => d.Candidates.Select(c =>
                (IReadOnlyList<string>)[c.Rank.ToString(CultureInfo.InvariantCulture) + (c.Host == d.Chosen ? "*" : ""), c.Host, FleetRunner.N(c.Total, "0.0"),
                    .. plugins.Select(p => FleetRunner.N(c.Plugins.FirstOrDefault(x => x.Plugin == p)?.Normalized, "0"))]);
            var text = parse.GetValue(o.Format) switch
            {
                "json" => FleetRunner.Json(d),
                "yaml" => FleetRunner.Yaml(d),
                "csv" => FleetRunner.Csv(headers, Rows()),
                _ => Summary(d) + FleetRunner.Table(headers, Rows()),
            };
            FleetRunner.Emit(parse, o, text);
            return d.Feasible ? 0 : 3;
        });
        return cmd;
    }

    private static string Summary(PlacementDecisionView d)
    {
        var lines = new List<string>();
        foreach (var r in d.Replicas)
        {
            lines.Add(r.Host is null
                ? $"replica {r.Replica}: infeasible — {string.Join("; ", r.Reasons)}"
                : $"replica {r.Replica} → {r.Host}: {r.Explanation}");
        }
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"{d.FeasibleHosts} feasible, {d.RejectedHosts} ruled out{(d.Rejections.Count > 0 ? ": " + string.Join("; ", d.Rejections) : "")}; weights {string.Join(", ", d.Weights.Select(w => $"{w.Key} {w.Value:0.##}"))}; decision {d.Id} (audited, dry run)"));
        lines.Add("");
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}
