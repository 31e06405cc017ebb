using System.Globalization;
using System.Text;

namespace Auspex.Simulation.Measures;

/// <summary>One policy run placed on the trade-off frontier.</summary>
/// <param name="Family">The family: the policy's name without its last <c>:key=value</c> (the knob that moves), e.g. <c>hpa</c> for <c>hpa:target=0.9</c>.</param>
/// <param name="Knob">The last <c>key=value</c> of the name, or <c>default</c> for a plain name.</param>
/// <param name="Result">The run's measures.</param>
/// <param name="IsBound">A clairvoyant bound (<c>oracle</c>), drawn for reference and never a Pareto point.</param>
/// <param name="CostRatio">Cost ÷ the baseline HPA's (target 0.7), NaN without one.</param>
/// <param name="Pareto">No other deployable point has fewer-or-equal violation minutes, slack and cost with at least one strictly less.</param>
/// <param name="MeetsViolationsAndCost">≤ <see cref="Frontier.MinutesShare"/> of the baseline's violation minutes at no more than its cost.</param>
/// <param name="InTargetBox">That and mean slack &lt; <see cref="Frontier.SlackTarget"/>.</param>
public sealed record FrontierPoint(string Family, string Knob, PolicyResult Result, bool IsBound, double CostRatio, bool Pareto, bool MeetsViolationsAndCost, bool InTargetBox);

/// <summary>The frontier of one run: every point, the baseline and, per family, the least slack meeting the violation and cost targets.</summary>
/// <param name="Points">Every policy, in run order.</param>
/// <param name="Baseline">The default HPA's measures (<c>hpa</c> or <c>hpa:target=0.7</c>), or null when it was not run (no target box then).</param>
/// <param name="Best">Per family (first-seen order), the point with the least mean slack among those meeting the violation and cost targets, or null.</param>
public sealed record FrontierSummary(IReadOnlyList<FrontierPoint> Points, PolicyResult? Baseline, IReadOnlyList<(string Family, FrontierPoint? Point)> Best)
{
    /// <summary>The target box's violation-minute limit (<see cref="Frontier.MinutesShare"/> × the baseline's), or NaN.</summary>
    public double MinutesLimit => Baseline is null ? double.NaN : Frontier.MinutesShare * Baseline.SloViolationMinutes;

    /// <summary>The target box's cost limit (the baseline's cost), or NaN.</summary>
    public double CostLimit => Baseline?.Cost ?? double.NaN;
}

/// <summary>
/// The trade-off frontier of issue #8 (session 10): each policy family's SLO-violation minutes against mean slack and
/// cost as its knob moves, the Pareto-optimal points, and the target box — mean slack &lt; 15 % with ≤ 20 % of the
/// default HPA's violation minutes at no more than its cost. A description of the runs given, not a selection.
/// </summary>
public static class Frontier
{
    /// <summary>The slack target (Autopilot's time-averaged relative slack): 15 %.</summary>
    public const double SlackTarget = 0.15;

    /// <summary>The violation target as a share of the default HPA's minutes: 20 % (≥ 80 % fewer).</summary>
    public const double MinutesShare = 0.2;

    /// <summary>Splits a policy name into family and knob: the last <c>:key=value</c> is the knob.</summary>
    public static (string Family, string Knob) Split(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (IsBound(name))
        {
            var colon = name.IndexOf(':', StringComparison.Ordinal);
            return ("oracle", colon < 0 ? "default" : name[(colon + 1)..]);
        }
        if (name.Equals("hpa", StringComparison.OrdinalIgnoreCase))
        {
            return ("hpa", "target=0.7 (default)");
        }
        var last = name.LastIndexOf(':');
        return last < 0 ? (name, "default") : (name[..last], name[(last + 1)..]);
    }

