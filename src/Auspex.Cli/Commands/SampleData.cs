namespace Auspex.Cli.Commands;

/// <summary>Finds the sample fleet shipped with Auspex (beside the executable, or in the repository's samples/).</summary>
internal static class SampleData
{
    public static string? FleetDirectory()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "samples", "fleet") };
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, "samples", "fleet"));
        }
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, "topology.yaml")) && File.Exists(Path.Combine(c, "metrics.csv.gz")));
    }
}
