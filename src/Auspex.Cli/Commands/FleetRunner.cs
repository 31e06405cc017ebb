using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Server;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Auspex.Cli.Commands;

/// <summary>
/// What <c>score</c>, <c>place</c> and <c>plan</c> share: open the embedded store (a data directory, a configuration
/// file, or the bundled sample fleet with <c>--demo</c>), run one loop tick at <c>--at</c> (default: the time of the
/// latest stored scores, else now) and print in the kubectl formats.
/// </summary>
internal static class FleetRunner
{
    public sealed record Options(Option<string?> DataDir, Option<FileInfo?> Config, Option<bool> Demo, Option<string?> At, Option<string> Format, Option<FileInfo?> Output);

    public static Options Add(Command command, params string[] formats)
    {
        var o = new Options(
            new Option<string?>("--data-dir") { Description = "Data directory holding auspex.duckdb (default .auspex/demo, where `auspex demo` keeps it; stop the demo first: the store takes one process)." },
            new Option<FileInfo?>("--config") { Description = "Server configuration file (its data_dir, topology and loop settings)." },
            new Option<bool>("--demo") { Description = "Use the bundled sample fleet in a fresh temporary store (two days of replayed history)." },
            new Option<string?>("--at") { Description = "Decide at this time (RFC 3339 or Unix seconds); default the latest stored scores' time, else now." },
            new Option<string>("--output-format", "-o") { Description = string.Join(", ", formats), DefaultValueFactory = _ => "table" },
            new Option<FileInfo?>("--output") { Description = "Write to this file instead of stdout." });
        o.Format.AcceptOnlyFromAmong(formats);
        command.Options.Add(o.DataDir);
        command.Options.Add(o.Config);
        command.Options.Add(o.Demo);
        command.Options.Add(o.At);
        command.Options.Add(o.Format);
        command.Options.Add(o.Output);
        return o;
    }

