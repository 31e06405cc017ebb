using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Core.Topology;
using Auspex.Placement.Footprints;
using Auspex.Placement.Selection;
using static Auspex.Placement.Tests.Fixtures;
using static Auspex.Testing.Builders;

namespace Auspex.Placement.Tests;

public sealed class MigrationPlanJsonTests
{
    private static MigrationPlan Plan()
    {
        var scores = new LocalityScore[]
        {
            new("z1", T0, 0.9, new Dictionary<string, ScorePart>()),
            new("z2", T0, 0.2, new Dictionary<string, ScorePart>()),
        };
        Component C(string id, params string[] hosts) =>
            new(id, id, ResourceVector.Of((ResourceKind.Cpu, 1), (ResourceKind.Memory, GiB)), hosts.Length, hosts, []);
        var t = Grid(components: [C("db", "h111", "h211"), C("web", "h212", "h122"), C("api", "h221")]);
        var a = FootprintPlanning.Create(LocalitySelection.Create(new PlacementOptions { Steering = SteeringMode.Greedy }))
            .Assess(Snapshot(t, scores: scores), []);
        return a.Plan!;
    }

    [Fact]
    public void WriteThenRead_RoundTripsEveryPhaseStepAndTheId()
    {
        var plan = Plan();
        Assert.True(plan.Phases.Count >= 2);
        var json = MigrationPlanJson.Write(plan);
        var back = Assert.IsType<MigrationPlanRead.Ok>(MigrationPlanJson.Read(json)).Plan;
        Assert.Equal(plan.Id, back.Id);
        Assert.Equal(plan.CreatedAt, back.CreatedAt);
        Assert.Equal(plan.Moves, back.Moves);
        Assert.Equal(plan.AllSteps().Select(s => s.Step), back.AllSteps().Select(s => s.Step));
        Assert.Equal(plan.Phases.SelectMany(p => p.Rollback), back.Phases.SelectMany(p => p.Rollback));
        Assert.Contains("\"kind\": \"shiftTraffic\"", json, StringComparison.Ordinal);
        Assert.Contains("\"format\": \"auspex.migration-plan/v1\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Id_IsStableAndDependsOnTheMoves()
    {
        var plan = Plan();
        Assert.Equal(plan.Id, Plan().Id);
        Assert.Matches("^mp-[0-9a-f]{12}$", plan.Id);
        Assert.NotEqual(plan.Id, (plan with { Moves = plan.Moves.Skip(1).ToList() }).Id);
    }

    [Theory]
    [InlineData("", "not a migration plan")]
    [InlineData("[1,2]", "not a migration plan")]
    [InlineData("null", "the document is null")]
    [InlineData("{\"format\":\"other\",\"id\":\"x\",\"plan\":{\"createdAt\":\"2026-01-01T00:00:00Z\",\"phases\":[],\"moves\":[]}}", "format is 'other'")]
    [InlineData("{\"format\":\"auspex.migration-plan/v1\",\"id\":\"x\"}", "not a migration plan")]
    public void Read_Malformed_IsInvalidWithTheReason(string json, string expected)
    {
        var bad = Assert.IsType<MigrationPlanRead.Invalid>(MigrationPlanJson.Read(json));
        Assert.Contains(expected, bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EditedMoves_IsRefusedByTheId()
    {
        var json = MigrationPlanJson.Write(Plan()).Replace("\"to\": \"h1", "\"to\": \"hX", StringComparison.Ordinal);
        var bad = Assert.IsType<MigrationPlanRead.Invalid>(MigrationPlanJson.Read(json));
        Assert.Contains("does not match its moves", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_StepOutOfOrderOrBadTraffic_NamesThePath()
    {
        var json = MigrationPlanJson.Write(Plan());
        var bad = Assert.IsType<MigrationPlanRead.Invalid>(MigrationPlanJson.Read(json.Replace("\"trafficPercent\": 50", "\"trafficPercent\": 150", StringComparison.Ordinal)));
        Assert.Contains("trafficPercent: 150 is outside", bad.Error, StringComparison.Ordinal);
        Assert.Contains("$.plan.phases[0].steps[", bad.Error, StringComparison.Ordinal);
    }
}
