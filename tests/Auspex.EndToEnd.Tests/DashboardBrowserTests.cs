using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Auspex.Testing;
using Microsoft.Playwright;

namespace Auspex.EndToEnd.Tests;

/// <summary>The dashboard in a real headless Chromium (Debian's), driven by Playwright.</summary>
[Collection("demo")]
public sealed class DashboardBrowserTests(DemoServerFixture demo)
{
    internal const string Chromium = "/usr/bin/chromium";
    internal const string Install = "apt-get install -y chromium";

    /// <summary>A browser, one isolated context (own cookies) and a page that records console errors and off-host requests.</summary>
    internal sealed class Session : IAsyncDisposable
    {
        private IPlaywright _pw = null!;
        public IBrowser Browser { get; private set; } = null!;
        public IBrowserContext Context { get; private set; } = null!;
        public IPage Page { get; private set; } = null!;
        public List<string> Errors { get; } = [];
        public List<string> External { get; } = [];

        public static async Task<Session> StartAsync(Uri server, int width = 1400, int height = 900)
        {
            var s = new Session { _pw = await Playwright.CreateAsync() };
            s.Browser = await s._pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
            s.Context = await s.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
            s.Page = await s.Context.NewPageAsync();
            s.Page.PageError += (_, e) => s.Errors.Add("page error: " + e);
            s.Page.Console += (_, m) =>
            {
                // Failed loads are judged from the responses below, which name the URL.
                if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
                {
                    s.Errors.Add($"console: {m.Text} at {m.Location}");
                }
            };
            s.Page.Response += (_, r) =>
            {
                // A 404 from an API this server does not have is expected (the page says "not available"); 401/403
                // are the server refusing; anything else that failed — a missing script, a 5xx — is an error.
                var api = r.Url.Contains("/api/v1/", StringComparison.Ordinal);
                if (r.Status >= 500 || (r.Status >= 400 && !(api && r.Status is 401 or 403 or 404)))
                {
                    s.Errors.Add($"HTTP {r.Status} {r.Url}");
                }
            };
            s.Page.Request += (_, r) =>
            {
                var u = new Uri(r.Url);
                if (u.Scheme is "http" or "https" or "ws" or "wss" && u.Host != server.Host)
                {
                    s.External.Add(r.Url);
                }
            };
            return s;
        }

        public async Task GotoAsync(Uri server, string hash, string ready = "[data-ready]")
        {
            await Page.GotoAsync(new Uri(server, "/" + hash).ToString());
            await Page.WaitForSelectorAsync($"#view{ready}", new PageWaitForSelectorOptions { Timeout = 60_000 });
        }

