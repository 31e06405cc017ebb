using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Server;
using Auspex.Testing;
using Microsoft.AspNetCore.Builder;

namespace Auspex.EndToEnd.Tests;

/// <summary>
/// `auspex serve` on a YAML configuration with scrape jobs, a Prometheus source and a remote_write sink, next to the real
/// programs from Debian's packages on loopback ports: node_exporter (scraped by Auspex and by Prometheus) and
/// Prometheus (scraping node_exporter every second, receiving remote writes). A "slow" target accepts connections and
/// never answers, to exercise the scrape timeout. Nothing starts when a program is missing outside CI (the tests skip).
/// </summary>
public sealed class ServePipelineFixture : IAsyncLifetime
{
    public const string PrometheusBin = "/usr/bin/prometheus";
    public const string NodeExporterBin = "/usr/bin/prometheus-node-exporter";
    private readonly TempDirectory _dir = new();
    private readonly List<Process> _processes = [];
    private readonly StringBuilder _log = new();
    private TcpListener? _slow;
    private readonly List<TcpClient> _held = [];
    private AuspexRuntime? _runtime;
    private WebApplication? _app;

    public HttpClient Auspex { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient Prometheus { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public int NodeExporterPort { get; private set; }

    public int SlowPort { get; private set; }

    public bool Started { get; private set; }

    public string ProgramLog
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        if (!Programs.IsCi && (Programs.Find(PrometheusBin) is null || Programs.Find(NodeExporterBin) is null))
        {
            return; // the tests are skipped by RequiresProgramFact
        }
        NodeExporterPort = Programs.FreePort();
        var promPort = Programs.FreePort();
        await StartAsync(NodeExporterBin, [$"--web.listen-address=127.0.0.1:{NodeExporterPort}", "--collector.disable-defaults", "--collector.loadavg", "--collector.meminfo", "--collector.cpu"],
            new Uri($"http://127.0.0.1:{NodeExporterPort}/metrics"));
        await File.WriteAllTextAsync(_dir.File("prometheus.yml"), $$"""
            global: {scrape_interval: 1s, scrape_timeout: 1s}
            scrape_configs:
              - job_name: prom-node
                static_configs: [{targets: ['127.0.0.1:{{NodeExporterPort}}']}]
            """);
        await StartAsync(PrometheusBin, ["--config.file=" + _dir.File("prometheus.yml"), "--storage.tsdb.path=" + _dir.File("tsdb"),
            $"--web.listen-address=127.0.0.1:{promPort}", "--web.enable-remote-write-receiver"], new Uri($"http://127.0.0.1:{promPort}/-/ready"));
        Prometheus.BaseAddress = new Uri($"http://127.0.0.1:{promPort}/");

        _slow = new TcpListener(IPAddress.Loopback, 0);
        _slow.Start();
        SlowPort = ((IPEndPoint)_slow.LocalEndpoint).Port;
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var c = await _slow.AcceptTcpClientAsync();
                    lock (_held)
                    {
                        _held.Add(c); // read nothing, answer nothing
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        });

        WriteFleet();
        Directory.CreateDirectory(_dir.File("targets"));
        await File.WriteAllTextAsync(_dir.File("targets/nodes.json"), "[{\"targets\": [\"127.0.0.1:" + NodeExporterPort.ToString(CultureInfo.InvariantCulture) + "\"], \"labels\": {\"site\": \"lab\"}}]");
        var config = _dir.File("auspex.yaml");
        await File.WriteAllTextAsync(config, $$"""
            data_dir: data
            topology: topology.yaml
            import: [history.csv]
            loop: {interval: 5s}
            scrape_configs:
              - job_name: node
                scrape_interval: 1s
                static_configs: [{targets: ['127.0.0.1:{{NodeExporterPort}}']}]
              - job_name: node-sd
                scrape_interval: 1s
                file_sd_configs: [{files: ['targets/*.json'], refresh_interval: 1s}]
              - job_name: slow
                scrape_interval: 2s
                scrape_timeout: 500ms
                static_configs: [{targets: ['127.0.0.1:{{SlowPort}}']}]
            sources:
              - name: prom
                url: http://127.0.0.1:{{promPort}}
                interval: 2s
                backfill: 10m
                step: 1s
                queries:
                  - 'node_load1{job="prom-node"}'
                  - query: 'node_memory_MemAvailable_bytes{job="prom-node"}'
                    metric: e2e_source_mem_available_bytes
                    host_label: instance
            remote_write:
              - name: prom
                url: http://127.0.0.1:{{promPort}}/api/v1/write
                ahead: [30m]
            """);
        var loaded = ConfigFile.Load(config);
        if (loaded.Settings is not { } settings)
        {
            throw new InvalidOperationException(string.Join("\n", loaded.Errors));
        }
        settings.Fresh = true;
        _runtime = await AuspexRuntime.StartAsync(settings);
        _app = AuspexServer.Build(_runtime, new ServerOptions { Port = 0 }, quiet: true);
        await _app.StartAsync();
        Auspex.BaseAddress = AuspexServer.BaseAddress(_app);
        Started = true;
    }

