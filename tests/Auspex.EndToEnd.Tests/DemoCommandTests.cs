using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Auspex.Testing;

namespace Auspex.EndToEnd.Tests;

/// <summary>The real <c>auspex demo</c> process, as a new user runs it.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_AnswersWithAScoreForEveryLocalityWithin60Seconds_AndTakesItsAdminKeyFromTheEnvironment()
    {
        const string key = "e2e-admin-key-7f3c9a1b2d4e";
        using var dir = new TempDirectory();
        var port = Programs.FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "auspex.dll");
        var psi = new ProcessStartInfo("dotnet", ["exec", dll, "demo", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--grpc-port", "0", "--data-dir", dir.Path])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = dir.Path,
        };
        psi.Environment["AUSPEX_ADMIN_KEY"] = key;
        using var proc = Process.Start(psi)!;
        var stderr = new System.Text.StringBuilder();
        proc.ErrorDataReceived += (_, e) => stderr.AppendLine(e.Data);
        proc.BeginErrorReadLine();
        proc.BeginOutputReadLine();
        var sw = Stopwatch.StartNew();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var allScored = false;
        try
        {
            while (sw.Elapsed < TimeSpan.FromSeconds(60) && !proc.HasExited && !allScored)
            {
                try
                {
                    var locs = await http.GetFromJsonAsync<JsonElement>("/api/v1/localities");
                    allScored = locs.GetArrayLength() == 57 && locs.EnumerateArray().All(l => l.GetProperty("score").ValueKind == JsonValueKind.Object);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet, or busy starting.
                }
                if (!allScored)
                {
                    await Task.Delay(500);
                }
            }
            Assert.True(allScored, $"after {sw.Elapsed.TotalSeconds:0}s not every locality had a score; exited={proc.HasExited}; stderr:\n{stderr}");
            Assert.Contains("dashboard", stderr.ToString(), StringComparison.Ordinal);
            Assert.Contains("admin API key ($AUSPEX_ADMIN_KEY)", stderr.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(key, stderr.ToString(), StringComparison.Ordinal);
            Assert.Equal(key, (await File.ReadAllTextAsync(Path.Combine(dir.Path, "admin.token"))).Trim());
            // Anonymous visitors read (above) but cannot write; the key from the environment can.
            var silence = new { matchers = new Dictionary<string, string> { ["alertname"] = "LocalityUndesirable" }, duration = "1h", comment = "e2e" };
            using (var anonymous = await http.PostAsJsonAsync("/api/v1/silences", silence))
            {
                Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
            }
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/silences") { Content = JsonContent.Create(silence) };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            using var withKey = await http.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Created, withKey.StatusCode);
        }
        finally
        {
            if (!proc.HasExited)
            {
                proc.Kill(entireProcessTree: true);
                await proc.WaitForExitAsync();
            }
        }
    }

    [Fact]
    public async Task Serve_WithMalformedConfig_ExitsWithFileLineAndReason()
    {
        using var dir = new TempDirectory();
        var cfg = dir.File("auspex.yaml");
        await File.WriteAllTextAsync(cfg, "data_dir: ./d\nloop:\n  interval: soon\n");
        var dll = Path.Combine(AppContext.BaseDirectory, "auspex.dll");
        var psi = new ProcessStartInfo("dotnet", ["exec", dll, "serve", "--config", cfg]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var proc = Process.Start(psi)!;
        var err = await proc.StandardError.ReadToEndAsync();
        await proc.WaitForExitAsync();
        Assert.Equal(2, proc.ExitCode);
        Assert.Contains($"{cfg}:3:", err, StringComparison.Ordinal);
        Assert.Contains("'interval' must be a positive duration", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_BadCsv_ExitsNonZeroNamingLine()
    {
        using var dir = new TempDirectory();
        var csv = dir.File("m.csv");
        await File.WriteAllTextAsync(csv, "unique_id,ds,y\na,2024-01-01T00:00:00Z,1\na,2024-01-01T00:05:00Z,oops\n");
        var dll = Path.Combine(AppContext.BaseDirectory, "auspex.dll");
        var psi = new ProcessStartInfo("dotnet", ["exec", dll, "import", "--data-dir", dir.File("data"), csv]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var proc = Process.Start(psi)!;
        var err = await proc.StandardError.ReadToEndAsync();
        await proc.WaitForExitAsync();
        Assert.Equal(1, proc.ExitCode);
        Assert.Contains($"{csv}:3: series 'a': y 'oops' is not a number", err, StringComparison.Ordinal);
    }
}
