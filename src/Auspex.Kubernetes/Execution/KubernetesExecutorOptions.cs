namespace Auspex.Kubernetes.Execution;

/// <summary>Options of the Kubernetes executor. Every default is documented; <see cref="Validate"/> checks them.</summary>
public sealed class KubernetesExecutorOptions
{
    /// <summary>API server URL (e.g. https://10.0.0.1:6443). Null: the in-cluster service account, else the kubeconfig (KUBECONFIG or ~/.kube/config).</summary>
    public Uri? Server { get; set; }

    /// <summary>Namespace of the workloads. Default "default".</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>
    /// Name of the workload (Deployment, else StatefulSet) of a component on a tier: <c>{component}</c> and <c>{tier}</c>
    /// (the tier key with '/' as '-') are replaced. Default <c>{component}</c> for steps without a tier and
    /// <c>{component}-{tier}</c> with one.
    /// </summary>
    public string WorkloadName { get; set; } = "{component}-{tier}";

    /// <summary>Pods on a drained node are evicted through the Eviction API (PodDisruptionBudgets apply); at most this many per drain (≥ 1). Default 500.</summary>
    public int MaxEvictionsPerDrain { get; set; } = 500;

    /// <summary>Returns the problems, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Namespace))
        {
            errors.Add("kubernetes.namespace is empty");
        }
        if (string.IsNullOrWhiteSpace(WorkloadName) || !WorkloadName.Contains("{component}", StringComparison.Ordinal))
        {
            errors.Add("kubernetes.workload_name must contain {component}");
        }
        if (MaxEvictionsPerDrain < 1)
        {
            errors.Add("kubernetes.max_evictions_per_drain must be ≥ 1");
        }
        return errors;
    }
}