    /// <summary>Two hosts with two days of 5-minute CPU history ending now, so the loop forecasts and scores at once.</summary>
    private void WriteFleet()
    {
        File.WriteAllText(_dir.File("topology.yaml"), """
            version: 1
            tenant: default
            tiers:
              - {name: standard, provider: onprem, price_per_hour: 0.40, performance_factor: 1.0, preemption_probability_per_hour: 0.0, provisioning_lead_time: 10m}
            regions:
              - id: region-1
                zones:
                  - id: zone-1
                    racks:
                      - id: rack-1
                        hosts:
                          - {id: h1, tier: standard, capacity: {cpu: 4, memory: 16Gi}}
                          - {id: h2, tier: standard, capacity: {cpu: 4, memory: 16Gi}}
            """);
        var now = TimeProvider.System.GetUtcNow();
        var end = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / 300 * 300);
        var csv = new StringBuilder("unique_id,ds,y,metric,host\n");
        var random = new Random(4);
        foreach (var host in new[] { "h1", "h2" })
        {
            for (var t = end.AddDays(-2); t <= end; t = t.AddMinutes(5))
            {
                var y = 1.5 + Math.Sin(t.TimeOfDay.TotalHours / 24 * 2 * Math.PI) + random.NextDouble() * 0.2;
                csv.Append(CultureInfo.InvariantCulture, $"{host}/cpu,{t:yyyy-MM-ddTHH:mm:ssZ},{y:0.####},auspex_host_cpu_used_cores,{host}\n");
            }
        }
        File.WriteAllText(_dir.File("history.csv"), csv.ToString());
    }

    private async Task StartAsync(string program, string[] args, Uri ready)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        _processes.Add(p);
        void Log(string? line)
        {
            if (line is not null)
            {
                lock (_log)
                {
                    if (_log.Length < 100_000)
                    {
                        _log.AppendLine(Path.GetFileName(program) + ": " + line);
                    }
                }
            }
        }
        p.OutputDataReceived += (_, e) => Log(e.Data);
        p.ErrorDataReceived += (_, e) => Log(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (p.HasExited)
            {
                throw new InvalidOperationException($"{program} exited with code {p.ExitCode}:\n{ProgramLog}");
            }
            try
            {
                using var r = await http.GetAsync(ready);
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{program} was not ready at {ready}:\n{ProgramLog}");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }
        foreach (var p in _processes)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }
            p.Dispose();
        }
        _slow?.Stop();
        lock (_held)
        {
            foreach (var c in _held)
            {
                c.Dispose();
            }
        }
        Auspex.Dispose();
        Prometheus.Dispose();
        _dir.Dispose();
    }
}
