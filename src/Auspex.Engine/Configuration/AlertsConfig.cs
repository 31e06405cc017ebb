using System.Globalization;
using Auspex.Core.Resources;
using Auspex.Core.Topology;
using Auspex.Engine.Services;
using Auspex.Ingestion.TopologyFiles;
using Auspex.Scoring;
using YamlDotNet.RepresentationModel;

namespace Auspex.Engine.Configuration;

/// <summary>Reads the <c>alerts:</c> section of the configuration file (docs/configuration.md).</summary>
internal static class AlertsConfig
{
    private static readonly string[] Keys = ["alertmanagers", "timeout", "max_attempts", "retry_backoff", "history_limit", "rules", "webhooks", "resolve_timeout", "external_url"];
    private static readonly string[] WebhookKeys = ["name", "url", "group_by", "group_wait", "group_interval", "repeat_interval", "send_resolved", "max_alerts"];
    private static readonly string[] RuleKeys = ["name", "condition", "threshold", "for", "resolve_threshold", "keep_firing_for", "within", "resource", "levels", "severity"];

    public static AlertSettings Read(YamlNode v, Action<YamlNode, string> err)
    {
        var s = new AlertSettings();
        if (v is not YamlMappingNode m)
        {
            err(v, "'alerts' must be a mapping (" + string.Join(", ", Keys) + ")");
            return s;
        }
        foreach (var k in m.Children.Keys.OfType<YamlScalarNode>().Where(k => !Keys.Contains(k.Value)))
        {
            err(k, $"unknown key '{k.Value}' under alerts (expected {string.Join(", ", Keys)})");
        }
        if (Child(m, "alertmanagers") is { } am)
        {
            var urls = new List<Uri>();
            if (am is YamlSequenceNode seq)
            {
                foreach (var n in seq)
                {
                    if (Uri.TryCreate((n as YamlScalarNode)?.Value, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps))
                    {
                        urls.Add(u);
                    }
                    else
                    {
                        err(n, "an alertmanager must be an absolute http(s) URL such as http://alertmanager:9093");
                    }
                }
            }
            else
            {
                err(am, "'alertmanagers' must be a list of URLs");
            }
            s.Alertmanagers = urls;
        }
        if (Child(m, "webhooks") is { } hooks)
        {
            if (hooks is not YamlSequenceNode hs)
            {
                err(hooks, "'webhooks' must be a list of receivers (" + string.Join(", ", WebhookKeys) + ")");
            }
            else
            {
                var list = new List<WebhookReceiver>();
                foreach (var n in hs)
                {
                    if (Webhook(n, err) is { } w)
                    {
                        if (list.Any(x => x.Name == w.Name))
                        {
                            err(n, $"webhook receiver name '{w.Name}' is used twice");
                            continue;
                        }
                        list.Add(w);
                    }
                }
                s.Webhooks = list;
            }
        }
        if (Child(m, "external_url") is { } ext)
        {
            if (Uri.TryCreate((ext as YamlScalarNode)?.Value, UriKind.Absolute, out var eu) && (eu.Scheme == Uri.UriSchemeHttp || eu.Scheme == Uri.UriSchemeHttps))
            {
                s.ExternalUrl = eu;
            }
            else
            {
                err(ext, "'external_url' must be an absolute http(s) URL such as https://auspex.example.org");
            }
        }
        s.ResolveTimeout = Duration(m, "resolve_timeout", err) ?? s.ResolveTimeout;
        s.Timeout = Duration(m, "timeout", err) ?? s.Timeout;
        s.RetryBackoff = Duration(m, "retry_backoff", err) ?? s.RetryBackoff;
        s.MaxAttempts = Int(m, "max_attempts", err) ?? s.MaxAttempts;
        s.HistoryLimit = Int(m, "history_limit", err) ?? s.HistoryLimit;
        if (Child(m, "rules") is { } rules)
        {
            if (rules is not YamlSequenceNode rs)
            {
                err(rules, "'rules' must be a list of rules");
            }
            else
            {
                var list = new List<AlertRule>();
                foreach (var n in rs)
                {
                    if (Rule(n, err) is { } r)
                    {
                        if (list.Any(x => x.Name == r.Name))
                        {
                            err(n, $"alert rule name '{r.Name}' is used twice");
                            continue;
                        }
                        list.Add(r);
                    }
                }
                s.Rules = list;
            }
        }
        return s;
    }

