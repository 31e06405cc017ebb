using Auspex.Ingestion.TopologyFiles;
using Auspex.Storage;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auspex.Engine.Configuration;

/// <summary>The outcome of reading a configuration file.</summary>
public sealed record ConfigFileResult(RuntimeSettings? Settings, IReadOnlyList<string> Errors);

/// <summary>
/// Reads the server configuration YAML (docs/configuration.md). Relative paths are resolved against the file's
/// folder. Unknown keys, bad durations and missing files are errors with <c>file:line:column</c>.
/// </summary>
public static class ConfigFile
{
    /// <summary>Reads and validates a configuration file.</summary>
    public static ConfigFileResult Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return new(null, [$"{path}: file not found"]);
        }
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var errors = new List<string>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(path)));
        }
        catch (YamlException e)
        {
            return new(null, [$"{path}:{e.Start.Line}:{e.Start.Column}: invalid YAML: {e.InnerException?.Message ?? e.Message}"]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return new(null, [$"{path}:1:1: expected a mapping (data_dir, topology, import, loop, retention, replay)"]);
        }
        void Err(YamlNode n, string reason) => errors.Add($"{path}:{n.Start.Line}:{n.Start.Column}: {reason}");
        string Resolve(string p) => Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(baseDir, p));
        var s = new RuntimeSettings { DataDirectory = Resolve("data") };
        foreach (var (k, v) in root.Children)
        {
            var key = (k as YamlScalarNode)?.Value;
            switch (key)
            {
                case "data_dir":
                    s.DataDirectory = Resolve(Text(v, key, Err) ?? "data");
                    break;
                case "topology":
                    var t = Text(v, key, Err);
                    if (t is not null)
                    {
                        s.TopologyPath = Resolve(t);
                        if (!File.Exists(s.TopologyPath))
                        {
                            Err(v, $"topology file '{s.TopologyPath}' not found");
                        }
                    }
                    break;
                case "import":
                    s.ImportFiles = Files(v, key, Resolve, Err);
                    break;
                case "loop":
                    ReadLoop(v, s.Engine, Err);
                    break;
                case "retention":
                    s.Retention = ReadRetention(v, Err);
                    break;
                case "auth":
                    ReadAuth(v, s, Resolve, Err);
                    break;
                case "replay":
                    s.Replay = ReadReplay(v, Resolve, Err);
                    break;
                case "scrape_configs":
                    s.Pipeline.ScrapeJobs = PipelineConfig.ReadScrapeConfigs(v, Resolve, Err);
                    break;
                case "sources":
                    s.Pipeline.Sources = PipelineConfig.ReadSources(v, Resolve, Err);
                    break;
                case "remote_write":
                    s.Pipeline.Sinks = PipelineConfig.ReadSinks(v, Resolve, Err);
                    break;
                case "alerts":
                    s.Alerts = AlertsConfig.Read(v, Err);
                    break;
                case "orchestration":
                    s.Orchestration = OrchestrationConfig.Read(v, Resolve, Err);
                    break;
                default:
                    Err(k, $"unknown key '{key}' (expected data_dir, topology, import, loop, retention, replay, auth, scrape_configs, sources, remote_write, alerts, orchestration)");
                    break;
            }
        }
        if (errors.Count == 0)
        {
            try
            {
                s.Engine.Validate();
            }
            catch (ArgumentException e)
            {
                errors.Add($"{path}: {e.Message}");
            }
            errors.AddRange(s.Orchestration.Validate().Select(e => $"{path}: {e}"));
        }
        return errors.Count > 0 ? new(null, errors) : new(s, []);
    }

    private static string? Text(YamlNode v, string key, Action<YamlNode, string> err)
    {
        if (v is YamlScalarNode { Value: { Length: > 0 } s })
        {
            return s;
        }
        err(v, $"'{key}' must be a single value");
        return null;
    }

    private static List<string> Files(YamlNode v, string key, Func<string, string> resolve, Action<YamlNode, string> err)
    {
        if (v is not YamlSequenceNode seq)
        {
            err(v, $"'{key}' must be a list of files");
            return [];
        }
        var list = new List<string>();
        foreach (var n in seq)
        {
            var f = Text(n, key, err);
            if (f is null)
            {
                continue;
            }
            var full = resolve(f);
            if (!File.Exists(full))
            {
                err(n, $"file '{full}' not found");
            }
            list.Add(full);
        }
        return list;
    }

    private static TimeSpan? Duration(YamlMappingNode m, string key, Action<YamlNode, string> err)
    {
        if (!m.Children.TryGetValue(new YamlScalarNode(key), out var v))
        {
            return null;
        }
        var text = (v as YamlScalarNode)?.Value;
        if (Quantities.TryParseDuration(text, out var d) && d > TimeSpan.Zero)
        {
            return d;
        }
        err(v, $"'{key}' must be a positive duration like 5m, 2h or 7d, not '{text}'");
        return null;
    }

    private static void Known(YamlMappingNode m, Action<YamlNode, string> err, params string[] keys)
    {
        foreach (var k in m.Children.Keys.OfType<YamlScalarNode>().Where(k => !keys.Contains(k.Value)))
        {
            err(k, $"unknown key '{k.Value}' (expected {string.Join(", ", keys)})");
        }
    }

    private static void ReadLoop(YamlNode v, EngineOptions o, Action<YamlNode, string> err)
    {
        if (v is not YamlMappingNode m)
        {
            err(v, "'loop' must be a mapping");
            return;
        }
        Known(m, err, "interval", "horizon", "season", "history", "model", "retrain_every");
        o.Interval = Duration(m, "interval", err) ?? o.Interval;
        o.Horizon = Duration(m, "horizon", err) ?? o.Horizon;
        o.Season = Duration(m, "season", err) ?? o.Season;
        o.History = Duration(m, "history", err) ?? o.History;
        o.RetrainInterval = Duration(m, "retrain_every", err) ?? o.RetrainInterval;
        if (m.Children.TryGetValue(new YamlScalarNode("model"), out var model))
        {
            o.ForecastModel = (model as YamlScalarNode)?.Value ?? "";
        }
    }

    private static RetentionPolicy? ReadRetention(YamlNode v, Action<YamlNode, string> err)
    {
        if (v is not YamlMappingNode m)
        {
            err(v, "'retention' must be a mapping");
            return null;
        }
        Known(m, err, "raw", "five_minutes", "one_hour");
        var d = RetentionPolicy.Default;
        var p = new RetentionPolicy(Duration(m, "raw", err) ?? d.Raw, Duration(m, "five_minutes", err) ?? d.FiveMinutes, Duration(m, "one_hour", err) ?? d.OneHour);
        if (p.Validate() is { } e)
        {
            err(v, "retention: " + e);
        }
        return p;
    }

    private static void ReadAuth(YamlNode v, RuntimeSettings s, Func<string, string> resolve, Action<YamlNode, string> err)
    {
        if (v is not YamlMappingNode m)
        {
            err(v, "'auth' must be a mapping with keys and anonymous_reads");
            return;
        }
        Known(m, err, "keys", "anonymous_reads");
        if (m.Children.TryGetValue(new YamlScalarNode("anonymous_reads"), out var ar))
        {
            var t = (ar as YamlScalarNode)?.Value;
            if (t is "true" or "false")
            {
                s.AnonymousReads = t == "true";
            }
            else
            {
                err(ar, "'anonymous_reads' must be true or false");
            }
        }
        if (!m.Children.TryGetValue(new YamlScalarNode("keys"), out var keys))
        {
            return;
        }
        if (keys is not YamlSequenceNode seq)
        {
            err(keys, "'keys' must be a list of {name, role, tenant, token_sha256 | token_file}");
            return;
        }
        var list = new List<ApiKeySettings>();
        foreach (var n in seq)
        {
            if (n is not YamlMappingNode k)
            {
                err(n, "a key must be a mapping {name, role, tenant, token_sha256 | token_file}");
                continue;
            }
            Known(k, err, "name", "role", "tenant", "token_sha256", "token_file");
            string? Get(string key) => k.Children.TryGetValue(new YamlScalarNode(key), out var x) ? (x as YamlScalarNode)?.Value : null;
            var name = Get("name");
            var role = Get("role");
            var tenant = Get("tenant") ?? "default";
            if (string.IsNullOrWhiteSpace(name))
            {
                err(k, "a key needs a name");
                continue;
            }
            if (role is not ("viewer" or "operator" or "admin"))
            {
                err(k, $"key '{name}': role must be viewer, operator or admin, not '{role}'");
                continue;
            }
            string? hash = Get("token_sha256")?.ToLowerInvariant();
            if (Get("token_file") is { } file)
            {
                var path = resolve(file);
                if (!File.Exists(path))
                {
                    err(k, $"key '{name}': token_file '{path}' not found");
                    continue;
                }
                var token = File.ReadAllText(path).Trim();
                hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
            }
            if (hash is null || hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
            {
                err(k, $"key '{name}': give token_sha256 (64 hex digits: echo -n TOKEN | sha256sum) or token_file; tokens themselves never go in this file");
                continue;
            }
            list.Add(new ApiKeySettings(name, role, tenant, hash));
        }
        s.ApiKeys = list;
    }

    private static ReplaySettings? ReadReplay(YamlNode v, Func<string, string> resolve, Action<YamlNode, string> err)
    {
        if (v is not YamlMappingNode m)
        {
            err(v, "'replay' must be a mapping");
            return null;
        }
        Known(m, err, "files", "speed", "warm_up");
        var r = new ReplaySettings();
        if (m.Children.TryGetValue(new YamlScalarNode("files"), out var f))
        {
            r.Files = Files(f, "files", resolve, err);
        }
        if (m.Children.TryGetValue(new YamlScalarNode("speed"), out var sp))
        {
            if (double.TryParse((sp as YamlScalarNode)?.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var speed) && speed > 0 && double.IsFinite(speed))
            {
                r.Speed = speed;
            }
            else
            {
                err(sp, "'speed' must be a positive number (simulated seconds per real second)");
            }
        }
        r.WarmUp = Duration(m, "warm_up", err) ?? r.WarmUp;
        if (r.Files.Count == 0)
        {
            err(v, "'replay' needs at least one file");
        }
        return r;
    }
}
