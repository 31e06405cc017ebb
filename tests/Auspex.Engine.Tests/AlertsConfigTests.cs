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
}
