namespace Auspex.Testing;

/// <summary>Locates the repository root (the folder holding Auspex.slnx) and its samples.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Samples(params string[] parts) => Path.Combine([Root, "samples", .. parts]);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Auspex.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Auspex.slnx not found above " + AppContext.BaseDirectory);
    }
}
