using System.CommandLine;
using System.Globalization;
using Auspex.Ingestion.TopologyFiles;
using Auspex.Simulation.WhatIf;

namespace Auspex.Cli.Commands;

/// <summary>
/// <c>auspex whatif [--traffic X] [--scaling-factor X] [--fail ID,…] [--maintenance ID@FROM/TO|ID@FROM+DURATION …]
/// [--tier-price NAME=PRICE …]</c>: the predicted effect of a scenario on the live and the shadow infrastructure (scores,
/// SLOs, cost) — the same evaluation as <c>POST /api/v1/whatif</c>, on the embedded store.
/// </summary>
internal static class WhatIfCommand
{
    public static Command Create()
    {
        var traffic = new Option<double?>("--traffic") { Description = "Traffic multiplier for load, live and predicted (e.g. 1.5 = +50%)." };
        var scaling = new Option<double?>("--scaling-factor") { Description = "Multiplies every host's capacity (e.g. 0.8)." };
        var fail = new Option<string[]>("--fail") { Description = "Hosts, racks or zones taken down now (repeatable or comma-separated).", AllowMultipleArgumentsPerToken = true };
        var maintenance = new Option<string[]>("--maintenance") { Description = "A maintenance window: LOCALITY@FROM/TO or LOCALITY@FROM+DURATION (RFC 3339 times, durations like 4h); repeatable." };
        var prices = new Option<string[]>("--tier-price") { Description = "A tier's price per hour: NAME=PRICE; repeatable." };
        var level = new Option<string?>("--level") { Description = "Only show localities of this kind in the table (host, rack, zone, region); default: the ones the scenario changes." };
        var cmd = new Command("whatif", "The predicted effect of a scenario (traffic, capacity, failures, maintenance, tier prices) on the live and shadow infrastructure.")
        {
            traffic, scaling, fail, maintenance, prices, level,
        };
        var o = FleetRunner.Add(cmd, "table", "json", "yaml", "csv");
        cmd.SetAction(async (parse, ct) =>
        {
            var errors = new List<string>();
            var failed = (parse.GetValue(fail) ?? []).SelectMany(f => f.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            var windows = new List<WhatIfMaintenance>();
            foreach (var m in parse.GetValue(maintenance) ?? [])
            {
                if (TryMaintenance(m, out var w, out var why))
                {
                    windows.Add(w!);
                }
                else
                {
                    errors.Add($"--maintenance '{m}': {why}");
                }
            }
            var tierPrices = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var tp in parse.GetValue(prices) ?? [])
            {
                var eq = tp.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || !double.TryParse(tp[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var price))
                {
                    errors.Add($"--tier-price '{tp}': expected NAME=PRICE, e.g. spot=0.031");
                    continue;
                }
                tierPrices[tp[..eq].Trim()] = price;
            }
            var lvl = parse.GetValue(level);
            if (lvl is not null && lvl is not ("host" or "rack" or "zone" or "region"))
            {
                errors.Add($"--level '{lvl}': expected host, rack, zone or region");
            }
            if (errors.Count > 0)
            {
                errors.ForEach(e => Console.Error.WriteLine("error: " + e));
                return 1;
            }
            var scenario = new WhatIfScenario
            {
                TrafficMultiplier = parse.GetValue(traffic),
                ScalingFactor = parse.GetValue(scaling),
                Fail = failed.Count > 0 ? failed : null,
                Maintenance = windows.Count > 0 ? windows : null,
                TierPrices = tierPrices.Count > 0 ? tierPrices : null,
            };
            var opened = await FleetRunner.OpenAsync(parse, o, ct);
            if (opened is not { } x)
            {
                return 1;
            }
            await using var rt = x.Runtime;
            using var temp = x.Temp;
            var (result, problems) = await rt.Shadow.WhatIfAsync(scenario, ct);
            if (result is null)
            {
                foreach (var p in problems.DefaultIfEmpty("no forecasts yet: the store holds no scored tick to evaluate the scenario against"))
                {
                    Console.Error.WriteLine("error: " + p);
                }
                return 1;
            }
            var rows = Localities(result, lvl).ToList();
            var headers = new[] { "locality", "kind", "failed", "live-util", "live-util-after", "shadow-util", "shadow-util-after", "desirability", "desirability-after" };
            var text = parse.GetValue(o.Format) switch
            {
                "json" => FleetRunner.Json(result),
                "yaml" => FleetRunner.Yaml(result),
                "csv" => FleetRunner.Csv(headers, rows),
                _ => Summary(result) + FleetRunner.Table(headers, rows),
            };
            FleetRunner.Emit(parse, o, text);
            return 0;
        });
        return cmd;
    }

