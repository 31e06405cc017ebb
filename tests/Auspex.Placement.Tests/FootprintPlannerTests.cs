using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Core.Topology;
using Auspex.Placement.Footprints;
using Auspex.Placement.Selection;
using static Auspex.Placement.Tests.Fixtures;
using static Auspex.Testing.Builders;

namespace Auspex.Placement.Tests;

public sealed class FootprintPlannerTests
{
    private static readonly LocalityScore[] Z2Risky =
    [
        new("z1", T0, 0.9, new Dictionary<string, ScorePart>()),
        new("z2", T0, 0.2, new Dictionary<string, ScorePart>()),
    ];

    private static Component C(string id, params string[] hosts) =>
        new(id, id, ResourceVector.Of((ResourceKind.Cpu, 1), (ResourceKind.Memory, GiB)), hosts.Length, hosts, []);

    private static FootprintAssessment Assess(Topology t, IReadOnlyList<ComponentHealth>? health = null, FootprintOptions? o = null) =>
        FootprintPlanning.Create(LocalitySelection.Create(new PlacementOptions { Steering = SteeringMode.Greedy }), o)
            .Assess(Snapshot(t, scores: Z2Risky), health ?? []);

    [Fact]
    public void Assess_ReplicaOnRiskyZone_MovesToASafeHostWithCanaryAndRollback()
    {
        var t = Grid(components: [C("db", "h111", "h211"), C("web", "h112", "h122")], edges: [new DependencyEdge("web", "db", 50, 5e4)]);
        var a = Assess(t);
        Assert.True(a.ActionRequired);
        var move = Assert.Single(a.Plan!.Moves);
        Assert.Equal((MoveKind.Move, "db", "h211"), (move.Kind, move.Component, move.From));
        Assert.StartsWith("h1", move.To, StringComparison.Ordinal);
        Assert.NotEqual("h111", move.To);
        Assert.Equal(20, move.Hps, 9);
        Assert.Equal(0.5, a.Components.Single(c => c.Component == "db").Discrepancy);
        var phase = Assert.Single(a.Plan.Phases);
        Assert.True(phase.IsCanary);
        Assert.Equal(
            [StepKind.Provision, StepKind.HealthGate, StepKind.ShiftTraffic, StepKind.HealthGate, StepKind.ShiftTraffic, StepKind.HealthGate, StepKind.ShiftTraffic, StepKind.HealthGate, StepKind.Standby, StepKind.Decommission],
            phase.Steps.Select(s => s.Kind).ToArray());
        Assert.Equal([10.0, 50.0, 100.0], phase.Steps.Where(s => s.Kind == StepKind.ShiftTraffic).Select(s => s.TrafficPercent!.Value).ToArray());
        Assert.Equal("h211", phase.Steps[^1].Host);
        Assert.Equal([StepKind.ShiftTraffic, StepKind.Decommission], phase.Rollback.Select(s => s.Kind).ToArray());
        Assert.Equal(["h111", move.To], a.Desired.Replicas["db"]);
    }

    [Fact]
    public void Assess_FullRiskTolerance_NeverMoves()
    {
        var t = Grid(components: [C("db", "h111", "h211")], policy: Policy.Default with { RiskTolerance = 1 });
        var a = Assess(t);
        Assert.False(a.ActionRequired);
        Assert.Equal(0, a.Discrepancy);
    }

    [Fact]
    public void Assess_LowComponentHealth_ScalesUpInASafePlace()
    {
        var t = Grid(components: [C("api", "h111")]);
        var a = Assess(t, [new ComponentHealth("api", 10)]);
        var up = Assert.Single(a.Plan!.Moves);
        Assert.Equal(MoveKind.ScaleUp, up.Kind);
        Assert.Null(up.From);
        Assert.StartsWith("h1", up.To, StringComparison.Ordinal);
        Assert.DoesNotContain(a.Plan.Phases[0].Steps, s => s.Kind == StepKind.Decommission);
    }

    [Fact]
    public void Assess_MovesOrderedByLowestHealthThenImpactAndPhasedRolling()
    {
        var t = Grid(
            components: [C("a", "h211"), C("b", "h212", "h221"), C("c", "h222")],
            edges: [new DependencyEdge("a", "b", 1, 1), new DependencyEdge("c", "b", 1, 1)]);
        var a = Assess(t, [new ComponentHealth("c", 5)], new FootprintOptions { MovesPerPhase = 2 });
        var order = a.Plan!.Moves.Select(m => (m.Component, m.Kind)).ToArray();
        // c is sickest (5): its move and scale-up come first; then b (impact 3/2) before a (impact 2/1)? a's impact is 2, b's 1.5.
        Assert.Equal("c", order[0].Component);
        Assert.True(a.Plan.Phases[0].IsCanary);
        Assert.Single(a.Plan.Phases[0].Moves);
        Assert.All(a.Plan.Phases, p => Assert.Equal(p.Moves.Count, p.Moves.Select(m => m.Component).Distinct().Count()));
        Assert.Equal(a.Plan.Moves.Count, a.Plan.Phases.Sum(p => p.Moves.Count));
        var afterC = a.Plan.Moves.Where(m => m.Component != "c").Select(m => m.Component).ToArray();
        Assert.Equal(["a", "b", "b"], afterC);
    }

    [Fact]
    public void Assess_SmallDiscrepancyUnderThreshold_MakesNoPlan()
    {
        var comps = Enumerable.Range(0, 30).Select(i => C($"s{i}", "h111")).Append(C("risky", "h211")).ToArray();
        var t = Grid(components: comps);
        var a = Assess(t, o: new FootprintOptions { DiscrepancyThreshold = 0.1 });
        Assert.InRange(a.Discrepancy, 0.001, 0.1);
        Assert.False(a.ActionRequired);
        Assert.Equal("risky", a.Components[0].Component);
    }

    [Fact]
    public void Assess_NoSafeHostFits_KeepsTheReplicaAndSaysWhy()
    {
        var big = new Component("big", "big", ResourceVector.Of((ResourceKind.Cpu, 4), (ResourceKind.Memory, GiB)), 1, ["h211"], []);
        var filler = new Component("fill", "fill", ResourceVector.Of((ResourceKind.Cpu, 1)), 4, ["h111", "h112", "h121", "h122"], []);
        var a = Assess(Grid(components: [big, filler]));
        Assert.Contains(a.Notes, n => n.Contains("no safe host fits", StringComparison.Ordinal));
        Assert.Equal(["h211"], a.Desired.Replicas["big"]);
    }
}
