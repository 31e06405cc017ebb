using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Auspex.Engine.Configuration;
using Auspex.Engine.Services;
using Auspex.Scoring;
using Auspex.Testing;

namespace Auspex.Engine.Tests;

public sealed class AlertServiceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private RuntimeSettings Settings(AlertSettings alerts) => new()
    {
        DataDirectory = _dir.Path,
        TopologyPath = RepoPaths.Samples("fleet", "topology.yaml"),
        Replay = new ReplaySettings { Files = [RepoPaths.Samples("fleet", "metrics.csv.gz")], Speed = 3600 },
        Alerts = alerts,
    };

    // Fires for every host at once: desirability is always below 1.01.
    private static readonly AlertRule Always = new("AlwaysLow", AlertCondition.DesirabilityBelow, 1.01, TimeSpan.Zero,
        Kinds: [Core.Topology.LocalityKind.Host]);

    /// <summary>A real HTTP listener on a free port that records bodies and answers with the queued status codes (then 200).</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Queue<int> _statuses;

        public Receiver(params int[] statuses)
        {
            _statuses = new Queue<int>(statuses);
            Url = new Uri($"http://127.0.0.1:{Programs.FreePort()}/");
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public Uri Url { get; }

        public List<(string Path, string Body)> Requests { get; } = [];

        public SemaphoreSlim Received { get; } = new(0);

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
                lock (Requests)
                {
                    Requests.Add((ctx.Request.Url!.AbsolutePath, body));
                    ctx.Response.StatusCode = _statuses.Count > 0 ? _statuses.Dequeue() : 200;
                }
                ctx.Response.Close();
                Received.Release();
            }
        }

        public void Dispose() => _listener.Close();
    }

    [Fact]
    public async Task Tick_WithAFiringRule_ListsRecordsAndDeliversToTheReceiver()
    {
        using var receiver = new Receiver();
        await using var rt = await AuspexRuntime.StartAsync(Settings(new AlertSettings { Rules = [Always], Alertmanagers = [receiver.Url] }));
        using var cts = new CancellationTokenSource();
        var delivery = rt.Alerts.RunDeliveryAsync(cts.Token);
        await rt.Loop.TickAsync();

        var alerts = rt.Alerts.Alerts();
        Assert.Equal(40, alerts.Count);
        Assert.All(alerts, a => Assert.Equal(("AlwaysLow", "firing", false), (a.Name, a.State, a.Silenced)));
        Assert.Equal(40, rt.Alerts.History(1000).Count(h => h.From == "inactive" && h.To == "firing"));
        Assert.Equal(40, Assert.Single(rt.Alerts.Rules()).Firing);

        Assert.True(await receiver.Received.WaitAsync(TimeSpan.FromSeconds(30)), "no delivery arrived");
        var (path, body) = receiver.Requests[0];
        Assert.Equal("/api/v2/alerts", path);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(40, doc.RootElement.GetArrayLength());
        Assert.Equal("AlwaysLow", doc.RootElement[0].GetProperty("labels").GetProperty("alertname").GetString());
        // The receiver answered; wait (bounded) until the sender has processed the answer before stopping it.
        for (var i = 0; i < 300 && rt.Alerts.Deliveries()[0].Delivered == 0; i++)
        {
            await Task.Delay(100);
        }
        await cts.CancelAsync();
        await delivery;
        Assert.Equal(1, Assert.Single(rt.Alerts.Deliveries()).Delivered);
    }

    [Fact]
    public async Task Silence_MarksMatchingAlertsSilenced_IsAudited_AndSurvivesARestart()
    {
        string id;
        await using (var rt = await AuspexRuntime.StartAsync(Settings(new AlertSettings { Rules = [Always] })))
        {
            var now = rt.Loop.Clock.GetUtcNow();
            var created = Assert.IsType<SilenceResult.Created>(await rt.Alerts.AddSilenceAsync(
                new Dictionary<string, string> { ["alertname"] = "AlwaysLow", ["locality"] = "vm-001" }, now, now.AddHours(2), "ops", "reboot"));
            id = created.Silence.Id;
            await rt.Loop.TickAsync();
            var alerts = rt.Alerts.Alerts();
            var silenced = Assert.Single(alerts, a => a.Silenced);
            Assert.Equal("vm-001", silenced.Target);
            Assert.Equal([id], silenced.SilencedBy);
            var audit = await rt.Store.State.ReadAuditAsync(rt.Loop.Tenant, 10);
            Assert.Contains(audit, e => e.Action == "silence.create" && e.Target == id && e.Actor == "ops");
        }
        var again = Settings(new AlertSettings { Rules = [Always] });
        again.Replay = null;
        await using (var rt = await AuspexRuntime.StartAsync(again))
        {
            Assert.Equal(id, Assert.Single(rt.Alerts.Silences()).Id);
            Assert.True(await rt.Alerts.DeleteSilenceAsync(id, "ops"));
            Assert.False(await rt.Alerts.DeleteSilenceAsync(id, "ops"));
            Assert.Empty(rt.Alerts.Silences());
        }
    }

    [Fact]
    public async Task AddSilence_WithoutMatchersOrBackwardsTimes_IsInvalid()
    {
        await using var rt = await AuspexRuntime.StartAsync(Settings(new AlertSettings()));
        var now = rt.Loop.Clock.GetUtcNow();
        var none = Assert.IsType<SilenceResult.Invalid>(await rt.Alerts.AddSilenceAsync(new Dictionary<string, string>(), now, now.AddHours(1), "ops", ""));
        Assert.Contains("at least one matcher", none.Error, StringComparison.Ordinal);
        var back = Assert.IsType<SilenceResult.Invalid>(await rt.Alerts.AddSilenceAsync(new Dictionary<string, string> { ["a"] = "b" }, now, now.AddHours(-1), "ops", ""));
        Assert.Contains("endsAt must be after startsAt", back.Error, StringComparison.Ordinal);
        Assert.Empty(rt.Alerts.Silences());
    }

    [Fact]
    public async Task Deliver_RetriesOn503_AndStopsAtOnceOn400()
    {
        using var receiver = new Receiver(503, 503, 400);
        using var svc = new AlertService(new NullState(), new Core.Series.TenantId("t"),
            new AlertSettings { Alertmanagers = [receiver.Url], RetryBackoff = TimeSpan.Zero, MaxAttempts = 4 });
        Assert.True(await svc.DeliverAsync(receiver.Url, "[]", CancellationToken.None) is false);
        Assert.Equal(3, receiver.Requests.Count); // 503, 503, then 400 stops at once
        var d = Assert.Single(svc.Deliveries());
        Assert.Contains("HTTP 400", d.LastError, StringComparison.Ordinal);
        Assert.Equal(1, d.Failed);
        Assert.True(await svc.DeliverAsync(receiver.Url, "[]", CancellationToken.None));
        Assert.Null(svc.Deliveries()[0].LastError);
    }

    [Fact]
    public async Task Deliver_ToAClosedPort_FailsAfterEveryAttemptWithTheReason()
    {
        var url = new Uri($"http://127.0.0.1:{Programs.FreePort()}/");
        using var svc = new AlertService(new NullState(), new Core.Series.TenantId("t"),
            new AlertSettings { Alertmanagers = [url], RetryBackoff = TimeSpan.Zero, MaxAttempts = 2 });
        Assert.False(await svc.DeliverAsync(url, "[]", CancellationToken.None));
        var d = Assert.Single(svc.Deliveries());
        Assert.Equal(1, d.Failed);
        Assert.Contains(url.Authority, d.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_Invalid_AreRefusedWithTheName()
    {
        var dup = new AlertSettings { Rules = [Always, Always] };
        Assert.Contains("used twice", Assert.Throws<ArgumentException>(dup.Validate).Message, StringComparison.Ordinal);
        var url = new AlertSettings { Alertmanagers = [new Uri("ftp://x/")] };
        Assert.Contains("http(s)", Assert.Throws<ArgumentException>(url.Validate).Message, StringComparison.Ordinal);
    }

    [RequiresProgramFact("prometheus-alertmanager", "apt-get install -y prometheus-alertmanager")]
    public async Task Deliver_ToARealAlertmanager_ShowsTheAlertsThere()
    {
        var port = Programs.FreePort();
        var config = Path.Combine(_dir.Path, "am.yml");
        await File.WriteAllTextAsync(config, "route:\n  receiver: none\nreceivers:\n  - name: none\n");
        var psi = new ProcessStartInfo(Programs.Find("prometheus-alertmanager")!)
        {
            ArgumentList = { $"--config.file={config}", $"--web.listen-address=127.0.0.1:{port}", $"--storage.path={Path.Combine(_dir.Path, "am-data")}", "--cluster.listen-address=" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var am = Process.Start(psi)!;
        try
        {
            var url = new Uri($"http://127.0.0.1:{port}/");
            using var http = new HttpClient();
            var ready = false;
            for (var i = 0; i < 100 && !ready; i++)
            {
                try
                {
                    ready = (await http.GetAsync(new Uri(url, "-/ready"))).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(200);
                }
            }
            Assert.True(ready, "alertmanager did not become ready");

            await using var rt = await AuspexRuntime.StartAsync(Settings(new AlertSettings { Rules = [Always], Alertmanagers = [url] }));
            await rt.Loop.TickAsync();
            var payload = AlertmanagerPayload.PostAlerts(Snapshot(rt));
            Assert.True(await rt.Alerts.DeliverAsync(url, payload, CancellationToken.None), rt.Alerts.Deliveries()[0].LastError);
            using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(url, "api/v2/alerts")));
            var names = doc.RootElement.EnumerateArray().Select(a => a.GetProperty("labels").GetProperty("alertname").GetString()).ToList();
            Assert.Equal(40, names.Count(n => n == "AlwaysLow"));
            var one = doc.RootElement.EnumerateArray().First(a => a.GetProperty("labels").GetProperty("locality").GetString() == "vm-001");
            Assert.Equal("active", one.GetProperty("status").GetProperty("state").GetString());
            Assert.Contains("desirability", one.GetProperty("annotations").GetProperty("summary").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            am.Kill(entireProcessTree: true);
            await am.WaitForExitAsync();
        }
    }

    private static List<Alert> Snapshot(AuspexRuntime rt) =>
        rt.Alerts.Alerts().Select(v => new Alert(v.Name, v.Target, AlertState.Firing, v.Since, v.ActiveAt, v.Value, v.Silenced, v.Labels, v.Annotations)).ToList();

    private sealed class NullState : Storage.IStateStore
    {
        public Task PutAsync(Core.Series.TenantId tenant, string kind, string id, string json, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;
        public Task PutManyAsync(Core.Series.TenantId tenant, string kind, IReadOnlyList<KeyValuePair<string, string>> documents, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;
        public Task<string?> GetAsync(Core.Series.TenantId tenant, string kind, string id, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);
        public Task<IReadOnlyList<Storage.StateDocument>> ListAsync(Core.Series.TenantId tenant, string kind, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<Storage.StateDocument>>([]);
        public Task<bool> DeleteAsync(Core.Series.TenantId tenant, string kind, string id, CancellationToken cancellationToken = default) => Task.FromResult(false);
        public Task AuditAsync(Core.Series.TenantId tenant, Storage.AuditEntry entry, CancellationToken cancellationToken = default) => Task.CompletedTask;
        public Task<IReadOnlyList<Storage.AuditEntry>> ReadAuditAsync(Core.Series.TenantId tenant, int limit, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<Storage.AuditEntry>>([]);
    }
}
