using System.Globalization;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Placement.Selection;

namespace Auspex.Placement.Footprints;

internal sealed class FootprintPlanner(ILocalitySelector selector, FootprintOptions options) : IFootprintPlanner
{
    public FootprintAssessment Assess(PlacementSnapshot snapshot, IReadOnlyList<ComponentHealth> health)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(health);
        var topology = snapshot.Topology;
        var hps = health.ToDictionary(h => h.Component, h => Math.Clamp(h.Hps, 0, 100), StringComparer.Ordinal);
        var bar = options.SafeHealthAtZeroTolerance * (1 - topology.Policy.RiskTolerance);
        var life = new TimeRange(snapshot.At, snapshot.At + options.Horizon);
        var sharedAlloc = new Dictionary<int, double[]>();
        var notes = new List<string>();
        var moves = new List<PlannedMove>();
        var current = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var desired = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var impacts = new Dictionary<string, double>(StringComparer.Ordinal);

        foreach (var c in topology.Components)
        {
            var componentHps = hps.GetValueOrDefault(c.Id, 100);
            var degree = topology.Dependencies.Incoming(c.Id).Count + topology.Dependencies.Outgoing(c.Id).Count;
            var impact = (1.0 + degree) / Math.Max(1, c.Replicas);
            impacts[c.Id] = impact;
            current[c.Id] = c.Placement;
            var keep = new List<string>();
            var replace = new List<(string Host, double Health)>();
            foreach (var host in c.Placement)
            {
                // A risky place is fixed by moving; a risky component (its own HPS) by one more replica, below.
                var place = ReplicaHealth(snapshot, host, 100);
                if (place < bar)
                {
                    replace.Add((host, Math.Min(place, componentHps)));
                }
                else
                {
                    keep.Add(host);
                }
            }
            var target = new List<string>(keep);
            var overlay = new Overlay(sharedAlloc);
            var wanted = replace.Select(r => (MoveKind.Move, (string?)r.Host, r.Health)).ToList();
            if (componentHps < bar && c.Replicas > 0)
            {
                wanted.Add((MoveKind.ScaleUp, null, componentHps));
            }
            foreach (var (kind, from, h) in wanted)
            {
                var chosen = ChooseSafeHost(snapshot, c, life, bar, target, overlay);
                if (chosen is null)
                {
                    notes.Add(kind == MoveKind.Move
                        ? string.Create(CultureInfo.InvariantCulture, $"{c.Id} on {from}: health {h:0} is below {bar:0} but no safe host fits; it stays")
                        : string.Create(CultureInfo.InvariantCulture, $"{c.Id}: health {h:0} asks for another replica but no safe host fits"));
                    if (from is not null)
                    {
                        target.Add(from);
                    }
                    continue;
                }
                target.Add(chosen);
                var reason = kind == MoveKind.Move
                    ? string.Create(CultureInfo.InvariantCulture, $"replica health {h:0} < {bar:0} (risk tolerance {topology.Policy.RiskTolerance:0.##}); {chosen} is safe")
                    : string.Create(CultureInfo.InvariantCulture, $"component health {h:0} < {bar:0}: one more replica on {chosen}");
                moves.Add(new PlannedMove(kind, c.Id, from, chosen, h, impact, reason));
            }
            desired[c.Id] = target;
        }

        var perComponent = topology.Components.Select(c =>
        {
            var want = desired[c.Id];
            var have = current[c.Id].ToList();
            var misplaced = 0;
            foreach (var w in want)
            {
                if (!have.Remove(w))
                {
                    misplaced++;
                }
            }
            return new ComponentDiscrepancy(c.Id, want.Count == 0 ? 0 : (double)misplaced / want.Count, impacts[c.Id], hps.GetValueOrDefault(c.Id, 100));
        }).OrderByDescending(d => d.Discrepancy * d.Impact).ThenBy(d => d.Component, StringComparer.Ordinal).ToList();
        var wsum = perComponent.Sum(d => d.Impact);
        var overall = wsum <= 0 ? 0 : perComponent.Sum(d => d.Impact * d.Discrepancy) / wsum;

