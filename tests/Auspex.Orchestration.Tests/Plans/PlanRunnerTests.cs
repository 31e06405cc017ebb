using Auspex.Core.Series;
using Auspex.Orchestration.Execution;
using Auspex.Orchestration.Plans;
using Auspex.Storage;
using Auspex.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.Orchestration.Tests.Plans;

/// <summary>The plan runner on the real DuckDB state store with the simulated executor and injected faults.</summary>
public sealed class PlanRunnerTests : IDisposable
{
    private static readonly TenantId Tenant = TenantId.Default;
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = new(Fixtures.T0);
    private EmbeddedStore _store;

    public PlanRunnerTests() => _store = Open();

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    private EmbeddedStore Open() => AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("auspex.duckdb") });

    private static SimulatedExecutor Cluster()
    {
        var sim = new SimulatedExecutor();
        sim.Seed("web", "aws/standard", 2);
        sim.Seed("web", "aws/spot", 0);
        sim.Seed("api", "aws/standard", 3);
        sim.AddNode("n1");
        sim.AddNode("n2");
        return sim;
    }

    private static readonly HealthCheck Latency = new("web p99 latency", "http_latency_p99_seconds{service=\"web\"}", HealthAggregation.Max, 0.3, true, TimeSpan.FromMinutes(5));

    private static ExecutionPlan Plan(string id = "scale-1", params HealthCheck[] checks) => new(id, PlanKind.Scaling, "scale web and api ahead of the peak", "auspex:scaler", Fixtures.T0,
    [
        new("canary", true, [new ScaleStep("web", "aws/spot", 4), new GateStep(TimeSpan.FromMinutes(2), checks)]),
        new("rest", false, [new ScaleStep("web", "aws/standard", 3), new ScaleStep("api", "aws/standard", 5), new LabelStep("n1", "auspex.io/desirability", "80")]),
    ]);

    private IPlanRunner Runner(IExecutor executor, Action<PlanRunnerOptions>? configure = null)
    {
        var o = new PlanRunnerOptions();
        configure?.Invoke(o);
        return PlanRunner.Create(_store.State, executor, new SeriesHealthProbe(_store.Series), o, _clock);
    }

    private async Task<PlanState> DriveAsync(IPlanRunner runner, string id = "scale-1")
    {
        for (var i = 0; i < 100; i++)
        {
            var s = (await runner.AdvanceAsync(Tenant, id))!;
            if (s.IsTerminal)
            {
                return s;
            }
            _clock.Advance(TimeSpan.FromSeconds(30));
        }
        throw new InvalidOperationException("plan did not finish");
    }

    private async Task WriteLatencyAsync(double value)
    {
        await using var a = _store.Series.BeginAppend(Tenant);
        var key = new SeriesKey("http_latency_p99_seconds", Labels.Of("service", "web"));
        for (var i = 0; i < 20; i++)
        {
            a.Add(key, _clock.GetUtcNow() - TimeSpan.FromSeconds(15 * i), value);
        }
        Assert.True((await a.CommitAsync()).Ok);
    }

    private static void AssertInitial(SimulatedExecutor sim)
    {
        Assert.Equal(2, sim.Replicas("web", "aws/standard"));
        Assert.Equal(0, sim.Replicas("web", "aws/spot"));
        Assert.Equal(3, sim.Replicas("api", "aws/standard"));
        Assert.False(sim.GetNode("n1")!.Labels.ContainsKey("auspex.io/desirability"));
    }

    [Fact]
    public async Task Submit_DryRunsFirst_ChangesNothing_AndWaitsForApproval()
    {
        var sim = Cluster();
        var runner = Runner(sim);
        var r = await runner.SubmitAsync(Tenant, Plan(), "operator:alice");
        Assert.Equal(PlanCommandOutcome.Ok, r.Outcome);
        Assert.Equal(PlanStatus.AwaitingApproval, r.State!.Status);
        Assert.Equal("dry-run: would web on aws/spot 0 → 4 replicas", r.State.Steps[0].DryRun);
        Assert.Equal(0, sim.Changes);
        Assert.Equal(PlanStatus.AwaitingApproval, (await runner.AdvanceAsync(Tenant, "scale-1"))!.Status);
        Assert.Equal(0, sim.Changes);
        var audit = await _store.State.ReadAuditAsync(Tenant, 10);
        Assert.Contains(audit, a => a.Actor == "operator:alice" && a.Action == "plan.submit" && a.Target == "plan/scale-1");
    }

    [Fact]
    public async Task ApprovedPlan_RunsPhaseByPhase_PassesItsGate_AndSucceeds()
    {
        var sim = Cluster();
        var runner = Runner(sim);
        await runner.SubmitAsync(Tenant, Plan(checks: Latency), "auspex:scaler");
        await WriteLatencyAsync(0.12);
        Assert.Equal(PlanCommandOutcome.Ok, (await runner.ApproveAsync(Tenant, "scale-1", "operator:bob")).Outcome);
        var done = await DriveAsync(runner);
        Assert.Equal(PlanStatus.Succeeded, done.Status);
        Assert.Equal(4, sim.Replicas("web", "aws/spot"));
        Assert.Equal(3, sim.Replicas("web", "aws/standard"));
        Assert.Equal(5, sim.Replicas("api", "aws/standard"));
        Assert.Equal("80", sim.GetNode("n1")!.Labels["auspex.io/desirability"]);
        Assert.Equal(4, sim.Changes);
        Assert.Contains("holds", done.Steps[1].Detail, StringComparison.Ordinal);
        Assert.Equal("operator:bob", done.ApprovedBy);

        var audit = await _store.State.ReadAuditAsync(Tenant, 50);
        Assert.Contains(audit, a => a.Action == "plan.approve" && a.Actor == "operator:bob");
        Assert.Contains(audit, a => a.Action == "plan.gate-pass");
        Assert.Equal(4, audit.Count(a => a.Action == "plan.step"));
        Assert.Contains(audit, a => a.Action == "plan.succeed");

        // Idempotent submission; a different plan under the same id is refused.
        Assert.Equal(PlanCommandOutcome.Ok, (await runner.SubmitAsync(Tenant, Plan(checks: Latency), "x")).Outcome);
        Assert.Equal(PlanCommandOutcome.Conflict, (await runner.SubmitAsync(Tenant, Plan(), "x")).Outcome);
    }

    [Fact]
    public async Task Gate_SloBreach_RollsBackAutomatically_ToTheExactPriorState()
    {
        var sim = Cluster();
        var runner = Runner(sim, o => o.RequireApproval = false);
        await runner.SubmitAsync(Tenant, Plan(checks: Latency), "auspex:scaler");
        await WriteLatencyAsync(0.45);
        var done = await DriveAsync(runner);
        Assert.Equal(PlanStatus.RolledBack, done.Status);
        Assert.Contains("SLO breach at step 1.2 (canary)", done.Reason, StringComparison.Ordinal);
        Assert.Contains("0.45", done.Reason, StringComparison.Ordinal);
        AssertInitial(sim);
        Assert.Equal(StepState.Undone, done.Steps[0].State);
        Assert.All(done.Steps.Skip(2), s => Assert.Equal(StepState.Pending, s.State)); // the rest never ran
        var audit = await _store.State.ReadAuditAsync(Tenant, 50);
        Assert.Contains(audit, a => a.Action == "plan.slo-breach");
        Assert.Contains(audit, a => a.Action == "plan.rolled-back");
    }

    [Fact]
    public async Task Gate_NoData_FailsSafe()
    {
        var sim = Cluster();
        var runner = Runner(sim, o => o.RequireApproval = false);
        await runner.SubmitAsync(Tenant, Plan(checks: Latency), "auspex:scaler");
        var done = await DriveAsync(runner);
        Assert.Equal(PlanStatus.RolledBack, done.Status);
        Assert.Contains("no samples", done.Reason, StringComparison.Ordinal);
        AssertInitial(sim);
    }

    [Fact]
    public async Task FailingStep_IsRetried_ThenRollsBackEverythingBefore()
    {
        var sim = Cluster();
        var exec = new FaultyExecutor(sim, (s, n) => s is ScaleStep { Component: "api", Replicas: 5 } ? Fault.Fail : Fault.None);
        var runner = Runner(exec, o => o.RequireApproval = false);
        await runner.SubmitAsync(Tenant, Plan(), "auspex:scaler");
        var done = await DriveAsync(runner);
        Assert.Equal(PlanStatus.RolledBack, done.Status);
        Assert.Contains("step 2.2 (scale api on aws/standard to 5 replicas) failed after 3 attempt(s)", done.Reason, StringComparison.Ordinal);
        Assert.Equal(3, exec.Calls(new ScaleStep("api", "aws/standard", 5)));
        AssertInitial(sim);
    }

    [Fact]
    public async Task TransientFailureAndException_AreRetried_AndThePlanSucceeds()
    {
        var sim = Cluster();
        var exec = new FaultyExecutor(sim, (s, n) => (s, n) switch
        {
            (ScaleStep { Component: "api" }, 1) => Fault.Fail,
            (LabelStep, 1) => Fault.Throw,
            _ => Fault.None,
        });
        var runner = Runner(exec, o => o.RequireApproval = false);
        await runner.SubmitAsync(Tenant, Plan(), "auspex:scaler");
        var done = await DriveAsync(runner);
        Assert.Equal(PlanStatus.Succeeded, done.Status);
        Assert.Equal(2, done.Steps[3].Attempts);
        Assert.Equal(2, done.Steps[4].Attempts);
        Assert.Equal(5, sim.Replicas("api", "aws/standard"));
        Assert.Equal(4, sim.Changes);
    }

    [Fact]
    public async Task HangingStep_TimesOut_OnTheRunnersClock_AndRollsBack()
    {
        var sim = Cluster();
        var exec = new FaultyExecutor(sim, (s, n) => s is LabelStep { Value: "80" } ? Fault.Hang : Fault.None);
        var runner = Runner(exec, o => { o.RequireApproval = false; o.MaxAttempts = 1; });
        await runner.SubmitAsync(Tenant, Plan(), "auspex:scaler");
        PlanState s;
        do
        {
            s = (await runner.AdvanceAsync(Tenant, "scale-1"))!;
            _clock.Advance(TimeSpan.FromSeconds(30));
        }
        while (s.Steps[3].State != StepState.Done);
        var hung = runner.AdvanceAsync(Tenant, "scale-1");
        while (!hung.IsCompleted)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(10);
        }
        s = (await hung)!;
        Assert.Equal(PlanStatus.RollingBack, s.Status);
        Assert.Contains("timed out after 120s", s.Reason, StringComparison.Ordinal);
        Assert.Equal(PlanStatus.RolledBack, (await DriveAsync(runner)).Status);
        AssertInitial(sim);
    }

    [Theory]
    [InlineData(RecoveryPolicy.Resume)]
    [InlineData(RecoveryPolicy.RollBack)]
    public async Task CrashMidStep_NewRunnerOnTheSameStore_ResumesOrRollsBack_WithNothingLostOrDoneTwice(RecoveryPolicy policy)
    {
        var sim = Cluster(); // the cluster outlives the process
        using var process = new CancellationTokenSource();
        var crashing = new FaultyExecutor(sim, (s, n) => s is ScaleStep { Component: "api" } ? Fault.CrashAfterApply : Fault.None, process);
        var runner1 = Runner(crashing, o => { o.RequireApproval = false; o.Recovery = policy; });
        await runner1.SubmitAsync(Tenant, Plan(), "auspex:scaler");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await runner1.AdvanceAsync(Tenant, "scale-1", process.Token);
                _clock.Advance(TimeSpan.FromSeconds(30));
            }
        });
        Assert.Equal(5, sim.Replicas("api", "aws/standard")); // the change was made before the "crash"
        var changesBeforeCrash = sim.Changes;
        Assert.Equal(3, changesBeforeCrash);

        // The process dies: the store is closed and reopened from its file, and a new runner starts.
        _store.Dispose();
        _store = Open();
        var exec2 = new FaultyExecutor(sim, (_, _) => Fault.None);
        var runner2 = Runner(exec2, o => { o.RequireApproval = false; o.Recovery = policy; });
        var found = Assert.Single(await runner2.RecoverAsync(Tenant));
        var interrupted = found.Steps[3];
        Assert.Equal(StepState.Running, interrupted.State);
        Assert.Equal(new ScaleStep("api", "aws/standard", 3), interrupted.Undo); // saved before the step ran

        var done = await DriveAsync(runner2);
        var audit = await _store.State.ReadAuditAsync(Tenant, 100);
        Assert.Contains(audit, a => a.Action == "plan.recover");
        if (policy == RecoveryPolicy.Resume)
        {
            Assert.Equal(PlanStatus.Succeeded, done.Status);
            Assert.StartsWith("already in state", done.Steps[3].Detail!.Split(": ", 2)[1], StringComparison.Ordinal);
            Assert.Equal(2, done.Steps[3].Attempts);
            Assert.Equal(4, sim.Changes); // 4 mutating steps, each applied exactly once
            Assert.Equal(5, sim.Replicas("api", "aws/standard"));
            Assert.Equal("80", sim.GetNode("n1")!.Labels["auspex.io/desirability"]);
        }
        else
        {
            Assert.Equal(PlanStatus.RolledBack, done.Status);
            Assert.Contains("interrupted during step 2.2", done.Reason, StringComparison.Ordinal);
            AssertInitial(sim);
            Assert.Equal(6, sim.Changes); // 3 applied + 3 undone, nothing twice
            Assert.Equal(0, exec2.Calls(new LabelStep("n1", "auspex.io/desirability", "80")));
        }
    }

    [Fact]
    public async Task CrashDuringRollback_IsContinuedByTheNextRunner()
    {
        var sim = Cluster();
        using var process = new CancellationTokenSource();
        var exec = new FaultyExecutor(sim, (s, n) => s switch
        {
            LabelStep { Value: "80" } => Fault.Fail,
            ScaleStep { Component: "web", Tier: "aws/standard", Replicas: 2 } => Fault.CrashAfterApply, // the undo of step 2.1
            _ => Fault.None,
        }, process);
        var runner1 = Runner(exec, o => { o.RequireApproval = false; o.MaxAttempts = 1; });
        await runner1.SubmitAsync(Tenant, Plan(), "auspex:scaler");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            for (var i = 0; i < 30; i++)
            {
                await runner1.AdvanceAsync(Tenant, "scale-1", process.Token);
                _clock.Advance(TimeSpan.FromSeconds(30));
            }
        });
        _store.Dispose();
        _store = Open();
        var runner2 = Runner(sim, o => o.RequireApproval = false);
        Assert.Equal(PlanStatus.RollingBack, Assert.Single(await runner2.RecoverAsync(Tenant)).Status);
        var done = await DriveAsync(runner2);
        Assert.Equal(PlanStatus.RolledBack, done.Status);
        AssertInitial(sim);
    }

    [Fact]
    public async Task Commands_CheckTheState_AndUnknownIdsAreNotFound()
    {
        var sim = Cluster();
        var runner = Runner(sim);
        Assert.Equal(PlanCommandOutcome.NotFound, (await runner.ApproveAsync(Tenant, "nope", "op")).Outcome);
        Assert.Null(await runner.GetAsync(Tenant, "nope"));
        await runner.SubmitAsync(Tenant, Plan("a"), "op");
        Assert.Equal(PlanCommandOutcome.Conflict, (await runner.RollbackAsync(Tenant, "a", "op")).Outcome);
        var rejected = await runner.RejectAsync(Tenant, "a", "operator:carol", "not during the sale");
        Assert.Equal(PlanStatus.Rejected, rejected.State!.Status);
        Assert.Equal("rejected by operator:carol: not during the sale", rejected.State.Reason);
        Assert.Equal(PlanCommandOutcome.Conflict, (await runner.ApproveAsync(Tenant, "a", "op")).Outcome);

        await runner.SubmitAsync(Tenant, Plan("b"), "op");
        await runner.ApproveAsync(Tenant, "b", "op");
        Assert.Equal(PlanStatus.Succeeded, (await DriveAsync(runner, "b")).Status);
        Assert.Equal(PlanCommandOutcome.Ok, (await runner.RollbackAsync(Tenant, "b", "operator:dave")).Outcome);
        Assert.Equal(PlanStatus.RolledBack, (await DriveAsync(runner, "b")).Status);
        AssertInitial(sim);
        var list = await runner.ListAsync(Tenant);
        Assert.Equal(["a", "b"], list.Select(p => p.Plan.Id).Order());
    }

    [Fact]
    public async Task Submit_InvalidPlan_IsRefusedWithEveryProblem()
    {
        var runner = Runner(Cluster());
        var bad = new ExecutionPlan("bad id!", PlanKind.Custom, "t", "op", Fixtures.T0,
            [new("p", false, [new ScaleStep("web", "", -1), new TrafficStep("web", "n1", 140), new GateStep(TimeSpan.FromMinutes(1), [Latency with { Selector = "{" }])])]);
        var r = await runner.SubmitAsync(Tenant, bad, "op");
        Assert.Equal(PlanCommandOutcome.Invalid, r.Outcome);
        Assert.Contains("plan id 'bad id!'", r.Message, StringComparison.Ordinal);
        Assert.Contains("phase 1 (p) step 1: a count must be ≥ 0", r.Message, StringComparison.Ordinal);
        Assert.Contains("step 2: traffic percent", r.Message, StringComparison.Ordinal);
        Assert.Contains("step 3: check selector", r.Message, StringComparison.Ordinal);
        var empty = await runner.SubmitAsync(Tenant, new ExecutionPlan("e", PlanKind.Custom, "t", "op", Fixtures.T0, []), "op");
        Assert.Contains("has no steps", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanJson_RoundTrips_AndReportsMalformedInputWithItsPath()
    {
        var plan = Plan(checks: Latency);
        var (back, error) = PlanJson.Read(PlanJson.Write(plan));
        Assert.Null(error);
        Assert.Equal(PlanJson.Write(plan), PlanJson.Write(back!));
        Assert.Contains("\"kind\":\"scale\"", PlanJson.Write(plan), StringComparison.Ordinal);

        var (none, err) = PlanJson.Read("""{"id":"x","kind":"scaling","title":"t","createdBy":"c","createdAt":"2026-01-01T00:00:00Z","phases":[{"name":"p","isCanary":false,"steps":[{"kind":"explode"}]}]}""");
        Assert.Null(none);
        Assert.Contains("$.phases[0].steps[0]", err, StringComparison.Ordinal);
        Assert.Contains("line", PlanJson.Read("{ not json").Error, StringComparison.Ordinal);
        Assert.NotNull(PlanJson.Read("""{"id":"x"}""").Error);
    }
}
