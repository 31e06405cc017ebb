using System.Globalization;

namespace Auspex.Simulation.Traces;

/// <summary>The outcome of reading a trace: the trace, or every problem found (each naming the line), plus notes.</summary>
/// <param name="Trace">The trace, or null when the input is unusable.</param>
/// <param name="Errors">Problems that made the input unusable.</param>
/// <param name="Warnings">Things the reader repaired (e.g. interpolated gaps) that the user should know.</param>
public sealed record TraceReadResult(DemandTrace? Trace, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings)
{
    /// <summary>True when a trace was read.</summary>
    public bool Ok => Trace is not null;
}

/// <summary>
/// Reads a demand trace from CSV. Accepted headers (case-insensitive, any column order, extra columns ignored):
/// <c>timestamp,value</c> (the samples/traces files), <c>ds,y</c>, or the long format <c>unique_id,ds,y</c> whose
/// series are summed per time (e.g. per-VM CPU into fleet demand; <c>series</c> keeps only one). <c>ds</c> is an
/// RFC 3339 time or an integer step index (then <see cref="IndexedStep"/> apart, from the Unix epoch). Rows must be in
/// time order per series on one regular grid; missing grid points and rows whose value is empty, <c>NaN</c>, <c>NA</c>
/// or <c>null</c> are interpolated for replay, marked missing (<see cref="DemandTrace.IsMissing"/>) and reported as a warning.
/// </summary>
public static class TraceCsv
{
    /// <summary>The step assumed between integer step indices.</summary>
    public static TimeSpan IndexedStep { get; } = TimeSpan.FromMinutes(5);

    /// <summary>The most rows read (a larger file is refused, saying so).</summary>
    public const int MaxRows = 5_000_000;

    /// <summary>The most grid points a trace may span (gaps included).</summary>
    public const int MaxPoints = 2_000_000;

