using System.Text.Json;
using System.Text.Json.Serialization;

namespace Auspex.Kubernetes.Extender;

/// <summary>Source-generated JSON for the extender wire types (PascalCase keys as written on each property).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ExtenderArgs))]
[JsonSerializable(typeof(ExtenderFilterResult))]
[JsonSerializable(typeof(List<HostPriority>))]
[JsonSerializable(typeof(ExtenderBindingArgs))]
[JsonSerializable(typeof(ExtenderBindingResult))]
public sealed partial class ExtenderJsonContext : JsonSerializerContext;

/// <summary>Reading and writing extender payloads exactly as kube-scheduler sends and expects them.</summary>
public static class ExtenderJson
{
    /// <summary>Reads an <see cref="ExtenderArgs"/> body; null for a JSON <c>null</c>. Throws <see cref="JsonException"/> on malformed input.</summary>
    public static ExtenderArgs? ReadArgs(ReadOnlySpan<byte> utf8) => JsonSerializer.Deserialize(utf8, ExtenderJsonContext.Default.ExtenderArgs);

    /// <summary>Reads an <see cref="ExtenderArgs"/> body from a stream.</summary>
    public static ValueTask<ExtenderArgs?> ReadArgsAsync(Stream body, CancellationToken ct = default) =>
        JsonSerializer.DeserializeAsync(body, ExtenderJsonContext.Default.ExtenderArgs, ct);

    /// <summary>Writes a filter result.</summary>
    public static string Write(ExtenderFilterResult result) => JsonSerializer.Serialize(result, ExtenderJsonContext.Default.ExtenderFilterResult);

    /// <summary>Writes a prioritize result (a bare array).</summary>
    public static string Write(List<HostPriority> result) => JsonSerializer.Serialize(result, ExtenderJsonContext.Default.ListHostPriority);
}
