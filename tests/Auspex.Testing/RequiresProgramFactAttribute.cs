using Xunit;

namespace Auspex.Testing;

/// <summary>
/// A fact that needs a real program (Chromium, Prometheus…). Where the program is missing it is skipped with the
/// install command — except under CI (<c>CI=true</c>), where a missing program must fail the run, never skip it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresProgramFactAttribute : FactAttribute
{
    public RequiresProgramFactAttribute(string program, string install)
    {
        Program = program;
        if (Programs.Find(program) is null && !Programs.IsCi)
        {
            Skip = $"{program} is not installed; install it with: {install}";
        }
    }

    public string Program { get; }
}

/// <summary>Locates programs on PATH.</summary>
public static class Programs
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? Find(string program)
    {
        if (Path.IsPathRooted(program))
        {
            return File.Exists(program) ? program : null;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var p = Path.Combine(dir, program);
            if (File.Exists(p))
            {
                return p;
            }
        }
        return null;
    }

    public static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}

/// <summary>
/// A fact that needs a real program that no Debian package provides (Terraform): skipped with the install hint wherever
/// the program is missing, CI included, since CI installs only Debian's packages. Tests of the same code with a stand-in
/// program run everywhere.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OptionalProgramFactAttribute : FactAttribute
{
    public OptionalProgramFactAttribute(string program, string install)
    {
        Program = program;
        if (Programs.Find(program) is null)
        {
            Skip = $"{program} is not installed (not packaged by Debian, so CI does not install it); install it with: {install}";
        }
    }

    public string Program { get; }
}
