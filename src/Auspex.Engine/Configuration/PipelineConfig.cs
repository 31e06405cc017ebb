using System.Globalization;
using Auspex.Core.Series;
using Auspex.Ingestion.Exposition;
using Auspex.Ingestion.PrometheusApi;
using Auspex.Ingestion.Scrape;
using Auspex.Ingestion.Sink;
using Auspex.Ingestion.TopologyFiles;
using YamlDotNet.RepresentationModel;

namespace Auspex.Engine.Configuration;

/// <summary>
/// Reads the <c>scrape_configs</c>, <c>sources</c> and <c>remote_write</c> sections of the configuration file
/// (docs/ingestion.md). Keys follow Prometheus' own names where Prometheus has one. Every problem is reported through
/// the callback with the node it concerns (so the message carries <c>file:line:column</c>); nothing throws.
/// </summary>
internal static class PipelineConfig
{
    private static readonly string[] ScrapeKeys =
    [
        "job_name", "scrape_interval", "scrape_timeout", "metrics_path", "scheme", "honor_labels", "honor_timestamps",
        "sample_limit", "body_size_limit", "static_configs", "file_sd_configs",
    ];

    private static readonly string[] SourceKeys =
    [
        "name", "url", "queries", "interval", "backfill", "step", "min_step", "max_chunk", "max_retries", "min_backoff",
        "max_backoff", "timeout", "headers", "bearer_token_file",
    ];

    private static readonly string[] SinkKeys =
    [
        "name", "url", "forecasts", "ahead", "anomaly_scores", "locality_scores", "max_sample_age", "max_samples_per_send",
        "max_retries", "min_backoff", "max_backoff", "timeout", "headers", "bearer_token_file",
    ];

    public static List<ScrapeOptions> ReadScrapeConfigs(YamlNode v, Func<string, string> resolve, Action<YamlNode, string> err)
    {
        var result = new List<ScrapeOptions>();
        if (v is not YamlSequenceNode seq)
        {
            err(v, "'scrape_configs' must be a list of jobs ({job_name, scrape_interval, static_configs, file_sd_configs, ...})");
            return result;
        }
        foreach (var n in seq)
        {
            if (n is not YamlMappingNode m)
            {
                err(n, "a scrape job must be a mapping with at least job_name and static_configs or file_sd_configs");
                continue;
            }
            Known(m, err, ScrapeKeys);
            var name = Text(m, "job_name", err);
            if (name is null)
            {
                err(m, "a scrape job needs a job_name");
                continue;
            }
            if (result.Any(j => j.JobName == name))
            {
                err(m, $"scrape job '{name}' is configured twice");
                continue;
            }
            var interval = Duration(m, "scrape_interval", err) ?? TimeSpan.FromMinutes(1);
            var timeout = Duration(m, "scrape_timeout", err) ?? (interval < TimeSpan.FromSeconds(10) ? interval : TimeSpan.FromSeconds(10));
            if (timeout > interval)
            {
                err(m, $"scrape job '{name}': scrape_timeout ({Show(timeout)}) must not be longer than scrape_interval ({Show(interval)})");
                continue;
            }
            var statics = new List<TargetGroup>();
            if (Child(m, "static_configs") is { } sc)
            {
                statics.AddRange(StaticConfigs(sc, name, err));
            }
            var files = new List<string>();
            TimeSpan? refresh = null;
            if (Child(m, "file_sd_configs") is { } fsd)
            {
                (files, refresh) = FileSdConfigs(fsd, name, resolve, err);
            }
            if (statics.Count == 0 && files.Count == 0)
            {
                err(m, $"scrape job '{name}' has no targets: give static_configs or file_sd_configs");
                continue;
            }
            var scheme = Text(m, "scheme", err) ?? "http";
            if (scheme is not ("http" or "https"))
            {
                err(Child(m, "scheme")!, $"scrape job '{name}': scheme must be http or https, not '{scheme}'");
                continue;
            }
            var path = Text(m, "metrics_path", err) ?? "/metrics";
            if (!path.StartsWith('/'))
            {
                err(Child(m, "metrics_path")!, $"scrape job '{name}': metrics_path must start with '/', not '{path}'");
                continue;
            }
            var defaults = ExpositionOptions.Default;
            var options = new ScrapeOptions
            {
                JobName = name,
                Interval = interval,
                Timeout = timeout,
                Scheme = scheme,
                MetricsPath = path,
                HonorLabels = Bool(m, "honor_labels", err) ?? false,
                StaticConfigs = statics,
                FileSdFiles = files,
                FileSdRefreshInterval = refresh ?? TimeSpan.FromSeconds(30),
                MaxBodyBytes = PositiveInt(m, "body_size_limit", err) ?? 64 * 1024 * 1024,
                Exposition = defaults with
                {
                    HonorTimestamps = Bool(m, "honor_timestamps", err) ?? defaults.HonorTimestamps,
                    MaxSamples = PositiveInt(m, "sample_limit", err) ?? defaults.MaxSamples,
                },
            };
            if (Validated(() => options.Validate(), m, $"scrape job '{name}'", err))
            {
                result.Add(options);
            }
        }
        return result;
    }