    /// <summary>Starts the runtime and ticks once; null (after printing why) when it cannot.</summary>
    public static async Task<(AuspexRuntime Runtime, TempDir? Temp)?> OpenAsync(ParseResult parse, Options o, CancellationToken ct)
    {
        RuntimeSettings settings;
        TempDir? temp = null;
        if (parse.GetValue(o.Demo))
        {
            var fleet = SampleData.FleetDirectory();
            if (fleet is null)
            {
                Console.Error.WriteLine("error: the sample fleet (samples/fleet) was not found beside the executable or above the current directory");
                return null;
            }
            temp = new TempDir();
            settings = new RuntimeSettings
            {
                DataDirectory = temp.Path,
                TopologyPath = Path.Combine(fleet, "topology.yaml"),
                Fresh = true,
                Replay = new ReplaySettings { Files = [Path.Combine(fleet, "metrics.csv.gz")], Speed = 1 },
            };
            var pricing = Path.GetFullPath(Path.Combine(fleet, "..", "pricing", "tiers.csv"));
            if (File.Exists(pricing))
            {
                settings.Orchestration.Scaling.PricingFile = pricing;
            }
        }
        else if (parse.GetValue(o.Config) is { } cfg)
        {
            var r = ConfigFile.Load(cfg.FullName);
            if (r.Settings is null)
            {
                foreach (var e in r.Errors)
                {
                    Console.Error.WriteLine("error: " + e);
                }
                return null;
            }
            settings = r.Settings;
            settings.Replay = null;
        }
        else
        {
            var dir = Path.GetFullPath(parse.GetValue(o.DataDir) ?? Path.Combine(".auspex", "demo"));
            if (!File.Exists(Path.Combine(dir, "auspex.duckdb")))
            {
                Console.Error.WriteLine($"error: no store at {dir}/auspex.duckdb: run `auspex demo` (then stop it), give --data-dir or --config, or use --demo");
                return null;
            }
            settings = new RuntimeSettings { DataDirectory = dir };
        }
        DateTimeOffset? at = null;
        if (parse.GetValue(o.At) is { } text)
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var secs) && double.IsFinite(secs))
            {
                at = DateTimeOffset.FromUnixTimeMilliseconds((long)(secs * 1000));
            }
            else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            {
                at = t;
            }
            else
            {
                Console.Error.WriteLine($"error: --at '{text}' is neither an RFC 3339 time nor Unix seconds");
                temp?.Dispose();
                return null;
            }
        }
        var clock = new SettableClock(at ?? TimeProvider.System.GetUtcNow());
        AuspexRuntime rt;
        try
        {
            rt = await AuspexRuntime.StartAsync(settings, m => Console.Error.WriteLine("auspex: " + m), settings.Replay is null ? clock : null, ct);
        }
        catch (StartupException e)
        {
            foreach (var err in e.Errors)
            {
                Console.Error.WriteLine("error: " + err);
            }
            temp?.Dispose();
            return null;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: cannot open the store in {settings.DataDirectory}: {e.Message} (is `auspex demo` or `auspex serve` still running on it?)");
            temp?.Dispose();
            return null;
        }
        if (at is null && settings.Replay is null)
        {
            var latest = await rt.Store.Results.LatestScoresAsync(rt.Loop.Tenant, ct);
            if (latest.Count > 0)
            {
                clock.Set(latest.Max(s => s.At));
            }
        }
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"auspex: scoring at {rt.Loop.Clock.GetUtcNow():yyyy-MM-ddTHH:mm:ssZ} …"));
        var tick = await rt.Loop.TickAsync(ct);
        if (tick.Error is not null)
        {
            Console.Error.WriteLine("error: the loop tick failed: " + tick.Error);
            await rt.DisposeAsync();
            temp?.Dispose();
            return null;
        }
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"auspex: {tick.Forecasts} forecasts, {tick.Scored} localities scored in {tick.Elapsed.TotalSeconds:0.0} s"));
        return (rt, temp);
    }

    /// <summary>Writes <paramref name="text"/> to --output or stdout.</summary>
    public static void Emit(ParseResult parse, Options o, string text)
    {
        if (parse.GetValue(o.Output) is { } f)
        {
            File.WriteAllText(f.FullName, text);
            Console.Error.WriteLine($"auspex: wrote {f.FullName}");
        }
        else
        {
            Console.Out.Write(text);
        }
    }

    public static string Json<T>(T value)
    {
        var opts = new JsonSerializerOptions { WriteIndented = true };
        AuspexServer.Configure(opts);
        return JsonSerializer.Serialize(value, opts) + "\n";
    }

    public static string Yaml<T>(T value)
    {
        // Through JSON first, so YAML shows exactly the API's shape (camelCase, enums as strings).
        var element = JsonSerializer.Deserialize<object>(Json(value));
        var plain = ToPlain(element);
        return new SerializerBuilder().WithNamingConvention(NullNamingConvention.Instance).Build().Serialize(plain);
    }

    private static object? ToPlain(object? o) => o switch
    {
        JsonElement { ValueKind: JsonValueKind.Object } e => e.EnumerateObject().ToDictionary(p => p.Name, p => ToPlain(p.Value)),
        JsonElement { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Select(x => ToPlain(x)).ToList(),
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };

    /// <summary>A kubectl-style table: upper-case headers, columns padded to their widest cell.</summary>
    public static string Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells) =>
            sb.AppendLine(string.Join("   ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        Line(headers.Select(h => h.ToUpperInvariant()).ToList());
        foreach (var r in all)
        {
            Line(r);
        }
        return sb.ToString();
    }

    /// <summary>RFC 4180 CSV.</summary>
    public static string Csv(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        static string Cell(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', headers.Select(Cell)));
        foreach (var r in rows)
        {
            sb.AppendLine(string.Join(',', r.Select(Cell)));
        }
        return sb.ToString();
    }

    public static string N(double? v, string format = "0.###") => v is { } x && double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <summary>A clock that stays where it is set (one decision at one time).</summary>
    private sealed class SettableClock(DateTimeOffset at) : TimeProvider
    {
        private DateTimeOffset _at = at;

        public void Set(DateTimeOffset at) => _at = at;

        public override DateTimeOffset GetUtcNow() => _at;
    }

    /// <summary>A temporary directory removed on dispose.</summary>
    internal sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("auspex-cli-").FullName;

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }
}
