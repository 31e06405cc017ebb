using System.Globalization;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auspex.Ingestion.TopologyFiles;

/// <summary>The outcome of reading a topology file: the topology, or every problem as <c>file:line:column: reason</c>.</summary>
public sealed record TopologyFileResult(Topology? Topology, IReadOnlyList<string> Errors)
{
    /// <summary>True when the file was valid.</summary>
    public bool IsValid => Topology is not null;
}

/// <summary>
/// Reads the topology YAML format (version 1) documented in docs/topology-format.md: tiers, regions → zones → racks →
/// hosts, components, dependencies, SLOs, maintenance, failures and policy.
/// </summary>
public static class TopologyFile
{
    /// <summary>Reads and validates a topology file. A missing or malformed file is reported, never thrown.</summary>
    public static TopologyFileResult Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return new(null, [$"{path}: file not found"]);
        }
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses topology YAML text; <paramref name="source"/> names it in errors.</summary>
    public static TopologyFileResult Parse(string yaml, string source = "topology.yaml")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            return new(null, [$"{source}:{e.Start.Line}:{e.Start.Column}: invalid YAML: {Inner(e)}"]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return new(null, [$"{source}:1:1: expected a mapping with version, regions, …"]);
        }
        var r = new Reader(source);
        var topology = r.ReadRoot(root);
        return r.Errors.Count > 0 || topology is null ? new(null, r.Errors) : new(topology, []);
    }

    private static string Inner(YamlException e) => e.InnerException?.Message ?? e.Message;

    private sealed class Reader(string source)
    {
        public List<string> Errors { get; } = [];

        private void Error(YamlNode node, string reason) =>
            Errors.Add($"{source}:{node.Start.Line}:{node.Start.Column}: {reason}");

        public Topology? ReadRoot(YamlMappingNode root)
        {
            Known(root, "version", "tenant", "tiers", "regions", "components", "dependencies", "slos", "maintenance", "failures", "policy");
            var version = Scalar(root, "version", required: true);
            if (version is not null && version != "1")
            {
                Error(root.Children[new YamlScalarNode("version")], $"unsupported version '{version}': this Auspex reads version 1");
            }
            var tenantText = Scalar(root, "tenant") ?? TenantId.Default.Value;
            var tenant = TenantId.Default;
            if (!TenantId.IsValid(tenantText))
            {
                Error(root, $"tenant '{tenantText}' is invalid: use 1-63 characters of a-z, 0-9, '-' or '_'");
            }
            else
            {
                tenant = new TenantId(tenantText);
            }
            var localities = new List<Locality>();
            var nodes = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var region in Seq(root, "regions", required: true))
            {
                ReadLocality(region, LocalityKind.Region, null, localities, nodes);
            }
            var tiers = Seq(root, "tiers").Select(ReadTier).OfType<Tier>().ToList();
            var components = Seq(root, "components").Select(ReadComponent).OfType<Component>().ToList();
            var deps = Seq(root, "dependencies").Select(ReadEdge).OfType<DependencyEdge>().ToList();
            var slos = Seq(root, "slos").Select(ReadSlo).OfType<Slo>().ToList();
            var maintenance = Seq(root, "maintenance").Select(ReadMaintenance).OfType<MaintenanceWindow>().ToList();
            var failures = Seq(root, "failures").Select(ReadFailure).OfType<FailureEvent>().ToList();
            var policy = root.Children.TryGetValue(new YamlScalarNode("policy"), out var p) ? ReadPolicy(p) : Policy.Default;
            if (Errors.Count > 0)
            {
                return null;
            }
            var result = Topology.Create(tenant, localities, components, deps, tiers, slos, maintenance, failures, policy);
            if (!result.IsValid)
            {
                // Point semantic errors at the file; the node of the named locality when we can find it.
                foreach (var e in result.Errors)
                {
                    var node = nodes.FirstOrDefault(n => e.Contains($"'{n.Key}'", StringComparison.Ordinal)).Value ?? root;
                    Error(node, e);
                }
                return null;
            }
            return result.Topology;
        }

        private void ReadLocality(YamlNode node, LocalityKind kind, string? parent, List<Locality> into, Dictionary<string, YamlNode> nodes)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, $"expected a {kind.ToString().ToLowerInvariant()} mapping with an id");
                return;
            }
            var childKey = kind switch { LocalityKind.Region => "zones", LocalityKind.Zone => "racks", LocalityKind.Rack => "hosts", _ => null };
            Known(map, kind == LocalityKind.Host ? ["id", "tier", "capacity", "labels"] : ["id", "labels", childKey!]);
            var id = Scalar(map, "id", required: true);
            if (id is null)
            {
                return;
            }
            if (nodes.ContainsKey(id))
            {
                Error(map, $"locality id '{id}' is used twice");
                return;
            }
            nodes[id] = map;
            var capacity = kind == LocalityKind.Host ? Resources(map, "capacity", required: true) : ResourceVector.Zero;
            var tier = kind == LocalityKind.Host ? Scalar(map, "tier") : null;
            into.Add(new Locality(id, kind, parent, capacity, tier, LabelsOf(map)));
            if (childKey is not null)
            {
                foreach (var child in Seq(map, childKey))
                {
                    ReadLocality(child, kind + 1, id, into, nodes);
                }
            }
        }

        private Tier? ReadTier(YamlNode node)
        {
            if (node is not YamlMappingNode m)
            {
                Error(node, "expected a tier mapping");
                return null;
            }
            Known(m, "name", "provider", "price_per_hour", "performance_factor", "preemption_probability_per_hour", "provisioning_lead_time");
            var name = Scalar(m, "name", required: true);
            var price = Number(m, "price_per_hour", required: true);
            var perf = Number(m, "performance_factor") ?? 1.0;
            var pre = Number(m, "preemption_probability_per_hour") ?? 0.0;
            var lead = Duration(m, "provisioning_lead_time") ?? TimeSpan.Zero;
            return name is null || price is null ? null : new Tier(name, Scalar(m, "provider") ?? "default", price.Value, perf, pre, lead);
        }

        private Component? ReadComponent(YamlNode node)
        {
            if (node is not YamlMappingNode m)
            {
                Error(node, "expected a component mapping");
                return null;
            }
            Known(m, "id", "service", "requests", "replicas", "placement", "tiers");
            var id = Scalar(m, "id", required: true);
            var replicas = Number(m, "replicas") ?? 1;
            if (replicas < 0 || replicas != Math.Floor(replicas))
            {
                Error(m, $"component '{id}': replicas must be a whole number ≥ 0");
            }
            var requests = Resources(m, "requests", required: false);
            var placement = Seq(m, "placement").Select(n => ScalarOf(n, "placement host id")).OfType<string>().ToList();
            var tiers = Seq(m, "tiers").Select(n => ScalarOf(n, "tier name")).OfType<string>().ToList();
            return id is null ? null : new Component(id, Scalar(m, "service") ?? id, requests, (int)replicas, placement, tiers);
        }

        private DependencyEdge? ReadEdge(YamlNode node)
        {
            if (node is not YamlMappingNode m)
            {
                Error(node, "expected a dependency mapping with from and to");
                return null;
            }
            Known(m, "from", "to", "calls_per_second", "bytes_per_second");
            var from = Scalar(m, "from", required: true);
            var to = Scalar(m, "to", required: true);
            var calls = Number(m, "calls_per_second") ?? 0;
            var bytes = Quantity(m, "bytes_per_second") ?? 0;
            return from is null || to is null ? null : new DependencyEdge(from, to, calls, bytes);
        }

        private Slo? ReadSlo(YamlNode node)
        {
            if (node is not YamlMappingNode m)
            {
                Error(node, "expected an SLO mapping");
                return null;
            }
            Known(m, "target", "availability", "latency_p99", "forecast_quantile");
            var target = Scalar(m, "target", required: true);
            var avail = Number(m, "availability") ?? 0.999;
            var q = Number(m, "forecast_quantile") ?? 0.95;
            if (avail is <= 0 or > 1)
            {
                Error(m, $"SLO of '{target}': availability {avail.ToString(CultureInfo.InvariantCulture)} must be in (0, 1]");
            }
            if (q is <= 0 or >= 1)
            {
                Error(m, $"SLO of '{target}': forecast_quantile must be in (0, 1)");
            }
            return target is null ? null : new Slo(target, avail, Duration(m, "latency_p99"), q);
        }

        private MaintenanceWindow? ReadMaintenance(YamlNode node)
        {
            if (node is not YamlMappingNode m)
            {
                Error(node, "expected a maintenance mapping");
                return null;
            }
            Known(m, "locality", "from", "to", "reason");
            var loc = Scalar(m, "locality", required: true);
            var from = Time(m, "from", required: true);
            var to = Time(m, "to", required: true);
            if (from is not null && to is not null && to < from)
            {
                Error(m, $"maintenance of '{loc}': 'to' is before 'from'");
                return null;
            }
            return loc is null || from is null || to is null ? null : new MaintenanceWindow(loc, new TimeRange(from.Value, to.Value), Scalar(m, "reason") ?? "");
        }

        private FailureEvent? ReadFailure(YamlNode node)
        {
            if (node is not YamlMappingNode m)
            {
                Error(node, "expected a failure mapping");
                return null;
            }
            Known(m, "target", "at", "cause", "downtime");
            var target = Scalar(m, "target", required: true);
            var at = Time(m, "at", required: true);
            return target is null || at is null ? null : new FailureEvent(target, at.Value, Scalar(m, "cause") ?? "unknown", Duration(m, "downtime"));
        }

        private Policy ReadPolicy(YamlNode node)
        {
            if (node is not YamlMappingNode m)
            {
                Error(node, "expected a policy mapping");
                return Policy.Default;
            }
            Known(m, "weights", "schedule", "overrides", "risk_tolerance", "alert_below_desirability");
            var weights = m.Children.TryGetValue(new YamlScalarNode("weights"), out var w) ? ReadWeights(w) : ScoringWeights.Default;
            var schedule = new List<WeightWindow>();
            foreach (var s in Seq(m, "schedule"))
            {
                if (s is not YamlMappingNode sm)
                {
                    Error(s, "expected a schedule entry with from_hour, to_hour and weights");
                    continue;
                }
                Known(sm, "from_hour", "to_hour", "weights");
                var from = Number(sm, "from_hour", required: true);
                var to = Number(sm, "to_hour", required: true);
                if (from is < 0 or > 23 || to is < 0 or > 24)
                {
                    Error(sm, "from_hour and to_hour must be hours of the day (0-23, to_hour up to 24)");
                }
                if (from is not null && to is not null && sm.Children.TryGetValue(new YamlScalarNode("weights"), out var sw))
                {
                    schedule.Add(new WeightWindow((int)from, (int)to, ReadWeights(sw)));
                }
            }
            var overrides = new List<PlacementOverride>();
            foreach (var o in Seq(m, "overrides"))
            {
                if (o is not YamlMappingNode om)
                {
                    Error(o, "expected an override with locality, mode, selector and reason");
                    continue;
                }
                Known(om, "locality", "mode", "selector", "reason");
                var loc = Scalar(om, "locality", required: true);
                var mode = Scalar(om, "mode", required: true);
                OverrideMode? parsed = mode switch { "force" => OverrideMode.Force, "forbid" => OverrideMode.Forbid, _ => null };
                if (mode is not null && parsed is null)
                {
                    Error(om, $"override mode '{mode}' is unknown: use force or forbid");
                }
                if (loc is not null && parsed is not null)
                {
                    overrides.Add(new PlacementOverride(loc, parsed.Value, Scalar(om, "selector") ?? "*", Scalar(om, "reason") ?? ""));
                }
            }
            var tolerance = Number(m, "risk_tolerance") ?? Policy.Default.RiskTolerance;
            var alert = Number(m, "alert_below_desirability") ?? Policy.Default.AlertBelowDesirability;
            if (tolerance is < 0 or > 1 || alert is < 0 or > 1)
            {
                Error(m, "risk_tolerance and alert_below_desirability must be in [0, 1]");
            }
            return new Policy(weights, schedule, overrides, tolerance, alert);
        }

        private ScoringWeights ReadWeights(YamlNode node)
        {
            if (node is not YamlMappingNode m)
            {
                Error(node, "expected weights {capacity, risk, cost, network}");
                return ScoringWeights.Default;
            }
            Known(m, "capacity", "risk", "cost", "network");
            var w = new ScoringWeights(Number(m, "capacity") ?? 0, Number(m, "risk") ?? 0, Number(m, "cost") ?? 0, Number(m, "network") ?? 0);
            if (w.Validate() is { } err)
            {
                Error(m, "weights: " + err);
            }
            return w;
        }

        // ---------- node helpers ----------

        private void Known(YamlMappingNode map, params string[] keys)
        {
            foreach (var k in map.Children.Keys)
            {
                if (k is YamlScalarNode s && !keys.Contains(s.Value))
                {
                    Error(k, $"unknown key '{s.Value}' (expected one of: {string.Join(", ", keys)})");
                }
            }
        }

        private IEnumerable<YamlNode> Seq(YamlMappingNode map, string key, bool required = false)
        {
            if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
            {
                if (required)
                {
                    Error(map, $"missing '{key}'");
                }
                return [];
            }
            if (node is YamlScalarNode { Value: null or "" or "~" or "null" })
            {
                return [];
            }
            if (node is not YamlSequenceNode seq)
            {
                Error(node, $"'{key}' must be a list");
                return [];
            }
            return seq.Children;
        }

        private string? ScalarOf(YamlNode node, string what)
        {
            if (node is YamlScalarNode s && !string.IsNullOrEmpty(s.Value))
            {
                return s.Value;
            }
            Error(node, $"expected a {what}");
            return null;
        }

        private string? Scalar(YamlMappingNode map, string key, bool required = false)
        {
            if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
            {
                if (required)
                {
                    Error(map, $"missing '{key}'");
                }
                return null;
            }
            if (node is not YamlScalarNode s)
            {
                Error(node, $"'{key}' must be a single value");
                return null;
            }
            if (required && string.IsNullOrWhiteSpace(s.Value))
            {
                Error(node, $"'{key}' is empty");
                return null;
            }
            return s.Value;
        }

        private double? Number(YamlMappingNode map, string key, bool required = false)
        {
            var text = Scalar(map, key, required);
            if (text is null)
            {
                return null;
            }
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
            {
                return v;
            }
            Error(map.Children[new YamlScalarNode(key)], $"'{key}' must be a number, not '{text}'");
            return null;
        }

        private double? Quantity(YamlMappingNode map, string key)
        {
            var text = Scalar(map, key);
            if (text is null)
            {
                return null;
            }
            if (Quantities.TryParseQuantity(text, out var v))
            {
                return v;
            }
            Error(map.Children[new YamlScalarNode(key)], $"'{key}' must be a quantity like 125M or 16Gi, not '{text}'");
            return null;
        }

        private TimeSpan? Duration(YamlMappingNode map, string key)
        {
            var text = Scalar(map, key);
            if (text is null)
            {
                return null;
            }
            if (Quantities.TryParseDuration(text, out var v))
            {
                return v;
            }
            Error(map.Children[new YamlScalarNode(key)], $"'{key}' must be a duration like 250ms, 10m or 2h, not '{text}'");
            return null;
        }

        private DateTimeOffset? Time(YamlMappingNode map, string key, bool required)
        {
            var text = Scalar(map, key, required);
            if (text is null)
            {
                return null;
            }
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            {
                return t;
            }
            Error(map.Children[new YamlScalarNode(key)], $"'{key}' must be an ISO-8601 time like 2024-05-01T02:00:00Z, not '{text}'");
            return null;
        }

        private ResourceVector Resources(YamlMappingNode map, string key, bool required)
        {
            if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
            {
                if (required)
                {
                    Error(map, $"missing '{key}'");
                }
                return ResourceVector.Zero;
            }
            if (node is not YamlMappingNode m)
            {
                Error(node, $"'{key}' must map resource names (cpu, memory, network_in, …) to quantities");
                return ResourceVector.Zero;
            }
            var values = new List<KeyValuePair<ResourceKind, double>>();
            foreach (var (k, v) in m.Children)
            {
                var name = (k as YamlScalarNode)?.Value;
                if (!ResourceKinds.TryParse(name, out var kind))
                {
                    Error(k, $"unknown resource '{name}' (expected one of: {string.Join(", ", ResourceKinds.All.Select(r => r.Key()))})");
                    continue;
                }
                if (v is not YamlScalarNode sv || !Quantities.TryParseQuantity(sv.Value, out var amount))
                {
                    Error(v, $"{name}: '{(v as YamlScalarNode)?.Value}' is not a quantity like 4, 500m, 125M or 16Gi");
                    continue;
                }
                values.Add(new(kind, amount));
            }
            return ResourceVector.From(values);
        }

        private Labels LabelsOf(YamlMappingNode map)
        {
            if (!map.Children.TryGetValue(new YamlScalarNode("labels"), out var node))
            {
                return Labels.Empty;
            }
            if (node is not YamlMappingNode m)
            {
                Error(node, "'labels' must map names to values");
                return Labels.Empty;
            }
            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var (k, v) in m.Children)
            {
                var name = (k as YamlScalarNode)?.Value ?? "";
                if (!Labels.IsValidName(name))
                {
                    Error(k, $"label name '{name}' is invalid: it must match [a-zA-Z_][a-zA-Z0-9_]*");
                    continue;
                }
                pairs.Add(new(name, (v as YamlScalarNode)?.Value ?? ""));
            }
            return Labels.From(pairs);
        }
    }
}
