// The dashboard's heatmap with N localities in real headless Chromium: time from navigation to every cell coloured
// and laid out (data fetched through the page's own API calls), and the redraw alone (build + paint + layout).
// Each size has its own real Auspex server over a synthetic topology of that many localities (region → zone → rack →
// host) with a stored score (four parts and their explanations) per locality, so the API, the JSON and the browser do
// exactly the work they do for a real fleet of that size. Sizes and variants run side by side in one process,
// interleaved (the variants' order rotates every run), medians reported. Variants:
//   before — the console as it was (--before-dir: its wwwroot, served from disk through AUSPEX_DASHBOARD_DIR): ECharts
//            loaded by every page, the heatmap drawn from the full GET /api/v1/localities (read from the store);
//   cold   — this console: the heatmap from GET /api/v1/heatmap with the in-memory scores just dropped, so the request
//            reads the store (what the first viewer after a loop tick pays);
//   warm   — the same with the scores already in memory (every other request in a tick).
//
// git archive 611b09b src/Auspex.Server/wwwroot | tar -x -C /tmp/auspex-before
// dotnet run -c Release --project bench/Auspex.Bench.Dashboard -- [--sizes 57,1000,10000] [--runs 7] [--chromium /usr/bin/chromium]
//     [--before-dir /tmp/auspex-before/src/Auspex.Server/wwwroot]
using System.Diagnostics;
using System.Globalization;
using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

