namespace Auspex.Bench.Nab;

/// <summary>
/// The fixed file-level split of the NAB corpus into a development half (designs and constants are chosen on
/// it) and a held-out half (only reported). Within each category (folder) the files are sorted by name,
/// shuffled with <see cref="System.Random"/> seeded with <see cref="Seed"/>, and alternated: positions 0, 2, 4,
/// ... go to the development half, 1, 3, 5, ... to the held-out half. The resulting lists are written down in
/// bench/RESULTS.md; the seed was fixed before any detector was scored on either half.
/// </summary>
internal static class NabSplit
{
    public const int Seed = 20261205;

    public static readonly string[] Names = ["all", "dev", "holdout"];

    /// <summary>True when <paramref name="relativePath"/> belongs to the development half.</summary>
    public static IReadOnlySet<string> Development(IEnumerable<string> relativePaths)
    {
        var dev = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in relativePaths.GroupBy(p => p.Split('/')[0]).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var files = group.Order(StringComparer.Ordinal).ToArray();
            var rng = new Random(Seed);
            for (var i = files.Length - 1; i > 0; i--)
            {
                var j = rng.Next(i + 1);
                (files[i], files[j]) = (files[j], files[i]);
            }
            for (var i = 0; i < files.Length; i += 2)
            {
                dev.Add(files[i]);
            }
        }
        return dev;
    }

    /// <summary>The indices of <paramref name="relativePaths"/> in the named part (all, dev or holdout).</summary>
    public static List<int> Select(IReadOnlyList<string> relativePaths, string part)
    {
        var dev = Development(relativePaths);
        return part switch
        {
            "all" => Enumerable.Range(0, relativePaths.Count).ToList(),
            "dev" => Enumerable.Range(0, relativePaths.Count).Where(i => dev.Contains(relativePaths[i])).ToList(),
            "holdout" => Enumerable.Range(0, relativePaths.Count).Where(i => !dev.Contains(relativePaths[i])).ToList(),
            _ => throw new ArgumentException($"--files must be one of {string.Join(", ", Names)}; got '{part}'."),
        };
    }
}