    private static List<TargetGroup> StaticConfigs(YamlNode v, string job, Action<YamlNode, string> err)
    {
        var groups = new List<TargetGroup>();
        if (v is not YamlSequenceNode seq)
        {
            err(v, $"scrape job '{job}': static_configs must be a list of {{targets: [host:port, ...], labels: {{...}}}}");
            return groups;
        }
        foreach (var n in seq)
        {
            if (n is not YamlMappingNode g)
            {
                err(n, $"scrape job '{job}': a static config must be a mapping {{targets, labels}}");
                continue;
            }
            Known(g, err, "targets", "labels");
            var targets = new List<string>();
            if (Child(g, "targets") is YamlSequenceNode ts)
            {
                foreach (var t in ts)
                {
                    var address = (t as YamlScalarNode)?.Value;
                    if (string.IsNullOrWhiteSpace(address) || address.Contains('/', StringComparison.Ordinal) || !address.Contains(':', StringComparison.Ordinal))
                    {
                        err(t, $"scrape job '{job}': target '{address}' must be host:port (the scheme and path are set by scheme and metrics_path)");
                        continue;
                    }
                    targets.Add(address);
                }
            }
            else
            {
                err(g, $"scrape job '{job}': a static config needs targets: [host:port, ...]");
                continue;
            }
            if (LabelMap(g, "labels", $"scrape job '{job}'", err) is { } labels)
            {
                groups.Add(new TargetGroup(targets, labels));
            }
        }
        return groups;
    }

