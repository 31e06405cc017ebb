using Auspex.Orchestration.Execution;

namespace Auspex.Orchestration.Tests.Execution;

public sealed class SimulatedExecutorTests
{
    [Fact]
    public async Task Scale_IsIdempotent_AndReturnsItsUndo()
    {
        var sim = new SimulatedExecutor();
        sim.Seed("web", "aws/standard", 3);
        var step = new ScaleStep("web", "aws/standard", 5);

        var dry = await sim.ExecuteAsync(step, dryRun: true);
        Assert.Equal(StepStatus.DryRun, dry.Status);
        Assert.Equal(3, sim.Replicas("web", "aws/standard"));

        var first = await sim.ExecuteAsync(step, dryRun: false);
        Assert.Equal(StepStatus.Applied, first.Status);
        Assert.Equal(step with { Replicas = 3 }, first.Undo);
        var again = await sim.ExecuteAsync(step, dryRun: false);
        Assert.Equal(StepStatus.AlreadyInState, again.Status);
        Assert.Equal(5, sim.Replicas("web", "aws/standard"));
        Assert.Equal(1, sim.Changes);

        await sim.ExecuteAsync(first.Undo!, dryRun: false);
        Assert.Equal(3, sim.Replicas("web", "aws/standard"));
    }

    [Fact]
    public async Task NodeSteps_CordonDrainLabelTaint_UndoRestoresThePriorState()
    {
        var sim = new SimulatedExecutor();
        sim.AddNode("n1");
        sim.AddNode("n2");
        sim.SeedPlacement("web", ["n1", "n2"]);

        var label = await sim.ExecuteAsync(new LabelStep("n1", "auspex.io/desirability", "82"), false);
        Assert.Equal("82", sim.GetNode("n1")!.Labels["auspex.io/desirability"]);
        var taint = await sim.ExecuteAsync(new TaintStep("n1", "auspex.io/at-risk", "true", "PreferNoSchedule", true), false);
        Assert.Equal(["auspex.io/at-risk=true:PreferNoSchedule"], sim.GetNode("n1")!.Taints);
        var drain = await sim.ExecuteAsync(new DrainStep("n1"), false);
        Assert.True(sim.GetNode("n1")!.Unschedulable);
        Assert.Equal(["n2"], sim.Placement("web"));
        Assert.Equal(StepStatus.AlreadyInState, (await sim.ExecuteAsync(new DrainStep("n1"), false)).Status);

        foreach (var undo in new[] { drain.Undo, taint.Undo, label.Undo })
        {
            Assert.True((await sim.ExecuteAsync(undo!, false)).Succeeded);
        }
        var n1 = sim.GetNode("n1")!;
        Assert.False(n1.Unschedulable);
        Assert.Empty(n1.Taints);
        Assert.False(n1.Labels.ContainsKey("auspex.io/desirability"));
    }

    [Fact]
    public async Task Move_RefusesACordonedDestination_AndUnknownNodesFail()
    {
        var sim = new SimulatedExecutor();
        sim.AddNode("n1");
        sim.AddNode("n2");
        sim.SeedPlacement("db", ["n1"]);
        await sim.ExecuteAsync(new CordonStep("n2", true), false);
        var refused = await sim.ExecuteAsync(new MoveStep("db", "n1", "n2"), false);
        Assert.Equal(StepStatus.Failed, refused.Status);
        Assert.Contains("cordoned", refused.Detail, StringComparison.Ordinal);
        await sim.ExecuteAsync(new CordonStep("n2", false), false);
        var moved = await sim.ExecuteAsync(new MoveStep("db", "n1", "n2"), false);
        Assert.Equal(StepStatus.Applied, moved.Status);
        Assert.Equal(["n2"], sim.Placement("db"));
        Assert.Equal(StepStatus.AlreadyInState, (await sim.ExecuteAsync(new MoveStep("db", "n1", "n2"), false)).Status);

        var missing = await sim.ExecuteAsync(new CordonStep("ghost", true), false);
        Assert.Equal(StepStatus.Failed, missing.Status);
        Assert.Contains("ghost", missing.Detail, StringComparison.Ordinal);
    }
}
