using System.Globalization;
using Auspex.Ingestion.TopologyFiles;
using Auspex.Orchestration.Execution;
using YamlDotNet.RepresentationModel;

namespace Auspex.Engine.Configuration;

/// <summary>Reads the <c>orchestration</c> section of the configuration (docs/configuration.md); every problem names its line.</summary>
internal static class OrchestrationConfig
{
    public static OrchestrationSettings Read(YamlNode v, Func<string, string> resolve, Action<YamlNode, string> err, Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        var s = new OrchestrationSettings();
        if (v is not YamlMappingNode m)
        {
            err(v, "'orchestration' must be a mapping (executor, scaling, kubernetes, terraform, webhook)");
            return s;
        }
        Known(m, err, "orchestration", "executor", "scaling", "kubernetes", "terraform", "webhook");
        if (Get(m, "executor") is { } ex)
        {
            var name = Scalar(ex);
            if (name is null || !ExecutorNames.All.Contains(name))
            {
                err(ex, $"orchestration.executor '{name}' is unknown; use one of {string.Join(", ", ExecutorNames.All)}");
            }
            else
            {
                s.Executor = name;
            }
        }
        if (Get(m, "scaling") is { } sc)
        {
            ReadScaling(sc, s.Scaling, resolve, err);
        }
        if (Get(m, "kubernetes") is { } k)
        {
            ReadKubernetes(k, s.Kubernetes, err);
        }
        if (Get(m, "terraform") is { } tf)
        {
            s.Terraform = ReadTerraform(tf, resolve, err);
        }
        if (Get(m, "webhook") is { } wh)
        {
            s.Webhook = ReadWebhook(wh, resolve, err, env);
        }
        if (s.Executor == ExecutorNames.Terraform && s.Terraform is null)
        {
            err(m, "orchestration.executor is terraform but there is no orchestration.terraform section (working_dir is required)");
        }
        if (s.Executor == ExecutorNames.Webhook && s.Webhook is null)
        {
            err(m, "orchestration.executor is webhook but there is no orchestration.webhook section (urls and secret_env or secret_file are required)");
        }
        return s;
    }

    private static void ReadScaling(YamlNode v, ScalingStageSettings s, Func<string, string> resolve, Action<YamlNode, string> err)
    {
        if (v is not YamlMappingNode m)
        {
            err(v, "'orchestration.scaling' must be a mapping");
            return;
        }
        Known(m, err, "orchestration.scaling", "mode", "pricing", "quantile", "availability", "target_utilisation", "min_replicas", "max_replicas",
            "scale_in_threshold", "scale_in_stabilization", "budget_per_hour", "history", "demand");
        if (Get(m, "mode") is { } mode)
        {
            switch (Scalar(mode))
            {
                case "off": s.Mode = ScalingStageMode.Off; break;
                case "forecast_only": s.Mode = ScalingStageMode.ForecastOnly; break;
                case "scale_out_only": s.Mode = ScalingStageMode.ScaleOutOnly; break;
                case "full": s.Mode = ScalingStageMode.Full; break;
                default: err(mode, $"orchestration.scaling.mode '{Scalar(mode)}' is unknown; use off, forecast_only, scale_out_only or full"); break;
            }
        }
        if (Get(m, "pricing") is { } p && Text(p, "orchestration.scaling.pricing", err) is { } file)
        {
            s.PricingFile = resolve(file);
            if (!File.Exists(s.PricingFile))
            {
                err(p, $"orchestration.scaling.pricing file '{s.PricingFile}' not found");
            }
        }
        s.Quantile = Number(m, "quantile", err, x => x is > 0 and < 1, "a number in (0, 1)") ?? s.Quantile;
        s.Availability = Number(m, "availability", err, x => x is > 0 and < 1, "a number in (0, 1)") ?? s.Availability;
        s.TargetUtilisation = Number(m, "target_utilisation", err, x => x is > 0 and <= 1, "a number in (0, 1]") ?? s.TargetUtilisation;
        s.MinReplicas = (int?)Number(m, "min_replicas", err, x => x >= 0 && x == Math.Floor(x) && x <= 100_000, "a whole number ≥ 0") ?? s.MinReplicas;
        s.MaxReplicas = (int?)Number(m, "max_replicas", err, x => x >= 1 && x == Math.Floor(x) && x <= 100_000, "a whole number ≥ 1") ?? s.MaxReplicas;
        s.ScaleInThreshold = Number(m, "scale_in_threshold", err, x => x is >= 0 and <= 10, "a number in [0, 10]") ?? s.ScaleInThreshold;
        s.ScaleInStabilization = Duration(m, "scale_in_stabilization", err, allowZero: true) ?? s.ScaleInStabilization;
        s.BudgetPerHour = Number(m, "budget_per_hour", err, x => x >= 0, "a number ≥ 0") ?? s.BudgetPerHour;
        s.History = (int?)Number(m, "history", err, x => x >= 1 && x == Math.Floor(x) && x <= 1_000_000, "a whole number ≥ 1") ?? s.History;
        if (Get(m, "demand") is { } dv)
        {
            ReadDemand(dv, s, err);
        }
        if (s.MinReplicas > s.MaxReplicas)
        {
            err(m, $"orchestration.scaling.min_replicas ({s.MinReplicas}) is above max_replicas ({s.MaxReplicas})");
        }
    }

