using System.Globalization;

namespace Auspex.Forecasting.Batch;

/// <summary>A problem in an input file, naming the row (1-based, header = 1) and the series.</summary>
/// <param name="Row">Line number in the file (the header is line 1).</param>
/// <param name="Series">The series id, when known.</param>
/// <param name="Message">What is wrong.</param>
public sealed record InputError(int Row, string? Series, string Message)
{
    /// <inheritdoc/>
    public override string ToString() =>
        Series is null
            ? string.Create(CultureInfo.InvariantCulture, $"row {Row}: {Message}")
            : string.Create(CultureInfo.InvariantCulture, $"row {Row}, series '{Series}': {Message}");
}

/// <summary>Result of reading a long-format file: the batch, or the errors that prevented it.</summary>
/// <param name="Batch">The series, when there were no errors.</param>
/// <param name="Errors">Every problem found (at most <see cref="LongFormatCsv.MaxErrors"/>).</param>
public sealed record ReadResult(SeriesBatch? Batch, IReadOnlyList<InputError> Errors);

/// <summary>
/// Reads the long format <c>unique_id,ds,y</c> (header required, columns in any order, extra columns ignored; ds an ISO
/// 8601 time or an integer step, the same kind in every row; empty, <c>NA</c> or <c>NaN</c> y is a missing value filled
/// by interpolation). Unparseable rows, non-numeric values, duplicate time stamps and series with fewer than
/// <see cref="MinLength"/> values are reported with their row and series.
/// </summary>
public static class LongFormatCsv
{
    /// <summary>Most errors collected before giving up.</summary>
    public const int MaxErrors = 20;

    /// <summary>Fewest observed values a series needs.</summary>
    public const int MinLength = 3;

    /// <summary>Reads <paramref name="reader"/>.</summary>
    public static ReadResult Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var errors = new List<InputError>();
        var header = reader.ReadLine();
        if (header is null)
        {
            return new(null, [new InputError(1, null, "the file is empty; expected a header unique_id,ds,y")]);
        }
        var names = header.Split(',').Select(h => h.Trim().Trim('"').ToLowerInvariant()).ToArray();
        var iid = Array.IndexOf(names, "unique_id");
        var ids = Array.IndexOf(names, "ds");
        var iy = Array.IndexOf(names, "y");
        if (iid < 0 || ids < 0 || iy < 0)
        {
            return new(null, [new InputError(1, null, $"header '{header}' must name the columns unique_id, ds and y")]);
        }
        var width = Math.Max(iid, Math.Max(ids, iy)) + 1;
        bool? hasTime = null;
        var rows = new List<(string Id, long T, double Y, int Row)>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new Dictionary<(string, long), int>();
        var lineNo = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null && errors.Count < MaxErrors)
        {
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }
            var cells = line.Split(',');
            if (cells.Length < width)
            {
                errors.Add(new InputError(lineNo, null, $"expected at least {width} comma-separated fields, found {cells.Length}"));
                continue;
            }
            var id = cells[iid].Trim().Trim('"');
            var dsText = cells[ids].Trim().Trim('"');
            var yText = cells[iy].Trim().Trim('"');
            if (id.Length == 0)
            {
                errors.Add(new InputError(lineNo, null, "unique_id is empty"));
                continue;
            }
            long t;
            bool isTime;
            if (long.TryParse(dsText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var step))
            {
                t = step;
                isTime = false;
            }
            else if (DateTimeOffset.TryParse(dsText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var time))
            {
                t = time.UtcTicks;
                isTime = true;
            }
            else
            {
                errors.Add(new InputError(lineNo, id, $"ds '{dsText}' is neither an ISO 8601 time nor an integer step"));
                continue;
            }
            hasTime ??= isTime;
            if (hasTime != isTime)
            {
                errors.Add(new InputError(lineNo, id, $"ds '{dsText}' is {(isTime ? "a time" : "an integer step")} but earlier rows use {(hasTime.Value ? "times" : "integer steps")}"));
                continue;
            }
            double y;
            if (yText.Length == 0 || yText.Equals("NA", StringComparison.OrdinalIgnoreCase) || yText.Equals("NaN", StringComparison.OrdinalIgnoreCase))
            {
                y = double.NaN;
            }
            else if (!double.TryParse(yText, NumberStyles.Float, CultureInfo.InvariantCulture, out y) || double.IsInfinity(y))
            {
                errors.Add(new InputError(lineNo, id, $"y '{yText}' is not a number"));
                continue;
            }
            if (seen.TryGetValue((id, t), out var firstRow))
            {
                errors.Add(new InputError(lineNo, id, $"duplicate ds '{dsText}' (first at row {firstRow})"));
                continue;
            }
            seen[(id, t)] = lineNo;
            if (!double.IsNaN(y))
            {
                rows.Add((id, t, y, lineNo));
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
            else
            {
                counts.TryAdd(id, 0);
            }
        }
        foreach (var (id, count) in counts)
        {
            if (count < MinLength && errors.Count < MaxErrors)
            {
                var row = seen.Where(kv => kv.Key.Item1 == id).Min(kv => kv.Value);
                errors.Add(new InputError(row, id, $"series has {count} values; at least {MinLength} are needed"));
            }
        }
        if (rows.Count == 0 && errors.Count == 0)
        {
            errors.Add(new InputError(lineNo, null, "no data rows"));
        }
        if (errors.Count > 0)
        {
            return new(null, errors);
        }
        var builder = SeriesBatch.CreateBuilder(hasTime ?? false);
        foreach (var r in rows)
        {
            builder.Add(r.Id, r.T, r.Y);
        }
        return new(builder.Build(), errors);
    }
}