    private static WebhookReceiver? Webhook(YamlNode n, Action<YamlNode, string> err)
    {
        if (n is not YamlMappingNode m)
        {
            err(n, "a webhook receiver must be a mapping (" + string.Join(", ", WebhookKeys) + ")");
            return null;
        }
        foreach (var k in m.Children.Keys.OfType<YamlScalarNode>().Where(k => !WebhookKeys.Contains(k.Value)))
        {
            err(k, $"unknown key '{k.Value}' in a webhook receiver (expected {string.Join(", ", WebhookKeys)})");
        }
        var name = (Child(m, "name") as YamlScalarNode)?.Value;
        if (string.IsNullOrWhiteSpace(name))
        {
            err(m, "a webhook receiver needs a name");
            return null;
        }
        var urlNode = Child(m, "url");
        if (!Uri.TryCreate((urlNode as YamlScalarNode)?.Value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            err(urlNode ?? m, $"webhook '{name}': url must be an absolute http(s) URL");
            return null;
        }
        List<string>? groupBy = null;
        if (Child(m, "group_by") is { } gb)
        {
            if (gb is YamlSequenceNode gs && gs.Children.All(x => x is YamlScalarNode { Value.Length: > 0 }))
            {
                groupBy = gs.Children.Select(x => ((YamlScalarNode)x).Value!).ToList();
            }
            else
            {
                err(gb, $"webhook '{name}': group_by must be a list of label names");
            }
        }
        bool? sendResolved = null;
        if (Child(m, "send_resolved") is { } sr)
        {
            if (bool.TryParse((sr as YamlScalarNode)?.Value, out var b))
            {
                sendResolved = b;
            }
            else
            {
                err(sr, $"webhook '{name}': send_resolved must be true or false");
            }
        }
        var max = Int(m, "max_alerts", err);
        return new WebhookReceiver(name, url, groupBy, Duration(m, "group_wait", err, allowZero: true), Duration(m, "group_interval", err),
            Duration(m, "repeat_interval", err), sendResolved ?? true, max ?? 0);
    }

    private static AlertRule? Rule(YamlNode n, Action<YamlNode, string> err)
    {
        if (n is not YamlMappingNode m)
        {
            err(n, "a rule must be a mapping (" + string.Join(", ", RuleKeys) + ")");
            return null;
        }
        foreach (var k in m.Children.Keys.OfType<YamlScalarNode>().Where(k => !RuleKeys.Contains(k.Value)))
        {
            err(k, $"unknown key '{k.Value}' in an alert rule (expected {string.Join(", ", RuleKeys)})");
        }
        var name = (Child(m, "name") as YamlScalarNode)?.Value;
        if (string.IsNullOrWhiteSpace(name))
        {
            err(m, "an alert rule needs a name");
            return null;
        }
        var condText = (Child(m, "condition") as YamlScalarNode)?.Value;
        AlertCondition? cond = condText switch
        {
            "desirability_below" => AlertCondition.DesirabilityBelow,
            "hps_below" => AlertCondition.HpsBelow,
            "utilisation_above" or "utilization_above" => AlertCondition.UtilisationAbove,
            "exhaustion_within" => AlertCondition.ExhaustionWithin,
            _ => null,
        };
        if (cond is null)
        {
            err(Child(m, "condition") ?? m, $"rule '{name}': condition must be desirability_below, hps_below, utilisation_above or exhaustion_within, not '{condText}'");
            return null;
        }
        var threshold = Number(m, "threshold", err);
        if (threshold is null && cond != AlertCondition.ExhaustionWithin)
        {
            err(m, $"rule '{name}': threshold is required");
            return null;
        }
        ResourceKind? resource = null;
        if (Child(m, "resource") is YamlScalarNode rn)
        {
            if (ResourceKinds.TryParse(rn.Value, out var rk))
            {
                resource = rk;
            }
            else
            {
                err(rn, $"rule '{name}': unknown resource '{rn.Value}'");
            }
        }
        List<LocalityKind>? kinds = null;
        if (Child(m, "levels") is { } lv)
        {
            kinds = [];
            foreach (var x in lv is YamlSequenceNode ls ? ls.Children : [lv])
            {
                if (Enum.TryParse<LocalityKind>((x as YamlScalarNode)?.Value, ignoreCase: true, out var lk))
                {
                    kinds.Add(lk);
                }
                else
                {
                    err(x, $"rule '{name}': levels must be region, zone, rack or host");
                }
            }
        }
        var rule = new AlertRule(name, cond.Value, threshold ?? 0, Duration(m, "for", err, allowZero: true) ?? TimeSpan.Zero,
            Number(m, "resolve_threshold", err), Duration(m, "keep_firing_for", err, allowZero: true) ?? TimeSpan.Zero,
            Duration(m, "within", err), resource, kinds, (Child(m, "severity") as YamlScalarNode)?.Value ?? "warning");
        if (rule.Validate() is { } e)
        {
            err(m, e);
            return null;
        }
        return rule;
    }

    private static YamlNode? Child(YamlMappingNode m, string key) => m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private static TimeSpan? Duration(YamlMappingNode m, string key, Action<YamlNode, string> err, bool allowZero = false)
    {
        if (Child(m, key) is not { } v)
        {
            return null;
        }
        var text = (v as YamlScalarNode)?.Value;
        if (allowZero && text is "0" or "0s")
        {
            return TimeSpan.Zero;
        }
        if (Quantities.TryParseDuration(text, out var d) && d > TimeSpan.Zero)
        {
            return d;
        }
        err(v, $"'{key}' must be a duration such as 30s, 15m or 2h, not '{text}'");
        return null;
    }

    private static double? Number(YamlMappingNode m, string key, Action<YamlNode, string> err)
    {
        if (Child(m, key) is not { } v)
        {
            return null;
        }
        if (double.TryParse((v as YamlScalarNode)?.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x))
        {
            return x;
        }
        err(v, $"'{key}' must be a finite number");
        return null;
    }

    private static int? Int(YamlMappingNode m, string key, Action<YamlNode, string> err)
    {
        if (Child(m, key) is not { } v)
        {
            return null;
        }
        if (int.TryParse((v as YamlScalarNode)?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) && x >= 1)
        {
            return x;
        }
        err(v, $"'{key}' must be a whole number ≥ 1");
        return null;
    }
}
