using System.Globalization;
using Auspex.Core.Series;
using Auspex.Core.Topology;

namespace Auspex.Scoring;

/// <summary>
/// Evaluates alert rules against each scoring report and keeps their state between calls (one instance per tenant;
/// not thread-safe). Pending alerts whose condition clears are dropped; resolved alerts are reported for
/// <see cref="ResolvedRetention"/> and then forgotten. Alerts on targets under an active maintenance window are
/// marked silenced.
/// </summary>
public sealed class AlertEvaluator
{
    private readonly List<AlertRule> _rules;
    private readonly Dictionary<(string Rule, string Target), Alert> _state = [];
    private readonly Dictionary<(string Rule, string Target), DateTimeOffset> _clearSince = [];

    /// <summary>Creates an evaluator; invalid rules are refused (configuration errors).</summary>
    public AlertEvaluator(IEnumerable<AlertRule> rules, TimeSpan? resolvedRetention = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules.ToList();
        if (_rules.Select(r => r.Validate()).OfType<string>().FirstOrDefault() is { } error)
        {
            throw new ArgumentException(error, nameof(rules));
        }
        ResolvedRetention = resolvedRetention ?? TimeSpan.FromMinutes(15);
    }

    /// <summary>How long resolved alerts stay in the list (Alertmanager wants them re-sent for a while). Default 15 min.</summary>
    public TimeSpan ResolvedRetention { get; }