    /// <summary>Whether <paramref name="name"/> is a clairvoyant bound (the <c>oracle</c> family).</summary>
    public static bool IsBound(string name) =>
        name.Equals("oracle", StringComparison.OrdinalIgnoreCase) || name.StartsWith("oracle:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="name"/> is the default HPA (<c>hpa</c>, or <c>hpa:target=0.7</c> alone).</summary>
    public static bool IsBaseline(string name) =>
        name.Equals("hpa", StringComparison.OrdinalIgnoreCase)
        || (name.StartsWith("hpa:target=", StringComparison.OrdinalIgnoreCase) && name.IndexOf(':', 4) < 0
            && double.TryParse(name["hpa:target=".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t == 0.7);

    /// <summary>Places <paramref name="rows"/> (one run's policies, e.g. <see cref="SimulationResult.Reported"/>) on the frontier.</summary>
    public static FrontierSummary Build(IReadOnlyList<PolicyResult> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var baseline = rows.FirstOrDefault(r => IsBaseline(r.Policy));
        var points = new List<FrontierPoint>();
        foreach (var r in rows)
        {
            var (family, knob) = Split(r.Policy);
            var bound = IsBound(r.Policy);
            var pareto = !bound && !rows.Any(q => !IsBound(q.Policy) && Dominates(q, r));
            var meets = baseline is not null
                && r.SloViolationMinutes <= MinutesShare * baseline.SloViolationMinutes + 1e-9
                && r.Cost <= baseline.Cost + 1e-9;
            points.Add(new FrontierPoint(family, knob, r, bound, baseline is null || baseline.Cost <= 0 ? double.NaN : r.Cost / baseline.Cost,
                pareto, meets, meets && r.MeanSlack < SlackTarget));
        }
        var best = points.Select(p => p.Family).Distinct(StringComparer.Ordinal)
            .Select(f => (f, points.Where(p => p.Family == f && p.MeetsViolationsAndCost).OrderBy(p => p.Result.MeanSlack).FirstOrDefault()))
            .ToList();
        return new FrontierSummary(points, baseline, best);
    }

    /// <summary>Whether <paramref name="a"/> is at least as good as <paramref name="b"/> on violation minutes, mean slack and cost, and better on one.</summary>
    public static bool Dominates(PolicyResult a, PolicyResult b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var noWorse = a.SloViolationMinutes <= b.SloViolationMinutes && a.MeanSlack <= b.MeanSlack && a.Cost <= b.Cost;
        var better = a.SloViolationMinutes < b.SloViolationMinutes || a.MeanSlack < b.MeanSlack || a.Cost < b.Cost;
        return noWorse && better;
    }

    /// <summary>The frontier as Markdown: the table of points, then per family the least slack meeting the violation and cost targets.</summary>
    public static string Table(FrontierSummary s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("| family | knob | SLO-violation min | cost | cost ÷ HPA(0.7) | mean slack | scaling actions | Pareto | ≤ 20 % min & ≤ cost | + slack < 15 % |\n");
        sb.Append("|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var p in s.Points)
        {
            var r = p.Result;
            sb.Append(inv, $"| {p.Family}{(p.IsBound ? " (bound)" : "")} | {p.Knob} | {r.SloViolationMinutes:0.#} | {r.Cost:0.00} | {(double.IsNaN(p.CostRatio) ? "—" : (p.CostRatio * 100).ToString("0", inv) + " %")} | {r.MeanSlack:P1} | {r.ScalingActions} | {(p.IsBound ? "bound" : p.Pareto ? "**P**" : "")} | {(p.MeetsViolationsAndCost ? "yes" : "")} | {(p.InTargetBox ? "**yes**" : "")} |\n");
        }
        if (s.Baseline is { } b)
        {
            sb.Append(inv, $"\ntargets against HPA(0.7) ({b.SloViolationMinutes:0.#} min, cost {b.Cost:0.00}): ≤ {s.MinutesLimit:0.##} violation minutes at cost ≤ {s.CostLimit:0.00}; slack < {SlackTarget:P0}\n");
            foreach (var (family, point) in s.Best)
            {
                sb.Append(inv, $"- {family}: ");
                sb.Append(point is null
                    ? "no point meets the violation and cost targets\n"
                    : string.Create(inv, $"least slack meeting them {point.Result.MeanSlack:P1} at {point.Knob} ({point.Result.SloViolationMinutes:0.#} min, {point.CostRatio * 100:0} % of the HPA's cost){(point.InTargetBox ? ", inside the target box" : "")}\n"));
            }
        }
        else
        {
            sb.Append("\nno default HPA (hpa or hpa:target=0.7) in the run: no target box\n");
        }
        return sb.ToString();
    }
}
