using Auspex.Kubernetes.Execution;
using Auspex.Orchestration.Execution;

namespace Auspex.Kubernetes.Tests.Execution;

/// <summary>
/// The Kubernetes executor through the official KubernetesClient against <see cref="FakeKubeApi"/>: an in-process
/// HTTP server speaking the real REST paths and JSON shapes. No cluster can run on this machine, so these tests show
/// the requests and their handling, not behaviour of a real API server (admission, PDB timing, controllers).
/// </summary>
public sealed class KubernetesExecutorTests : IDisposable
{
    private readonly FakeKubeApi _api = new();
    private readonly IExecutor _executor;

    public KubernetesExecutorTests()
    {
        _api.AddDeployment("shop", "web-aws-spot", 2);
        _api.AddNode("n1");
        _api.AddPod("shop", "web-1", "n1");
        _api.AddPod("shop", "web-2", "n1");
        _api.AddPod("kube-system", "node-exporter-x", "n1", "DaemonSet");
        _executor = KubernetesExecution.Create(new KubernetesExecutorOptions { Server = _api.Url, Namespace = "shop" });
    }

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Scale_PatchesTheScaleSubresource_IsIdempotent_AndUndoes()
    {
        var step = new ScaleStep("web", "aws/spot", 5);
        var dry = await _executor.ExecuteAsync(step, dryRun: true);
        Assert.Equal(StepStatus.DryRun, dry.Status);
        Assert.Equal(2, _api.Get("/apis/apps/v1/namespaces/shop/deployments/web-aws-spot")!["spec"]!["replicas"]!.GetValue<int>());

        var applied = await _executor.ExecuteAsync(step, dryRun: false);
        Assert.Equal(StepStatus.Applied, applied.Status);
        Assert.Equal("scaled deployment shop/web-aws-spot 2 → 5 replicas", applied.Detail);
        Assert.Equal(5, _api.Get("/apis/apps/v1/namespaces/shop/deployments/web-aws-spot")!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Contains("PATCH /apis/apps/v1/namespaces/shop/deployments/web-aws-spot/scale", _api.Requests);
        Assert.Equal(StepStatus.AlreadyInState, (await _executor.ExecuteAsync(step, false)).Status);
        await _executor.ExecuteAsync(applied.Undo!, false);
        Assert.Equal(2, _api.Get("/apis/apps/v1/namespaces/shop/deployments/web-aws-spot")!["spec"]!["replicas"]!.GetValue<int>());

        var missing = await _executor.ExecuteAsync(new ScaleStep("db", "aws/spot", 1), false);
        Assert.Equal(StepStatus.Failed, missing.Status);
        Assert.Contains("no Deployment or StatefulSet shop/db-aws-spot", missing.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeSteps_LabelTaintCordonDrain_PatchTheNode_AndEvictOnlyNonDaemonSetPods()
    {
        var label = await _executor.ExecuteAsync(new LabelStep("n1", "auspex.io/desirability", "82"), false);
        Assert.Equal(StepStatus.Applied, label.Status);
        Assert.Equal("82", _api.Get("/api/v1/nodes/n1")!["metadata"]!["labels"]!["auspex.io/desirability"]!.GetValue<string>());
        await _executor.ExecuteAsync(label.Undo!, false);
        Assert.Null(_api.Get("/api/v1/nodes/n1")!["metadata"]!["labels"]!["auspex.io/desirability"]);

        var taint = await _executor.ExecuteAsync(new TaintStep("n1", "auspex.io/at-risk", "true", "PreferNoSchedule", true), false);
        Assert.Equal(StepStatus.Applied, taint.Status);
        var taints = _api.Get("/api/v1/nodes/n1")!["spec"]!["taints"]!.AsArray();
        Assert.Equal(2, taints.Count); // the existing dedicated=db taint is kept
        await _executor.ExecuteAsync(taint.Undo!, false);
        Assert.Single(_api.Get("/api/v1/nodes/n1")!["spec"]!["taints"]!.AsArray());

        var drainDry = await _executor.ExecuteAsync(new DrainStep("n1"), true);
        Assert.Contains("evict 2 pod(s): shop/web-1, shop/web-2", drainDry.Detail, StringComparison.Ordinal);
        var drain = await _executor.ExecuteAsync(new DrainStep("n1"), false);
        Assert.Equal(StepStatus.Applied, drain.Status);
        Assert.True(_api.Get("/api/v1/nodes/n1")!["spec"]!["unschedulable"]!.GetValue<bool>());
        Assert.Null(_api.Get("/api/v1/namespaces/shop/pods/web-1"));
        Assert.NotNull(_api.Get("/api/v1/namespaces/kube-system/pods/node-exporter-x"));
        Assert.Contains("POST /api/v1/namespaces/shop/pods/web-2/eviction", _api.Requests);
        Assert.Equal(StepStatus.AlreadyInState, (await _executor.ExecuteAsync(new DrainStep("n1"), false)).Status);
        Assert.Equal(new CordonStep("n1", false), drain.Undo);
    }

    [Fact]
    public async Task Drain_RefusedByADisruptionBudget_FailsNamingThePod_AndUnknownNodesFail()
    {
        _api.EvictionAnswers["web-2"] = 429;
        var drain = await _executor.ExecuteAsync(new DrainStep("n1"), false);
        Assert.Equal(StepStatus.Failed, drain.Status);
        Assert.Contains("shop/web-2 (PodDisruptionBudget)", drain.Detail, StringComparison.Ordinal);
        var ghost = await _executor.ExecuteAsync(new CordonStep("ghost", true), false);
        Assert.Equal(StepStatus.Failed, ghost.Status);
        Assert.Contains("nodes \"ghost\" not found", ghost.Detail, StringComparison.Ordinal);
        Assert.Equal(StepStatus.Unsupported, (await _executor.ExecuteAsync(new PoolSizeStep("aws/spot", 3), false)).Status);
    }

    [Fact]
    public async Task Affinity_ReplacesThePreferredNodeAffinityTerms()
    {
        _api.AddDeployment("shop", "web", 3);
        var step = new AffinityStep("web", [new AffinityTerm("auspex.io/desirability-band", ["high"], 80)]);
        var r = await _executor.ExecuteAsync(step, false);
        Assert.Equal(StepStatus.Applied, r.Status);
        var pref = _api.Get("/apis/apps/v1/namespaces/shop/deployments/web")!["spec"]!["template"]!["spec"]!["affinity"]!["nodeAffinity"]!["preferredDuringSchedulingIgnoredDuringExecution"]!.AsArray();
        Assert.Equal(80, pref[0]!["weight"]!.GetValue<int>());
        Assert.Equal("high", pref[0]!["preference"]!["matchExpressions"]![0]!["values"]![0]!.GetValue<string>());
        Assert.Equal(StepStatus.AlreadyInState, (await _executor.ExecuteAsync(step, false)).Status);
        Assert.Empty(Assert.IsType<AffinityStep>(r.Undo).Terms);
    }

    [Fact]
    public void Create_InvalidOptions_ListsThem()
    {
        var ex = Assert.Throws<ArgumentException>(() => KubernetesExecution.Create(new KubernetesExecutorOptions { Namespace = "", WorkloadName = "x", MaxEvictionsPerDrain = 0 }));
        Assert.Contains("namespace", ex.Message, StringComparison.Ordinal);
        Assert.Contains("{component}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("max_evictions", ex.Message, StringComparison.Ordinal);
    }
}
