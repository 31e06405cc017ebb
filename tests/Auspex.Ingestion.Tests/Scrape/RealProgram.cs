using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Auspex.Ingestion.Tests.Scrape;

/// <summary>
/// Finds and runs the real programs some tests need (Prometheus, node_exporter from Debian's packages), on loopback
/// ports only, and cleans up after them. A missing program skips the test with the install command, except under
/// <c>CI=true</c> where it fails.
/// </summary>
internal static class RealProgram
{
    public const string Prometheus = "prometheus";
    public const string NodeExporter = "prometheus-node-exporter";

    private static readonly Dictionary<string, (string Package, string Override, string[] Candidates)> Known = new(StringComparer.Ordinal)
    {
        [Prometheus] = ("prometheus", "AUSPEX_PROMETHEUS_BIN", ["/usr/bin/prometheus", "prometheus"]),
        [NodeExporter] = ("prometheus-node-exporter", "AUSPEX_NODE_EXPORTER_BIN",
            ["/usr/bin/prometheus-node-exporter", "prometheus-node-exporter", "node_exporter"]),
    };

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The program's path, or null when it is not installed. An environment variable (AUSPEX_PROMETHEUS_BIN,
    /// AUSPEX_NODE_EXPORTER_BIN) names another binary, or a missing one to try the skip path.
    /// </summary>
    public static string? Find(string program)
    {
        if (Environment.GetEnvironmentVariable(Known[program].Override) is { Length: > 0 } overridden)
        {
            return File.Exists(overridden) ? overridden : null;
        }
        foreach (var candidate in Known[program].Candidates)
        {
            if (candidate.Contains('/', StringComparison.Ordinal))
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
                continue;
            }
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var path = Path.Combine(dir, candidate);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }
        return null;
    }

    public static string MissingMessage(string program) =>
        $"{program} is not installed; install it with: sudo apt-get install -y {Known[program].Package}";

    /// <summary>The program's path; throws (failing the test) when it is missing.</summary>
    public static string Require(string program) =>
        Find(program) ?? throw new InvalidOperationException(MissingMessage(program) + (IsCi ? " (CI=true: a missing program is a failure)" : ""));

    /// <summary>A currently free TCP port on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts a program and waits until <paramref name="readyUrl"/> answers 2xx.</summary>
    public static async Task<RunningProgram> StartAsync(string program, IEnumerable<string> args, Uri readyUrl, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(Require(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var running = new RunningProgram(program, process);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                running.Dispose();
                throw new InvalidOperationException($"{program} exited with code {process.ExitCode}:\n{running.Output}");
            }
            try
            {
                using var response = await http.GetAsync(readyUrl);
                if (response.IsSuccessStatusCode)
                {
                    return running;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        running.Dispose();
        throw new TimeoutException($"{program} was not ready at {readyUrl} within {timeout}:\n{running.Output}");
    }
}

/// <summary>A started program; disposing kills it (and its children) and waits for it.</summary>
internal sealed class RunningProgram : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public RunningProgram(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            if (_output.Length < 200_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}

/// <summary>A fact that needs real programs: skipped with the install command when one is missing, unless CI=true.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RealProgramFactAttribute : FactAttribute
{
    public RealProgramFactAttribute(params string[] programs)
    {
        if (RealProgram.IsCi)
        {
            return; // under CI the test runs and fails on a missing program
        }
        var missing = programs.Where(p => RealProgram.Find(p) is null).ToList();
        if (missing.Count > 0)
        {
            Skip = string.Join("; ", missing.Select(RealProgram.MissingMessage));
        }
    }
}

/// <summary>A temporary directory deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = Directory.CreateTempSubdirectory("auspex-ingestion-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
