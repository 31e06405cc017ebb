using System.CommandLine;
using System.Globalization;
using Auspex.Forecasting;
using Auspex.Forecasting.Batch;

namespace Auspex.Cli.Commands;

/// <summary>
/// <c>auspex forecast --input FILE --horizon H --season S[,S2] --levels 80,95 [--model auto|NAME] --output FILE [-o csv|json|table]</c>:
/// a thin adapter over <see cref="ForecastService"/>. Data goes to stdout (or --output); progress and errors to stderr.
/// </summary>
internal static class ForecastCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input", "-i") { Description = "Long-format CSV: unique_id,ds,y (ds an ISO time or an integer step); '-' for stdin.", Required = true };
        var horizon = new Option<string>("--horizon") { Description = "Steps (48) or a duration (15min, 1h, 24h, 7d).", Required = true };
        var season = new Option<string>("--season") { Description = "Seasonal periods in steps, comma-separated (e.g. 24,168). Default none.", DefaultValueFactory = _ => "" };
        var levels = new Option<string>("--levels") { Description = "Central interval levels in percent, comma-separated.", DefaultValueFactory = _ => "80,95" };
        var model = new Option<string>("--model") { Description = "auto, ensemble, or one of: " + string.Join(", ", ModelCatalog.Descriptions.Keys.Where(k => k is not "auto" and not "ensemble")), DefaultValueFactory = _ => "auto" };
        var output = new Option<FileInfo?>("--output") { Description = "Output file (default stdout)." };
        var format = new Option<string>("--format", "-o") { Description = "csv, json or table.", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "json", "table");

        var command = new Command("forecast", "Forecast every series of a long-format CSV with prediction intervals.")
        {
            input, horizon, season, levels, model, output, format,
        };
        command.SetAction(parseResult =>
        {
            var error = Console.Error;
            if (!HorizonSpec.TryParse(parseResult.GetValue(horizon), out var h))
            {
                error.WriteLine($"error: --horizon '{parseResult.GetValue(horizon)}' is neither a step count nor a duration like 1h");
                return 2;
            }
            if (!TryParseList(parseResult.GetValue(season), int.Parse, out var seasons) || seasons.Any(s => s < 1))
            {
                error.WriteLine($"error: --season '{parseResult.GetValue(season)}' must be positive integers separated by commas");
                return 2;
            }
            if (!TryParseList(parseResult.GetValue(levels), (s, c) => double.Parse(s, NumberStyles.Float, c), out var lv) || lv.Count == 0)
            {
                error.WriteLine($"error: --levels '{parseResult.GetValue(levels)}' must be numbers separated by commas");
                return 2;
            }
            var file = parseResult.GetValue(input)!;
            if (file.Name != "-" && !file.Exists)
            {
                error.WriteLine($"error: input file '{file.FullName}' does not exist");
                return 2;
            }
            var request = new ForecastRequest { Horizon = h, Seasons = seasons, Levels = lv, Model = parseResult.GetValue(model) ?? "auto" };
            using var reader = file.Name == "-" ? Console.In : new StreamReader(file.FullName);
            using var bar = new ProgressBar(error);
            var run = ForecastService.Run(reader, request, bar);
            bar.Finish();
            if (run.Result is null)
            {
                foreach (var e in run.Errors)
                {
                    error.WriteLine($"error: {file.Name}: {e}");
                }
                return 1;
            }
            var fmt = (parseResult.GetValue(format) ?? "csv") switch { "json" => ForecastFormat.Json, "table" => ForecastFormat.Table, _ => ForecastFormat.Csv };
            var outFile = parseResult.GetValue(output);
            using (var writer = outFile is null ? Console.Out : new StreamWriter(outFile.FullName))
            {
                ForecastWriter.Write(run.Result, writer, fmt);
            }
            var r = run.Result;
            for (var i = 0; i < r.Batch.Count; i++)
            {
                if (r.Status[i] != ForecastStatus.Ok)
                {
                    error.WriteLine($"note: series '{r.Batch.Ids[i]}': {r.Status[i]}: {r.Reasons[i]}");
                }
            }
            return r.Status.Any(s => s == ForecastStatus.Failed) ? 3 : 0;
        });
        return command;
    }

    private static bool TryParseList<T>(string? text, Func<string, IFormatProvider, T> parse, out List<T> values)
    {
        values = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        try
        {
            values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => parse(s, CultureInfo.InvariantCulture)).ToList();
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>A one-line progress bar on stderr, redrawn when the percentage changes.</summary>
    private sealed class ProgressBar(TextWriter writer) : IProgress<BatchProgress>, IDisposable
    {
        private readonly Lock _gate = new();
        private int _lastPercent = -1;

        public void Report(BatchProgress value)
        {
            lock (_gate)
            {
                var percent = value.Total == 0 ? 100 : 100 * value.Done / value.Total;
                if (percent == _lastPercent)
                {
                    return;
                }
                _lastPercent = percent;
                var filled = percent / 5;
                writer.Write(string.Create(CultureInfo.InvariantCulture,
                    $"\rforecasting [{new string('#', filled)}{new string('.', 20 - filled)}] {value.Done}/{value.Total} series"));
            }
        }

        public void Finish()
        {
            lock (_gate)
            {
                if (_lastPercent >= 0)
                {
                    writer.WriteLine();
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
