using Auspex.Orchestration.Execution;

namespace Auspex.Orchestration.Plans;

/// <summary>What a plan changes.</summary>
public enum PlanKind
{
    /// <summary>Scaling decisions: replicas or pool sizes per tier.</summary>
    Scaling,
    /// <summary>A migration: replicas moved between hosts with traffic shifts.</summary>
    Migration,
    /// <summary>Anything else an operator writes (node labels, taints, cordons…).</summary>
    Custom,
}

/// <summary>A phase: steps run in order; the first phase of a plan is usually a canary followed by a health gate.</summary>
/// <param name="Name">Name shown to people (canary, phase 2…).</param>
/// <param name="IsCanary">True for the canary phase.</param>
/// <param name="Steps">Steps in order, <see cref="GateStep"/>s included.</param>
public sealed record PlanPhase(string Name, bool IsCanary, IReadOnlyList<ExecutionStep> Steps);

/// <summary>
/// A plan as data: phases of idempotent steps with health gates between them. The plan runner executes it after a dry
/// run and an approval, persists its progress step by step, and rolls it back on a failure or an SLO breach.
/// </summary>
/// <param name="Id">Unique id (letters, digits, '-', '_', '.'; at most 100 characters).</param>
/// <param name="Kind">What it changes.</param>
/// <param name="Title">One line for people.</param>
/// <param name="CreatedBy">Who or what made it (<c>auspex:scaler</c>, <c>auspex:footprint</c>, <c>operator:alice</c>).</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="Phases">Phases in order.</param>
public sealed record ExecutionPlan(string Id, PlanKind Kind, string Title, string CreatedBy, DateTimeOffset CreatedAt, IReadOnlyList<PlanPhase> Phases)
{
    /// <summary>Returns every problem with the plan (bad id, no steps, invalid step values), empty when it can run.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(Id) || Id.Length > 100 || !Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            errors.Add($"plan id '{Id}' must be 1-100 characters of letters, digits, '-', '_' or '.'");
        }
        if (Phases is null || Phases.Count == 0 || Phases.All(p => p.Steps is null || p.Steps.Count == 0))
        {
            errors.Add($"plan {Id} has no steps");
            return errors;
        }
        for (var p = 0; p < Phases.Count; p++)
        {
            var steps = Phases[p].Steps ?? [];
            for (var s = 0; s < steps.Count; s++)
            {
                var where = $"phase {p + 1} ({Phases[p].Name}) step {s + 1}";
                switch (steps[s])
                {
                    case null:
                        errors.Add($"{where} is empty");
                        break;
                    case ScaleStep { Replicas: < 0 }:
                    case PoolSizeStep { Units: < 0 }:
                        errors.Add($"{where}: a count must be ≥ 0");
                        break;
                    case TrafficStep t when !double.IsFinite(t.Percent) || t.Percent is < 0 or > 100:
                        errors.Add($"{where}: traffic percent must be in [0, 100]");
                        break;
                    case GateStep g when g.Soak < TimeSpan.Zero || g.Checks.Any(c => c.Window <= TimeSpan.Zero || !double.IsFinite(c.Threshold)):
                        errors.Add($"{where}: a gate needs a soak ≥ 0 and checks with a window > 0 and a finite threshold");
                        break;
                    case GateStep g when g.Checks.Any(c => Core.Series.SeriesSelector.TryParse(c.Selector, out _) is null):
                        errors.Add($"{where}: check selector is not a valid series selector");
                        break;
                    case ExecutionStep x when string.IsNullOrWhiteSpace(x.Target):
                        errors.Add($"{where}: the step names no target");
                        break;
                }
            }
        }
        return errors;
    }

    /// <summary>Every step with its phase and index, in execution order.</summary>
    public IEnumerable<(int Phase, int Index, ExecutionStep Step)> AllSteps() =>
        Phases.SelectMany((p, pi) => p.Steps.Select((s, si) => (pi, si, s)));
}