        MigrationPlan? plan = null;
        if (overall > options.DiscrepancyThreshold && moves.Count > 0)
        {
            var ordered = moves.OrderBy(m => m.Hps).ThenByDescending(m => m.Impact).ThenBy(m => m.Component, StringComparer.Ordinal).ToList();
            plan = new MigrationPlan(snapshot.At, Phase(ordered), ordered);
        }
        return new FootprintAssessment(new Footprint(current), new Footprint(desired), overall, perComponent, options.DiscrepancyThreshold, plan, notes);
    }

    private static double ReplicaHealth(PlacementSnapshot s, string host, double componentHps)
    {
        var (d, _) = s.DesirabilityOf(host);
        return double.IsNaN(d) ? componentHps : Math.Min(componentHps, d * 100);
    }

    private string? ChooseSafeHost(PlacementSnapshot snapshot, Component c, TimeRange life, double bar, List<string> taken, Overlay overlay)
    {
        if (selector is not LocalitySelector local)
        {
            return null;
        }
        var request = new PlacementRequest(c.Id, c.Service, c.Requests, life);
        var e = local.Evaluate(request, snapshot, overlay);
        var best = -1;
        for (var i = 0; i < e.FeasibleCount; i++)
        {
            var host = e.Host(i);
            if (taken.Contains(host) || c.Placement.Contains(host) || snapshot.DesirabilityOf(host).Value * 100 < bar)
            {
                continue;
            }
            if (best < 0 || e.Total(i) > e.Total(best) || (e.Total(i) == e.Total(best) && string.CompareOrdinal(host, e.Host(best)) < 0))
            {
                best = i;
            }
        }
        if (best < 0)
        {
            return null;
        }
        var chosen = e.Host(best);
        var h = snapshot.HostIndex[chosen];
        if (!overlay.Alloc.TryGetValue(h, out var a))
        {
            overlay.Alloc[h] = a = new double[PlacementSnapshot.R];
        }
        foreach (var (k, v) in c.Requests.Values)
        {
            a[(int)k] += v;
        }
        return chosen;
    }

    private List<MigrationPhase> Phase(List<PlannedMove> ordered)
    {
        var phases = new List<List<PlannedMove>>();
        var queue = new List<PlannedMove>(ordered);
        // Phase 1 is the canary: the most urgent move alone.
        phases.Add([queue[0]]);
        queue.RemoveAt(0);
        while (queue.Count > 0)
        {
            var phase = new List<PlannedMove>();
            foreach (var m in queue.ToList())
            {
                if (phase.Count >= options.MovesPerPhase)
                {
                    break;
                }
                // Rolling: never two replicas of one component in the same phase.
                if (phase.Any(p => p.Component == m.Component))
                {
                    continue;
                }
                phase.Add(m);
                queue.Remove(m);
            }
            phases.Add(phase);
        }
        return phases.Select((moves, i) => Build(i + 1, moves)).ToList();
    }

    private MigrationPhase Build(int number, List<PlannedMove> moves)
    {
        var steps = new List<MigrationStep>();
        var rollback = new List<MigrationStep>();
        void Step(List<MigrationStep> list, StepKind kind, string comp, string host, double? pct, TimeSpan? wait, string text) =>
            list.Add(new MigrationStep(list.Count + 1, kind, comp, host, pct, wait, text));
        foreach (var m in moves)
        {
            Step(steps, StepKind.Provision, m.Component, m.To, null, null, $"start a replica of {m.Component} on {m.To}");
            Step(steps, StepKind.HealthGate, m.Component, m.To, null, options.HealthGate, $"wait {Minutes(options.HealthGate)} for {m.Component} on {m.To} to be ready and healthy");
        }
        foreach (var pct in options.CanarySteps)
        {
            foreach (var m in moves)
            {
                var share = m.Kind == MoveKind.Move ? pct : pct / moves.Count(x => x.Component == m.Component);
                Step(steps, StepKind.ShiftTraffic, m.Component, m.To, pct,
                    null, m.Kind == MoveKind.Move
                        ? string.Create(CultureInfo.InvariantCulture, $"send {pct:0}% of {m.From}'s share of {m.Component} traffic to {m.To}")
                        : string.Create(CultureInfo.InvariantCulture, $"bring {m.To} to {share:0}% of a full replica's share of {m.Component} traffic"));
            }
            Step(steps, StepKind.HealthGate, string.Join(",", moves.Select(m => m.Component).Distinct()), string.Join(",", moves.Select(m => m.To)),
                null, options.HealthGate, string.Create(CultureInfo.InvariantCulture, $"at {pct:0}%: check error rate and latency for {Minutes(options.HealthGate)}; on failure roll back this phase"));
        }
        foreach (var m in moves.Where(m => m.Kind == MoveKind.Move))
        {
            Step(steps, StepKind.Standby, m.Component, m.From!, 0, options.Verification, $"keep {m.Component} on {m.From} on standby for {Minutes(options.Verification)}");
            Step(steps, StepKind.Decommission, m.Component, m.From!, null, null, $"decommission {m.Component} on {m.From} once {m.To} is verified");
        }
        foreach (var m in moves)
        {
            if (m.Kind == MoveKind.Move)
            {
                Step(rollback, StepKind.ShiftTraffic, m.Component, m.From!, 100, null, $"send {m.Component} traffic back to {m.From}");
            }
            Step(rollback, StepKind.Decommission, m.Component, m.To, null, null, $"remove the new replica of {m.Component} on {m.To}");
        }
        return new MigrationPhase(number, number == 1, moves, steps, rollback);
    }

    private static string Minutes(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0.#} min");
}
