using Auspex.Testing;
using Microsoft.Playwright;
using static Auspex.EndToEnd.Tests.DashboardBrowserTests;

namespace Auspex.EndToEnd.Tests;

/// <summary>The pages' main interactions in headless Chromium: what-if, placement, silences, plans.</summary>
[Collection("demo")]
public sealed class DashboardActionTests(DemoServerFixture demo)
{
    private static readonly PageWaitForSelectorOptions Long = new() { Timeout = 60_000 };

    private async Task LoginAsync(Session s, string token)
    {
        await s.GotoAsync(demo.BaseAddress, "#/login");
        await s.Page.FillAsync("#login-key", token);
        await s.Page.ClickAsync("#login-form button[type=submit]");
        await s.Page.WaitForSelectorAsync("#view[data-page=overview][data-ready]", Long);
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task WhatIf_MovingTheTrafficSlider_RePredictsTheShadow()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        await using var s = await Session.StartAsync(demo.BaseAddress, 1400, 1100);
        await s.GotoAsync(demo.BaseAddress, "#/whatif");
        if (!await HasApiAsync(demo.Http, "/api/v1/whatif"))
        {
            Assert.Equal(2, await s.Page.Locator("#view [data-unavailable]").CountAsync());
            Assert.Empty(s.Errors);
            return;
        }
        var before = await s.Page.InnerTextAsync("#wi-summary-table tr[data-row=peakUtilisation] td:last-child");
        await s.Page.Locator("#wi-traffic").FillAsync("2.5");
        await s.Page.WaitForSelectorAsync("#view[data-scenario*='\"trafficMultiplier\":2.5']", Long);
        var after = await s.Page.InnerTextAsync("#wi-summary-table tr[data-row=peakUtilisation] td:last-child");
        Assert.NotEqual(before, after);
        Assert.True(await s.Page.Locator("#wi-table tbody tr").CountAsync() > 0, "no locality changed at 2.5× traffic");
        Assert.Equal(1, await s.Page.Locator("#wi-stage canvas").CountAsync());
        // Failing a rack marks it down.
        await s.Page.CheckAsync("#wi-fail-rack-on");
        var rack = await s.Page.InputValueAsync("#wi-fail-rack");
        await s.Page.WaitForSelectorAsync($"#view[data-scenario*='\"fail\":[\"{rack}\"]']", Long);
        Assert.Contains("down", await s.Page.InnerTextAsync("#wi-table"), StringComparison.Ordinal);
        await s.ShotAsync("whatif");
        Assert.Empty(s.Errors);
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task Placement_AskingShowsTheChosenHostsAndEachPluginsReason()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        await using var s = await Session.StartAsync(demo.BaseAddress, 1400, 1000);
        await s.GotoAsync(demo.BaseAddress, "#/placement");
        await s.Page.FillAsync("#pl-rep", "2");
        await s.Page.ClickAsync("#pl-ask");
        await s.Page.WaitForSelectorAsync("#view[data-answered]", Long);
        if (!await HasApiAsync(demo.Http, "/api/v1/placements"))
        {
            Assert.Equal(1, await s.Page.Locator("#pl-out [data-unavailable]").CountAsync());
        }
        else
        {
            Assert.Equal(2, await s.Page.Locator("#pl-replicas tbody tr").CountAsync());
            Assert.True(await s.Page.Locator("#pl-candidates tbody tr").CountAsync() >= 1);
            Assert.Contains("Desirability", await s.Page.InnerTextAsync("#pl-candidates"), StringComparison.Ordinal);
        }
        await s.ShotAsync("placement");
        Assert.Empty(s.Errors);
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task Alerts_OperatorCreatesAndExpiresASilence()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        await using var s = await Session.StartAsync(demo.BaseAddress, 1400, 1000);
        if (!await HasApiAsync(demo.Http, "/api/v1/silences"))
        {
            await s.GotoAsync(demo.BaseAddress, "#/alerts");
            Assert.Equal(4, await s.Page.Locator("#view [data-unavailable]").CountAsync());
            Assert.Empty(s.Errors);
            return;
        }
        await LoginAsync(s, DemoServerFixture.OperatorToken);
        await s.Page.ClickAsync("#nav a[data-page=alerts]");
        await s.Page.WaitForSelectorAsync("#view[data-page=alerts][data-ready]", Long);
        var comment = "dashboard test " + Guid.NewGuid().ToString("N")[..8];
        await s.Page.FillAsync("#sl-target", "rack-1-01");
        await s.Page.FillAsync("#sl-dur", "1h");
        await s.Page.FillAsync("#sl-comment", comment);
        await s.Page.ClickAsync("#sl-create");
        var row = s.Page.Locator("#silences-table tbody tr", new PageLocatorOptions { HasText = comment });
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        Assert.Contains("locality=rack-1-01", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("ops", await row.InnerTextAsync(), StringComparison.Ordinal);
        await s.ShotAsync("alerts");
        await row.Locator("button[data-delete-silence]").ClickAsync();
        await row.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached, Timeout = 30_000 });
        Assert.Empty(s.Errors);
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task Plans_ShowTheirStateOrThatTheServerHasNone_ApproveOnlyForOperators()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        await using var s = await Session.StartAsync(demo.BaseAddress, 1400, 1000);
        await s.GotoAsync(demo.BaseAddress, "#/plans");
        if (!await HasApiAsync(demo.Http, "/api/v1/plans"))
        {
            Assert.Equal(1, await s.Page.Locator("#plans [data-unavailable]").CountAsync());
            Assert.Empty(s.Errors);
            return;
        }
        // A viewer (anonymous) never sees the approve/reject/rollback controls.
        Assert.Equal(0, await s.Page.Locator("#plans button[data-act]:visible").CountAsync());
        await LoginAsync(s, DemoServerFixture.OperatorToken);
        await s.Page.ClickAsync("#nav a[data-page=plans]");
        await s.Page.WaitForSelectorAsync("#view[data-page=plans][data-ready]", Long);
        var awaiting = s.Page.Locator("#plans [data-status=awaitingApproval]");
        if (await awaiting.CountAsync() > 0)
        {
            var id = await awaiting.First.GetAttributeAsync("data-plan-id");
            await awaiting.First.Locator("button[data-act=approve]").ClickAsync();
            await s.Page.WaitForSelectorAsync($"#plans [data-plan-id='{id}']:not([data-status=awaitingApproval])", Long);
        }
        await s.ShotAsync("plans");
        Assert.Empty(s.Errors);
    }

    [RequiresProgramFact(Chromium, Install)]
    public async Task Plans_GlobalPlacementDryRun_ShowsHostsBeforeAfterTheGapAndTheDiff()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        await using var s = await Session.StartAsync(demo.BaseAddress, 1400, 1000);
        await s.GotoAsync(demo.BaseAddress, "#/plans");
        await s.Page.ClickAsync("#pl-global-run");
        await s.Page.WaitForSelectorAsync("#pl-global-out[data-plan-id]", Long);
        var text = await s.Page.InnerTextAsync("#pl-global-out");
        Assert.Matches(@"hosts 15 → \d+", text);
        Assert.Contains("above the lower bound", text, StringComparison.Ordinal);
        Assert.True(await s.Page.Locator("#pl-global-out pre.diff .mv").CountAsync() > 0, text);
        // The gap is explained where it is shown (the sample hosts differ in size), and the demand's source is named.
        Assert.Contains("Weak bound: hosts differ in size", await s.Page.InnerTextAsync("#pl-global-bound-note"), StringComparison.Ordinal);
        Assert.Matches(@"demand: \d+ component\(s\) from forecasts, \d+ from requests", await s.Page.InnerTextAsync("#pl-global-demand"));
        // Anonymous: no submit control.
        Assert.False(await s.Page.IsVisibleAsync("#pl-global-submit"));
        await s.ShotAsync("plans-global");
        Assert.Empty(s.Errors);
    }
}
