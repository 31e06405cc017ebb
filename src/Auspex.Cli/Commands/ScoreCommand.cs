using System.CommandLine;
using Auspex.Core.Topology;
using Auspex.Engine.Services;
using Auspex.Scoring;

namespace Auspex.Cli.Commands;

/// <summary>
/// <c>auspex score [--demo | --data-dir D | --config F] [--at T] [--level host|rack|zone|region|all] [-o table|json|yaml|csv|svg|png] [--output F]</c>:
/// one loop tick, then every locality's desirability with its four parts (and, in json/yaml, weights and explanations);
/// <c>-o svg</c> writes the heatmap, <c>-o png</c> the same as a picture (to <c>--output</c>, default <c>heatmap.png</c>).
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var level = new Option<string>("--level") { Description = "Which localities: host, rack, zone, region or all.", DefaultValueFactory = _ => "all" };
        level.AcceptOnlyFromAmong("all", "host", "rack", "zone", "region");
        var cmd = new Command("score", "Score every locality (capacity, risk, cost, proximity → desirability) and list them, worst first; -o svg or -o png draws the heatmap.")
        {
            level,
        };
        var o = FleetRunner.Add(cmd, "table", "json", "yaml", "csv", "svg", "png");
        cmd.SetAction(async (parse, ct) =>
        {
            var format = parse.GetValue(o.Format);
            // Where the picture goes is checked before the tick, so a bad path costs nothing.
            var png = format == "png" ? parse.GetValue(o.Output)?.FullName ?? Path.GetFullPath("heatmap.png") : null;
            if (png is not null && Path.GetDirectoryName(png) is { } pngDir && !Directory.Exists(pngDir))
            {
                Console.Error.WriteLine($"error: cannot write the heatmap to {png}: the directory {pngDir} does not exist");
                return 1;
            }
            var opened = await FleetRunner.OpenAsync(parse, o, ct);
            if (opened is not { } x)
            {
                return 1;
            }
            await using var rt = x.Runtime;
            using var temp = x.Temp;
            var latest = rt.Loop.Latest!;
            if (png is not null)
            {
                Plots.HeatmapPlot.SavePng(Heatmap.Build(latest.Topology, latest.Scores, latest.At), png);
                Console.Error.WriteLine($"auspex: wrote {png}");
                return 0;
            }
            if (format == "svg")
            {
                FleetRunner.Emit(parse, o, HeatmapSvg.Render(Heatmap.Build(latest.Topology, latest.Scores, latest.At)));
                return 0;
            }
            var lv = parse.GetValue(level)!;
            var views = (await rt.Fleet.LocalitiesAsync(ct))
                .Where(v => v.Score is not null && (lv == "all" || v.Kind == lv))
                .OrderBy(v => v.Score!.Desirability).ThenBy(v => v.Id, StringComparer.Ordinal).ToList();
            string[] parts = ["capacity", "risk", "cost", "proximity"];
            var headers = new[] { "locality", "kind", "desirability" }.Concat(parts).Append("worst").ToArray();
            IReadOnlyList<string> Row(LocalityView v)
            {
                var s = v.Score!;
                var worst = s.Parts.Count == 0 ? "-" : s.Parts.MinBy(p => p.Value).Key;
                return [v.Id, v.Kind, FleetRunner.N(s.Desirability), .. parts.Select(p => FleetRunner.N(s.Parts.TryGetValue(p, out var pv) ? pv : null)), worst];
            }
            FleetRunner.Emit(parse, o, format switch
            {
                "json" => FleetRunner.Json(views),
                "yaml" => FleetRunner.Yaml(views),
                "csv" => FleetRunner.Csv(headers, views.Select(Row)),
                _ => FleetRunner.Table(headers, views.Select(Row)),
            });
            return 0;
        });
        return cmd;
    }
}
