using System.Text.Json;
using System.Text.Json.Serialization;

namespace Auspex.Orchestration.Plans;

/// <summary>
/// The JSON form of plans and their state (what the state store keeps, what <c>auspex apply</c> reads): camelCase,
/// enums as camelCase strings, steps tagged by <c>kind</c>, durations as <c>hh:mm:ss</c>.
/// </summary>
public static class PlanJson
{
    /// <summary>The serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Writes a plan.</summary>
    public static string Write(ExecutionPlan plan) => JsonSerializer.Serialize(plan, Options);

    /// <summary>Reads a plan; a malformed document comes back as the error (with its JSON path and line), never an exception.</summary>
    public static (ExecutionPlan? Plan, string? Error) Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var plan = JsonSerializer.Deserialize<ExecutionPlan>(json, Options);
            return plan is null ? (null, "the document is null") : (plan, null);
        }
        catch (JsonException ex)
        {
            return (null, $"invalid plan JSON at {ex.Path ?? "$"} (line {(ex.LineNumber ?? 0) + 1}): {ex.Message}");
        }
        catch (NotSupportedException ex)
        {
            return (null, "invalid plan JSON: " + ex.Message);
        }
    }

    internal static string WriteState(PlanState state) => JsonSerializer.Serialize(state, Options);

    internal static PlanState ReadState(string json) => JsonSerializer.Deserialize<PlanState>(json, Options)
        ?? throw new InvalidOperationException("stored plan state is null");
}