    /// <summary>The localities to show: of one kind, or those whose values the scenario changes (all hosts when none does).</summary>
    private static IEnumerable<IReadOnlyList<string>> Localities(WhatIfResult r, string? level)
    {
        static bool Changed(WhatIfLocality l) => l.Failed
            || Diff(l.Baseline.LiveUtilisation, l.Scenario.LiveUtilisation) || Diff(l.Baseline.ShadowUtilisation, l.Scenario.ShadowUtilisation)
            || Diff(l.Baseline.Desirability, l.Scenario.Desirability);
        var chosen = level is not null
            ? r.Localities.Where(l => string.Equals(l.Kind, level, StringComparison.OrdinalIgnoreCase)).ToList()
            : r.Localities.Where(Changed).ToList();
        if (level is null && chosen.Count == 0)
        {
            chosen = r.Localities.Where(l => string.Equals(l.Kind, "host", StringComparison.OrdinalIgnoreCase)).ToList();
        }
        return chosen.Select(l => (IReadOnlyList<string>)[l.Id, l.Kind.ToLowerInvariant(), l.Failed ? "yes" : "no",
            Pct(l.Baseline.LiveUtilisation), Pct(l.Scenario.LiveUtilisation), Pct(l.Baseline.ShadowUtilisation), Pct(l.Scenario.ShadowUtilisation),
            FleetRunner.N(l.Baseline.Desirability, "0.000"), FleetRunner.N(l.Scenario.Desirability, "0.000")]);
    }

    private static bool Diff(double? a, double? b) => a is null != b is null || (a is { } x && b is { } y && Math.Abs(x - y) > 1e-9);

    private static string Pct(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("P0", CultureInfo.InvariantCulture).Replace(" ", "", StringComparison.Ordinal) : "-";

    private static string Summary(WhatIfResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var headers = new[] { "side", "state", "mean-desirability", "min-desirability", "peak-util", "warning", "critical", "cost-per-hour", "slo-violations" };
        IReadOnlyList<string> Row(string side, string state, WhatIfSummary s) =>
        [
            side, state, FleetRunner.N(s.MeanDesirability, "0.000"), FleetRunner.N(s.MinDesirability, "0.000"), Pct(s.PeakUtilisation),
            s.Warning.ToString(inv), s.Critical.ToString(inv), s.CostPerHour.ToString("0.00", inv), $"{s.SloViolations}/{s.Slos.Count}",
        ];
        var table = FleetRunner.Table(headers,
        [
            Row("live", "today", r.Baseline.Live), Row("live", "scenario", r.Scenario.Live),
            Row("shadow", "today", r.Baseline.Shadow), Row("shadow", "scenario", r.Scenario.Shadow),
        ]);
        var lines = new List<string> { string.Create(inv, $"what-if at {r.At:yyyy-MM-ddTHH:mm:ssZ}, evaluated in {r.ElapsedMilliseconds:0} ms"), table.TrimEnd() };
        var slos = r.Scenario.Shadow.Slos.Where(s => s.Violated).Select(s => string.Create(inv, $"{s.Target} (p99 {(s.P99Ms is { } p ? p.ToString("0", inv) + " ms" : "unservable")} > {s.TargetMs:0} ms)")).ToList();
        if (slos.Count > 0)
        {
            lines.Add("SLOs predicted to be violated in the shadow: " + string.Join(", ", slos));
        }
        lines.AddRange(r.Notes.Select(n => "note: " + n));
        lines.Add("");
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }

    /// <summary>Parses <c>ID@FROM/TO</c> or <c>ID@FROM+DURATION</c>.</summary>
    internal static bool TryMaintenance(string text, out WhatIfMaintenance? window, out string? why)
    {
        window = null;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0)
        {
            why = "expected LOCALITY@FROM/TO or LOCALITY@FROM+DURATION, e.g. rack-03@2013-08-20T02:00:00Z+4h";
            return false;
        }
        var id = text[..at];
        var rest = text[(at + 1)..];
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var plus = rest.LastIndexOf('+', rest.Length - 1);
        // '+' inside a time zone offset (…+02:00) is not a duration separator: the duration part has no ':'.
        if (slash < 0 && (plus <= 0 || rest[(plus + 1)..].Contains(':', StringComparison.Ordinal)))
        {
            why = "missing the end: give /TO or +DURATION";
            return false;
        }
        var fromText = slash >= 0 ? rest[..slash] : rest[..plus];
        if (!DateTimeOffset.TryParse(fromText, CultureInfo.InvariantCulture, styles, out var from))
        {
            why = $"'{fromText}' is not an RFC 3339 time";
            return false;
        }
        DateTimeOffset to;
        if (slash >= 0)
        {
            if (!DateTimeOffset.TryParse(rest[(slash + 1)..], CultureInfo.InvariantCulture, styles, out to))
            {
                why = $"'{rest[(slash + 1)..]}' is not an RFC 3339 time";
                return false;
            }
        }
        else
        {
            if (!Quantities.TryParseDuration(rest[(plus + 1)..], out var d) || d <= TimeSpan.Zero)
            {
                why = $"'{rest[(plus + 1)..]}' is not a duration such as 30m or 4h";
                return false;
            }
            to = from + d;
        }
        window = new WhatIfMaintenance(id, from, to);
        why = null;
        return true;
    }
}