    /// <summary>Reads a trace from <paramref name="reader"/>; <paramref name="name"/> names it in errors and outputs.</summary>
    public static TraceReadResult Read(TextReader reader, string name, string? series = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var errors = new List<string>();
        var header = reader.ReadLine();
        if (header is null)
        {
            return Fail($"{name}: the file is empty (expected a header such as 'timestamp,value', 'ds,y' or 'unique_id,ds,y')");
        }
        var cols = header.TrimStart('\uFEFF').Split(',').Select(c => c.Trim().Trim('"').ToLowerInvariant()).ToArray();
        var tCol = Array.FindIndex(cols, c => c is "timestamp" or "ds" or "time" or "timestamp_utc");
        var vCol = Array.FindIndex(cols, c => c is "value" or "y" or "requests");
        var idCol = Array.IndexOf(cols, "unique_id");
        if (tCol < 0 || vCol < 0)
        {
            return Fail($"{name}: line 1: header '{header}' has no time column (timestamp, ds) and value column (value, y)");
        }
        var sums = new SortedDictionary<DateTimeOffset, double>();
        var lastBySeries = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var seriesSeen = new HashSet<string>(StringComparer.Ordinal);
        var line = 1;
        var rows = 0;
        var emptyRows = 0;
        var emptyTimes = new SortedSet<DateTimeOffset>();
        string? text;
        var needed = Math.Max(tCol, Math.Max(vCol, idCol)) + 1;
        while ((text = reader.ReadLine()) is not null)
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }
            if (++rows > MaxRows)
            {
                return Fail($"{name}: more than {MaxRows:N0} rows; cut the trace or aggregate it first");
            }
            var f = text.Split(',');
            if (f.Length < needed)
            {
                errors.Add($"{name}: line {line}: expected at least {needed} columns, got {f.Length}");
                if (errors.Count >= 20)
                {
                    break;
                }
                continue;
            }
            var id = idCol >= 0 ? f[idCol].Trim().Trim('"') : "";
            if (series is not null && idCol >= 0 && !string.Equals(id, series, StringComparison.Ordinal))
            {
                continue;
            }
            if (!TryTime(f[tCol].Trim().Trim('"'), out var at))
            {
                errors.Add($"{name}: line {line}: time '{f[tCol]}' is neither an RFC 3339 time nor an integer step");
            }
            else if (f[vCol].Trim().Trim('"') is var raw && (raw.Length == 0 || raw.Equals("nan", StringComparison.OrdinalIgnoreCase) || raw.Equals("na", StringComparison.OrdinalIgnoreCase) || raw.Equals("null", StringComparison.OrdinalIgnoreCase)))
            {
                // No data for this time: left out like a missing grid point (interpolated for replay, marked missing).
                if (lastBySeries.TryGetValue(id, out var before) && at <= before)
                {
                    errors.Add($"{name}: line {line}: time {at:O} is not after the previous row's {before:O}{(id.Length > 0 ? $" of series '{id}'" : "")} (rows must be in time order)");
                }
                else
                {
                    lastBySeries[id] = at;
                    emptyTimes.Add(at);
                    emptyRows++;
                }
            }
            else if (!double.TryParse(f[vCol].Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            {
                errors.Add($"{name}: line {line}: value '{f[vCol]}' is not a finite number");
            }
            else if (v < 0)
            {
                errors.Add($"{name}: line {line}: value {f[vCol]} is negative; demand cannot be");
            }
            else if (lastBySeries.TryGetValue(id, out var prev) && at <= prev)
            {
                errors.Add($"{name}: line {line}: time {at:O} is not after the previous row's {prev:O}{(id.Length > 0 ? $" of series '{id}'" : "")} (rows must be in time order)");
            }
            else
            {
                lastBySeries[id] = at;
                seriesSeen.Add(id);
                sums[at] = sums.GetValueOrDefault(at) + v;
            }
            if (errors.Count >= 20)
            {
                errors.Add($"{name}: stopped after 20 errors");
                break;
            }
        }
        if (errors.Count > 0)
        {
            return new TraceReadResult(null, errors, []);
        }
        if (series is not null && seriesSeen.Count == 0)
        {
            return Fail($"{name}: no rows of series '{series}'");
        }
        if (sums.Count < 2)
        {
            return Fail($"{name}: needs at least 2 rows with data, got {sums.Count}");
        }
        var times = sums.Keys.Union(emptyTimes).Order().ToArray();
        var step = TimeSpan.MaxValue;
        for (var i = 1; i < times.Length; i++)
        {
            var d = times[i] - times[i - 1];
            if (d < step)
            {
                step = d;
            }
        }
        var warnings = new List<string>();
        var span = (times[^1] - times[0]).Ticks;
        if (span / step.Ticks + 1 > MaxPoints)
        {
            return Fail($"{name}: the rows span {span / step.Ticks + 1:N0} steps of {step}; at most {MaxPoints:N0}");
        }
        var count = (int)(span / step.Ticks) + 1;
        var values = new double[count];
        var filled = new bool[count];
        foreach (var (t, v) in sums)
        {
            var off = (t - times[0]).Ticks;
            if (off % step.Ticks != 0)
            {
                return Fail($"{name}: time {t:O} is off the {step} grid that starts at {times[0]:O}; resample the trace to a regular step");
            }
            values[off / step.Ticks] = v;
            filled[off / step.Ticks] = true;
        }
        var gaps = 0;
        var missing = new bool[count];
        for (var i = 0; i < count; i++)
        {
            if (filled[i])
            {
                continue;
            }
            missing[i] = true;
            var j = i;
            while (j < count && !filled[j])
            {
                j++;
            }
            for (var k = i; k < j; k++)
            {
                missing[k] = true;
                // Interior gaps are interpolated linearly; a gap at either end (rows with no value there) takes the nearest value.
                values[k] = i == 0 ? values[j] : j == count ? values[i - 1] : values[i - 1] + (values[j] - values[i - 1]) * (k - i + 1) / (j - i + 1);
                gaps++;
            }
            i = j;
        }
        if (gaps > 0)
        {
            warnings.Add($"{name}: {gaps} missing step(s) of {step} interpolated linearly{(emptyRows > 0 ? $" ({emptyRows} row(s) with an empty or NaN value)" : "")}; they replay with the interpolated demand and count as missing data (left out of the mean slack)");
        }
        if (seriesSeen.Count > 1)
        {
            warnings.Add($"{name}: {seriesSeen.Count} series summed per time (pass a series id to use one)");
        }
        var (trace, error) = DemandTrace.Create(name, times[0], step, values, missing);
        return error is null ? new TraceReadResult(trace, [], warnings) : Fail($"{name}: {error}");
    }

    /// <summary>Reads a trace file (plain or .gz); a missing file is an error naming it.</summary>
    public static TraceReadResult ReadFile(string path, string? series = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return Fail($"trace file '{path}' does not exist");
        }
        using var stream = File.OpenRead(path);
        using Stream input = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress)
            : stream;
        using var reader = new StreamReader(input);
        try
        {
            return Read(reader, Path.GetFileName(path), series);
        }
        catch (InvalidDataException e)
        {
            return Fail($"{Path.GetFileName(path)}: not a valid gzip file ({e.Message})");
        }
    }

    private static bool TryTime(string s, out DateTimeOffset at)
    {
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) && index is >= 0 and < 100_000_000)
        {
            at = DateTimeOffset.UnixEpoch + IndexedStep * index;
            return true;
        }
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);
    }

    private static TraceReadResult Fail(string error) => new(null, [error], []);
}
