using System.Globalization;
using Auspex.Orchestration.Execution;
using Auspex.Orchestration.Scaling;
using Auspex.Placement.Footprints;

namespace Auspex.Orchestration.Plans;

/// <summary>
/// Health checks for a gate, as a template: <c>{component}</c> and <c>{host}</c> in the name and selector are replaced
/// by the gate's component and host (e.g. <c>http_errors_ratio{service="{component}"}</c>).
/// </summary>
/// <param name="Checks">The check templates.</param>
public sealed record GateTemplate(IReadOnlyList<HealthCheck> Checks)
{
    /// <summary>No checks: gates only wait their soak time.</summary>
    public static GateTemplate None { get; } = new([]);

    /// <summary>The checks for one component on one host.</summary>
    public IReadOnlyList<HealthCheck> For(string component, string host) =>
        Checks.Select(c => c with
        {
            Name = Fill(c.Name, component, host),
            Selector = Fill(c.Selector, component, host),
        }).ToList();

    private static string Fill(string text, string component, string host) =>
        text.Replace("{component}", component, StringComparison.Ordinal).Replace("{host}", host, StringComparison.Ordinal);
}

/// <summary>Turns scaling decisions and migration plans into executable plans.</summary>
public static class PlanBuilders
{
    /// <summary>
    /// A scaling plan from decisions that act: the first component's changes form the canary phase, followed by a gate
    /// (its soak and the template's checks for that component); the others follow in a second phase with a final gate.
    /// Deferred actions are left out (they are not due yet). Returns null when no decision changes anything.
    /// </summary>
    public static ExecutionPlan? FromScaling(IReadOnlyList<ScalingDecision> decisions, DateTimeOffset at, string createdBy, TimeSpan soak, GateTemplate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        gate ??= GateTemplate.None;
        var acting = decisions.Where(d => d.Act && d.Actions.Any(a => !a.Deferred)).ToList();
        if (acting.Count == 0)
        {
            return null;
        }
        static IEnumerable<ExecutionStep> Steps(ScalingDecision d) =>
            d.Actions.Where(a => !a.Deferred).OrderByDescending(a => a.Delta).Select(a => (ExecutionStep)new ScaleStep(d.Component, a.Tier, a.To));
        var phases = new List<PlanPhase>
        {
            new("canary: " + acting[0].Component, true, [.. Steps(acting[0]), new GateStep(soak, gate.For(acting[0].Component, "*"))]),
        };
        if (acting.Count > 1)
        {
            var rest = acting.Skip(1).ToList();
            phases.Add(new("rest", false, [.. rest.SelectMany(Steps), new GateStep(soak, rest.SelectMany(d => gate.For(d.Component, "*")).ToList())]));
        }
        var outs = acting.Count(d => d.Outcome is ScalingOutcome.ScaleOut or ScalingOutcome.Infeasible);
        var title = string.Create(CultureInfo.InvariantCulture, $"scale {acting.Count} component(s): {outs} out, {acting.Count - outs} in");
        var id = "sp-" + at.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + Hash(string.Join("|", acting.SelectMany(d => Steps(d).Select(s => s.Describe()))));
        return new ExecutionPlan(id, PlanKind.Scaling, title, createdBy, at, phases);
    }

    /// <summary>
    /// An executable plan from a placement migration plan (its phases and steps one to one): provision → start a
    /// replica, shiftTraffic → set its traffic share, healthGate → a gate of the step's wait with the template's checks
    /// for every component and host it names, standby → set the original's share then wait, decommission → remove the
    /// replica. The migration plan's own rollback lists are not used: the runner undoes exactly what ran, from the
    /// state each executor found before each step.
    /// </summary>
    public static ExecutionPlan FromMigration(MigrationPlan plan, string createdBy, GateTemplate? gate = null, TimeSpan? defaultWait = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        gate ??= GateTemplate.None;
        var wait = defaultWait ?? TimeSpan.FromMinutes(5);
        var phases = plan.Phases.Select(p => new PlanPhase(
            p.IsCanary ? $"canary (phase {p.Number})" : $"phase {p.Number}",
            p.IsCanary,
            p.Steps.OrderBy(s => s.Order).SelectMany(s => Map(s, gate, wait)).ToList())).ToList();
        var title = string.Create(CultureInfo.InvariantCulture, $"migrate {plan.Moves.Count} replica(s) in {plan.Phases.Count} phase(s)");
        return new ExecutionPlan(plan.Id, PlanKind.Migration, title, createdBy, plan.CreatedAt, phases);
    }

    private static IEnumerable<ExecutionStep> Map(MigrationStep s, GateTemplate gate, TimeSpan wait)
    {
        switch (s.Kind)
        {
            case StepKind.Provision:
                yield return new ReplicaStep(s.Component, s.Host, true);
                break;
            case StepKind.ShiftTraffic:
                yield return new TrafficStep(s.Component, s.Host, s.TrafficPercent ?? 100);
                break;
            case StepKind.HealthGate:
                var components = s.Component.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var hosts = s.Host.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var checks = components.Zip(hosts.Length == components.Length ? hosts : components.Select(_ => hosts.FirstOrDefault() ?? "*"))
                    .SelectMany(x => gate.For(x.First, x.Second)).ToList();
                yield return new GateStep(s.Wait ?? wait, checks);
                break;
            case StepKind.Standby:
                yield return new TrafficStep(s.Component, s.Host, s.TrafficPercent ?? 0);
                yield return new GateStep(s.Wait ?? wait, []);
                break;
            case StepKind.Decommission:
                yield return new ReplicaStep(s.Component, s.Host, false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(s), s.Kind, "unknown migration step kind");
        }
    }

    private static string Hash(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..8];
}
