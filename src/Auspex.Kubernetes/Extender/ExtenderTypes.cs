using System.Text.Json;
using System.Text.Json.Serialization;

namespace Auspex.Kubernetes.Extender;

// The kube-scheduler extender wire types (k8s.io/kube-scheduler/extender/v1). The Go structs carry no json tags, so
// the keys are the Go field names in PascalCase; the nested Pod and Node objects use ordinary Kubernetes lowerCamel JSON.

/// <summary>The body of the filter and prioritize calls (Go <c>ExtenderArgs</c>).</summary>
public sealed class ExtenderArgs
{
    /// <summary>The pod being scheduled.</summary>
    [JsonPropertyName("Pod")]
    public Pod? Pod { get; set; }

    /// <summary>The candidate nodes, when the extender is not node-cache capable.</summary>
    [JsonPropertyName("Nodes")]
    public NodeList? Nodes { get; set; }

    /// <summary>The candidate node names, when the extender is node-cache capable.</summary>
    [JsonPropertyName("NodeNames")]
    public List<string>? NodeNames { get; set; }
}

/// <summary>The reply to filter (Go <c>ExtenderFilterResult</c>).</summary>
public sealed class ExtenderFilterResult
{
    /// <summary>The nodes that passed, when the scheduler sent <see cref="ExtenderArgs.Nodes"/>.</summary>
    [JsonPropertyName("Nodes")]
    public NodeList? Nodes { get; set; }

    /// <summary>The names of the nodes that passed, when the scheduler sent <see cref="ExtenderArgs.NodeNames"/>.</summary>
    [JsonPropertyName("NodeNames")]
    public List<string>? NodeNames { get; set; }

    /// <summary>Nodes that failed, with the reason (preemption may still help).</summary>
    [JsonPropertyName("FailedNodes")]
    public Dictionary<string, string> FailedNodes { get; set; } = [];

    /// <summary>Nodes that failed and that preemption cannot help, with the reason.</summary>
    [JsonPropertyName("FailedAndUnresolvableNodes")]
    public Dictionary<string, string>? FailedAndUnresolvableNodes { get; set; }

    /// <summary>Non-empty when the extender failed; the scheduling attempt then fails (unless the extender is ignorable).</summary>
    [JsonPropertyName("Error")]
    public string Error { get; set; } = "";
}

/// <summary>One node's score in the prioritize reply (Go <c>HostPriority</c>); a reply is a bare JSON array of these.</summary>
public sealed class HostPriority
{
    /// <summary>The node name.</summary>
    [JsonPropertyName("Host")]
    public string Host { get; set; } = "";

    /// <summary>Score between <see cref="ExtenderLimits.MinPriority"/> and <see cref="ExtenderLimits.MaxPriority"/>.</summary>
    [JsonPropertyName("Score")]
    public long Score { get; set; }
}

/// <summary>Score bounds of the extender protocol.</summary>
public static class ExtenderLimits
{
    /// <summary>MinExtenderPriority.</summary>
    public const long MinPriority = 0;

    /// <summary>MaxExtenderPriority; the scheduler multiplies by weight × 10 to reach its 0–100 range.</summary>
    public const long MaxPriority = 10;
}

/// <summary>The body of the bind call (Go <c>ExtenderBindingArgs</c>); Auspex does not bind, the type is here for completeness.</summary>
public sealed class ExtenderBindingArgs
{
    /// <summary>Pod name.</summary>
    [JsonPropertyName("PodName")]
    public string PodName { get; set; } = "";

    /// <summary>Pod namespace.</summary>
    [JsonPropertyName("PodNamespace")]
    public string PodNamespace { get; set; } = "";

    /// <summary>Pod UID.</summary>
    [JsonPropertyName("PodUID")]
    public string PodUid { get; set; } = "";

    /// <summary>The node to bind to.</summary>
    [JsonPropertyName("Node")]
    public string Node { get; set; } = "";
}

/// <summary>The reply to bind (Go <c>ExtenderBindingResult</c>).</summary>
public sealed class ExtenderBindingResult
{
    /// <summary>Non-empty on failure.</summary>
    [JsonPropertyName("Error")]
    public string Error { get; set; } = "";
}

/// <summary>A v1 Pod: the fields placement reads, everything else kept verbatim.</summary>
public sealed class Pod
{
    /// <summary>Object metadata.</summary>
    [JsonPropertyName("metadata")]
    public ObjectMeta Metadata { get; set; } = new();

    /// <summary>The pod spec.</summary>
    [JsonPropertyName("spec")]
    public PodSpec Spec { get; set; } = new();

    /// <summary>Fields not modelled (apiVersion, kind, status…), round-tripped unchanged.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>v1 ObjectMeta: the fields placement reads, everything else kept verbatim.</summary>
public sealed class ObjectMeta
{
    /// <summary>Name.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>Namespace.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    /// <summary>UID.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("uid")]
    public string? Uid { get; set; }

    /// <summary>Labels.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("labels")]
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Annotations.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }

    /// <summary>Fields not modelled, round-tripped unchanged.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>v1 PodSpec: containers and their resources; everything else kept verbatim.</summary>
public sealed class PodSpec
{
    /// <summary>Containers.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("containers")]
    public List<Container>? Containers { get; set; }

    /// <summary>Init containers.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("initContainers")]
    public List<Container>? InitContainers { get; set; }

    /// <summary>Pod overhead (RuntimeClass).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("overhead")]
    public Dictionary<string, string>? Overhead { get; set; }

    /// <summary>Fields not modelled, round-tripped unchanged.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>v1 Container: its name and resources.</summary>
public sealed class Container
{
    /// <summary>Name.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>Resource requirements.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("resources")]
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Fields not modelled, round-tripped unchanged.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>v1 ResourceRequirements: quantities as Kubernetes strings ("500m", "1Gi").</summary>
public sealed class ResourceRequirements
{
    /// <summary>Requests.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("requests")]
    public Dictionary<string, string>? Requests { get; set; }

    /// <summary>Limits.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("limits")]
    public Dictionary<string, string>? Limits { get; set; }

    /// <summary>Fields not modelled, round-tripped unchanged.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>v1 NodeList.</summary>
public sealed class NodeList
{
    /// <summary>The nodes.</summary>
    [JsonPropertyName("items")]
    public List<Node> Items { get; set; } = [];

    /// <summary>Fields not modelled (metadata…), round-tripped unchanged.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>v1 Node: its name; everything else kept verbatim so filter can echo passing nodes back unchanged.</summary>
public sealed class Node
{
    /// <summary>Object metadata.</summary>
    [JsonPropertyName("metadata")]
    public ObjectMeta Metadata { get; set; } = new();

    /// <summary>Fields not modelled (spec, status…), round-tripped unchanged.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}
