using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Auspex.Testing;

namespace Auspex.EndToEnd.Tests;

/// <summary>
/// Durability (issue #4): a write is acknowledged only once it is committed, so every acknowledged sample survives a
/// SIGKILL of the real <c>auspex serve</c> process in the middle of a stream of writes.
/// </summary>
public sealed class KillDurabilityTests
{
    private const string Token = "durability-test-token-0123456789";

    private sealed class Server : IDisposable
    {
        public required Process Process { get; init; }
        public required HttpClient Http { get; init; }
        public required StringBuilder Log { get; init; }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }
            Process.Dispose();
            Http.Dispose();
        }
    }

    private static async Task<Server> StartAsync(string config, string dir)
    {
        var port = Programs.FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "auspex.dll");
        var psi = new ProcessStartInfo("dotnet", ["exec", dll, "serve", "--config", config, "--port", port.ToString(CultureInfo.InvariantCulture), "--grpc-port", "0"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = dir,
        };
        var p = Process.Start(psi)!;
        var log = new StringBuilder();
        p.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        p.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(120) && !p.HasExited)
        {
            try
            {
                using var r = await http.GetAsync("/api/v1/status");
                if (r.IsSuccessStatusCode)
                {
                    return new Server { Process = p, Http = http, Log = log };
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        var text = log.ToString();
        p.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"auspex serve did not answer within 120 s (exited={p.HasExited}):\n{text}");
    }

    [Fact]
    public async Task EveryAcknowledgedSample_SurvivesSigkillDuringAStreamOfWrites()
    {
        using var dir = new TempDirectory();
        var config = dir.File("auspex.yaml");
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Token)));
        await File.WriteAllTextAsync(config, $$"""
            data_dir: ./data
            topology: {{RepoPaths.Samples("fleet", "topology.yaml")}}
            loop:
              interval: 1h
            auth:
              keys:
                - {name: writer, role: operator, tenant: demo, token_sha256: {{hash}}}
            """);
        var t0 = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() - 3 * 3600);
        const int perBatch = 20;
        var acknowledged = new List<long>(); // Unix seconds of every acknowledged sample
        int batch = 0, inFlightAtKill = 0;
        using (var first = await StartAsync(config, dir.Path))
        {
            // Stream batches from several writers at once; kill -9 while writes are in flight.
            using var stop = new CancellationTokenSource();
            var gate = new object();
            async Task Writer()
            {
                while (!stop.IsCancellationRequested)
                {
                    int b;
                    lock (gate)
                    {
                        b = batch++;
                    }
                    var lines = new StringBuilder();
                    var times = new long[perBatch];
                    for (var k = 0; k < perBatch; k++)
                    {
                        times[k] = t0.ToUnixTimeSeconds() + b * perBatch + k;
                        lines.Append(CultureInfo.InvariantCulture, $"durability,writer=e2e value={b * perBatch + k} {times[k]}\n");
                    }
                    try
                    {
                        using var content = new StringContent(lines.ToString(), Encoding.UTF8, "text/plain");
                        using var r = await first.Http.PostAsync("/api/v2/write?org=demo&bucket=demo&precision=s", content, CancellationToken.None);
                        if (r.StatusCode == HttpStatusCode.NoContent)
                        {
                            lock (gate)
                            {
                                acknowledged.AddRange(times);
                            }
                        }
                        else if (r.StatusCode == HttpStatusCode.TooManyRequests)
                        {
                            await Task.Delay(100); // backpressure: this batch is not acknowledged; the next one tries again
                        }
                        else
                        {
                            Assert.Fail($"write refused with {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        lock (gate)
                        {
                            inFlightAtKill++;
                        }
                        return; // the server died with this write unacknowledged: it may or may not be stored
                    }
                }
            }
            var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(Writer)).ToList();
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(30))
            {
                lock (gate)
                {
                    if (acknowledged.Count >= 100 * perBatch)
                    {
                        break;
                    }
                }
                await Task.Delay(20);
            }
            first.Process.Kill(); // SIGKILL on Linux: no shutdown hooks, no flush
            await first.Process.WaitForExitAsync();
            await Task.WhenAll(writers);
            stop.Cancel();
        }
        Assert.True(acknowledged.Count >= 10 * perBatch, $"only {acknowledged.Count} samples were acknowledged before the kill");

        using var second = await StartAsync(config, dir.Path);
        var from = t0.AddSeconds(-1).ToString("O", CultureInfo.InvariantCulture);
        var to = t0.AddSeconds(batch * perBatch + 1).ToString("O", CultureInfo.InvariantCulture);
        var stored = new HashSet<long>();
        using (var r = await second.Http.GetAsync($"/api/v1/series/query?match=durability&resolution=raw&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}"))
        {
            var body = await r.Content.ReadAsStringAsync();
            Assert.True(r.IsSuccessStatusCode, body);
            using var doc = JsonDocument.Parse(body);
            foreach (var s in doc.RootElement.EnumerateArray())
            {
                foreach (var p in s.GetProperty("points").EnumerateArray())
                {
                    stored.Add((long)Math.Round(p[0].GetDouble() / 1000));
                }
            }
        }
        var lost = acknowledged.Where(t => !stored.Contains(t)).ToList();
        Assert.True(lost.Count == 0,
            $"{lost.Count} of {acknowledged.Count} acknowledged samples were lost after SIGKILL (first: {string.Join(", ", lost.Take(5))}); {inFlightAtKill} writes were in flight");
    }
}