var inv = CultureInfo.InvariantCulture;
var sizes = new[] { 57, 1000, 10000 };
var runs = 7;
var chromium = "/usr/bin/chromium";
string? beforeDir = null;
var trace = false;
var hold = 0;
for (var i = 0; i < args.Length - 1; i += 2)
{
    switch (args[i])
    {
        case "--sizes": sizes = args[i + 1].Split(',').Select(s => int.Parse(s, inv)).ToArray(); break;
        case "--runs": runs = int.Parse(args[i + 1], inv); break;
        case "--chromium": chromium = args[i + 1]; break;
        case "--before-dir": beforeDir = Path.GetFullPath(args[i + 1]); break;
        case "--trace": trace = args[i + 1] == "true"; break;
        case "--hold": hold = int.Parse(args[i + 1], inv); break; // keep the servers up this many seconds (to probe them by hand), then measure
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
if (!File.Exists(chromium))
{
    Console.Error.WriteLine($"error: Chromium not found at {chromium} (apt-get install -y chromium, or --chromium PATH)");
    return 1;
}
if (beforeDir is not null && !File.Exists(Path.Combine(beforeDir, "js", "pages", "heatmap.js")))
{
    Console.Error.WriteLine($"error: --before-dir {beforeDir} holds no console (js/pages/heatmap.js); extract one with git archive REV src/Auspex.Server/wwwroot | tar -x -C DIR");
    return 1;
}
Environment.SetEnvironmentVariable("AUSPEX_DASHBOARD_DIR", null);
var variants = beforeDir is null ? new[] { "cold", "warm" } : new[] { "before", "cold", "warm" };

// One real server per size: a topology file of that many localities, and one stored score per locality.
var servers = new Dictionary<int, (AuspexRuntime Runtime, Microsoft.AspNetCore.Builder.WebApplication App, string Url, DirectoryInfo Dir, Dictionary<string, (long Raw, long Br)> Bytes)>();
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
    var bytes = new Dictionary<string, (long Raw, long Br)>();
    foreach (var path in new[] { "api/v1/localities", "api/v1/heatmap" })
    {
        var raw = (await http.GetByteArrayAsync(url + path)).LongLength;
        using var req = new HttpRequestMessage(HttpMethod.Get, url + path);
        req.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br, zstd"); // what Chromium sends
        using var resp = await http.SendAsync(req);
        var br = (await resp.Content.ReadAsByteArrayAsync()).LongLength;
        bytes[path] = (raw, resp.Content.Headers.ContentEncoding.Contains("br") ? br : raw);
    }
    var scored = System.Text.Json.JsonDocument.Parse(body).RootElement.EnumerateArray().Count(l => l.GetProperty("score").ValueKind == System.Text.Json.JsonValueKind.Object);
    if (scored != n)
    {
        Console.Error.WriteLine($"error: the server answers {scored} scored localities of {n}: {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(400, body.Length)))}");
        return 1;
    }
    var heat = System.Text.Json.JsonDocument.Parse(await http.GetByteArrayAsync(url + "api/v1/heatmap")).RootElement;
    var heatScored = heat.GetProperty("desirability").EnumerateArray().Count(d => d.ValueKind == System.Text.Json.JsonValueKind.Number);
    if (heatScored != n || heat.GetProperty("count").GetInt32() != n)
    {
        Console.Error.WriteLine($"error: /api/v1/heatmap answers {heatScored} scored localities of {n}");
        return 1;
    }
    servers[n] = (rt, app, url, dir, bytes);
}

if (hold > 0)
{
    Console.Error.WriteLine($"holding {hold} s: {string.Join(", ", servers.Select(sv => $"{sv.Key} at {sv.Value.Url}"))}");
    await Task.Delay(TimeSpan.FromSeconds(hold));
}
using var pw = await Playwright.CreateAsync();
await using var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
var full = variants.ToDictionary(v => v, _ => sizes.ToDictionary(n => n, _ => new List<double>()));
var redraw = variants.ToDictionary(v => v, _ => sizes.ToDictionary(n => n, _ => new List<double>()));
var apiGet = new[] { "api/v1/localities", "api/v1/heatmap" }.ToDictionary(p => p, _ => sizes.ToDictionary(n => n, _ => new List<double>()));
var storeRead = sizes.ToDictionary(n => n, _ => new List<double>());
using var client = new HttpClient(new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.All });
Console.Error.WriteLine($"heatmap bench: sizes {string.Join(", ", sizes)}, variants {string.Join(", ", variants)}, {runs} runs each, interleaved, Chromium {browser.Version}");
for (var r = 0; r < runs + 1; r++)
{
    foreach (var n in sizes)
    {
        for (var vi = 0; vi < variants.Length; vi++)
        {
            var variant = variants[(vi + r) % variants.Length];
            Environment.SetEnvironmentVariable("AUSPEX_DASHBOARD_DIR", variant == "before" ? beforeDir : null);
            if (variant == "cold")
            {
                servers[n].App.Services.GetRequiredService<LatestScores>().Invalidate();
            }
            else if (variant == "warm")
            {
                _ = await client.GetByteArrayAsync(servers[n].Url + "api/v1/heatmap"); // the scores in memory, as after any earlier request
            }
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
            await page.GotoAsync(servers[n].Url + "#/heatmap");
            // Poll on animation frames until every cell is coloured, then one more frame so layout and paint are done.
            // Time 0 is the start of navigation (performance.now() of the page).
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
                Console.Error.WriteLine($"error: the heatmap of {n} localities ({variant}) was not drawn within 120 s: {state}");
                return 1;
            }
            var again = await page.EvaluateAsync<double>(@"async (before) => {
                const m = await import('/ui/js/pages/heatmap.js');
                const core = await import('/ui/js/core.js');
                const data = before ? core.fleet : core.heatmap;
                const root = document.querySelector('#heatmap');
                const t0 = performance.now();
                m.buildHeatmap(root, data.localities);
                m.paintHeatmap(root, data.byId);
                void root.offsetHeight;
                return performance.now() - t0;
              }", variant == "before");
            if (trace && r > 0)
            {
                // Where the time went: every request's start and end, from the start of navigation.
                var entries = await page.EvaluateAsync<string>(@"() => performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
                    .map(e => `${e.name.replace(location.origin, '')} ${Math.round(e.startTime)}-${Math.round(e.responseEnd)}`).join('\n')");
                Console.Error.WriteLine($"\n--- {variant} {n}: drawn at {ms:0} ms\n{entries}");
            }
            await page.CloseAsync();
            if (r > 0)
            {
                full[variant][n].Add(ms);
                redraw[variant][n].Add(again);
            }
        }
        Environment.SetEnvironmentVariable("AUSPEX_DASHBOARD_DIR", null);
        foreach (var path in apiGet.Keys)
        {
            var get = Stopwatch.StartNew();
            _ = await client.GetByteArrayAsync(servers[n].Url + path);
            get.Stop();
            if (r > 0)
            {
                apiGet[path][n].Add(get.Elapsed.TotalMilliseconds);
            }
        }
        var read = Stopwatch.StartNew();
        _ = await servers[n].Runtime.Store.Results.LatestScoresAsync(servers[n].Runtime.Loop.Tenant);
        read.Stop();
        if (r > 0)
        {
            storeRead[n].Add(read.Elapsed.TotalMilliseconds);
        }
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

Console.WriteLine("Data: the heatmap's JSON as sent raw and with br (what Chromium asks for), and the GET over loopback with decompression (median ms).");
Console.WriteLine();
Console.WriteLine("| localities | /api/v1/localities raw / br (KiB) | GET (ms) | /api/v1/heatmap raw / br (KiB) | GET, scores in memory (ms) | store read of the latest scores (ms) |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
foreach (var n in sizes)
{
    var (lr, lb) = servers[n].Bytes["api/v1/localities"];
    var (hr, hb) = servers[n].Bytes["api/v1/heatmap"];
    Console.WriteLine(string.Create(inv, $"| {n:N0} | {lr / 1024.0:0} / {lb / 1024.0:0} | {Median(apiGet["api/v1/localities"][n]):0} | {hr / 1024.0:0} / {hb / 1024.0:0} | {Median(apiGet["api/v1/heatmap"][n]):0} | {Median(storeRead[n]):0} |"));
}
Console.WriteLine();
Console.WriteLine("Navigation → every cell coloured and laid out (median ms, p90 in brackets); redraw = build + paint + layout (median ms).");
Console.WriteLine();
Console.WriteLine($"| localities | {string.Join(" | ", variants.Select(v => v + ": navigation"))} | {(beforeDir is null ? "" : "before ÷ warm | before ÷ cold | ")}{string.Join(" | ", variants.Select(v => v + ": redraw"))} |");
Console.WriteLine($"|---:|{string.Concat(Enumerable.Repeat("---:|", variants.Length * 2 + (beforeDir is null ? 0 : 2)))}");
foreach (var n in sizes)
{
    var nav = string.Join(" | ", variants.Select(v => string.Create(inv, $"{Median(full[v][n]):0} ({Pct(full[v][n], 0.9):0})")));
    var ratio = beforeDir is null ? "" : string.Create(inv, $"{Median(full["before"][n]) / Median(full["warm"][n]):0.0}× | {Median(full["before"][n]) / Median(full["cold"][n]):0.0}× | ");
    var rd = string.Join(" | ", variants.Select(v => string.Create(inv, $"{Median(redraw[v][n]):0}")));
    Console.WriteLine(string.Create(inv, $"| {n:N0} | {nav} | {ratio}{rd} |"));
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
