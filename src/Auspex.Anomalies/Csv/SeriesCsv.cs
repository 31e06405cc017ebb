using System.Globalization;

namespace Auspex.Anomalies.Csv;

/// <summary>One row of a <c>timestamp,value</c> CSV: the timestamp text is kept verbatim for round-tripping.</summary>
public readonly record struct CsvPoint(string Timestamp, DateTimeOffset At, double Value, string ValueText);

/// <summary>
/// Reads and writes the series CSVs of <c>auspex detect</c> and NAB: input header <c>timestamp,value</c>
/// (further columns ignored), timestamps ISO-8601-like (<c>2014-03-07 03:41:00</c>, <c>…T…Z</c>, with or
/// without fraction or offset; no offset means UTC); output adds <c>anomaly_score</c>. Rows are taken in file
/// order (NAB has a few files whose clock steps back, e.g. at a DST change; they are not rejected).
/// </summary>
public static class SeriesCsv
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
    ];

    /// <summary>Reads a series; any problem throws <see cref="SeriesCsvException"/> naming the file and line.</summary>
    public static IReadOnlyList<CsvPoint> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new SeriesCsvException(path, 0, "file not found");
        }
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <summary>Reads a series from text; <paramref name="name"/> is used in error messages.</summary>
    public static IReadOnlyList<CsvPoint> Read(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine() ?? throw new SeriesCsvException(name, 1, "empty file: expected header 'timestamp,value'");
        var columns = header.Split(',');
        var ts = Array.FindIndex(columns, c => c.Trim().Equals("timestamp", StringComparison.OrdinalIgnoreCase));
        var val = Array.FindIndex(columns, c => c.Trim().Equals("value", StringComparison.OrdinalIgnoreCase));
        if (ts < 0 || val < 0)
        {
            throw new SeriesCsvException(name, 1, $"header '{header}' lacks the columns 'timestamp' and 'value'");
        }
        var points = new List<CsvPoint>();
        var lineNo = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }
            var cells = line.Split(',');
            if (cells.Length <= Math.Max(ts, val))
            {
                throw new SeriesCsvException(name, lineNo, $"expected at least {Math.Max(ts, val) + 1} columns, found {cells.Length}");
            }
            var tsText = cells[ts].Trim();
            if (!DateTimeOffset.TryParseExact(tsText, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                throw new SeriesCsvException(name, lineNo, $"bad timestamp '{tsText}' (expected e.g. 2014-03-07 03:41:00)");
            }
            var valueText = cells[val].Trim();
            if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw new SeriesCsvException(name, lineNo, $"bad value '{valueText}' (expected a number)");
            }
            if (!double.IsFinite(value))
            {
                throw new SeriesCsvException(name, lineNo, $"value '{valueText}' is not finite");
            }
            points.Add(new CsvPoint(tsText, at, value, valueText));
        }
        return points;
    }

    /// <summary>Writes <c>timestamp,value,anomaly_score</c> rows (NAB's results layout); creates the folder.</summary>
    public static void Write(string path, IReadOnlyList<CsvPoint> points, IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(scores);
        if (points.Count != scores.Count)
        {
            throw new ArgumentException("One score per point is required.", nameof(scores));
        }
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }
        using var writer = new StreamWriter(path) { NewLine = "\n" };
        writer.WriteLine("timestamp,value,anomaly_score");
        for (var i = 0; i < points.Count; i++)
        {
            writer.Write(points[i].Timestamp);
            writer.Write(',');
            writer.Write(points[i].ValueText);
            writer.Write(',');
            writer.WriteLine(scores[i].ToString("R", CultureInfo.InvariantCulture));
        }
    }
}
