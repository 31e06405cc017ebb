namespace Auspex.Simulation.Plots;

/// <summary>What every simulation picture shares.</summary>
public static class PlotHelpers
{
    /// <summary>Colours of the policies (or families), in order (Tableau 10; demand and bounds are black).</summary>
    public static IReadOnlyList<string> Palette { get; } = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    /// <summary>The <paramref name="index"/>-th palette colour (cycling).</summary>
    public static ScottPlot.Color Colour(int index) => ScottPlot.Color.FromHex(Palette[index % Palette.Count]);

    /// <summary>
    /// Checks that a PNG can be written to <paramref name="path"/> before a long run: null when its directory exists,
    /// else the error (naming the path and the directory).
    /// </summary>
    public static string? CheckPngPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return $"cannot write the plot to {full}: it is a directory";
        }
        return Path.GetDirectoryName(full) is { } dir && !Directory.Exists(dir)
            ? $"cannot write the plot to {full}: the directory {dir} does not exist"
            : null;
    }
}