    private static void ReadDemand(YamlNode v, ScalingStageSettings s, Action<YamlNode, string> err)
    {
        if (v is not YamlMappingNode m)
        {
            err(v, "'orchestration.scaling.demand' must be a mapping of component id to {metric, per_replica}");
            return;
        }
        foreach (var (k, item) in m.Children)
        {
            var component = Scalar(k) ?? "";
            if (string.IsNullOrWhiteSpace(component))
            {
                err(k, "orchestration.scaling.demand: a component id is empty");
                continue;
            }
            var where = "orchestration.scaling.demand." + component;
            if (item is not YamlMappingNode im)
            {
                err(item, $"'{where}' must be a mapping (metric, per_replica)");
                continue;
            }
            Known(im, err, where, "metric", "per_replica");
            var metric = Get(im, "metric") is { } mn ? Text(mn, where + ".metric", err) : null;
            if (metric is null)
            {
                err(im, $"{where} needs 'metric' (the series labelled component=\"{component}\")");
                continue;
            }
            if (!System.Text.RegularExpressions.Regex.IsMatch(metric, "^[a-zA-Z_:][a-zA-Z0-9_:]*$"))
            {
                err(Get(im, "metric")!, $"{where}.metric '{metric}' is not a metric name");
                continue;
            }
            if (Get(im, "per_replica") is null)
            {
                err(im, $"{where} needs 'per_replica' (the demand one replica serves)");
                continue;
            }
            var per = Number(im, "per_replica", err, x => x > 0, "a number > 0");
            if (per is { } p)
            {
                s.Demand[component] = new ComponentDemandSettings(metric, p);
            }
        }
    }

    private static void ReadKubernetes(YamlNode v, KubernetesSettings k, Action<YamlNode, string> err)
    {
        if (v is not YamlMappingNode m)
        {
            err(v, "'orchestration.kubernetes' must be a mapping");
            return;
        }
        Known(m, err, "orchestration.kubernetes", "server", "namespace", "workload_name", "max_evictions_per_drain");
        if (Get(m, "server") is { } sv && Text(sv, "server", err) is { } url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https")
            {
                k.Server = u;
            }
            else
            {
                err(sv, $"orchestration.kubernetes.server '{url}' is not an absolute http(s) URL");
            }
        }
        if (Get(m, "namespace") is { } ns && Text(ns, "namespace", err) is { } nsv)
        {
            k.Namespace = nsv;
        }
        if (Get(m, "workload_name") is { } wn && Text(wn, "workload_name", err) is { } wnv)
        {
            if (!wnv.Contains("{component}", StringComparison.Ordinal))
            {
                err(wn, "orchestration.kubernetes.workload_name must contain {component}");
            }
            k.WorkloadName = wnv;
        }
        k.MaxEvictionsPerDrain = (int?)Number(m, "max_evictions_per_drain", err, x => x >= 1 && x == Math.Floor(x) && x <= 100_000, "a whole number ≥ 1") ?? k.MaxEvictionsPerDrain;
    }