        public async Task ShotAsync(string name, bool fullPage = false)
        {
            var dir = Path.Combine(RepoPaths.Root, "artifacts");
            Directory.CreateDirectory(dir);
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, $"dashboard-{name}.png"), FullPage = fullPage });
        }

        public async ValueTask DisposeAsync()
        {
            await Context.DisposeAsync();
            await Browser.DisposeAsync();
            _pw.Dispose();
        }
    }

    /// <summary>Whether this server has an API (the pages must show "not available" when it does not).</summary>
    internal static async Task<bool> HasApiAsync(HttpClient http, string path) => (await http.GetAsync(path)).StatusCode != HttpStatusCode.NotFound;

    [RequiresProgramFact(Chromium, Install)]
    public async Task Heatmap_HasACellPerLocality_AndUpdatesLive()
    {
        var locs = await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        var ids = locs.EnumerateArray().Select(l => l.GetProperty("id").GetString()!).ToHashSet();
        await using var s = await Session.StartAsync(demo.BaseAddress);
        await s.GotoAsync(demo.BaseAddress, "#/heatmap", "[data-ready=scored]");
        var cellIds = await s.Page.EvalOnSelectorAllAsync<string[]>("#heatmap [data-locality-id]", "els => els.map(e => e.dataset.localityId)");
        Assert.Equal(ids.Count, cellIds.Length);
        Assert.Equal(ids, cellIds.ToHashSet());
        // Every cell is coloured from its score (not the grey of 'no score').
        var grey = await s.Page.EvalOnSelectorAllAsync<int>("#heatmap [data-locality-id]", "els => els.filter(e => getComputedStyle(e).backgroundColor === 'rgb(58, 67, 78)').length");
        Assert.Equal(0, grey);
        // Live: the loop's clock shown in the header moves without a reload.
        // (Polled from here: the page's Content-Security-Policy forbids the eval that WaitForFunction needs.)
        var clock1 = await s.Page.InnerTextAsync("#clock");
        var moved = System.Diagnostics.Stopwatch.StartNew();
        while (await s.Page.InnerTextAsync("#clock") == clock1 && moved.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(250);
        }
        Assert.NotEqual(clock1, await s.Page.InnerTextAsync("#clock"));
        await s.ShotAsync("heatmap");
        Assert.Empty(s.Errors);
        Assert.Empty(s.External);
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task Heatmap_DrawsFromTheCompactView_AndFetchesOneLocalityOnHover()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        await using var s = await Session.StartAsync(demo.BaseAddress);
        var api = new List<string>();
        s.Page.Request += (_, r) =>
        {
            var u = new Uri(r.Url);
            if (u.AbsolutePath.StartsWith("/api/v1/", StringComparison.Ordinal))
            {
                lock (api)
                {
                    api.Add(u.PathAndQuery);
                }
            }
        };
        // Every /api/v1/heatmap body the page received: it refetches after each tick, so the cells are compared with
        // what the page itself drew from, not with a later fetch of ours (a fast demo clock moves scores between the two).
        var bodies = new List<Task<string>>();
        s.Page.Response += (_, r) =>
        {
            if (new Uri(r.Url).AbsolutePath == "/api/v1/heatmap" && r.Status == 200)
            {
                lock (bodies)
                {
                    bodies.Add(r.TextAsync());
                }
            }
        };
        await s.GotoAsync(demo.BaseAddress, "#/heatmap", "[data-ready=scored]");
        // What the page drew from: GET /api/v1/heatmap, never the full list of localities; ECharts not loaded.
        string[] seen;
        lock (api)
        {
            seen = [.. api];
        }
        Assert.Contains("/api/v1/heatmap", seen);
        Assert.DoesNotContain("/api/v1/localities", seen);
        Assert.Equal(0, await s.Page.Locator("script[src*=echarts]").CountAsync());
        // Every cell is the API's locality with its desirability (3 decimals in data-desirability).
        var heat = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/heatmap");
        var ids = heat.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var cells = await s.Page.EvalOnSelectorAllAsync<string[][]>("#heatmap [data-locality-id]", "els => els.map(e => [e.dataset.localityId, e.dataset.desirability])");
        Assert.Equal(ids.Length, cells.Length);
        Assert.Equal(ids.ToHashSet(), cells.Select(c => c[0]).ToHashSet());
        var byId = cells.ToDictionary(c => c[0], c => double.Parse(c[1], System.Globalization.CultureInfo.InvariantCulture));
        // The cells are, to their 3 decimals, exactly one of the responses the page received (the one it last painted).
        Task<string>[] received;
        lock (bodies)
        {
            received = [.. bodies];
        }
        Assert.NotEmpty(received);
        var matched = false;
        foreach (var body in await Task.WhenAll(received))
        {
            var h = JsonDocument.Parse(body).RootElement;
            var hid = h.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!).ToArray();
            var hdes = h.GetProperty("desirability").EnumerateArray().ToArray();
            matched |= hid.Length == byId.Count && hid.Select((id, i) => byId.TryGetValue(id, out var v)
                && (hdes[i].ValueKind != JsonValueKind.Number || Math.Abs(v - hdes[i].GetDouble()) <= 0.0006)).All(ok => ok);
        }
        Assert.True(matched, $"the cells match none of the {received.Length} /api/v1/heatmap responses the page received");
        // Hovering a host fetches that one locality for the weights and explanations, once.
        var host = ids.Where((_, i) => heat.GetProperty("kindNames")[heat.GetProperty("kind")[i].GetInt32()].GetString() == "host").First();
        await s.Page.Locator($"#heatmap [data-locality-id='{host}']").HoverAsync();
        await s.Page.WaitForSelectorAsync("#tooltip[data-detail=loaded]", new PageWaitForSelectorOptions { Timeout = 30_000 });
        Assert.True(await s.Page.Locator("#tooltip .why").CountAsync() >= 4);
        Assert.Matches(@"×\d\.\d\d", await s.Page.InnerTextAsync("#tooltip"));
        lock (api)
        {
            Assert.Contains($"/api/v1/localities/{host}", api);
            Assert.DoesNotContain("/api/v1/localities", api);
        }
        await s.ShotAsync("heatmap-compact-hover");
        Assert.Empty(s.Errors);
        Assert.Empty(s.External);
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task AnonymousReadsOff_TheHeatmapSendsToLogin_AnotherTenantsKeyIsRefused_AViewerKeyOpensIt()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        var count = (await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/heatmap")).GetProperty("count").GetInt32();
        demo.Auth.AnonymousReads = false;
        try
        {
            await using var s = await Session.StartAsync(demo.BaseAddress);
            var refused = new List<string>();
            s.Page.Response += (_, r) =>
            {
                if (r.Status == 401 && r.Url.Contains("/api/v1/heatmap", StringComparison.Ordinal))
                {
                    lock (refused)
                    {
                        refused.Add(r.Url);
                    }
                }
            };
            // Not logged in: the heatmap's data is refused (401) and the console sends the visitor to log in.
            await s.Page.GotoAsync(new Uri(demo.BaseAddress, "/#/heatmap").ToString());
            await s.Page.WaitForSelectorAsync("#view[data-page=login][data-ready]", new PageWaitForSelectorOptions { Timeout = 60_000 });
            lock (refused)
            {
                Assert.NotEmpty(refused);
            }
            Assert.Equal("none", await s.Page.GetAttributeAsync("body", "data-role"));
            await s.ShotAsync("login-required");
            // A key of another tenant (even an admin's) is refused at the login, with the reason.
            await s.Page.FillAsync("#login-key", DemoServerFixture.OtherTenantToken);
            await s.Page.ClickAsync("#login-form button[type=submit]");
            await s.Page.WaitForSelectorAsync("#login-msg .error");
            Assert.Contains("belongs to another tenant", await s.Page.InnerTextAsync("#login-msg"), StringComparison.Ordinal);
            Assert.Empty(await s.Context.CookiesAsync());
            // A viewer key of this tenant: back on the heatmap asked for, every cell drawn.
            await s.Page.FillAsync("#login-key", DemoServerFixture.ViewerToken);
            await s.Page.ClickAsync("#login-form button[type=submit]");
            await s.Page.WaitForSelectorAsync("#view[data-page=heatmap][data-ready=scored]", new PageWaitForSelectorOptions { Timeout = 60_000 });
            Assert.Equal(count, await s.Page.Locator("#heatmap [data-locality-id]").CountAsync());
            Assert.Equal("viewer", await s.Page.GetAttributeAsync("body", "data-role"));
            Assert.Empty(s.Errors);
        }
        finally
        {
            demo.Auth.AnonymousReads = true;
        }
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task HostCell_HoverShowsPartsBesideThePointer_ClickOpensTheLocalityWithFanCharts()
    {
        var locs = await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        var host = locs.EnumerateArray().First(l => l.GetProperty("kind").GetString() == "host").GetProperty("id").GetString()!;
        await using var s = await Session.StartAsync(demo.BaseAddress);
        await s.GotoAsync(demo.BaseAddress, "#/heatmap", "[data-ready=scored]");
        var cell = s.Page.Locator($"#heatmap [data-locality-id='{host}']");
        await cell.HoverAsync();
        var tip = s.Page.Locator("#tooltip");
        await tip.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });
        // The parts show at once; their weights and explanations once GET /api/v1/localities/{id} has answered.
        await s.Page.WaitForSelectorAsync("#tooltip[data-detail=loaded]", new PageWaitForSelectorOptions { Timeout = 30_000 });
        var text = await tip.InnerTextAsync();
        Assert.Contains("capacity", text, StringComparison.Ordinal);
        Assert.Contains("tightest resource", text, StringComparison.Ordinal);
        // Regression: a tiny failure probability read "= 0".
        Assert.DoesNotMatch(@"P\(failure within [^)]*\) = 0;", text);
        // The tooltip stays inside the window and does not cover the cell under the pointer.
        var box = (await tip.BoundingBoxAsync())!;
        var c = (await cell.BoundingBoxAsync())!;
        Assert.InRange(box.X, 0, 1400 - box.Width);
        Assert.InRange(box.Y, 0, 900 - box.Height);
        Assert.False(box.X < c.X + c.Width && c.X < box.X + box.Width && box.Y < c.Y + c.Height && c.Y < box.Y + box.Height, "tooltip covers the hovered cell");
        await s.ShotAsync("heatmap-hover");
        await cell.ClickAsync();
        await s.Page.WaitForSelectorAsync("#view[data-page=locality][data-ready]", new PageWaitForSelectorOptions { Timeout = 60_000 });
        Assert.True(await tip.IsHiddenAsync());
        Assert.Contains(host, await s.Page.InnerTextAsync("#loc-title"), StringComparison.Ordinal);
        Assert.True(await s.Page.Locator("#charts .fan canvas").CountAsync() >= 1, "no fan chart drawn");
        Assert.True(await s.Page.Locator("#charts .fan[data-has-forecast=true]").CountAsync() >= 1, "no forecast in the fan charts");
        Assert.Equal(1, await s.Page.Locator("#loc-history canvas").CountAsync());
        Assert.Equal(4, await s.Page.Locator("#loc-parts .part").CountAsync());
        if (await HasApiAsync(demo.Http, "/api/v1/components"))
        {
            await s.Page.WaitForSelectorAsync("#loc-components table, #loc-components span");
        }
        else
        {
            await s.Page.WaitForSelectorAsync("#loc-components [data-unavailable]");
        }
        await s.ShotAsync("locality", fullPage: true);
        Assert.Empty(s.Errors);
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task Navigation_EveryPageRenders_WithoutErrorsOrExternalRequests()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        await using var s = await Session.StartAsync(demo.BaseAddress);
        await s.GotoAsync(demo.BaseAddress, "#/overview");
        foreach (var page in new[] { "overview", "heatmap", "shadow", "whatif", "placement", "plans", "forecasts", "alerts" })
        {
            await s.Page.ClickAsync($"#nav a[data-page={page}]");
            await s.Page.WaitForSelectorAsync($"#view[data-page={page}][data-ready]", new PageWaitForSelectorOptions { Timeout = 60_000 });
            Assert.Contains($"#/{page}", s.Page.Url, StringComparison.Ordinal);
            Assert.Equal(page, await s.Page.GetAttributeAsync("#nav a.active", "data-page"));
            Assert.Equal(0, await s.Page.Locator("#view .error").CountAsync());
            await s.ShotAsync(page);
        }
        // Back goes back through the pages (hash routing).
        await s.Page.GoBackAsync();
        await s.Page.WaitForSelectorAsync("#view[data-page=forecasts][data-ready]");
        Assert.Empty(s.Errors);
        Assert.Empty(s.External);
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task Overview_ShowsFleetHealth_AndAlertsAndActionsOrTheirAbsence()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        await using var s = await Session.StartAsync(demo.BaseAddress);
        await s.GotoAsync(demo.BaseAddress, "#/overview");
        Assert.Contains("40", await s.Page.InnerTextAsync("#kpis"), StringComparison.Ordinal);
        Assert.Equal(57, await s.Page.Locator("#ov-mini [data-locality-id]").CountAsync());
        Assert.Equal(8, await s.Page.Locator("#ov-worst tbody tr").CountAsync());
        foreach (var (sel, path) in new[] { ("#ov-alerts", "/api/v1/alerts"), ("#ov-actions", "/api/v1/plans") })
        {
            var has = await HasApiAsync(demo.Http, path);
            Assert.Equal(!has, await s.Page.Locator($"{sel} [data-unavailable]").CountAsync() == 1);
        }
        // Scaling ahead: one row per component with a decision in the API, or the reason there is none.
        var scaling = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/scaling/decisions?limit=500");
        var components = scaling.GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("component").GetString()).Distinct().Count();
        var mode = scaling.GetProperty("mode").GetString();
        Assert.Contains($"mode {mode}", await s.Page.InnerTextAsync("#ov-scaling-mode"), StringComparison.Ordinal);
        if (components == 0)
        {
            Assert.Contains("No scaling decision yet", await s.Page.InnerTextAsync("#ov-scaling"), StringComparison.Ordinal);
        }
        else
        {
            Assert.True(await s.Page.Locator("#ov-scaling-table tbody tr").CountAsync() >= 1);
        }
        Assert.Empty(s.Errors);
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task Shadow3D_DrawsLiveAndShadowBoxes_InWebGl()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        await using var s = await Session.StartAsync(demo.BaseAddress);
        await s.GotoAsync(demo.BaseAddress, "#/shadow");
        Assert.Equal(1, await s.Page.Locator("#stage canvas").CountAsync());
        // The canvas really has something drawn: count pixels that differ from the clear colour.
        var drawn = await s.Page.EvaluateAsync<int>(@"() => {
            const src = document.querySelector('#stage canvas');
            const c = document.createElement('canvas'); c.width = src.width; c.height = src.height;
            const g = c.getContext('2d'); g.drawImage(src, 0, 0);
            const d = g.getImageData(0, 0, c.width, c.height).data; let n = 0;
            for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 11) + Math.abs(d[i + 1] - 15) + Math.abs(d[i + 2] - 19) > 40) n++;
            return n; }");
        Assert.True(drawn > 20_000, $"only {drawn} pixels drawn");
        Assert.Contains(await HasApiAsync(demo.Http, "/api/v1/shadow") ? "GET /api/v1/shadow" : "Computed in the page", await s.Page.InnerTextAsync("#sh-sub"), StringComparison.Ordinal);
        await s.ShotAsync("shadow");
        Assert.Empty(s.Errors);
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task Login_OperatorSeesActions_ViewerDoesNot_LogoutEndsIt()
    {
        await using var s = await Session.StartAsync(demo.BaseAddress);
        await s.GotoAsync(demo.BaseAddress, "#/login");
        await s.ShotAsync("login");
        // A wrong key is refused with the server's reason.
        await s.Page.FillAsync("#login-key", "wrong-key");
        await s.Page.ClickAsync("#login-form button[type=submit]");
        await s.Page.WaitForSelectorAsync("#login-msg .error");
        Assert.Contains("not known", await s.Page.InnerTextAsync("#login-msg"), StringComparison.Ordinal);
        // Anonymous: a viewer, no operator controls.
        Assert.Equal("viewer", await s.Page.GetAttributeAsync("body", "data-role"));
        // Operator.
        await s.Page.FillAsync("#login-key", DemoServerFixture.OperatorToken);
        await s.Page.ClickAsync("#login-form button[type=submit]");
        await s.Page.WaitForSelectorAsync("#view[data-page=overview][data-ready]", new PageWaitForSelectorOptions { Timeout = 60_000 });
        Assert.Equal("operator", await s.Page.GetAttributeAsync("body", "data-role"));
        Assert.Contains("ops", await s.Page.InnerTextAsync("#who"), StringComparison.Ordinal);
        var cookie = (await s.Context.CookiesAsync()).Single(c => c.Name == "auspex_session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain("auspex_session", await s.Page.EvaluateAsync<string>("document.cookie"), StringComparison.Ordinal);
        Assert.DoesNotContain(DemoServerFixture.OperatorToken, await s.Page.EvaluateAsync<string>("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)"), StringComparison.Ordinal);
        await s.Page.ClickAsync("#nav a[data-page=alerts]");
        await s.Page.WaitForSelectorAsync("#view[data-page=alerts][data-ready]", new PageWaitForSelectorOptions { Timeout = 60_000 });
        Assert.True(await s.Page.Locator("#silence-form").IsVisibleAsync());
        // Log out: back to an anonymous viewer; the operator controls are gone.
        await s.Page.ClickAsync("#logout");
        await s.Page.WaitForSelectorAsync("#view[data-page=login][data-ready]");
        Assert.Equal("viewer", await s.Page.GetAttributeAsync("body", "data-role"));
        Assert.Empty(await s.Context.CookiesAsync());
        // Viewer: logged in, but the operator controls stay hidden and the API refuses the action.
        await s.Page.FillAsync("#login-key", DemoServerFixture.ViewerToken);
        await s.Page.ClickAsync("#login-form button[type=submit]");
        await s.Page.WaitForSelectorAsync("#view[data-page=overview][data-ready]", new PageWaitForSelectorOptions { Timeout = 60_000 });
        Assert.Contains("watcher", await s.Page.InnerTextAsync("#who"), StringComparison.Ordinal);
        await s.Page.ClickAsync("#nav a[data-page=alerts]");
        await s.Page.WaitForSelectorAsync("#view[data-page=alerts][data-ready]", new PageWaitForSelectorOptions { Timeout = 60_000 });
        Assert.False(await s.Page.Locator("#silence-form").IsVisibleAsync());
        Assert.True(await s.Page.Locator(".role-note[data-for=operator]").IsVisibleAsync());
        var status = await s.Page.EvaluateAsync<int>(@"async () => {
            const me = await (await fetch('/api/v1/session')).json();
            const r = await fetch('/api/v1/import', { method: 'POST', headers: { 'Content-Type': 'text/csv', 'X-Auspex-Csrf': me.csrfToken }, body: 'a,b\n' });
            return r.status; }");
        Assert.Equal(403, status);
        Assert.Empty(s.Errors);
    }
}
