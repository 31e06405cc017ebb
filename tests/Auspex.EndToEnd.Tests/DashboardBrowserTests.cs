using System.Net.Http.Json;
using System.Text.Json;
using Auspex.Testing;
using Microsoft.Playwright;

namespace Auspex.EndToEnd.Tests;

/// <summary>The dashboard in a real headless Chromium (Debian's), driven by Playwright.</summary>
[Collection("demo")]
public sealed class DashboardBrowserTests(DemoServerFixture demo)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Install = "apt-get install -y chromium";

    private static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        var pw = await Playwright.CreateAsync();
        var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return (pw, browser);
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task Heatmap_HasACellPerLocality_AndUpdatesLive()
    {
        var locs = await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(60));
        var ids = locs.EnumerateArray().Select(l => l.GetProperty("id").GetString()!).ToHashSet();
        var (pw, browser) = await LaunchAsync();
        using var _ = pw;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(demo.BaseAddress.ToString());
        await page.WaitForSelectorAsync("body[data-ready=scored]", new PageWaitForSelectorOptions { Timeout = 30_000 });
        var cellIds = await page.EvalOnSelectorAllAsync<string[]>("[data-locality-id]", "els => els.map(e => e.dataset.localityId)");
        Assert.Equal(ids.Count, cellIds.Length);
        Assert.Equal(ids, cellIds.ToHashSet());
        // Every cell is coloured from its score (not the grey of 'no score').
        var grey = await page.EvalOnSelectorAllAsync<int>("[data-locality-id]", "els => els.filter(e => getComputedStyle(e).backgroundColor === 'rgb(58, 67, 78)').length");
        Assert.Equal(0, grey);
        // Live: the loop's clock shown in the header moves without a reload.
        var clock1 = await page.InnerTextAsync("#clock");
        await page.WaitForFunctionAsync($"document.querySelector('#clock').innerText !== {JsonSerializer.Serialize(clock1)}", null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Root, "artifacts", "dashboard.png"), FullPage = true });
        Assert.Empty(errors);
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task HostCell_HoverShowsParts_ClickOpensForecastCharts()
    {
        var locs = await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(60));
        var host = locs.EnumerateArray().First(l => l.GetProperty("kind").GetString() == "host").GetProperty("id").GetString();
        var (pw, browser) = await LaunchAsync();
        using var _ = pw;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        await page.GotoAsync(demo.BaseAddress.ToString());
        await page.WaitForSelectorAsync("body[data-ready=scored]", new PageWaitForSelectorOptions { Timeout = 30_000 });
        var cell = page.Locator($"[data-locality-id='{host}']");
        await cell.HoverAsync();
        var tip = page.Locator("#tooltip");
        await tip.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });
        Assert.Contains("capacity", await tip.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("tightest resource", await tip.InnerTextAsync(), StringComparison.Ordinal);
        await cell.ClickAsync();
        await page.WaitForSelectorAsync("#charts svg.chart", new PageWaitForSelectorOptions { Timeout = 20_000 });
        Assert.True(await page.Locator("#charts svg.chart").CountAsync() >= 1);
        Assert.Contains(host!, await page.InnerTextAsync("#detail h2"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Root, "artifacts", "dashboard-detail.png") });
    }
}