    /// <summary>Every alert currently pending, firing or recently resolved, ordered by rule and target.</summary>
    public IReadOnlyList<Alert> Current => _state.Values.OrderBy(a => a.Rule, StringComparer.Ordinal).ThenBy(a => a.Target, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Seeds the state with alerts kept from before a restart (pending, firing and resolved ones of known rules; others
    /// are ignored). A firing alert whose condition had started to clear restarts its <c>keep_firing_for</c> count.
    /// </summary>
    public void Restore(IEnumerable<Alert> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        foreach (var a in alerts)
        {
            if (_rules.Any(r => r.Name == a.Rule))
            {
                _state[(a.Rule, a.Target)] = a;
            }
        }
    }

    /// <summary>Advances every rule to <paramref name="report"/>'s time and returns <see cref="Current"/>.</summary>
    public IReadOnlyList<Alert> Evaluate(ScoringReport report, Topology topology)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(topology);
        var at = report.At;
        foreach (var rule in _rules)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var obs in Observe(rule, report, topology))
            {
                seen.Add(obs.Target);
                Step(rule, obs, at, topology);
            }
            // Targets no longer observed count as cleared.
            foreach (var key in _state.Keys.Where(k => k.Rule == rule.Name && !seen.Contains(k.Target)).ToList())
            {
                var a = _state[key];
                Step(rule, new Observation(key.Target, a.Value, false, true, [], a.Labels, a.Annotations), at, topology);
            }
        }
        foreach (var key in _state.Where(p => p.Value.State == AlertState.Resolved && at - p.Value.Since >= ResolvedRetention).Select(p => p.Key).ToList())
        {
            _state.Remove(key);
        }
        return Current;
    }

    private sealed record Observation(string Target, double Value, bool Active, bool Cleared, IReadOnlyList<string> Localities,
        IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations);

    private void Step(AlertRule rule, Observation o, DateTimeOffset at, Topology topology)
    {
        var key = (rule.Name, o.Target);
        _state.TryGetValue(key, out var cur);
        var silenced = o.Localities.Count > 0 && o.Localities.All(l => InMaintenance(topology, l, at));
        Alert Make(AlertState s, DateTimeOffset since, DateTimeOffset activeAt) =>
            new(rule.Name, o.Target, s, since, activeAt, o.Value, silenced, o.Labels, o.Annotations)
            {
                // Firing keeps the time it started firing; resolving keeps it too (Alertmanager's startsAt).
                FiredAt = s switch
                {
                    AlertState.Firing => cur?.State == AlertState.Firing ? cur.FiredAt ?? cur.Since : since,
                    AlertState.Resolved => cur?.FiredAt ?? cur?.Since,
                    _ => null,
                },
            };
        switch (cur?.State)
        {
            case null or AlertState.Resolved when o.Active:
                _state[key] = rule.For <= TimeSpan.Zero ? Make(AlertState.Firing, at, at) : Make(AlertState.Pending, at, at);
                break;
            case AlertState.Pending when o.Active:
                _state[key] = at - cur.ActiveAt >= rule.For ? Make(AlertState.Firing, at, cur.ActiveAt) : Make(AlertState.Pending, cur.Since, cur.ActiveAt);
                break;
            case AlertState.Pending:
                _state.Remove(key);
                break;
            case AlertState.Firing when !o.Cleared:
                _clearSince.Remove(key);
                _state[key] = Make(AlertState.Firing, cur.Since, cur.ActiveAt);
                break;
            case AlertState.Firing:
                if (!_clearSince.TryGetValue(key, out var since))
                {
                    _clearSince[key] = since = at;
                }
                if (at - since >= rule.KeepFiringFor)
                {
                    _clearSince.Remove(key);
                    _state[key] = Make(AlertState.Resolved, at, cur.ActiveAt);
                }
                else
                {
                    _state[key] = Make(AlertState.Firing, cur.Since, cur.ActiveAt);
                }
                break;
        }
    }

    private static bool InMaintenance(Topology topology, string locality, DateTimeOffset at) =>
        topology.MaintenanceOf(locality).Any(m => m.When.Contains(at));

    private static IEnumerable<Observation> Observe(AlertRule rule, ScoringReport report, Topology topology)
    {
        var resolve = rule.ResolveThreshold ?? rule.Threshold;
        switch (rule.Condition)
        {
            case AlertCondition.DesirabilityBelow:
                foreach (var s in report.Scores.Where(s => Applies(rule, topology, s.Locality)))
                {
                    var worst = s.Parts.OrderBy(p => p.Value.Value).First();
                    yield return new Observation(s.Locality, s.Desirability, s.Desirability < rule.Threshold, s.Desirability >= resolve, [s.Locality],
                        Labels(rule, "locality", s.Locality, topology),
                        Annotations(string.Create(CultureInfo.InvariantCulture, $"{s.Locality} desirability {s.Desirability:0.###} below {rule.Threshold:0.###}"),
                            $"lowest part {worst.Key}: {worst.Value.Explanation}", s.Desirability));
                }
                break;
            case AlertCondition.HpsBelow:
                foreach (var c in report.Components)
                {
                    yield return new Observation(c.Component, c.Hps, c.Hps < rule.Threshold, c.Hps >= resolve, c.Hosts,
                        Labels(rule, "component", c.Component, null),
                        Annotations(string.Create(CultureInfo.InvariantCulture, $"{c.Component} health projection {c.Hps:0.#} below {rule.Threshold:0.#}"),
                            string.Join("; ", c.Reasons), c.Hps));
                }
                break;
            case AlertCondition.ExhaustionWithin:
                foreach (var d in report.Details.Values.Where(d => Applies(rule, topology, d.Locality)))
                {
                    foreach (var c in d.Capacity.Where(c => rule.Resource is null || c.Resource == rule.Resource))
                    {
                        var active = c.LikelyExhaustedBy is { } t && t <= report.At + rule.Within!.Value;
                        var hours = c.LikelyExhaustedBy is { } t2 ? (t2 - report.At).TotalHours : double.PositiveInfinity;
                        var labels = new Dictionary<string, string>(Labels(rule, "locality", d.Locality, topology), StringComparer.Ordinal) { ["resource"] = Auspex.Core.Resources.ResourceKinds.Key(c.Resource) };
                        yield return new Observation(d.Locality + "/" + labels["resource"], hours, active, !active, [d.Locality], labels,
                            Annotations(string.Create(CultureInfo.InvariantCulture, $"{d.Locality} {labels["resource"]} likely exhausted within {rule.Within!.Value.TotalHours:0.#} h"),
                                string.Create(CultureInfo.InvariantCulture, $"likely exhausted by {c.LikelyExhaustedBy:yyyy-MM-ddTHH:mmZ}; P(within horizon) = {c.ProbabilityWithinHorizon:0.###}; p{c.Quantile * 100:0} peak {c.PeakQuantile:0.##} of {c.Capacity:0.##}"),
                                hours));
                    }
                }
                break;
            case AlertCondition.UtilisationAbove:
                foreach (var d in report.Details.Values.Where(d => Applies(rule, topology, d.Locality) && d.Capacity.Count > 0))
                {
                    var tight = d.Capacity.MaxBy(c => c.PeakQuantile / c.Capacity)!;
                    var u = tight.PeakQuantile / tight.Capacity;
                    yield return new Observation(d.Locality, u, u > rule.Threshold, u <= resolve, [d.Locality],
                        Labels(rule, "locality", d.Locality, topology),
                        Annotations(string.Create(CultureInfo.InvariantCulture, $"{d.Locality} predicted {Auspex.Core.Resources.ResourceKinds.Key(tight.Resource)} utilisation {u * 100:0.#}% above {rule.Threshold * 100:0.#}%"),
                            string.Create(CultureInfo.InvariantCulture, $"p{tight.Quantile * 100:0} peak at {tight.PeakAt:yyyy-MM-ddTHH:mmZ}"), u));
                }
                break;
        }
    }

    private static bool Applies(AlertRule rule, Topology topology, string locality) =>
        rule.Kinds is null || (topology.Find(locality) is { } l && rule.Kinds.Contains(l.Kind));

    private static Dictionary<string, string> Labels(AlertRule rule, string targetLabel, string target, Topology? topology)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = rule.Name, ["severity"] = rule.Severity, [targetLabel] = target,
        };
        if (topology?.Find(target) is { } l)
        {
            d["level"] = l.KindName;
        }
        return d;
    }

    private static Dictionary<string, string> Annotations(string summary, string description, double value) => new(StringComparer.Ordinal)
    {
        ["summary"] = summary,
        ["description"] = description,
        ["value"] = value.ToString("G6", CultureInfo.InvariantCulture),
    };
}
