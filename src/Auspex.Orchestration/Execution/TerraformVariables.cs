using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Auspex.Orchestration.Execution;

/// <summary>
/// The desired state Auspex hands to Terraform, as the variables file <c>auspex.auto.tfvars.json</c>:
/// <code>
/// {
///   "auspex_replicas":       { "web": { "aws/spot": 4, "aws/standard": 2 } },
///   "auspex_node_pools":     { "aws": { "spot": 3 } },
///   "auspex_cordoned_hosts": [ "node-7" ]
/// }
/// </code>
/// Keys are sorted and the text is canonical, so the same state always gives the same bytes. A component with a
/// single workload (no tier) is listed under the tier key <c>default</c>; a pool whose tier key names no provider is
/// listed under provider <c>default</c>. All three variables are always present so the module's types stay stable.
/// </summary>
public sealed class TerraformVariables
{
    /// <summary>The file name Terraform loads automatically.</summary>
    public const string FileName = "auspex.auto.tfvars.json";

    /// <summary>Key under which replicas of a step without a tier, and pools without a provider, are listed.</summary>
    public const string DefaultKey = "default";

    /// <summary>Replicas per component, then per tier key.</summary>
    public SortedDictionary<string, SortedDictionary<string, int>> Replicas { get; } = new(StringComparer.Ordinal);

    /// <summary>Units per provider, then per tier name.</summary>
    public SortedDictionary<string, SortedDictionary<string, int>> NodePools { get; } = new(StringComparer.Ordinal);

    /// <summary>Cordoned hosts.</summary>
    public SortedSet<string> CordonedHosts { get; } = new(StringComparer.Ordinal);

    /// <summary>Splits a tier key into provider and tier name (<c>aws/spot</c> → aws, spot; <c>spot</c> → default, spot).</summary>
    public static (string Provider, string Tier) SplitTier(string tierKey)
    {
        ArgumentNullException.ThrowIfNull(tierKey);
        var slash = tierKey.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (DefaultKey, tierKey) : (tierKey[..slash], tierKey[(slash + 1)..]);
    }

    /// <summary>A deep copy.</summary>
    public TerraformVariables Clone() => Parse(Write()).Variables!;

    /// <summary>The canonical JSON text (2-space indent, sorted keys, trailing newline).</summary>
    public string Write()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            WriteNested(w, "auspex_replicas", Replicas);
            WriteNested(w, "auspex_node_pools", NodePools);
            w.WriteStartArray("auspex_cordoned_hosts");
            foreach (var h in CordonedHosts)
            {
                w.WriteStringValue(h);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    private static void WriteNested(Utf8JsonWriter w, string name, SortedDictionary<string, SortedDictionary<string, int>> map)
    {
        w.WriteStartObject(name);
        foreach (var (outer, inner) in map)
        {
            w.WriteStartObject(outer);
            foreach (var (key, value) in inner)
            {
                w.WriteNumber(key, value);
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>Reads a variables file written by <see cref="Write"/>; a malformed one comes back as the error.</summary>
    public static (TerraformVariables? Variables, string? Error) Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var v = new TerraformVariables();
        try
        {
            if (JsonNode.Parse(json) is not JsonObject root)
            {
                return (null, "the variables file is not a JSON object");
            }
            foreach (var (name, node) in root)
            {
                switch (name)
                {
                    case "auspex_replicas":
                        ReadNested(node, v.Replicas);
                        break;
                    case "auspex_node_pools":
                        ReadNested(node, v.NodePools);
                        break;
                    case "auspex_cordoned_hosts":
                        foreach (var h in node?.AsArray() ?? [])
                        {
                            v.CordonedHosts.Add(h!.GetValue<string>());
                        }
                        break;
                    default:
                        return (null, $"unexpected variable '{name}' (Auspex owns this file: auspex_replicas, auspex_node_pools, auspex_cordoned_hosts)");
                }
            }
            return (v, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException)
        {
            return (null, "the variables file is malformed: " + e.Message);
        }
    }

    private static void ReadNested(JsonNode? node, SortedDictionary<string, SortedDictionary<string, int>> into)
    {
        foreach (var (outer, innerNode) in node?.AsObject() ?? [])
        {
            var inner = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var (key, value) in innerNode!.AsObject())
            {
                inner[key] = value!.GetValue<int>();
            }
            into[outer] = inner;
        }
    }

    /// <summary>
    /// Applies a step to a copy: the new variables and the step that undoes it, or the reason it cannot be expressed
    /// as Terraform variables (null variables; Unsupported true for kinds IaC does not carry).
    /// </summary>
    public (TerraformVariables? Next, ExecutionStep? Undo, string? Error, bool Unsupported) With(ExecutionStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var next = Clone();
        switch (step)
        {
            case ScaleStep s:
            {
                if (s.Replicas < 0)
                {
                    return (null, null, $"{s.Describe()}: replicas must be ≥ 0", false);
                }
                var tier = s.Tier.Length == 0 ? DefaultKey : s.Tier;
                var old = Replicas.TryGetValue(s.Component, out var byTier) ? byTier.GetValueOrDefault(tier) : 0;
                if (!next.Replicas.TryGetValue(s.Component, out var nb))
                {
                    next.Replicas[s.Component] = nb = new SortedDictionary<string, int>(StringComparer.Ordinal);
                }
                nb[tier] = s.Replicas;
                return (next, s with { Replicas = old }, null, false);
            }
            case PoolSizeStep p:
            {
                if (p.Units < 0)
                {
                    return (null, null, $"{p.Describe()}: units must be ≥ 0", false);
                }
                var (provider, tier) = SplitTier(p.Tier);
                var old = NodePools.TryGetValue(provider, out var byTier) ? byTier.GetValueOrDefault(tier) : 0;
                if (!next.NodePools.TryGetValue(provider, out var nb))
                {
                    next.NodePools[provider] = nb = new SortedDictionary<string, int>(StringComparer.Ordinal);
                }
                nb[tier] = p.Units;
                return (next, p with { Units = old }, null, false);
            }
            case CordonStep c:
            {
                var was = CordonedHosts.Contains(c.Node);
                if (c.Unschedulable)
                {
                    next.CordonedHosts.Add(c.Node);
                }
                else
                {
                    next.CordonedHosts.Remove(c.Node);
                }
                return (next, c with { Unschedulable = was }, null, false);
            }
            default:
                return (null, null, $"the terraform executor carries replicas, node pool sizes and cordons; it cannot run {step.GetType().Name} ({step.Describe()})", true);
        }
    }
}