    private static TerraformExecutorOptions? ReadTerraform(YamlNode v, Func<string, string> resolve, Action<YamlNode, string> err)
    {
        if (v is not YamlMappingNode m)
        {
            err(v, "'orchestration.terraform' must be a mapping (working_dir, path, apply, plan_on_dry_run, plan_timeout, apply_timeout)");
            return null;
        }
        Known(m, err, "orchestration.terraform", "working_dir", "path", "apply", "plan_on_dry_run", "plan_timeout", "apply_timeout", "output_lines");
        var o = new TerraformExecutorOptions();
        if (Get(m, "working_dir") is not { } wd)
        {
            err(m, "orchestration.terraform.working_dir is required (the folder of your Terraform root module)");
        }
        else if (Text(wd, "working_dir", err) is { } dir)
        {
            o.WorkingDirectory = resolve(dir);
            if (!Directory.Exists(o.WorkingDirectory))
            {
                err(wd, $"orchestration.terraform.working_dir '{o.WorkingDirectory}' does not exist");
            }
        }
        if (Get(m, "path") is { } p && Text(p, "path", err) is { } path)
        {
            o.TerraformPath = resolve(path);
            if (!File.Exists(o.TerraformPath))
            {
                err(p, $"orchestration.terraform.path '{o.TerraformPath}' does not exist");
            }
        }
        o.Apply = Bool(m, "apply", err) ?? o.Apply;
        o.PlanOnDryRun = Bool(m, "plan_on_dry_run", err) ?? o.PlanOnDryRun;
        o.PlanTimeout = Duration(m, "plan_timeout", err) ?? o.PlanTimeout;
        o.ApplyTimeout = Duration(m, "apply_timeout", err) ?? o.ApplyTimeout;
        o.OutputLines = (int?)Number(m, "output_lines", err, x => x >= 0 && x == Math.Floor(x) && x <= 10_000, "a whole number ≥ 0") ?? o.OutputLines;
        return o;
    }

