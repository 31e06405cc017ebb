using System.Diagnostics;

namespace Auspex.EndToEnd.Tests;

/// <summary>Runs the real <c>auspex</c> executable (built beside the tests) as a child process, as a user would.</summary>
internal static class CliProcess
{
    /// <summary>Runs <c>auspex ARGS</c> in <paramref name="dir"/>; environment variables named in <paramref name="unset"/> are removed.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(string dir, string[] args, params string[] unset)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "auspex.dll");
        var psi = new ProcessStartInfo("dotnet", ["exec", dll, .. args])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = dir,
        };
        foreach (var name in unset)
        {
            psi.Environment.Remove(name);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }
}
