using System.Globalization;
using System.IO.Compression;
using System.Text;
using Auspex.Core.Series;

namespace Auspex.Ingestion.Csv;

/// <summary>The outcome of reading a long-format CSV: every series, or the errors (<c>file:line: reason</c>) and no data.</summary>
/// <param name="Series">Series in first-seen order, samples in time order.</param>
/// <param name="Rows">Data rows read.</param>
/// <param name="Errors">The first errors found (at most <see cref="LongCsv.MaxErrors"/>); when any, <paramref name="Series"/> is empty.</param>
public sealed record CsvReadResult(IReadOnlyList<SeriesData> Series, long Rows, IReadOnlyList<string> Errors)
{
    /// <summary>True when the file was read without error.</summary>
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Reads the long format used by Nixtla and Auspex: header <c>unique_id,ds,y</c> plus any extra columns, which become
/// labels. A column named <c>metric</c> or <c>__name__</c> gives the metric name (default <see cref="DefaultMetric"/>).
/// <c>ds</c> is an ISO-8601 time (UTC when no offset) or integer Unix seconds. <c>unique_id</c> is kept as a label.
/// Files ending in <c>.gz</c> are decompressed. A file with any bad row is refused whole.
/// </summary>
public static class LongCsv
{
    /// <summary>Metric name when the file has no metric column.</summary>
    public const string DefaultMetric = "auspex_imported_value";

    /// <summary>Most errors reported for one file.</summary>
    public const int MaxErrors = 20;

    /// <summary>Reads a file (plain or gzip).</summary>
    public static CsvReadResult ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return new([], 0, [$"{path}: file not found"]);
        }
        using var file = File.OpenRead(path);
        using var stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        try
        {
            return Read(stream, path);
        }
        catch (InvalidDataException e)
        {
            return new([], 0, [$"{path}: not a valid gzip file: {e.Message}"]);
        }
    }

    /// <summary>Reads CSV text from a stream; <paramref name="source"/> names it in errors.</summary>
    public static CsvReadResult Read(Stream stream, string source)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var errors = new List<string>();
        void Err(long line, string reason)
        {
            if (errors.Count < MaxErrors)
            {
                errors.Add($"{source}:{line}: {reason}");
            }
        }
        var header = reader.ReadLine();
        if (header is null)
        {
            return new([], 0, [$"{source}:1: the file is empty; expected a header unique_id,ds,y"]);
        }
        var cols = SplitLine(header);
        int Idx(string n) => cols.FindIndex(c => string.Equals(c.Trim(), n, StringComparison.OrdinalIgnoreCase));
        int iId = Idx("unique_id"), iDs = Idx("ds"), iY = Idx("y");
        var iMetric = Idx("metric") >= 0 ? Idx("metric") : Idx("__name__");
        var missing = new[] { ("unique_id", iId), ("ds", iDs), ("y", iY) }.Where(c => c.Item2 < 0).Select(c => c.Item1).ToList();
        if (missing.Count > 0)
        {
            return new([], 0, [$"{source}:1: header lacks column(s) {string.Join(", ", missing)}; found: {header}"]);
        }
        var labelCols = new List<(int Index, string Name)>();
        for (var i = 0; i < cols.Count; i++)
        {
            if (i == iDs || i == iY || i == iMetric)
            {
                continue;
            }
            var name = cols[i].Trim();
            if (!Labels.IsValidName(name))
            {
                Err(1, $"column '{name}' is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)");
            }
            labelCols.Add((i, name));
        }
        if (errors.Count > 0)
        {
            return new([], 0, errors);
        }
        var series = new Dictionary<string, (SeriesKey Key, List<Sample> Samples, HashSet<long> Seen)>(StringComparer.Ordinal);
        var order = new List<string>();
        long lineNo = 1, rows = 0;
        var keyBuilder = new StringBuilder();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }
            rows++;
            var f = SplitLine(line);
            if (f.Count != cols.Count)
            {
                Err(lineNo, $"has {f.Count} fields, the header has {cols.Count}");
                continue;
            }
            var id = f[iId];
            if (string.IsNullOrEmpty(id))
            {
                Err(lineNo, "unique_id is empty");
                continue;
            }
            if (!TryParseTime(f[iDs], out var at))
            {
                Err(lineNo, $"series '{id}': ds '{f[iDs]}' is neither an ISO-8601 time nor integer Unix seconds");
                continue;
            }
            if (!double.TryParse(f[iY], NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
            {
                Err(lineNo, $"series '{id}': y '{f[iY]}' is not a number");
                continue;
            }
            if (!double.IsFinite(y))
            {
                Err(lineNo, $"series '{id}': y is {f[iY]}; only finite numbers are stored (leave the row out for a gap)");
                continue;
            }
            var metric = iMetric >= 0 ? f[iMetric] : DefaultMetric;
            keyBuilder.Clear().Append(metric);
            foreach (var (i, _) in labelCols)
            {
                keyBuilder.Append('\u001f').Append(f[i]);
            }
            var k = keyBuilder.ToString();
            if (!series.TryGetValue(k, out var entry))
            {
                if (!SeriesKey.IsValidMetricName(metric))
                {
                    Err(lineNo, $"series '{id}': metric name '{metric}' is invalid ([a-zA-Z_:][a-zA-Z0-9_:]*)");
                    continue;
                }
                var labels = Labels.From(labelCols.Select(c => new KeyValuePair<string, string>(c.Name, f[c.Index])));
                entry = (new SeriesKey(metric, labels), [], []);
                series[k] = entry;
                order.Add(k);
            }
            if (!entry.Seen.Add(at.ToUnixTimeMilliseconds()))
            {
                Err(lineNo, $"series '{id}': duplicate time stamp {at:O}");
                continue;
            }
            entry.Samples.Add(new Sample(at, y));
        }
        if (errors.Count > 0)
        {
            return new([], rows, errors);
        }
        var result = new List<SeriesData>(order.Count);
        foreach (var k in order)
        {
            var (key, samples, _) = series[k];
            samples.Sort((a, b) => a.At.CompareTo(b.At));
            result.Add(new SeriesData(key, samples));
        }
        return new(result, rows, []);
    }

    /// <summary>Parses an ISO-8601 time (UTC when no offset is given) or integer Unix seconds.</summary>
    public static bool TryParseTime(string text, out DateTimeOffset at)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var secs) && secs is > -62135596800 and < 253402300800)
        {
            at = DateTimeOffset.FromUnixTimeSeconds(secs);
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);
    }

    /// <summary>Splits one CSV line (RFC 4180 quotes, doubled quotes inside).</summary>
    internal static List<string> SplitLine(string line)
    {
        var fields = new List<string>();
        if (!line.Contains('"', StringComparison.Ordinal))
        {
            fields.AddRange(line.TrimEnd('\r').Split(','));
            return fields;
        }
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    sb.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(sb.ToString());
                sb.Clear();
            }
            else if (c != '\r')
            {
                sb.Append(c);
            }
        }
        fields.Add(sb.ToString());
        return fields;
    }
}