    private static WebhookExecutorOptions? ReadWebhook(YamlNode v, Func<string, string> resolve, Action<YamlNode, string> err, Func<string, string?> env)
    {
        if (v is not YamlMappingNode m)
        {
            err(v, "'orchestration.webhook' must be a mapping (urls, secret_env | secret_file, …)");
            return null;
        }
        Known(m, err, "orchestration.webhook", "urls", "secret_env", "secret_file", "secret", "signature_header", "idempotency_header", "timeout", "max_attempts", "initial_backoff", "max_backoff");
        var o = new WebhookExecutorOptions();
        if (Get(m, "urls") is not YamlSequenceNode urls || urls.Children.Count == 0)
        {
            err(Get(m, "urls") ?? m, "orchestration.webhook.urls must be a list of at least one http(s) URL");
        }
        else
        {
            var list = new List<Uri>();
            foreach (var n in urls)
            {
                var text = Scalar(n);
                if (text is not null && Uri.TryCreate(text, UriKind.Absolute, out var u) && u.Scheme is "http" or "https")
                {
                    list.Add(u);
                }
                else
                {
                    err(n, $"orchestration.webhook.urls: '{text}' is not an absolute http(s) URL");
                }
            }
            o.Urls = list;
        }
        if (Get(m, "secret") is { } inline)
        {
            err(inline, "orchestration.webhook.secret: secrets never go in this file; give secret_env (an environment variable's name) or secret_file");
        }
        var secretEnv = Get(m, "secret_env");
        var secretFile = Get(m, "secret_file");
        if (secretEnv is not null && secretFile is not null)
        {
            err(secretFile, "orchestration.webhook: give secret_env or secret_file, not both");
        }
        else if (secretFile is not null && Text(secretFile, "secret_file", err) is { } sf)
        {
            var path = resolve(sf);
            if (File.Exists(path))
            {
                o.Secret = File.ReadAllText(path).Trim();
            }
            else
            {
                err(secretFile, $"orchestration.webhook.secret_file '{path}' not found");
            }
        }
        else
        {
            var name = secretEnv is null ? "AUSPEX_WEBHOOK_SECRET" : Text(secretEnv, "secret_env", err) ?? "";
            o.Secret = env(name)?.Trim() ?? "";
            if (o.Secret.Length == 0)
            {
                err(secretEnv ?? m, $"orchestration.webhook: the environment variable {name} holding the signing secret is not set");
            }
        }
        if (o.Secret.Length is > 0 and < 16)
        {
            err(secretFile ?? secretEnv ?? m, "orchestration.webhook: the signing secret must be at least 16 characters");
        }
        if (Get(m, "signature_header") is { } sh && Text(sh, "signature_header", err) is { } shv)
        {
            o.SignatureHeader = shv;
        }
        if (Get(m, "idempotency_header") is { } ih && Text(ih, "idempotency_header", err) is { } ihv)
        {
            o.IdempotencyHeader = ihv;
        }
        o.Timeout = Duration(m, "timeout", err) ?? o.Timeout;
        o.MaxAttempts = (int?)Number(m, "max_attempts", err, x => x >= 1 && x == Math.Floor(x) && x <= 100, "a whole number in [1, 100]") ?? o.MaxAttempts;
        o.InitialBackoff = Duration(m, "initial_backoff", err) ?? o.InitialBackoff;
        o.MaxBackoff = Duration(m, "max_backoff", err) ?? o.MaxBackoff;
        if (o.MaxBackoff < o.InitialBackoff)
        {
            err(m, "orchestration.webhook.max_backoff must be ≥ initial_backoff");
        }
        return o;
    }

    private static YamlNode? Get(YamlMappingNode m, string key) => m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private static string? Scalar(YamlNode n) => (n as YamlScalarNode)?.Value;

    private static string? Text(YamlNode v, string key, Action<YamlNode, string> err)
    {
        if (v is YamlScalarNode { Value: { Length: > 0 } s })
        {
            return s;
        }
        err(v, $"'{key}' must be a single value");
        return null;
    }

    private static void Known(YamlMappingNode m, Action<YamlNode, string> err, string section, params string[] keys)
    {
        foreach (var k in m.Children.Keys.OfType<YamlScalarNode>().Where(k => !keys.Contains(k.Value)))
        {
            err(k, $"unknown key '{k.Value}' in {section} (expected {string.Join(", ", keys)})");
        }
    }

    private static double? Number(YamlMappingNode m, string key, Action<YamlNode, string> err, Func<double, bool> ok, string what)
    {
        if (Get(m, key) is not { } v)
        {
            return null;
        }
        if (double.TryParse(Scalar(v), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) && ok(x))
        {
            return x;
        }
        err(v, $"'{key}' must be {what}, not '{Scalar(v)}'");
        return null;
    }

    private static bool? Bool(YamlMappingNode m, string key, Action<YamlNode, string> err)
    {
        if (Get(m, key) is not { } v)
        {
            return null;
        }
        switch (Scalar(v))
        {
            case "true": return true;
            case "false": return false;
            default:
                err(v, $"'{key}' must be true or false, not '{Scalar(v)}'");
                return null;
        }
    }

    private static TimeSpan? Duration(YamlMappingNode m, string key, Action<YamlNode, string> err, bool allowZero = false)
    {
        if (Get(m, key) is not { } v)
        {
            return null;
        }
        var text = Scalar(v);
        if (Quantities.TryParseDuration(text, out var d) && (d > TimeSpan.Zero || (allowZero && d == TimeSpan.Zero)))
        {
            return d;
        }
        err(v, $"'{key}' must be a {(allowZero ? "" : "positive ")}duration like 30s, 5m or 2h, not '{text}'");
        return null;
    }
}
