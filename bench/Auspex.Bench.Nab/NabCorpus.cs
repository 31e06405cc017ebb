using System.Globalization;
using System.Text.Json;
using Auspex.Anomalies.Csv;

namespace Auspex.Bench.Nab;

/// <summary>The NAB data folder: labelled windows and the series they belong to.</summary>
internal sealed record NabCorpus(string DataDir, IReadOnlyList<NabFile> Files, IReadOnlyList<IReadOnlyList<CsvPoint>> Series)
{
    public static NabCorpus Load(string dataDir)
    {
        var windowsPath = Path.Combine(dataDir, "labels", "combined_windows.json");
        if (!File.Exists(windowsPath))
        {
            throw new FileNotFoundException($"NAB labels not found: {windowsPath}. Pass --data <NAB data folder> (default ../shared/data/nab from the repo root).");
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(windowsPath));
        var files = new List<NabFile>();
        var series = new List<IReadOnlyList<CsvPoint>>();
        foreach (var entry in doc.RootElement.EnumerateObject().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var path = Path.Combine(dataDir, entry.Name);
            if (!File.Exists(path))
            {
                continue;
            }
            var points = SeriesCsv.Read(path);
            var windows = entry.Value.EnumerateArray()
                .Select(w => (Parse(w[0].GetString()!), Parse(w[1].GetString()!)))
                .ToList();
            files.Add(new NabFile(entry.Name, points.Select(p => p.At.UtcDateTime).ToList(), windows));
            series.Add(points);
        }
        return files.Count > 0 ? new NabCorpus(dataDir, files, series) : throw new FileNotFoundException($"No data file of {windowsPath} found under {dataDir}.");
    }

    private static DateTime Parse(string text)
        => DateTime.ParseExact(text, ["yyyy-MM-dd HH:mm:ss.ffffff", "yyyy-MM-dd HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
