using System.Text.Json;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using static Auspex.Scoring.Tests.ScoringFixture;
using static Auspex.Testing.Builders;

namespace Auspex.Scoring.Tests;

public sealed class AlertTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMinutes(5);

    private static ScoringReport Report(Topology t, double h11Load, DateTimeOffset at) =>
        new LocalityScorer().Assess(t, [Cpu("h11", h11Load), Cpu("h12", 1), Cpu("h21", 1), Cpu("h22", 1)], at);

    private static Alert? Find(IReadOnlyList<Alert> alerts, string target) => alerts.SingleOrDefault(a => a.Target == target);

    [Fact]
    public void DesirabilityBelow_PendingThenFiringThenResolvedWithHysteresis()
    {
        var t = Rich();
        var rule = new AlertRule("LocalityUndesirable", AlertCondition.DesirabilityBelow, 0.5, TimeSpan.FromMinutes(10), ResolveThreshold: 0.7,
            Kinds: [LocalityKind.Host]);
        var ev = new AlertEvaluator([rule]);
        var at = T0;
        Assert.Null(Find(ev.Evaluate(Report(t, 1, at), t), "h11"));                       // fine
        at += Tick;
        Assert.Equal(AlertState.Pending, Find(ev.Evaluate(Report(t, 4, at), t), "h11")!.State); // full: pending
        at += Tick;
        Assert.Equal(AlertState.Pending, Find(ev.Evaluate(Report(t, 4, at), t), "h11")!.State); // 5 min < 10 min
        at += Tick;
        var firing = Find(ev.Evaluate(Report(t, 4, at), t), "h11")!;
        Assert.Equal(AlertState.Firing, firing.State);
        Assert.Equal(at, firing.Since);
        Assert.Equal(T0 + Tick, firing.ActiveAt);
        at += Tick;
        // Desirability back to ~0.53 (capacity 0.3, cost 1, proximity 0.67): above 0.5 but below 0.7 → keeps firing.
        Assert.Equal(AlertState.Firing, Find(ev.Evaluate(Report(t, 3.4, at), t), "h11")!.State);
        at += Tick;
        var resolved = Find(ev.Evaluate(Report(t, 1, at), t), "h11")!;
        Assert.Equal(AlertState.Resolved, resolved.State);
        Assert.Equal("resolved", resolved.StateName);
        at += TimeSpan.FromMinutes(20);
        Assert.Null(Find(ev.Evaluate(Report(t, 1, at), t), "h11")); // forgotten after the retention
    }

    [Fact]
    public void Pending_ThatClears_IsDroppedWithoutResolving()
    {
        var t = Rich();
        var ev = new AlertEvaluator([new AlertRule("X", AlertCondition.DesirabilityBelow, 0.5, TimeSpan.FromMinutes(30), Kinds: [LocalityKind.Host])]);
        ev.Evaluate(Report(t, 4, T0), t);
        Assert.Null(Find(ev.Evaluate(Report(t, 1, T0 + Tick), t), "h11"));
    }

    [Fact]
    public void ExhaustionWithin_FiresForTheResource()
    {
        var t = Rich();
        var ev = new AlertEvaluator([new AlertRule("CpuExhaustion", AlertCondition.ExhaustionWithin, 0, TimeSpan.Zero, Within: TimeSpan.FromHours(1))]);
        var alerts = ev.Evaluate(Report(t, 5, T0), t);
        var a = Find(alerts, "h11/cpu")!;
        Assert.Equal(AlertState.Firing, a.State);
        Assert.Equal("cpu", a.Labels["resource"]);
        Assert.Null(Find(alerts, "h12/cpu"));
    }

    [Fact]
    public void HpsBelow_AndSilencedDuringMaintenance()
    {
        var t = Rich(maintenance: [new MaintenanceWindow("h21", new TimeRange(T0 - TimeSpan.FromHours(1), T0 + TimeSpan.FromHours(1)), "swap")]);
        var ev = new AlertEvaluator([new AlertRule("ComponentAtRisk", AlertCondition.HpsBelow, 50, TimeSpan.Zero)]);
        var alerts = ev.Evaluate(Report(t, 1, T0), t);
        var db = Find(alerts, "db")!;
        Assert.Equal(AlertState.Firing, db.State);
        Assert.True(db.Silenced);
        Assert.Equal("[]", AlertmanagerPayload.PostAlerts([db]));
    }

    [Fact]
    public void Rules_Invalid_AreRefused()
    {
        Assert.NotNull(new AlertRule("x", AlertCondition.ExhaustionWithin, 0, TimeSpan.Zero).Validate());
        Assert.NotNull(new AlertRule("x", AlertCondition.DesirabilityBelow, 0.5, TimeSpan.Zero, ResolveThreshold: 0.4).Validate());
        Assert.Throws<ArgumentException>(() => new AlertEvaluator([new AlertRule("", AlertCondition.HpsBelow, 1, TimeSpan.Zero)]));
    }

    [Fact]
    public void Fingerprint_MatchesPrometheusModel()
    {
        Assert.Equal("cbf29ce484222325", AlertmanagerPayload.Fingerprint(new Dictionary<string, string>()));
        // prometheus/common model TestMetricToFingerprint: 5799056148416392346.
        Assert.Equal("507a62d79ee76c9a", AlertmanagerPayload.Fingerprint(new Dictionary<string, string> { ["name"] = "garland, briggs", ["fear"] = "love is not enough" }));
    }

    private static Alert Sample(AlertState state, string target) => new("LocalityUndesirable", target, state, T0 + Tick, T0,
        0.2, false, new Dictionary<string, string> { ["alertname"] = "LocalityUndesirable", ["severity"] = "warning", ["locality"] = target },
        new Dictionary<string, string> { ["summary"] = target + " low", ["value"] = "0.2" });

    [Fact]
    public void PostAlerts_ShapeOfApiV2()
    {
        var json = AlertmanagerPayload.PostAlerts([Sample(AlertState.Firing, "h11"), Sample(AlertState.Resolved, "h12"), Sample(AlertState.Pending, "h21")], "http://auspex/");
        using var doc = JsonDocument.Parse(json);
        var arr = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, arr.Count); // pending is not sent
        Assert.Equal("LocalityUndesirable", arr[0].GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Equal("2013-08-12T00:05:00.000Z", arr[0].GetProperty("startsAt").GetString());
        Assert.False(arr[0].TryGetProperty("endsAt", out _));
        Assert.Equal("2013-08-12T00:05:00.000Z", arr[1].GetProperty("endsAt").GetString());
        Assert.Equal("http://auspex/", arr[1].GetProperty("generatorURL").GetString());
    }

    [Fact]
    public void Webhook_ShapeOfVersion4()
    {
        var json = AlertmanagerPayload.Webhook([Sample(AlertState.Firing, "h11"), Sample(AlertState.Resolved, "h12")], "ops", "http://auspex", maxAlerts: 1);
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        Assert.Equal("4", r.GetProperty("version").GetString());
        Assert.Equal("firing", r.GetProperty("status").GetString());
        Assert.Equal("ops", r.GetProperty("receiver").GetString());
        Assert.Equal(1, r.GetProperty("truncatedAlerts").GetInt32());
        Assert.Equal("LocalityUndesirable", r.GetProperty("groupLabels").GetProperty("alertname").GetString());
        Assert.Equal("warning", r.GetProperty("commonLabels").GetProperty("severity").GetString());
        Assert.False(r.GetProperty("commonLabels").TryGetProperty("locality", out _));
        var a = r.GetProperty("alerts")[0];
        Assert.Equal("0001-01-01T00:00:00Z", a.GetProperty("endsAt").GetString());
        Assert.Equal(16, a.GetProperty("fingerprint").GetString()!.Length);
        Assert.Equal("{}:{alertname=\"LocalityUndesirable\"}", r.GetProperty("groupKey").GetString());
    }

    [Fact]
    public void PostAlerts_WithValidUntil_FiringEndsInTheFuture_ResolvedEndsWhenResolved_StartsAtIsFiredAt()
    {
        var firing = Sample(AlertState.Firing, "h11") with { FiredAt = T0 };
        var resolved = Sample(AlertState.Resolved, "h12") with { FiredAt = T0 - Tick };
        var json = AlertmanagerPayload.PostAlerts([firing, resolved], null, T0 + TimeSpan.FromMinutes(10));
        using var doc = JsonDocument.Parse(json);
        var arr = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal("2013-08-12T00:00:00.000Z", arr[0].GetProperty("startsAt").GetString());
        Assert.Equal("2013-08-12T00:10:00.000Z", arr[0].GetProperty("endsAt").GetString());
        Assert.Equal("2013-08-11T23:55:00.000Z", arr[1].GetProperty("startsAt").GetString());
        Assert.Equal("2013-08-12T00:05:00.000Z", arr[1].GetProperty("endsAt").GetString());
        Assert.Null(Sample(AlertState.Pending, "h1").EndsAt(T0));
    }
}
