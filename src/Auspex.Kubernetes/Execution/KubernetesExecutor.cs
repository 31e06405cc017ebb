using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Auspex.Orchestration.Execution;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Auspex.Kubernetes.Execution;

/// <summary>Creates Kubernetes executors.</summary>
public static class KubernetesExecution
{
    /// <summary>
    /// An executor on the cluster <paramref name="options"/> name (or the given client): scale Deployments and
    /// StatefulSets, cordon and drain nodes, label and taint nodes, patch preferred node affinity. Throws
    /// <see cref="ArgumentException"/> listing invalid options.
    /// </summary>
    public static IExecutor Create(KubernetesExecutorOptions options, IKubernetes? client = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid Kubernetes executor options: " + string.Join("; ", errors), nameof(options));
        }
        if (client is null)
        {
            var config = options.Server is { } server ? new KubernetesClientConfiguration { Host = server.ToString() }
                : KubernetesClientConfiguration.IsInCluster() ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile();
            client = new k8s.Kubernetes(config);
        }
        return new KubernetesExecutor(client, options);
    }
}

/// <summary>
/// The Kubernetes executor. Every step reads the object first: the current state decides AlreadyInState and the undo;
/// dry runs only read. Writes are JSON merge patches (RFC 7386) on the scale subresource, the node and the workload.
/// API errors come back as Failed results naming the object and the API's message.
/// </summary>
internal sealed class KubernetesExecutor(IKubernetes client, KubernetesExecutorOptions options) : IExecutor
{
    public string Name => "kubernetes";

    public async Task<StepResult> ExecuteAsync(ExecutionStep step, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        try
        {
            return step switch
            {
                ScaleStep s => await ScaleAsync(s, dryRun, cancellationToken).ConfigureAwait(false),
                CordonStep c => await CordonAsync(c, dryRun, cancellationToken).ConfigureAwait(false),
                DrainStep d => await DrainAsync(d, dryRun, cancellationToken).ConfigureAwait(false),
                LabelStep l => await LabelAsync(l, dryRun, cancellationToken).ConfigureAwait(false),
                TaintStep t => await TaintAsync(t, dryRun, cancellationToken).ConfigureAwait(false),
                AffinityStep a => await AffinityAsync(a, dryRun, cancellationToken).ConfigureAwait(false),
                _ => new StepResult(StepStatus.Unsupported, $"the Kubernetes executor does not run {step.GetType().Name} steps ({step.Describe()}); use the simulated, IaC or webhook executor"),
            };
        }
        catch (HttpOperationException e)
        {
            var message = e.Response?.Content is { Length: > 0 } body && TryStatusMessage(body) is { } m ? m : e.Message;
            return new StepResult(StepStatus.Failed, $"{step.Describe()}: Kubernetes API answered {(int?)e.Response?.StatusCode} {e.Response?.StatusCode}: {message}");
        }
        catch (HttpRequestException e)
        {
            return new StepResult(StepStatus.Failed, $"{step.Describe()}: cannot reach the Kubernetes API: {e.Message}");
        }
    }

    private string Workload(ScaleStep s) => (s.Tier.Length == 0 ? options.WorkloadName.Replace("-{tier}", "", StringComparison.Ordinal) : options.WorkloadName)
        .Replace("{component}", s.Component, StringComparison.Ordinal)
        .Replace("{tier}", s.Tier.Replace('/', '-'), StringComparison.Ordinal);