    private static (List<string> Files, TimeSpan? Refresh) FileSdConfigs(YamlNode v, string job, Func<string, string> resolve, Action<YamlNode, string> err)
    {
        var files = new List<string>();
        TimeSpan? refresh = null;
        if (v is not YamlSequenceNode seq)
        {
            err(v, $"scrape job '{job}': file_sd_configs must be a list of {{files: [...], refresh_interval}}");
            return (files, refresh);
        }
        foreach (var n in seq)
        {
            if (n is not YamlMappingNode f)
            {
                err(n, $"scrape job '{job}': a file_sd config must be a mapping {{files, refresh_interval}}");
                continue;
            }
            Known(f, err, "files", "refresh_interval");
            var r = Duration(f, "refresh_interval", err);
            if (r is not null)
            {
                refresh = refresh is null || r < refresh ? r : refresh;
            }
            if (Child(f, "files") is not YamlSequenceNode list || list.Children.Count == 0)
            {
                err(f, $"scrape job '{job}': a file_sd config needs files: [path, ...]");
                continue;
            }
            foreach (var file in list)
            {
                var p = (file as YamlScalarNode)?.Value;
                if (string.IsNullOrWhiteSpace(p))
                {
                    err(file, $"scrape job '{job}': a file_sd path must be a single value");
                    continue;
                }
                if (!new[] { ".json", ".yml", ".yaml" }.Any(e => p.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                {
                    err(file, $"scrape job '{job}': file_sd file '{p}' must end in .json, .yml or .yaml");
                    continue;
                }
                var full = resolve(p);
                if (!Directory.Exists(Path.GetDirectoryName(full)))
                {
                    err(file, $"scrape job '{job}': the folder of file_sd file '{full}' does not exist");
                    continue;
                }
                // A missing file is not an error: discovery files are often written later by another tool.
                files.Add(full);
            }
        }
        return (files, refresh);
    }

    public static List<PrometheusSourceSettings> ReadSources(YamlNode v, Func<string, string> resolve, Action<YamlNode, string> err)
    {
        var result = new List<PrometheusSourceSettings>();
        if (v is not YamlSequenceNode seq)
        {
            err(v, "'sources' must be a list of {name, url, queries: [...]}");
            return result;
        }
        foreach (var n in seq)
        {
            if (n is not YamlMappingNode m)
            {
                err(n, "a source must be a mapping {name, url, queries}");
                continue;
            }
            Known(m, err, SourceKeys);
            var name = Text(m, "name", err);
            var url = Url(m, err);
            if (name is null || url is null)
            {
                err(m, "a source needs a name and an absolute http(s) url (the Prometheus base URL, e.g. http://prometheus:9090)");
                continue;
            }
            if (result.Any(s => s.Name == name))
            {
                err(m, $"source '{name}' is configured twice");
                continue;
            }
            var queries = Queries(m, name, err);
            if (queries.Count == 0)
            {
                continue;
            }
            var headers = Headers(m, name, resolve, err);
            var d = new PrometheusClientOptions { BaseUrl = url };
            var client = d with
            {
                MinStep = Duration(m, "min_step", err) ?? d.MinStep,
                MaxChunkDuration = Duration(m, "max_chunk", err) ?? d.MaxChunkDuration,
                MaxRetries = NonNegativeInt(m, "max_retries", err) ?? d.MaxRetries,
                InitialBackoff = Duration(m, "min_backoff", err) ?? d.InitialBackoff,
                MaxBackoff = Duration(m, "max_backoff", err) ?? d.MaxBackoff,
                AttemptTimeout = Duration(m, "timeout", err) ?? d.AttemptTimeout,
                Headers = headers,
            };
            if (!Validated(() => client.Validate(), m, $"source '{name}'", err))
            {
                continue;
            }
            result.Add(new PrometheusSourceSettings
            {
                Name = name,
                Client = client,
                Queries = queries,
                Interval = Duration(m, "interval", err),
                Backfill = Duration(m, "backfill", err),
                Step = Duration(m, "step", err),
            });
        }
        return result;
    }

    private static List<SourceQuery> Queries(YamlMappingNode m, string source, Action<YamlNode, string> err)
    {
        var result = new List<SourceQuery>();
        if (Child(m, "queries") is not YamlSequenceNode seq || seq.Children.Count == 0)
        {
            err(m, $"source '{source}' needs queries: [a PromQL selector, or {{query, metric, host_label}}, ...]");
            return result;
        }
        foreach (var q in seq)
        {
            switch (q)
            {
                case YamlScalarNode { Value: { Length: > 0 } text }:
                    result.Add(new SourceQuery(text));
                    break;
                case YamlMappingNode qm:
                    Known(qm, err, "query", "metric", "host_label");
                    var query = Text(qm, "query", err);
                    var metric = Text(qm, "metric", err);
                    var host = Text(qm, "host_label", err);
                    if (query is null)
                    {
                        err(qm, $"source '{source}': a query needs query: <PromQL>");
                        continue;
                    }
                    if (metric is not null && !SeriesKey.IsValidMetricName(metric))
                    {
                        err(Child(qm, "metric")!, $"source '{source}': metric '{metric}' is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
                        continue;
                    }
                    if (host is not null && !Labels.IsValidName(host))
                    {
                        err(Child(qm, "host_label")!, $"source '{source}': host_label '{host}' is not a valid label name");
                        continue;
                    }
                    result.Add(new SourceQuery(query, metric, host));
                    break;
                default:
                    err(q, $"source '{source}': a query must be a PromQL string or {{query, metric, host_label}}");
                    break;
            }
        }
        return result;
    }

    public static List<RemoteWriteSinkSettings> ReadSinks(YamlNode v, Func<string, string> resolve, Action<YamlNode, string> err)
    {
        var result = new List<RemoteWriteSinkSettings>();
        if (v is not YamlSequenceNode seq)
        {
            err(v, "'remote_write' must be a list of {name, url, ...}");
            return result;
        }
        foreach (var n in seq)
        {
            if (n is not YamlMappingNode m)
            {
                err(n, "a remote_write sink must be a mapping {name, url, ...}");
                continue;
            }
            Known(m, err, SinkKeys);
            var url = Url(m, err);
            if (url is null)
            {
                err(m, "a remote_write sink needs an absolute http(s) url, e.g. http://prometheus:9090/api/v1/write");
                continue;
            }
            var name = Text(m, "name", err) ?? url.Authority;
            if (result.Any(s => s.Name == name))
            {
                err(m, $"remote_write sink '{name}' is configured twice (give each a distinct name)");
                continue;
            }
            var d = new RemoteWriteClientOptions { Url = url };
            var client = d with
            {
                MaxSamplesPerRequest = PositiveInt(m, "max_samples_per_send", err) ?? d.MaxSamplesPerRequest,
                MaxRetries = NonNegativeInt(m, "max_retries", err) ?? d.MaxRetries,
                InitialBackoff = Duration(m, "min_backoff", err) ?? d.InitialBackoff,
                MaxBackoff = Duration(m, "max_backoff", err) ?? d.MaxBackoff,
                AttemptTimeout = Duration(m, "timeout", err) ?? d.AttemptTimeout,
                Headers = Headers(m, name, resolve, err),
            };
            if (!Validated(() => client.Validate(), m, $"remote_write sink '{name}'", err))
            {
                continue;
            }
            var defaults = new RemoteWriteSinkSettings { Name = name, Client = client };
            var ahead = defaults.Ahead;
            if (Child(m, "ahead") is { } a)
            {
                ahead = DurationList(a, $"remote_write sink '{name}': ahead", err);
            }
            result.Add(new RemoteWriteSinkSettings
            {
                Name = name,
                Client = client,
                Forecasts = Bool(m, "forecasts", err) ?? defaults.Forecasts,
                Ahead = ahead,
                AnomalyScores = Bool(m, "anomaly_scores", err) ?? defaults.AnomalyScores,
                LocalityScores = Bool(m, "locality_scores", err) ?? defaults.LocalityScores,
                MaxSampleAge = Duration(m, "max_sample_age", err) ?? defaults.MaxSampleAge,
            });
        }
        return result;
    }

    // ---------------- node helpers ----------------

    private static YamlNode? Child(YamlMappingNode m, string key) =>
        m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private static void Known(YamlMappingNode m, Action<YamlNode, string> err, params string[] keys)
    {
        foreach (var k in m.Children.Keys.OfType<YamlScalarNode>().Where(k => !keys.Contains(k.Value)))
        {
            err(k, $"unknown key '{k.Value}' (expected {string.Join(", ", keys)})");
        }
    }

    private static string? Text(YamlMappingNode m, string key, Action<YamlNode, string> err)
    {
        if (Child(m, key) is not { } v)
        {
            return null;
        }
        if (v is YamlScalarNode { Value: { Length: > 0 } s })
        {
            return s;
        }
        err(v, $"'{key}' must be a single value");
        return null;
    }

    private static TimeSpan? Duration(YamlMappingNode m, string key, Action<YamlNode, string> err)
    {
        if (Child(m, key) is not { } v)
        {
            return null;
        }
        var text = (v as YamlScalarNode)?.Value;
        if (Quantities.TryParseDuration(text, out var d) && d > TimeSpan.Zero)
        {
            return d;
        }
        err(v, $"'{key}' must be a positive duration like 15s, 5m or 7d, not '{text}'");
        return null;
    }

    private static List<TimeSpan> DurationList(YamlNode v, string what, Action<YamlNode, string> err)
    {
        var list = new List<TimeSpan>();
        if (v is not YamlSequenceNode seq)
        {
            err(v, $"{what} must be a list of durations like [30m, 1h]");
            return list;
        }
        foreach (var n in seq)
        {
            var text = (n as YamlScalarNode)?.Value;
            if (Quantities.TryParseDuration(text, out var d) && d > TimeSpan.Zero)
            {
                list.Add(d);
            }
            else
            {
                err(n, $"{what}: '{text}' is not a positive duration");
            }
        }
        return list;
    }

    private static bool? Bool(YamlMappingNode m, string key, Action<YamlNode, string> err)
    {
        if (Child(m, key) is not { } v)
        {
            return null;
        }
        var t = (v as YamlScalarNode)?.Value;
        if (t is "true" or "false")
        {
            return t == "true";
        }
        err(v, $"'{key}' must be true or false, not '{t}'");
        return null;
    }

    private static int? PositiveInt(YamlMappingNode m, string key, Action<YamlNode, string> err)
    {
        var n = NonNegativeInt(m, key, err);
        if (n == 0)
        {
            err(Child(m, key)!, $"'{key}' must be a positive whole number");
            return null;
        }
        return n;
    }

    private static int? NonNegativeInt(YamlMappingNode m, string key, Action<YamlNode, string> err)
    {
        if (Child(m, key) is not { } v)
        {
            return null;
        }
        var t = (v as YamlScalarNode)?.Value;
        if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }
        err(v, $"'{key}' must be a whole number, not '{t}'");
        return null;
    }

    private static Uri? Url(YamlMappingNode m, Action<YamlNode, string> err)
    {
        var text = Text(m, "url", err);
        if (text is null)
        {
            return null;
        }
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return url;
        }
        err(Child(m, "url")!, $"url '{text}' is not an absolute http(s) URL");
        return null;
    }

    private static Labels? LabelMap(YamlMappingNode m, string key, string what, Action<YamlNode, string> err)
    {
        if (Child(m, key) is not { } v)
        {
            return Labels.Empty;
        }
        if (v is not YamlMappingNode map)
        {
            err(v, $"{what}: '{key}' must be a mapping of label names to values");
            return null;
        }
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (k, val) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!Labels.IsValidName(name) && !name.StartsWith("__", StringComparison.Ordinal))
            {
                err(k, $"{what}: '{name}' is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)");
                return null;
            }
            pairs.Add(new(name, (val as YamlScalarNode)?.Value ?? ""));
        }
        return Labels.From(pairs);
    }

    private static Dictionary<string, string> Headers(YamlMappingNode m, string what, Func<string, string> resolve, Action<YamlNode, string> err)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Child(m, "headers") is { } h)
        {
            if (h is YamlMappingNode map)
            {
                foreach (var (k, val) in map.Children)
                {
                    var name = (k as YamlScalarNode)?.Value;
                    if (string.IsNullOrWhiteSpace(name) || name.Any(c => c <= ' ' || c == ':'))
                    {
                        err(k, $"'{what}': '{name}' is not a valid header name");
                        continue;
                    }
                    headers[name] = (val as YamlScalarNode)?.Value ?? "";
                }
            }
            else
            {
                err(h, $"'{what}': headers must be a mapping of header names to values");
            }
        }
        if (Text(m, "bearer_token_file", err) is { } file)
        {
            var path = resolve(file);
            if (!File.Exists(path))
            {
                err(Child(m, "bearer_token_file")!, $"'{what}': bearer_token_file '{path}' not found");
            }
            else
            {
                // Read at start; the token itself is never logged or echoed in an error.
                headers["Authorization"] = "Bearer " + File.ReadAllText(path).Trim();
            }
        }
        return headers;
    }

    private static bool Validated(Action validate, YamlNode n, string what, Action<YamlNode, string> err)
    {
        try
        {
            validate();
            return true;
        }
        catch (ArgumentException e)
        {
            err(n, $"{what}: {e.Message}");
            return false;
        }
    }

    private static string Show(TimeSpan d) => ForecastSeries.Duration(d);
}
