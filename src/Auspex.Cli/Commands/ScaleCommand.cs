using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Auspex.Engine.Scaling;
using Auspex.Orchestration.Scaling;
using Auspex.Server;

namespace Auspex.Cli.Commands;

/// <summary>
/// <c>auspex scale --component ID [--quantile q] [--dry-run] [-o table|json|yaml]</c>: the scaling decision for one
/// component, from a running server (<c>--server URL</c>, <c>POST /api/v1/scaling/decide</c>) or a data directory /
/// configuration / the bundled demo (one loop tick, as <c>score</c> and <c>plan</c> do). With <c>--dry-run</c> the
/// executor only reports what it would change. Exit code 0 = no change, 2 = changes, 1 = error.
/// </summary>
internal static class ScaleCommand
{
    public static Command Create()
    {
        var cmd = new Command("scale", "Show (and, without --dry-run, carry out) the scaling decision for one component: tier mix, required capacity, quantile, lead time (exit code 0 = no change, 2 = changes, 1 = error).");
        var component = new Option<string>("--component") { Description = "Component id", Required = true };
        var quantile = new Option<string?>("--quantile") { Description = "Forecast quantile in (0, 1) to cover (default: the component's SLO, else the configured default)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show what the executor would change" };
        var server = new Option<string?>("--server") { Description = "A running Auspex server (e.g. http://127.0.0.1:5080) instead of a local store" };
        var tokenFile = new Option<FileInfo?>("--token-file") { Description = "File holding an operator API token for --server (default: the AUSPEX_TOKEN environment variable)" };
        cmd.Options.Add(component);
        cmd.Options.Add(quantile);
        cmd.Options.Add(dryRun);
        cmd.Options.Add(server);
        cmd.Options.Add(tokenFile);
        var o = FleetRunner.Add(cmd, "table", "json", "yaml");
        cmd.SetAction(async (parse, ct) =>
        {
            double? q = null;
            if (parse.GetValue(quantile) is { } qt)
            {
                if (!double.TryParse(qt, NumberStyles.Float, CultureInfo.InvariantCulture, out var qv) || !(qv is > 0 and < 1))
                {
                    Console.Error.WriteLine($"error: --quantile '{qt}' must be a number in (0, 1), e.g. 0.95");
                    return 1;
                }
                q = qv;
            }
            var id = parse.GetValue(component)!;
            var dry = parse.GetValue(dryRun);
            ScalingRecord? record;
            if (parse.GetValue(server) is { } serverText)
            {
                if (!Uri.TryCreate(serverText.EndsWith('/') ? serverText : serverText + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                {
                    Console.Error.WriteLine($"error: --server '{serverText}' is not an http(s) URL such as http://127.0.0.1:5080");
                    return 1;
                }
                (record, var error) = await FromServerAsync(url, parse.GetValue(tokenFile), id, q, dry, ct);
                if (record is null)
                {
                    Console.Error.WriteLine("error: " + error);
                    return 1;
                }
            }
            else
            {
                var opened = await FleetRunner.OpenAsync(parse, o, ct);
                if (opened is not { } x)
                {
                    return 1;
                }
                await using var rt = x.Runtime;
                using var temp = x.Temp;
                if (rt.Topology.Current.Components.All(c => c.Id != id))
                {
                    Console.Error.WriteLine($"error: --component '{id}': no such component (known: {string.Join(", ", rt.Topology.Current.Components.Select(c => c.Id).Take(20))})");
                    return 1;
                }
                record = await rt.Scaling.DecideOneAsync(id, q, dry, "cli:" + Environment.UserName, ct);
                if (record is null)
                {
                    Console.Error.WriteLine("error: the loop has no results to decide on");
                    return 1;
                }
            }
            var text = parse.GetValue(o.Format) switch
            {
                "json" => FleetRunner.Json(record),
                "yaml" => FleetRunner.Yaml(record),
                _ => Table(record, dry),
            };
            FleetRunner.Emit(parse, o, text);
            if (record.Outcome == ScalingOutcome.Invalid || record.Steps.Any(s => s.Status == "failed"))
            {
                return 1;
            }
            return record.Actions.Any(a => !a.Deferred && a.To != a.From) ? 2 : 0;
        });
        return cmd;
    }

    private static async Task<(ScalingRecord? Record, string? Error)> FromServerAsync(Uri server, FileInfo? tokenFile, string component, double? quantile, bool dryRun, CancellationToken ct)
    {
        string? token;
        if (tokenFile is not null)
        {
            if (!tokenFile.Exists)
            {
                return (null, $"--token-file '{tokenFile.FullName}' not found");
            }
            token = (await File.ReadAllTextAsync(tokenFile.FullName, ct)).Trim();
        }
        else
        {
            token = Environment.GetEnvironmentVariable("AUSPEX_TOKEN");
        }
        if (string.IsNullOrWhiteSpace(token))
        {
            return (null, "--server needs an operator API token: --token-file FILE or the AUSPEX_TOKEN environment variable (auspex demo writes one to <data-dir>/admin.token)");
        }
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync("api/v1/scaling/decide", new { component, quantile, dryRun }, ct);
        }
        catch (HttpRequestException e)
        {
            return (null, $"cannot reach {server}: {e.Message}");
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                var detail = body;
                try
                {
                    using var doc = JsonDocument.Parse(body);
                    detail = doc.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? body : body;
                }
                catch (JsonException)
                {
                    // Not problem JSON: show the body as it is.
                }
                return (null, $"{server} answered {(int)response.StatusCode}: {detail}");
            }
            var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
            AuspexServer.Configure(options);
            return (JsonSerializer.Deserialize<ScalingRecord>(body, options), null);
        }
    }

