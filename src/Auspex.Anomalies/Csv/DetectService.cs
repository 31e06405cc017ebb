namespace Auspex.Anomalies.Csv;

/// <summary>The outcome of scoring one file.</summary>
public sealed record DetectedFile(string Input, string Output, int Points, int Anomalies);

/// <summary>
/// The application service behind <c>auspex detect</c>: scores every <c>*.csv</c> under an input folder (or one
/// file) with a fresh detector per file and writes <c>timestamp,value,anomaly_score</c> at the same relative
/// path under the output folder. Every input is validated before anything is written.
/// </summary>
public static class DetectService
{
    /// <summary>Runs detection; throws <see cref="SeriesCsvException"/> naming the first bad file and line.</summary>
    /// <exception cref="ArgumentException">Unknown detector name.</exception>
    /// <param name="input">A CSV file, or a folder scanned recursively for <c>*.csv</c>.</param>
    /// <param name="outputDir">Where results go, at each input's relative path.</param>
    /// <param name="detector">A name from <see cref="AnomalyDetectors.Names"/>.</param>
    /// <param name="options">Detector options (default <see cref="AnomalyDetectorOptions.Default"/>).</param>
    /// <param name="wholeFile">
    /// Only for <see cref="AnomalyDetectors.Artime"/>: give the detector each file's minimum, maximum and length
    /// (<see cref="ArtimeSettings.ForWholeSeries"/>), as NAB gives every detector; a live stream cannot know them.
    /// </param>
    public static IReadOnlyList<DetectedFile> Run(string input, string outputDir, string detector = AnomalyDetectors.DefaultName, AnomalyDetectorOptions? options = null, bool wholeFile = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        ArgumentException.ThrowIfNullOrEmpty(outputDir);
        options ??= AnomalyDetectorOptions.Default;
        if (!AnomalyDetectors.TryCreate(detector, options, out _))
        {
            throw new ArgumentException($"Unknown detector '{detector}'. Known: {string.Join(", ", AnomalyDetectors.Names)}.", nameof(detector));
        }
        if (wholeFile && detector != AnomalyDetectors.Artime)
        {
            throw new ArgumentException($"The whole-file mode is only for '{AnomalyDetectors.Artime}', not '{detector}'.", nameof(wholeFile));
        }
        var files = Inputs(input);
        var series = files.Select(f => (f.Path, f.Relative, Points: SeriesCsv.Read(f.Path))).ToList();
        var done = new List<DetectedFile>(series.Count);
        foreach (var (path, relative, points) in series)
        {
            var scores = Score(points, wholeFile && points.Count > 0
                ? AnomalyDetectors.CreateArtime(ArtimeSettings.ForWholeSeries(points.Select(p => p.Value).ToList()), options)
                : AnomalyDetectors.Create(detector, options));
            var output = System.IO.Path.Combine(outputDir, relative);
            SeriesCsv.Write(output, points, scores);
            done.Add(new DetectedFile(path, output, points.Count, scores.Count(s => s >= options.Threshold)));
        }
        return done;
    }

    /// <summary>Scores points in order with one detector.</summary>
    public static double[] Score(IReadOnlyList<CsvPoint> points, IAnomalyDetector detector)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(detector);
        var scores = new double[points.Count];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = detector.Update(points[i].At, points[i].Value).Score;
        }
        return scores;
    }

    private static List<(string Path, string Relative)> Inputs(string input)
    {
        if (File.Exists(input))
        {
            return [(input, System.IO.Path.GetFileName(input))];
        }
        if (!Directory.Exists(input))
        {
            throw new SeriesCsvException(input, 0, "no such file or folder");
        }
        var files = Directory.EnumerateFiles(input, "*.csv", SearchOption.AllDirectories)
            .Select(p => (p, System.IO.Path.GetRelativePath(input, p)))
            .OrderBy(x => x.Item2, StringComparer.Ordinal)
            .ToList();
        return files.Count > 0 ? files : throw new SeriesCsvException(input, 0, "no .csv files in folder");
    }
}