    private async Task<StepResult> ScaleAsync(ScaleStep s, bool dryRun, CancellationToken ct)
    {
        if (s.Replicas < 0)
        {
            return new(StepStatus.Failed, $"{s.Describe()}: replicas must be ≥ 0");
        }
        var name = Workload(s);
        var ns = options.Namespace;
        var kind = "deployment";
        V1Scale scale;
        try
        {
            scale = await client.AppsV1.ReadNamespacedDeploymentScaleAsync(name, ns, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            kind = "statefulset";
            try
            {
                scale = await client.AppsV1.ReadNamespacedStatefulSetScaleAsync(name, ns, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (HttpOperationException e2) when (e2.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                return new(StepStatus.Failed, $"{s.Describe()}: no Deployment or StatefulSet {ns}/{name}");
            }
        }
        var now = scale.Spec?.Replicas ?? 0;
        var what = $"{kind} {ns}/{name} {now} → {s.Replicas} replicas";
        if (now == s.Replicas)
        {
            return new(StepStatus.AlreadyInState, $"{kind} {ns}/{name} already has {now} replicas");
        }
        var undo = s with { Replicas = now };
        if (dryRun)
        {
            return new(StepStatus.DryRun, "would scale " + what, undo);
        }
        var patch = new V1Patch($"{{\"spec\":{{\"replicas\":{s.Replicas.ToString(CultureInfo.InvariantCulture)}}}}}", V1Patch.PatchType.MergePatch);
        if (kind == "deployment")
        {
            await client.AppsV1.PatchNamespacedDeploymentScaleAsync(patch, name, ns, cancellationToken: ct).ConfigureAwait(false);
        }
        else
        {
            await client.AppsV1.PatchNamespacedStatefulSetScaleAsync(patch, name, ns, cancellationToken: ct).ConfigureAwait(false);
        }
        return new(StepStatus.Applied, "scaled " + what, undo);
    }

    private async Task<StepResult> CordonAsync(CordonStep c, bool dryRun, CancellationToken ct)
    {
        var node = await client.CoreV1.ReadNodeAsync(c.Node, cancellationToken: ct).ConfigureAwait(false);
        var now = node.Spec?.Unschedulable ?? false;
        if (now == c.Unschedulable)
        {
            return new(StepStatus.AlreadyInState, $"node {c.Node} is already {(now ? "cordoned" : "schedulable")}");
        }
        if (dryRun)
        {
            return new(StepStatus.DryRun, "would " + c.Describe(), c with { Unschedulable = now });
        }
        await PatchNodeAsync(c.Node, new JsonObject { ["spec"] = new JsonObject { ["unschedulable"] = c.Unschedulable } }, ct).ConfigureAwait(false);
        return new(StepStatus.Applied, c.Describe(), c with { Unschedulable = now });
    }

    private async Task<StepResult> DrainAsync(DrainStep d, bool dryRun, CancellationToken ct)
    {
        var node = await client.CoreV1.ReadNodeAsync(d.Node, cancellationToken: ct).ConfigureAwait(false);
        var cordoned = node.Spec?.Unschedulable ?? false;
        var pods = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=" + d.Node, cancellationToken: ct).ConfigureAwait(false);
        var evictable = pods.Items.Where(p => !(p.Metadata.OwnerReferences?.Any(o => o.Kind == "DaemonSet") ?? false)
            && !(p.Metadata.Annotations?.ContainsKey("kubernetes.io/config.mirror") ?? false)
            && p.Status?.Phase is not ("Succeeded" or "Failed")).ToList();
        ExecutionStep? undo = cordoned ? null : new CordonStep(d.Node, false);
        if (cordoned && evictable.Count == 0)
        {
            return new(StepStatus.AlreadyInState, $"node {d.Node} is cordoned and has no pods to evict");
        }
        var names = string.Join(", ", evictable.Take(10).Select(p => p.Metadata.NamespaceProperty + "/" + p.Metadata.Name)) + (evictable.Count > 10 ? ", …" : "");
        if (dryRun)
        {
            return new(StepStatus.DryRun, $"would cordon node {d.Node} and evict {evictable.Count} pod(s): {names}", undo);
        }
        if (!cordoned)
        {
            await PatchNodeAsync(d.Node, new JsonObject { ["spec"] = new JsonObject { ["unschedulable"] = true } }, ct).ConfigureAwait(false);
        }
        var refused = new List<string>();
        foreach (var p in evictable.Take(options.MaxEvictionsPerDrain))
        {
            try
            {
                await client.CoreV1.CreateNamespacedPodEvictionAsync(
                    new V1Eviction { Metadata = new V1ObjectMeta { Name = p.Metadata.Name, NamespaceProperty = p.Metadata.NamespaceProperty } },
                    p.Metadata.Name, p.Metadata.NamespaceProperty, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == (HttpStatusCode)429)
            {
                refused.Add($"{p.Metadata.NamespaceProperty}/{p.Metadata.Name} (PodDisruptionBudget)");
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone: idempotent.
            }
        }
        if (refused.Count > 0)
        {
            return new(StepStatus.Failed, $"node {d.Node} cordoned; evictions refused for {string.Join(", ", refused)}; re-run the step to retry", undo);
        }
        return new(StepStatus.Applied, $"cordoned node {d.Node} and evicted {Math.Min(evictable.Count, options.MaxEvictionsPerDrain)} pod(s): {names}", undo);
    }

    private async Task<StepResult> LabelAsync(LabelStep l, bool dryRun, CancellationToken ct)
    {
        var node = await client.CoreV1.ReadNodeAsync(l.Node, cancellationToken: ct).ConfigureAwait(false);
        var now = node.Metadata.Labels is { } labels && labels.TryGetValue(l.Key, out var v) ? v : null;
        if (now == l.Value)
        {
            return new(StepStatus.AlreadyInState, $"node {l.Node} label {l.Key} is already {(now ?? "absent")}");
        }
        var undo = l with { Value = now };
        if (dryRun)
        {
            return new(StepStatus.DryRun, "would " + l.Describe(), undo);
        }
        await PatchNodeAsync(l.Node, new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [l.Key] = l.Value is null ? null : JsonValue.Create(l.Value) } } }, ct).ConfigureAwait(false);
        return new(StepStatus.Applied, l.Describe(), undo);
    }

    private async Task<StepResult> TaintAsync(TaintStep t, bool dryRun, CancellationToken ct)
    {
        var node = await client.CoreV1.ReadNodeAsync(t.Node, cancellationToken: ct).ConfigureAwait(false);
        var taints = node.Spec?.Taints?.ToList() ?? [];
        var existing = taints.FirstOrDefault(x => x.Key == t.Key && x.Effect == t.Effect);
        var inState = t.Present ? existing is not null && (existing.Value ?? "") == t.Value : existing is null;
        if (inState)
        {
            return new(StepStatus.AlreadyInState, $"node {t.Node}: taint {t.Key}:{t.Effect} already {(t.Present ? "set" : "absent")}");
        }
        ExecutionStep undo = existing is null ? t with { Present = false } : t with { Value = existing.Value ?? "", Present = true };
        if (dryRun)
        {
            return new(StepStatus.DryRun, "would " + t.Describe(), undo);
        }
        taints.RemoveAll(x => x.Key == t.Key && x.Effect == t.Effect);
        if (t.Present)
        {
            taints.Add(new V1Taint { Key = t.Key, Value = t.Value, Effect = t.Effect });
        }
        var array = new JsonArray(taints.Select(x => (JsonNode)new JsonObject { ["key"] = x.Key, ["value"] = x.Value, ["effect"] = x.Effect }).ToArray());
        // A merge patch replaces the whole list; the list written is the one just read plus or minus this taint.
        await PatchNodeAsync(t.Node, new JsonObject { ["spec"] = new JsonObject { ["taints"] = array } }, ct).ConfigureAwait(false);
        return new(StepStatus.Applied, t.Describe(), undo);
    }

    private async Task<StepResult> AffinityAsync(AffinityStep a, bool dryRun, CancellationToken ct)
    {
        var name = options.WorkloadName.Replace("-{tier}", "", StringComparison.Ordinal).Replace("{component}", a.Component, StringComparison.Ordinal);
        var ns = options.Namespace;
        var dep = await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct).ConfigureAwait(false);
        var preferred = dep.Spec?.Template?.Spec?.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [];
        var now = preferred.Select(p => new AffinityTerm(
            p.Preference?.MatchExpressions?.FirstOrDefault()?.Key ?? "",
            (IReadOnlyList<string>)(p.Preference?.MatchExpressions?.FirstOrDefault()?.Values?.ToList() ?? []),
            p.Weight)).ToList();
        var same = now.Count == a.Terms.Count && now.Zip(a.Terms).All(x => x.First.Key == x.Second.Key && x.First.Weight == x.Second.Weight && x.First.Values.SequenceEqual(x.Second.Values));
        if (same)
        {
            return new(StepStatus.AlreadyInState, $"deployment {ns}/{name} already has these preferred node-affinity terms");
        }
        var undo = a with { Terms = now };
        if (dryRun)
        {
            return new(StepStatus.DryRun, $"would patch deployment {ns}/{name}: " + a.Describe(), undo);
        }
        var terms = new JsonArray(a.Terms.Select(t => (JsonNode)new JsonObject
        {
            ["weight"] = t.Weight,
            ["preference"] = new JsonObject
            {
                ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = t.Key, ["operator"] = "In", ["values"] = new JsonArray(t.Values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()) }),
            },
        }).ToArray());
        var patch = new JsonObject
        {
            ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = new JsonObject { ["affinity"] = new JsonObject { ["nodeAffinity"] = new JsonObject { ["preferredDuringSchedulingIgnoredDuringExecution"] = terms } } } } },
        };
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), name, ns, cancellationToken: ct).ConfigureAwait(false);
        return new(StepStatus.Applied, $"patched deployment {ns}/{name}: " + a.Describe(), undo);
    }

    private Task PatchNodeAsync(string node, JsonObject patch, CancellationToken ct) =>
        client.CoreV1.PatchNodeAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), node, cancellationToken: ct);

    private static string? TryStatusMessage(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["message"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
