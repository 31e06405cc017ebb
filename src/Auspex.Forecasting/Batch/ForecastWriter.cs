using System.Globalization;
using System.Text.Json;

namespace Auspex.Forecasting.Batch;

/// <summary>Output formats of a batch forecast.</summary>
public enum ForecastFormat
{
    /// <summary><c>unique_id,ds,model,yhat,yhat_lower_80,yhat_upper_80,…</c>, one row per series and step.</summary>
    Csv,

    /// <summary>One JSON object: series with their steps, models, statuses, reasons and CV rankings.</summary>
    Json,

    /// <summary>An aligned text table for people.</summary>
    Table,
}

/// <summary>Writes a <see cref="BatchResult"/> as CSV, JSON or a table (invariant culture throughout).</summary>
public static class ForecastWriter
{
    /// <summary>Writes <paramref name="result"/> to <paramref name="writer"/> in <paramref name="format"/>.</summary>
    public static void Write(BatchResult result, TextWriter writer, ForecastFormat format)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(writer);
        switch (format)
        {
            case ForecastFormat.Json:
                WriteJson(result, writer);
                break;
            case ForecastFormat.Table:
                WriteTable(result, writer);
                break;
            default:
                WriteCsv(result, writer);
                break;
        }
    }

    /// <summary>The column suffix of a level: 80 → "80", 97.5 → "97.5".</summary>
    public static string LevelName(double level) => level.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Formats ds of forecast step k (0-based) of series i.</summary>
    public static string Ds(BatchResult result, int series, int k)
    {
        ArgumentNullException.ThrowIfNull(result);
        var b = result.Batch;
        var t = b.TimeAt(series, b.Length(series) + k);
        return b.HasTime
            ? new DateTimeOffset(t, TimeSpan.Zero).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : t.ToString(CultureInfo.InvariantCulture);
    }

    private static string Num(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    private static void WriteCsv(BatchResult r, TextWriter w)
    {
        w.Write("unique_id,ds,model,yhat");
        foreach (var l in r.Levels)
        {
            w.Write($",yhat_lower_{LevelName(l)},yhat_upper_{LevelName(l)}");
        }
        w.Write('\n');
        for (var i = 0; i < r.Batch.Count; i++)
        {
            var id = Quote(r.Batch.Ids[i]);
            for (var k = 0; k < r.Offsets[i + 1] - r.Offsets[i]; k++)
            {
                var j = r.Offsets[i] + k;
                w.Write(id);
                w.Write(',');
                w.Write(Ds(r, i, k));
                w.Write(',');
                w.Write(Quote(r.Models[i]));
                w.Write(',');
                w.Write(Num(r.Mean[j]));
                for (var l = 0; l < r.Levels.Count; l++)
                {
                    w.Write(',');
                    w.Write(Num(r.LowerBands[l][j]));
                    w.Write(',');
                    w.Write(Num(r.UpperBands[l][j]));
                }
                w.Write('\n');
            }
        }
    }

    private static string Quote(string s) => s.Contains(',', StringComparison.Ordinal) || s.Contains('"', StringComparison.Ordinal) ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    private static void WriteJson(BatchResult r, TextWriter w)
    {
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteStartArray("levels");
            foreach (var l in r.Levels)
            {
                j.WriteNumberValue(l);
            }
            j.WriteEndArray();
            j.WriteStartArray("series");
            for (var i = 0; i < r.Batch.Count; i++)
            {
                j.WriteStartObject();
                j.WriteString("unique_id", r.Batch.Ids[i]);
                j.WriteString("model", r.Models[i]);
                j.WriteString("status", r.Status[i].ToString());
                if (r.Reasons[i] is { } reason)
                {
                    j.WriteString("reason", reason);
                }
                if (r.CrossValidation[i] is { } cv)
                {
                    j.WriteStartArray("cv_ranking");
                    foreach (var (model, mae) in cv.Ranking)
                    {
                        j.WriteStartObject();
                        j.WriteString("model", model);
                        if (double.IsFinite(mae))
                        {
                            j.WriteNumber("mean_mae", mae);
                        }
                        else
                        {
                            j.WriteNull("mean_mae");
                        }
                        j.WriteEndObject();
                    }
                    j.WriteEndArray();
                }
                j.WriteStartArray("forecast");
                for (var k = 0; k < r.Offsets[i + 1] - r.Offsets[i]; k++)
                {
                    var idx = r.Offsets[i] + k;
                    j.WriteStartObject();
                    j.WriteString("ds", Ds(r, i, k));
                    WriteNumber(j, "yhat", r.Mean[idx]);
                    for (var l = 0; l < r.Levels.Count; l++)
                    {
                        WriteNumber(j, "yhat_lower_" + LevelName(r.Levels[l]), r.LowerBands[l][idx]);
                        WriteNumber(j, "yhat_upper_" + LevelName(r.Levels[l]), r.UpperBands[l][idx]);
                    }
                    j.WriteEndObject();
                }
                j.WriteEndArray();
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteEndObject();
        }
        w.Write(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        w.Write('\n');
    }

    private static void WriteNumber(Utf8JsonWriter j, string name, double v)
    {
        if (double.IsFinite(v))
        {
            j.WriteNumber(name, v);
        }
        else
        {
            j.WriteNull(name);
        }
    }

    private static void WriteTable(BatchResult r, TextWriter w)
    {
        var header = new List<string> { "unique_id", "ds", "model", "yhat" };
        foreach (var l in r.Levels)
        {
            header.Add("lo_" + LevelName(l));
            header.Add("hi_" + LevelName(l));
        }
        var rows = new List<string[]> { header.ToArray() };
        for (var i = 0; i < r.Batch.Count; i++)
        {
            for (var k = 0; k < r.Offsets[i + 1] - r.Offsets[i]; k++)
            {
                var idx = r.Offsets[i] + k;
                var row = new List<string> { r.Batch.Ids[i], Ds(r, i, k), r.Models[i], F(r.Mean[idx]) };
                for (var l = 0; l < r.Levels.Count; l++)
                {
                    row.Add(F(r.LowerBands[l][idx]));
                    row.Add(F(r.UpperBands[l][idx]));
                }
                rows.Add(row.ToArray());
            }
        }
        var widths = Enumerable.Range(0, header.Count).Select(c => rows.Max(x => x[c].Length)).ToArray();
        foreach (var row in rows)
        {
            w.Write(string.Join("  ", row.Select((c, i) => i < 3 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
            w.Write('\n');
        }
        for (var i = 0; i < r.Batch.Count; i++)
        {
            if (r.Reasons[i] is { } reason)
            {
                w.Write($"# {r.Batch.Ids[i]}: {r.Status[i]}: {reason}\n");
            }
        }
    }

    private static string F(double v) => double.IsNaN(v) ? "-" : v.ToString("0.###", CultureInfo.InvariantCulture);
}
