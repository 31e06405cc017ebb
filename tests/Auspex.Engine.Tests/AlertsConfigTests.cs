using Auspex.Engine.Configuration;
using Auspex.Engine.Services;
using Auspex.Scoring;
using Auspex.Testing;

namespace Auspex.Engine.Tests;

public sealed class AlertsConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string yaml)
    {
        var p = _dir.File("auspex.yaml");
        File.WriteAllText(p, yaml);
        return p;
    }

    [Fact]
    public void Load_AlertsSection_ReadsReceiversAndRules()
    {
        var r = ConfigFile.Load(Write("""
            alerts:
              alertmanagers: [http://am:9093]
              max_attempts: 2
              retry_backoff: 5s
              rules:
                - {name: HotRack, condition: utilisation_above, threshold: 0.8, for: 10m, resolve_threshold: 0.7, levels: [rack], severity: critical}
                - {name: CpuSoon, condition: exhaustion_within, within: 2h, resource: cpu, for: 0}
            """));
        Assert.Empty(r.Errors);
        var a = r.Settings!.Alerts;
        Assert.Equal([new Uri("http://am:9093")], a.Alertmanagers);
        Assert.Equal(2, a.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(5), a.RetryBackoff);
        Assert.Equal(2, a.Rules.Count);
        var hot = a.Rules[0];
        Assert.Equal((AlertCondition.UtilisationAbove, 0.8, 0.7, TimeSpan.FromMinutes(10), "critical"), (hot.Condition, hot.Threshold, hot.ResolveThreshold!.Value, hot.For, hot.Severity));
        Assert.Equal([Core.Topology.LocalityKind.Rack], hot.Kinds);
        Assert.Equal((TimeSpan.FromHours(2), Core.Resources.ResourceKind.Cpu, TimeSpan.Zero), (a.Rules[1].Within!.Value, a.Rules[1].Resource!.Value, a.Rules[1].For));
    }

    [Fact]
    public void Load_NoAlertsSection_KeepsTheDefaultRules() =>
        Assert.Equal(AlertSettings.DefaultRules, ConfigFile.Load(Write("data_dir: d\n")).Settings!.Alerts.Rules);

    [Theory]
    [InlineData("alerts: {alertmanagers: [ftp://x]}", "absolute http(s) URL")]
    [InlineData("alerts: {rules: [{name: X, condition: louder, threshold: 1}]}", "condition must be")]
    [InlineData("alerts: {rules: [{name: X, condition: hps_below}]}", "threshold is required")]
    [InlineData("alerts: {rules: [{name: X, condition: hps_below, threshold: 40, for: soon}]}", "'for' must be a duration")]
    [InlineData("alerts: {rules: [{name: X, condition: hps_below, threshold: 40, resolve_threshold: 30}]}", "healthy side")]
    [InlineData("alerts: {rules: [{name: X, condition: exhaustion_within}]}", "positive within")]
    [InlineData("alerts: {rules: [{name: X, condition: hps_below, threshold: 4}, {name: X, condition: hps_below, threshold: 5}]}", "used twice")]
    [InlineData("alerts: {rules: [{name: X, condition: hps_below, threshold: 4, colour: red}]}", "unknown key 'colour'")]
    [InlineData("alerts: {max_attempts: 0}", "whole number")]
    public void Load_BadAlerts_NamesLineAndReason(string yaml, string reason)
    {
        var path = Write(yaml);
        var r = ConfigFile.Load(path);
        Assert.Null(r.Settings);
        Assert.Contains(r.Errors, e => e.StartsWith(path + ":1:", StringComparison.Ordinal) && e.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_Webhooks_ReadsAlertmanagerRouteTiming_AndRejectsBadEntriesByName()
    {
        var r = ConfigFile.Load(Write("""
            alerts:
              external_url: https://auspex.example.org
              resolve_timeout: 10m
              webhooks:
                - {name: ops, url: "http://hooks:8080/alert", group_by: [alertname, level], group_wait: 10s, group_interval: 2m, repeat_interval: 3h, send_resolved: false, max_alerts: 20}
                - {name: pager, url: "https://pager.example/hook"}
            """));
        Assert.Empty(r.Errors);
        var a = r.Settings!.Alerts;
        Assert.Equal(new Uri("https://auspex.example.org"), a.ExternalUrl);
        Assert.Equal(TimeSpan.FromMinutes(10), a.ResolveTimeout);
        var ops = a.Webhooks[0];
        Assert.Equal(("ops", new Uri("http://hooks:8080/alert"), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(2), TimeSpan.FromHours(3), false, 20),
            (ops.Name, ops.Url, ops.Wait, ops.Interval, ops.Repeat, ops.SendResolved, ops.MaxAlerts));
        Assert.Equal(["alertname", "level"], ops.GroupLabels);
        var pager = a.Webhooks[1];
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), TimeSpan.FromHours(4), true), (pager.Wait, pager.Interval, pager.Repeat, pager.SendResolved));
        Assert.Equal(["alertname"], pager.GroupLabels);

        var bad = ConfigFile.Load(Write("""
            alerts:
              webhooks:
                - {name: ops, url: "ftp://x", colour: red}
                - {url: "http://x"}
                - {name: p, url: "http://x", send_resolved: maybe, group_interval: soon}
            """));
        Assert.Contains(bad.Errors, e => e.Contains("webhook 'ops': url must be an absolute http(s) URL", StringComparison.Ordinal));
        Assert.Contains(bad.Errors, e => e.Contains("unknown key 'colour' in a webhook receiver", StringComparison.Ordinal));
        Assert.Contains(bad.Errors, e => e.Contains("a webhook receiver needs a name", StringComparison.Ordinal));
        Assert.Contains(bad.Errors, e => e.Contains("webhook 'p': send_resolved must be true or false", StringComparison.Ordinal));
        Assert.Contains(bad.Errors, e => e.Contains("'group_interval' must be a duration", StringComparison.Ordinal));
    }
}