    private static string Table(ScalingRecord r, bool dryRun)
    {
        var inv = CultureInfo.InvariantCulture;
        string Mix(IReadOnlyDictionary<string, int> m) => m.Count == 0 ? "-" : string.Join(", ", m.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "component", r.Component },
            new[] { "outcome", r.Outcome.ToString() },
            new[] { "quantile", FleetRunner.N(r.Quantile, "0.###") },
            new[] { "availability", FleetRunner.N(r.Availability, "0.####") },
            new[] { "required demand", string.Create(inv, $"{r.RequiredDemand:0.###} cores (peak at {r.PeakAt:yyyy-MM-ddTHH:mm}Z)") },
            new[] { "required capacity", string.Create(inv, $"{r.RequiredCapacity:0.##} replicas of {r.CapacityPerReplica:0.###} cores at performance 1.0") },
            new[] { "lead time", string.Create(inv, $"{r.LeadTime.TotalMinutes:0.#} min") },
            new[] { "current", Mix(r.Current) },
            new[] { "tier mix", Mix(r.TierMix) },
            new[] { "cost per hour", string.Create(inv, $"{r.CurrentCostPerHour:0.###} → {r.TargetCostPerHour:0.###}") },
            new[] { "cover probability", FleetRunner.N(r.CoverProbability, "0.####") },
            new[] { "executor", r.Executor + (dryRun ? " (dry run)" : "") },
        };
        var sb = new StringBuilder(FleetRunner.Table(["field", "value"], rows));
        if (r.Actions.Count > 0)
        {
            sb.AppendLine();
            sb.Append(FleetRunner.Table(["tier", "from", "to", "needed at", "request at", "deferred"], r.Actions.Select(a => (IReadOnlyList<string>)
                [a.Tier, a.From.ToString(inv), a.To.ToString(inv), a.NeededAt.ToString("yyyy-MM-ddTHH:mm'Z'", inv), a.RequestAt.ToString("yyyy-MM-ddTHH:mm'Z'", inv), a.Deferred ? "yes" : "no"])));
        }
        foreach (var s in r.Steps)
        {
            sb.AppendLine($"{s.Status}: {s.Step}: {s.Detail.ReplaceLineEndings(" | ")}");
        }
        sb.AppendLine("reason: " + r.Reason);
        return sb.ToString();
    }
}
