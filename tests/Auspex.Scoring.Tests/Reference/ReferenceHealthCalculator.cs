using System.Globalization;
using Auspex.Core.Topology;

using Auspex.Scoring;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring.Tests.Reference;

// The straightforward scoring path as it was before the speed work (2026-12-04), kept unchanged as the reference the
// optimised ReferenceLocalityScorer is checked against (ReferenceScorerTests).

/// <summary>Computes <see cref="ComponentHealth"/> for every component.</summary>
internal static class ReferenceHealthCalculator
{
    public static List<ComponentHealth> Compute(Topology topology, IReadOnlyList<FailureEvent> failures, DateTimeOffset from, DateTimeOffset at,
        Func<string, double?> hostRisk, Func<string, double?> hostExhaustion, ScoringOptions options)
    {
        var horizon = options.RiskHorizon;
        var comps = topology.Components;
        var past = failures.Where(f => f.At >= from && f.At < at).ToList();
        // Failures per component: its own records and those of its service.
        var byTarget = past.GroupBy(f => f.Target, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(f => f.At).ToList(), StringComparer.Ordinal);
        var times = comps.ToDictionary(c => c.Id,
            c => (byTarget.GetValueOrDefault(c.Id) ?? []).Concat(c.Service != c.Id ? byTarget.GetValueOrDefault(c.Service) ?? [] : []).Order().ToList(),
            StringComparer.Ordinal);
        var hours = Math.Max(0, (at - from).TotalHours);
        var halfLife = options.FailureHistoryHalfLife;
        var model = FailureRateModel.Fit(comps.Select(c => new FailureExposure(c.Id, [c.Service], FailureHistory.DiscountedHours(from, at, halfLife),
            times[c.Id].Sum(t => FailureHistory.Weight(at - t, halfLife)))).ToList());
        var own = comps.ToDictionary(c => c.Id, c => model.Posterior([c.Service], c.Id).ProbabilityOfFailure(horizon), StringComparer.Ordinal);
        var infra = new Dictionary<string, double?>(StringComparer.Ordinal);
        var load = new Dictionary<string, double?>(StringComparer.Ordinal);
        foreach (var c in comps)
        {
            var hr = c.Placement.Select(hostRisk).OfType<double>().ToList();
            infra[c.Id] = hr.Count > 0 ? hr.Average() : null;
            var hl = c.Placement.Select(hostExhaustion).OfType<double>().ToList();
            load[c.Id] = hl.Count > 0 ? hl.Average() : null;
        }
        var byId = comps.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var result = new List<ComponentHealth>(comps.Count);
        foreach (var c in comps)
        {
            var risks = new Dictionary<string, double>(StringComparer.Ordinal);
            var reasons = new List<(double P, string Text)>();
            risks["history"] = own[c.Id];
            reasons.Add((own[c.Id], string.Create(CultureInfo.InvariantCulture,
                $"history: {times[c.Id].Count} failure(s) in {hours / 24:0.#} days → P = {own[c.Id]:0.####} within {horizon.TotalHours:0.#} h")));
            if (infra[c.Id] is { } pi)
            {
                risks["hosts"] = pi;
                reasons.Add((pi, string.Create(CultureInfo.InvariantCulture, $"hosts: mean failure probability {pi:0.####} over {c.Placement.Count} replica(s)")));
            }
            if (load[c.Id] is { } pl)
            {
                risks["load"] = pl;
                reasons.Add((pl, string.Create(CultureInfo.InvariantCulture, $"load: mean probability {pl:0.####} that its hosts run out of capacity")));
            }
            var deps = topology.Dependencies.Outgoing(c.Id).Concat(c.Service != c.Id ? topology.Dependencies.Outgoing(c.Service) : [])
                .SelectMany(e => byId.ContainsKey(e.To) ? [byId[e.To]] : comps.Where(d => d.Service == e.To))
                .Where(d => d.Id != c.Id).DistinctBy(d => d.Id).ToList();
            if (deps.Count > 0)
            {
                var survive = 1.0;
                string? worst = null;
                var worstP = -1.0;
                foreach (var d in deps)
                {
                    var pd = 1 - (1 - own[d.Id]) * (1 - (infra[d.Id] ?? 0));
                    var coupling = Coupling(times[c.Id], times[d.Id], options.DependencyCorrelationWindow);
                    var contrib = coupling * pd;
                    survive *= 1 - contrib;
                    if (contrib > worstP)
                    {
                        (worstP, worst) = (contrib, string.Create(CultureInfo.InvariantCulture, $"{d.Id} (P = {pd:0.####}, coupling {coupling:0.##} from {times[d.Id].Count} failure(s))"));
                    }
                }
                risks["dependencies"] = 1 - survive;
                reasons.Add((1 - survive, string.Create(CultureInfo.InvariantCulture, $"dependencies: P = {1 - survive:0.####} over {deps.Count}; largest {worst}")));
            }
            var p = 1 - risks.Values.Aggregate(1.0, (acc, x) => acc * (1 - ScoreNormalizer.Clamp01(x)));
            var hps = 100 * ScoreNormalizer.Linear(p, options.ComponentIntolerableRisk, 0);
            result.Add(new ComponentHealth(c.Id, hps, p, c.Placement.Distinct(StringComparer.Ordinal).ToList(), risks,
                reasons.OrderByDescending(r => r.P).Select(r => r.Text).ToList()));
        }
        return result;
    }

    /// <summary>
    /// Laplace-smoothed chance that a dependency failure is followed within <paramref name="window"/> by a failure of
    /// the dependent: (k + 1) / (n + 2), k = dependency failures followed so, n = dependency failures. With no history, 0.5.
    /// </summary>
    internal static double Coupling(List<DateTimeOffset> dependent, List<DateTimeOffset> dependency, TimeSpan window)
    {
        var k = dependency.Count(t => dependent.Any(s => s >= t && s <= t + window));
        return (k + 1.0) / (dependency.Count + 2.0);
    }
}
