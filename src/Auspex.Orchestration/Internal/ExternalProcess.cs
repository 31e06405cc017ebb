using System.Diagnostics;
using System.Text;

namespace Auspex.Orchestration.Internal;

/// <summary>How an external program ended.</summary>
/// <param name="ExitCode">Its exit code, or -1 when it was killed or could not start.</param>
/// <param name="Output">Standard output and error, interleaved as they arrived.</param>
/// <param name="TimedOut">True when it ran past its timeout and was killed (with its child processes).</param>
/// <param name="StartError">Why it could not start, or null.</param>
internal sealed record ProcessOutcome(int ExitCode, string Output, bool TimedOut, string? StartError);

/// <summary>Runs a program with arguments (never through a shell), capturing its output, killing it and its children on timeout or cancellation.</summary>
internal static class ExternalProcess
{
    public static async Task<ProcessOutcome> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }
        var output = new StringBuilder();
        var gate = new Lock();
        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (gate)
            {
                output.AppendLine(line);
            }
        }
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new ProcessOutcome(-1, "", false, e.Message);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            // The parameterless wait drains the redirected streams.
            process.WaitForExit();
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (!timer.IsCancellationRequested)
            {
                throw;
            }
            lock (gate)
            {
                return new ProcessOutcome(-1, output.ToString(), true, null);
            }
        }
        lock (gate)
        {
            return new ProcessOutcome(process.ExitCode, output.ToString(), false, null);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>The last <paramref name="lines"/> non-empty lines of <paramref name="text"/>, one per line.</summary>
    public static string Tail(string text, int lines)
    {
        if (lines == 0 || string.IsNullOrWhiteSpace(text))
        {
            return "";
        }
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join("\n", all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>Finds an executable named <paramref name="name"/> in the folders of <paramref name="searchPath"/>, or null.</summary>
    public static string? Find(string name, string? searchPath)
    {
        foreach (var dir in (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return candidate;
            }
        }
        return null;
    }
}
