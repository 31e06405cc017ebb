using System.Net;
using System.Text;
using System.Text.Json;
using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Engine.Services;
using Auspex.Scoring;
using Auspex.Storage;
using Auspex.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.Engine.Tests;

/// <summary>
/// Alert state kept in the DuckDB store across restarts, Alertmanager's startsAt/endsAt, and webhook receivers with
/// Alertmanager's grouping and timing, delivered to a real loopback HTTP listener.
/// </summary>
public sealed class AlertWebhookAndPersistenceTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly AlertRule Low = new("Low", AlertCondition.DesirabilityBelow, 0.5, TimeSpan.Zero, ResolveThreshold: 0.6);
    private readonly TempDirectory _dir = new();
    private readonly Topology _topology;

    public AlertWebhookAndPersistenceTests()
    {
        var created = Topology.Create(TenantId.Default,
        [
            new("r1", LocalityKind.Region, null, ResourceVector.Zero, null, Labels.Empty),
            new("z1", LocalityKind.Zone, "r1", ResourceVector.Zero, null, Labels.Empty),
            new("k1", LocalityKind.Rack, "z1", ResourceVector.Zero, null, Labels.Empty),
            new("h1", LocalityKind.Host, "k1", ResourceVector.Of((ResourceKind.Cpu, 4)), null, Labels.Empty),
            new("h2", LocalityKind.Host, "k1", ResourceVector.Of((ResourceKind.Cpu, 4)), null, Labels.Empty),
        ]);
        _topology = created.Topology ?? throw new InvalidOperationException(string.Join("; ", created.Errors));
    }

    public void Dispose() => _dir.Dispose();

    // A report where the given hosts score 0.2 (below the rule) and the others 0.9.
    private static ScoringReport Report(DateTimeOffset at, params string[] low) => new(at, new Dictionary<string, double> { ["capacity"] = 1 },
        new[] { "h1", "h2" }.Select(h =>
        {
            var v = low.Contains(h) ? 0.2 : 0.9;
            return new LocalityScore(h, at, v, new Dictionary<string, ScorePart> { ["capacity"] = new(v, 1, "test") });
        }).ToList(),
        new Dictionary<string, LocalityDetail>(), []);

    private EmbeddedStore Open() => AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("alerts.duckdb") });

    [Fact]
    public async Task Restart_KeepsHistoryAndFiringAlerts_AndTheirStartsAt()
    {
        var settings = new AlertSettings { Rules = [Low] };
        IReadOnlyList<AlertTransition> before;
        using (var store = Open())
        {
            using var first = new AlertService(store.State, TenantId.Default, settings, store: store.Alerts);
            await first.LoadAsync();
            first.Evaluate(Report(T0, "h1"), _topology);
            first.Evaluate(Report(T0.AddMinutes(5), "h1", "h2"), _topology);
            before = first.History(10);
            Assert.Equal(2, before.Count);
        }
        using (var store = Open())
        {
            using var second = new AlertService(store.State, TenantId.Default, settings, store: store.Alerts);
            Assert.Empty(second.History(10));
            await second.LoadAsync();
            Assert.Equal(before, second.History(10));
            var h1 = Assert.Single(second.Alerts("firing"), a => a.Target == "h1");
            Assert.Equal(T0, h1.StartsAt);
            // The restored state carries on: h1 recovers and resolves with its original startsAt; h2 keeps firing.
            second.Evaluate(Report(T0.AddMinutes(10), "h2"), _topology);
            var resolved = Assert.Single(second.Alerts("resolved"));
            Assert.Equal(("h1", T0, T0.AddMinutes(10)), (resolved.Target, resolved.StartsAt, resolved.EndsAt));
            var h2 = Assert.Single(second.Alerts("firing"));
            Assert.Equal(T0.AddMinutes(5), h2.StartsAt);
            Assert.Equal(T0.AddMinutes(10) + settings.ResolveTimeout, h2.EndsAt);
            var last = second.History(1)[0];
            Assert.Equal(("h1", "firing", "resolved", (DateTimeOffset?)T0, (DateTimeOffset?)T0.AddMinutes(10)), (last.Target, last.From, last.To, last.StartsAt, last.EndsAt));
        }
        using (var store = Open())
        {
            Assert.Equal(3, (await store.Alerts.ReadAlertHistoryAsync(TenantId.Default, 100)).Count);
            // History is trimmed to the limit, newest kept.
            await store.Alerts.AppendAlertHistoryAsync(TenantId.Default,
                [new AlertHistoryRow(T0.AddHours(1), "Low", "h9", "inactive", "firing", 0.1, "x", T0.AddHours(1), null)], keep: 2);
            var kept = await store.Alerts.ReadAlertHistoryAsync(TenantId.Default, 100);
            Assert.Equal(["h9", "h1"], kept.Select(k => k.Target));
        }
    }

    [Fact]
    public async Task Webhook_PayloadIsAlertmanagersVersion4_AfterGroupWait()
    {
        using var receiver = new Listener();
        var wall = new FakeTimeProvider(T0);
        using var store = Open();
        using var service = new AlertService(store.State, TenantId.Default, Settings(receiver.Url), wall, store: store.Alerts);
        service.Evaluate(Report(T0, "h1", "h2"), _topology);
        Assert.Equal(0, await service.FlushWebhooksAsync(default)); // group_wait not over
        wall.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await service.FlushWebhooksAsync(default));
        using var doc = JsonDocument.Parse(receiver.Bodies.Single());
        var r = doc.RootElement;
        Assert.Equal("4", r.GetProperty("version").GetString());
        Assert.Equal("{}:{alertname=\"Low\"}", r.GetProperty("groupKey").GetString());
        Assert.Equal("firing", r.GetProperty("status").GetString());
        Assert.Equal("ops", r.GetProperty("receiver").GetString());
        Assert.Equal("Low", r.GetProperty("groupLabels").GetProperty("alertname").GetString());
        Assert.Equal("warning", r.GetProperty("commonLabels").GetProperty("severity").GetString());
        Assert.False(r.GetProperty("commonLabels").TryGetProperty("locality", out _));
        Assert.Equal(JsonValueKind.Object, r.GetProperty("commonAnnotations").ValueKind);
        Assert.Equal("https://auspex.example.org/", r.GetProperty("externalURL").GetString());
        var alerts = r.GetProperty("alerts").EnumerateArray().ToList();
        Assert.Equal(["h1", "h2"], alerts.Select(a => a.GetProperty("labels").GetProperty("locality").GetString()));
        foreach (var a in alerts)
        {
            Assert.Equal("firing", a.GetProperty("status").GetString());
            Assert.Equal("2026-12-04T12:00:00.000Z", a.GetProperty("startsAt").GetString());
            Assert.Equal("2026-12-04T12:05:00.000Z", a.GetProperty("endsAt").GetString()); // evaluation + resolve timeout
            Assert.Equal("https://auspex.example.org/", a.GetProperty("generatorURL").GetString());
            var labels = a.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            Assert.Equal(AlertmanagerPayload.Fingerprint(labels), a.GetProperty("fingerprint").GetString());
            Assert.True(a.GetProperty("annotations").TryGetProperty("summary", out _));
        }
        Assert.Equal(1, service.Deliveries().Single(d => d.Url == receiver.Url).Delivered);
    }

    [Fact]
    public async Task Webhook_GroupIntervalSendsChanges_RepeatIntervalResends_ResolvedOnceWithEndsAt()
    {
        using var receiver = new Listener();
        var wall = new FakeTimeProvider(T0);
        using var store = Open();
        using var service = new AlertService(store.State, TenantId.Default, Settings(receiver.Url), wall, store: store.Alerts);
        service.Evaluate(Report(T0, "h1"), _topology);
        wall.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await service.FlushWebhooksAsync(default));
        // Unchanged at the next group interval: nothing (repeat_interval is 1 h).
        wall.Advance(TimeSpan.FromMinutes(5));
        service.Evaluate(Report(T0.AddMinutes(5), "h1"), _topology);
        Assert.Equal(0, await service.FlushWebhooksAsync(default));
        // A new firing alert in the group: sent at the next group interval, not before.
        service.Evaluate(Report(T0.AddMinutes(6), "h1", "h2"), _topology);
        wall.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await service.FlushWebhooksAsync(default));
        wall.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(1, await service.FlushWebhooksAsync(default));
        Assert.Equal(2, Alerts(receiver.Bodies[^1]).Count);
        // Nothing changes for an hour: re-sent once repeat_interval has passed since the last notification.
        for (var i = 0; i < 11; i++)
        {
            wall.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(0, await service.FlushWebhooksAsync(default));
        }
        wall.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await service.FlushWebhooksAsync(default));
        Assert.Equal(3, receiver.Bodies.Count);
        // Both recover: one resolved notification with endsAt = the resolution time, then silence.
        var resolvedAt = T0.AddMinutes(90);
        service.Evaluate(Report(resolvedAt), _topology);
        wall.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await service.FlushWebhooksAsync(default));
        using (var doc = JsonDocument.Parse(receiver.Bodies[^1]))
        {
            Assert.Equal("resolved", doc.RootElement.GetProperty("status").GetString());
            foreach (var a in doc.RootElement.GetProperty("alerts").EnumerateArray())
            {
                Assert.Equal("resolved", a.GetProperty("status").GetString());
                Assert.Equal("2026-12-04T13:30:00.000Z", a.GetProperty("endsAt").GetString());
            }
        }
        service.Evaluate(Report(resolvedAt.AddMinutes(5)), _topology);
        wall.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, await service.FlushWebhooksAsync(default));
        Assert.Equal(4, receiver.Bodies.Count);
    }

    [Fact]
    public async Task Webhook_SilencedAlertsAreNotSent_AndRetriesOn5xx()
    {
        using var receiver = new Listener(503);
        var wall = new FakeTimeProvider(T0);
        using var store = Open();
        using var service = new AlertService(store.State, TenantId.Default, Settings(receiver.Url), wall, store: store.Alerts);
        var added = await service.AddSilenceAsync(new Dictionary<string, string> { ["locality"] = "h1" }, T0.AddMinutes(-1), T0.AddHours(2), "ops", "disk swap");
        Assert.IsType<SilenceResult.Created>(added);
        service.Evaluate(Report(T0, "h1", "h2"), _topology);
        Assert.True(service.Alerts().Single(a => a.Target == "h1").Silenced);
        wall.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await service.FlushWebhooksAsync(default));
        Assert.Equal(2, receiver.Bodies.Count); // 503, then 200
        Assert.Equal(["h2"], Alerts(receiver.Bodies[^1]).Select(a => a.GetProperty("labels").GetProperty("locality").GetString()));
        // Everything silenced: no notification at all for a new group.
        using var quiet = new Listener();
        var wall2 = new FakeTimeProvider(T0);
        using var service2 = new AlertService(store.State, TenantId.Default, Settings(quiet.Url), wall2);
        await service2.LoadAsync();
        await service2.AddSilenceAsync(new Dictionary<string, string> { ["alertname"] = "Low" }, T0.AddMinutes(-1), T0.AddHours(2), "ops", "all");
        service2.Evaluate(Report(T0, "h1", "h2"), _topology);
        wall2.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await service2.FlushWebhooksAsync(default));
        Assert.Empty(quiet.Bodies);
    }

    [Fact]
    public void WebhookSettings_Invalid_AreRefusedWithTheName()
    {
        var bad = new AlertSettings { Webhooks = [new WebhookReceiver("ops", new Uri("ftp://x/"))] };
        Assert.Contains("webhook 'ops': url", Assert.Throws<ArgumentException>(bad.Validate).Message, StringComparison.Ordinal);
        var dup = new AlertSettings { Webhooks = [new WebhookReceiver("ops", new Uri("http://a/")), new WebhookReceiver("ops", new Uri("http://b/"))] };
        Assert.Contains("'ops' is used twice", Assert.Throws<ArgumentException>(dup.Validate).Message, StringComparison.Ordinal);
        var interval = new AlertSettings { Webhooks = [new WebhookReceiver("ops", new Uri("http://a/"), GroupInterval: TimeSpan.Zero)] };
        Assert.Contains("group_interval", Assert.Throws<ArgumentException>(interval.Validate).Message, StringComparison.Ordinal);
    }

    private static AlertSettings Settings(Uri webhook) => new()
    {
        Rules = [Low],
        Webhooks = [new WebhookReceiver("ops", webhook, GroupWait: TimeSpan.FromSeconds(30), GroupInterval: TimeSpan.FromMinutes(5), RepeatInterval: TimeSpan.FromHours(1))],
        ExternalUrl = new Uri("https://auspex.example.org/"),
        RetryBackoff = TimeSpan.Zero,
    };

    private static List<JsonElement> Alerts(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("alerts").EnumerateArray().ToList();

    /// <summary>A loopback HTTP listener that records bodies and answers with the queued status codes, then 200.</summary>
    private sealed class Listener : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Queue<int> _statuses;

        public Listener(params int[] statuses)
        {
            _statuses = new Queue<int>(statuses);
            Url = new Uri($"http://127.0.0.1:{Programs.FreePort()}/hook/");
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public Uri Url { get; }

        public List<string> Bodies { get; } = [];

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                lock (Bodies)
                {
                    Bodies.Add(body);
                    ctx.Response.StatusCode = _statuses.Count > 0 ? _statuses.Dequeue() : 200;
                }
                ctx.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
