using System.Text.Json;
using System.Text.Json.Serialization;

namespace Auspex.Placement.Footprints;

/// <summary>The outcome of reading a saved migration plan.</summary>
public abstract record MigrationPlanRead
{
    private MigrationPlanRead()
    {
    }

    /// <summary>The plan was read and is well formed.</summary>
    /// <param name="Plan">The plan.</param>
    public sealed record Ok(MigrationPlan Plan) : MigrationPlanRead;

    /// <summary>The text is not a valid plan.</summary>
    /// <param name="Error">What is wrong and where (JSON path and line when known).</param>
    public sealed record Invalid(string Error) : MigrationPlanRead;
}

/// <summary>
/// The saved form of a <see cref="MigrationPlan"/> (what <c>auspex plan -o json</c> writes and <c>auspex apply</c>
/// reads): camelCase JSON, enums as camelCase strings, durations as <c>[-][d.]hh:mm:ss</c>. Documented in
/// docs/placement.md ("Migration plan format").
/// </summary>
public static class MigrationPlanJson
{
    /// <summary>Format version written in <c>"format"</c>.</summary>
    public const string Format = "auspex.migration-plan/v1";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    private sealed record Envelope(string Format, string Id, MigrationPlan Plan);

    /// <summary>Writes <paramref name="plan"/> as indented JSON: <c>{format, id, plan: {createdAt, phases, moves}}</c>.</summary>
    public static string Write(MigrationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return JsonSerializer.Serialize(new Envelope(Format, plan.Id, plan), Options);
    }

    /// <summary>Reads a plan written by <see cref="Write"/>; anything else comes back as <see cref="MigrationPlanRead.Invalid"/>.</summary>
    public static MigrationPlanRead Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        Envelope? e;
        try
        {
            e = JsonSerializer.Deserialize<Envelope>(json, Options);
        }
        catch (JsonException ex)
        {
            return new MigrationPlanRead.Invalid($"not a migration plan: {ex.Message}");
        }
        if (e is null)
        {
            return new MigrationPlanRead.Invalid("not a migration plan: the document is null");
        }
        if (e.Format != Format)
        {
            return new MigrationPlanRead.Invalid($"not a migration plan: format is '{e.Format}', expected '{Format}'");
        }
        if (Check(e.Plan) is { } problem)
        {
            return new MigrationPlanRead.Invalid(problem);
        }
        if (e.Plan.Id != e.Id)
        {
            return new MigrationPlanRead.Invalid($"plan id {e.Id} does not match its moves (they give {e.Plan.Id}): the file was edited");
        }
        return new MigrationPlanRead.Ok(e.Plan);
    }

    private static string? Check(MigrationPlan plan)
    {
        for (var i = 0; i < plan.Phases.Count; i++)
        {
            var phase = plan.Phases[i];
            if (phase.Number != i + 1)
            {
                return $"$.plan.phases[{i}].number: expected {i + 1}, found {phase.Number}";
            }
            foreach (var (steps, name) in new[] { (phase.Steps, "steps"), (phase.Rollback, "rollback") })
            {
                for (var j = 0; j < steps.Count; j++)
                {
                    var s = steps[j];
                    if (s.Order != j + 1)
                    {
                        return $"$.plan.phases[{i}].{name}[{j}].order: expected {j + 1}, found {s.Order}";
                    }
                    if (string.IsNullOrEmpty(s.Component) || string.IsNullOrEmpty(s.Host))
                    {
                        return $"$.plan.phases[{i}].{name}[{j}]: component and host are required";
                    }
                    if (s.TrafficPercent is { } p && (double.IsNaN(p) || p < 0 || p > 100))
                    {
                        return $"$.plan.phases[{i}].{name}[{j}].trafficPercent: {p} is outside 0–100";
                    }
                    if (s.Wait is { } w && w < TimeSpan.Zero)
                    {
                        return $"$.plan.phases[{i}].{name}[{j}].wait: negative";
                    }
                }
            }
        }
        return null;
    }
}
