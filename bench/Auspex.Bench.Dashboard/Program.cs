// The dashboard's heatmap with N localities in real headless Chromium: time from navigation to every cell coloured
// and laid out (data fetched through the page's own API calls), and the redraw alone (build + paint + layout).
// Each size has its own real Auspex server over a synthetic topology of that many localities (region → zone → rack →
// host) with a stored score (four parts and their explanations) per locality, so the API, the JSON and the browser do
// exactly the work they do for a real fleet of that size. Sizes run side by side in one process, interleaved, medians reported.
//
// dotnet run -c Release --project bench/Auspex.Bench.Dashboard -- [--sizes 57,1000,10000] [--runs 7] [--chromium /usr/bin/chromium]
using System.Diagnostics;
using System.Globalization;
using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Server;
using Microsoft.Playwright;

var inv = CultureInfo.InvariantCulture;
var sizes = new[] { 57, 1000, 10000 };
var runs = 7;
var chromium = "/usr/bin/chromium";
for (var i = 0; i < args.Length - 1; i += 2)
{
    switch (args[i])
    {
        case "--sizes": sizes = args[i + 1].Split(',').Select(s => int.Parse(s, inv)).ToArray(); break;
        case "--runs": runs = int.Parse(args[i + 1], inv); break;
        case "--chromium": chromium = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
if (!File.Exists(chromium))
{
    Console.Error.WriteLine($"error: Chromium not found at {chromium} (apt-get install -y chromium, or --chromium PATH)");
    return 1;
}

// One real server per size: a topology file of that many localities, and one stored score per locality.
var servers = new Dictionary<int, (AuspexRuntime Runtime, Microsoft.AspNetCore.Builder.WebApplication App, string Url, DirectoryInfo Dir, long Bytes)>();
foreach (var n in sizes)
{
    var dir = Directory.CreateTempSubdirectory("auspex-bench-dash-");
    var topo = Path.Combine(dir.FullName, "topology.yaml");
    var ids = WriteTopology(topo, n);
    var rt = await AuspexRuntime.StartAsync(new RuntimeSettings { DataDirectory = dir.FullName, TopologyPath = topo, Fresh = true });
    await rt.Store.Results.SaveScoresAsync(rt.Loop.Tenant, Scores(ids));
    var app = AuspexServer.Build(rt, new ServerOptions { Port = 0, GrpcPort = 0, MaxSeriesPerQuery = 100_000 }, quiet: true);
    await app.StartAsync();
    var url = AuspexServer.BaseAddress(app).ToString();
    using var http = new HttpClient();
    var body = await http.GetByteArrayAsync(url + "api/v1/localities");
    var bytes = body.LongLength;
    var scored = System.Text.Json.JsonDocument.Parse(body).RootElement.EnumerateArray().Count(l => l.GetProperty("score").ValueKind == System.Text.Json.JsonValueKind.Object);
    if (scored != n)
    {
        Console.Error.WriteLine($"error: the server answers {scored} scored localities of {n}: {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(400, body.Length)))}");
        return 1;
    }
    servers[n] = (rt, app, url, dir, bytes);
}

using var pw = await Playwright.CreateAsync();
await using var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
var full = sizes.ToDictionary(n => n, _ => new List<double>());
var redraw = sizes.ToDictionary(n => n, _ => new List<double>());
var apiGet = sizes.ToDictionary(n => n, _ => new List<double>());
using var client = new HttpClient();
Console.Error.WriteLine($"heatmap bench: sizes {string.Join(", ", sizes)}, {runs} runs each, interleaved, Chromium {browser.Version}");
for (var r = 0; r < runs + 1; r++)
{
    foreach (var n in sizes)
    {
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        await page.GotoAsync(servers[n].Url + "#/heatmap");
        // Poll on animation frames until every cell is coloured, then one more frame so layout and paint are done.
        var ms = await page.EvaluateAsync<double>(@"(n) => new Promise((resolve) => {
            const give = performance.now() + 120000;
            const check = () => {
              if (performance.now() > give) { resolve(-1); return; }
              const view = document.querySelector('[data-ready]');
              const cells = document.querySelectorAll('.cell[data-locality-id]');
              if (view && view.dataset.ready === 'scored' && cells.length === n && cells[n - 1].style.backgroundColor) {
                requestAnimationFrame(() => resolve(performance.now()));
              } else requestAnimationFrame(check);
            };
            check();
          })", n);
        if (ms < 0)
        {
            var state = await page.EvaluateAsync<string>("() => `ready=${document.querySelector('[data-ready]')?.dataset.ready} cells=${document.querySelectorAll('.cell[data-locality-id]').length} text=${document.body.innerText.slice(0, 300)}`");
            Console.Error.WriteLine($"error: the heatmap of {n} localities was not drawn within 120 s: {state}");
            return 1;
        }
        var again = await page.EvaluateAsync<double>(@"async () => {
            const m = await import('/ui/js/pages/heatmap.js');
            const core = await import('/ui/js/core.js');
            const root = document.querySelector('#heatmap');
            const t0 = performance.now();
            m.buildHeatmap(root, core.fleet.localities);
            m.paintHeatmap(root, core.fleet.byId);
            void root.offsetHeight;
            return performance.now() - t0;
          }");
        var get = Stopwatch.StartNew();
        _ = await client.GetByteArrayAsync(servers[n].Url + "api/v1/localities");
        get.Stop();
        if (r > 0)
        {
            apiGet[n].Add(get.Elapsed.TotalMilliseconds);
            full[n].Add(ms);
            redraw[n].Add(again);
        }
        await page.CloseAsync();
    }
    Console.Error.Write(r == 0 ? "warm-up done" : $" {r}");
}
Console.Error.WriteLine();
foreach (var (_, sv) in servers)
{
    await sv.App.StopAsync();
    await sv.App.DisposeAsync();
    await sv.Runtime.DisposeAsync();
    try { sv.Dir.Delete(true); } catch (IOException) { }
}

Console.WriteLine($"| localities | JSON (KiB) | GET /api/v1/localities (median ms) | navigation → every cell coloured and laid out (median ms) | p90 | redraw: build + paint + layout (median ms) | p90 |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
foreach (var n in sizes)
{
    Console.WriteLine(string.Create(inv, $"| {n:N0} | {servers[n].Bytes / 1024.0:0} | {Median(apiGet[n]):0} | {Median(full[n]):0} | {Pct(full[n], 0.9):0} | {Median(redraw[n]):0} | {Pct(redraw[n], 0.9):0} |"));
}
return 0;

static double Median(List<double> v) => Pct(v, 0.5);

static double Pct(List<double> v, double q)
{
    var s = v.Order().ToArray();
    var pos = q * (s.Length - 1);
    var lo = (int)Math.Floor(pos);
    var hi = Math.Min(s.Length - 1, lo + 1);
    return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

// A region → zone → rack → host topology of exactly n localities (1 region, zones of 10 racks, ~48 hosts a rack),
// written in the topology file format; returns the locality ids.
static List<string> WriteTopology(string path, int n)
{
    var hosts = n - 1;
    int racks = 0, zones = 0;
    for (var iter = 0; iter < 50; iter++)
    {
        racks = Math.Max(1, (int)Math.Ceiling(hosts / 48.0));
        zones = Math.Max(1, (int)Math.Ceiling(racks / 10.0));
        hosts = n - 1 - racks - zones;
    }
    var ids = new List<string>(n) { "region-1" };
    var sb = new System.Text.StringBuilder();
    sb.Append("version: 1\ntenant: demo\ntiers:\n  - {name: standard, provider: onprem, price_per_hour: 0.40, performance_factor: 1.0, preemption_probability_per_hour: 0.0, provisioning_lead_time: 10m}\nregions:\n  - id: region-1\n    zones:\n");
    var h = 0;
    for (var z = 0; z < zones; z++)
    {
        ids.Add($"zone-{z + 1}");
        sb.Append(CultureInfo.InvariantCulture, $"      - id: zone-{z + 1}\n        racks:\n");
        for (var r = z * 10; r < Math.Min(racks, (z + 1) * 10); r++)
        {
            ids.Add($"rack-{r + 1:000}");
            sb.Append(CultureInfo.InvariantCulture, $"          - id: rack-{r + 1:000}\n            hosts:\n");
            // Spread the hosts evenly over the racks.
            var count = hosts / racks + (r < hosts % racks ? 1 : 0);
            for (var k = 0; k < count; k++, h++)
            {
                ids.Add($"host-{h + 1:00000}");
                sb.Append(CultureInfo.InvariantCulture, $"              - {{id: host-{h + 1:00000}, tier: standard, capacity: {{cpu: 32, memory: 256Gi}}}}\n");
            }
        }
    }
    File.WriteAllText(path, sb.ToString());
    return ids;
}

// A score for every locality, with four parts and an explanation each, as the scorer writes them.
static List<Auspex.Core.Scores.LocalityScore> Scores(List<string> ids)
{
    var rng = new Random(7);
    var at = TimeProvider.System.GetUtcNow(); // now: older scores would fall to the retention the loop applies
    var weights = new Dictionary<string, double> { ["capacity"] = 0.4, ["risk"] = 0.3, ["cost"] = 0.2, ["network"] = 0.1 };
    return ids.Select(id =>
    {
        var parts = weights.ToDictionary(w => w.Key, w =>
        {
            var v = rng.NextDouble();
            return new Auspex.Core.Scores.ScorePart(v, w.Value, string.Create(CultureInfo.InvariantCulture, $"{w.Key} {v:0.00} from the forecast's 0.9 quantile over 24 h"));
        });
        return new Auspex.Core.Scores.LocalityScore(id, at, parts.Sum(p => p.Value.Value * p.Value.Weight), parts);
    }).ToList();
}
